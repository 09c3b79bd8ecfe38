"""What a simulation observed, as flat tables of numbers and names (column name -> array).

Tables are built once from whole replications, never per event, and are what `results` writes as
CSV and `analysis` reads back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

Table = dict[str, np.ndarray]

OUTCOMES = ("delivered", "refused", "turned_back", "not_delivered")  # indexed by sim.model.movement.Outcome


class TableBuilder:
    """Rows gathered column by column into Python lists, turned into arrays once at the end."""

    def __init__(self, columns: tuple[str, ...]) -> None:
        self.columns = columns
        self.lists: tuple[list, ...] = tuple([] for _ in columns)

    def add_rows(self, rows: list[tuple]) -> None:
        for values, more in zip(self.lists, zip(*rows)):
            values.extend(more)

    def add_columns(self, *columns: Sequence) -> None:
        """Add rows given column by column (sequences of equal length)."""
        for values, more in zip(self.lists, columns):
            values.extend(more)

    def table(self) -> Table:
        return {c: np.array(values) for c, values in zip(self.columns, self.lists)}


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

    def tables(self) -> tuple[Table, Table, Table, Table]:
        return self.movements, self.passages, self.checkpoints, self.deliveries

    def for_statistics(self) -> Records:
        """A compact copy for keeping many replications in memory: without passages (which no
        statistic reads), and with each text column holding one shared string per distinct value
        (8 bytes a row instead of 4 a character)."""

        def compact(table: Table) -> Table:
            return {c: _shared_strings(v) if v.dtype.kind == "U" else v for c, v in table.items()}

        return replace(
            self,
            movements=compact(self.movements),
            passages={c: v[:0] for c, v in self.passages.items()},
            checkpoints=compact(self.checkpoints),
            deliveries=compact(self.deliveries),
        )

    def movement_keys(self) -> list[str]:
        return list(dict.fromkeys(self.movements["movement"].tolist()))


def _shared_strings(values: np.ndarray) -> np.ndarray:
    names, codes = np.unique(values, return_inverse=True)
    return names.astype(object)[codes]


def concat(parts: list[Records]) -> Records:
    """Records of consecutive replication ranges joined in order."""
    def join(name: str) -> Table:
        # Empty tables carry no column types: leave them out, so that types never depend on
        # how replications were split into parts.
        tables = [t for t in (getattr(p, name) for p in parts) if len(next(iter(t.values()), ()))]
        tables = tables or [getattr(parts[0], name)]
        return {c: np.concatenate([t[c] for t in tables]) for c in tables[0]}

    return Records(
        movements=join("movements"),
        passages=join("passages"),
        checkpoints=join("checkpoints"),
        deliveries=join("deliveries"),
        horizon_h=parts[0].horizon_h,
        replications=sum(p.replications for p in parts),
    )
