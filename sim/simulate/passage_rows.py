"""The passages of consecutive replications as the collector keeps them, put row by row.

A replication notes its passages as they happen, every movement's in one log
(`sim.model.passages.Passages`); the passages table has them row by row: by replication, then
movement in plan order, each row's in the order they were noted. They are put so a part at a
time, a thousand rows or so, as they become arrays: a stable sort on a key of a byte or two (the
replication within the part, then the movement), while the values are still in the cache. At the
end of a run, one sort on the whole run's rows took a quarter of the time of making the tables.
"""

from __future__ import annotations

import numpy as np

from sim.model.passages import Passages
from sim.results.columns import PASSAGE_COLUMNS
from sim.results.records import Table, TableBuilder

COLUMNS = PASSAGE_COLUMNS[2:]  # place (a code), arrival_h, release_h, trucks


class PassageRows:
    """The passages of consecutive replications of a plan of `movements` movements."""

    def __init__(self, movements: int) -> None:
        self.movements = movements
        self.noted: tuple[list, ...] = tuple([] for _ in ("movement", *COLUMNS))  # not yet arrays
        self.counts: list[int] = []  # passages of each replication in `noted`
        self.replications = 0  # replications already made arrays
        self.parts: list[tuple[np.ndarray, list[np.ndarray]]] = []  # (movement row, columns)

    def add(self, passages: Passages) -> None:
        """Keep the passages of the replication after those added."""
        more = (passages.movement, passages.place, passages.arrival_h, passages.release_h, passages.trucks)
        for values, new in zip(self.noted, more):
            values.extend(new)
        self.counts.append(len(passages.place))
        if len(self.noted[0]) >= TableBuilder.ROWS_PER_PART:
            self._convert()

    def _convert(self) -> None:
        """The passages noted so far as arrays, row by row."""
        n, movements = len(self.counts), self.movements
        if self.noted[0]:
            key = np.repeat(np.arange(n) * movements, self.counts) + np.array(self.noted[0], np.intp)
            order = np.argsort(key.astype(np.min_scalar_type(n * movements)), kind="stable")
            row_of = key[order] + self.replications * movements
            self.parts.append((row_of, [np.array(values)[order] for values in self.noted[1:]]))
        for values in self.noted:
            values.clear()
        self.counts.clear()
        self.replications += n

    def table(self) -> tuple[np.ndarray, Table]:
        """The movement row of every passage (replication by replication, `movements` rows
        each), and the passages' columns but replication and movement, row by row."""
        self._convert()
        if not self.parts:  # no passages at all: empty columns, as `TableBuilder` makes them
            return np.empty(0, np.intp), {c: np.array([]) for c in COLUMNS}
        row_of = np.concatenate([rows for rows, _ in self.parts])
        return row_of, {c: np.concatenate([columns[i] for _, columns in self.parts]) for i, c in enumerate(COLUMNS)}
