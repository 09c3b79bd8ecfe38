"""What a simulation observed, as flat tables of numbers and names (column name -> array; names as
object arrays of Python strings).

Tables are built once from whole replications, never per event, and are what `results` writes as
CSV and `analysis` reads back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

Table = dict[str, np.ndarray]

TABLE_NAMES = ("movements", "passages", "checkpoints", "deliveries")  # the tables of `Records`
OUTCOMES = ("delivered", "refused", "turned_back", "not_delivered")  # indexed by sim.model.journey.Outcome


class TableBuilder:
    """Rows gathered column by column into Python lists, turned into arrays every thousand rows or
    so and joined once at the end.

    Converting numbers soon after they were made is about three times quicker than at the end of a
    long run: by then a column's Python floats lie scattered through memory, no longer in the cache.
    """

    ROWS_PER_PART = 1024

    def __init__(self, columns: tuple[str, ...]) -> None:
        self.columns = columns
        self.lists: tuple[list, ...] = tuple([] for _ in columns)
        self.parts: list[list[np.ndarray]] = []

    def add_rows(self, rows: list[tuple]) -> None:
        """Add rows given row by row (tuples in the order of the columns)."""
        for values, more in zip(self.lists, zip(*rows)):
            values.extend(more)
        self._convert_if_many()

    def add_columns(self, *columns: Sequence) -> None:
        """Add rows given column by column (sequences of equal length)."""
        for values, more in zip(self.lists, columns):
            values.extend(more)
        self._convert_if_many()

    def _convert_if_many(self) -> None:
        if len(self.lists[0]) >= self.ROWS_PER_PART:
            self.parts.append([_array(values) for values in self.lists])
            for values in self.lists:
                values.clear()

    def table(self) -> Table:
        """The rows added, as a table of one array per column."""
        parts = [*self.parts, [_array(values) for values in self.lists]]
        if len(parts) > 1 and not len(parts[-1][0]):
            parts.pop()  # empty arrays are of floats: joined, they would turn integers into floats
        return {c: np.concatenate([p[i] for p in parts]) for i, c in enumerate(self.columns)}


def _array(values: list) -> np.ndarray:
    # Text as an array of references to Python strings: the same few names (movements, places)
    # repeat on every row, so this is 8 bytes a row and quick to build, where a fixed-width unicode
    # array takes 4 bytes a character of the longest name.
    return np.array(values, dtype=object if values and isinstance(values[0], str) else None)


@dataclass(frozen=True)
class Coded:
    """A text column as codes into a list of names (a name may repeat in the list).

    Text columns are made this way and travel between processes this way: a byte or two a row,
    copied as a block, where a column of Python strings is pickled and unpickled string by string.
    """

    names: np.ndarray  # object array of the names
    codes: np.ndarray  # one per row: an index into `names`

    @classmethod
    def of(cls, names: Sequence[str], codes: np.ndarray) -> Coded:
        """A coded column, its codes in the smallest integer type that holds them."""
        return cls(np.array(names, object), codes.astype(np.min_scalar_type(max(len(names) - 1, 0))))

    def decoded(self) -> np.ndarray:
        """The column as an object array of the names."""
        return self.names[self.codes]


@dataclass
class Records:
    """Results of many replications of one scenario.

    movements: one row per replication and movement: its outcome, when it ended, what it carried.
    passages: one row per replication, movement and place reached: arrival and release (NaN if it
        had not left by the horizon).
    checkpoints: one row per replication and checkpoint: aid trucks and other vehicles inspected,
        their total waits, the lanes' busy time and the hours the checkpoint was open.
    deliveries: one row per replication, delivery and cargo type: when, and how many tonnes.
    """

    movements: Table
    passages: Table
    checkpoints: Table
    deliveries: Table
    horizon_h: float
    replications: int

    def for_statistics(self) -> Records:
        """A copy without passages, which no statistic reads: for keeping many replications."""
        # Fresh empty columns: a view such as v[:0] would keep the whole column alive.
        return replace(self, passages={c: np.empty(0, v.dtype) for c, v in self.passages.items()})

    def to_pandas(self) -> dict[str, pd.DataFrame]:
        """The four tables as pandas DataFrames, by name (movements, passages, checkpoints, deliveries)."""
        from sim.results.frames import table_frame

        return {name: table_frame(getattr(self, name)) for name in TABLE_NAMES}

    def movement_keys(self) -> list[str]:
        """The keys of the movements (and flows) recorded, in order of first appearance."""
        return list(dict.fromkeys(self.movements["movement"].tolist()))


PackedTable = dict[str, "np.ndarray | Coded"]  # a table whose text columns are `Coded`


@dataclass
class Packed:
    """`Records` whose text columns are `Coded`: as a worker process hands them back."""

    tables: dict[str, PackedTable]  # table name -> its columns
    horizon_h: float
    replications: int

    def unpacked(self) -> Records:
        """The records with their text columns decoded, as the main process keeps them."""

        def decoded(table: PackedTable) -> Table:
            return {c: v.decoded() if isinstance(v, Coded) else v for c, v in table.items()}

        tables = {name: decoded(table) for name, table in self.tables.items()}
        return Records(**tables, horizon_h=self.horizon_h, replications=self.replications)
