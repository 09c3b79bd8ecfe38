"""The checkpoints table summed over fixed blocks of replications: what a long run keeps of it,
since every statistic of a checkpoint is a sum or a mean over replications.

Blocks are replications BLOCK * k to BLOCK * (k + 1) - 1, whatever pieces the rows came in, and
each block of a checkpoint is summed by one `np.add.reduceat` segment over its rows in replication
order, which gives the same bits wherever the segment lies: the sums, and the statistics made of
them, are the same for a run simulated in one piece, in many, or in batches (tested).
"""

from __future__ import annotations

import numpy as np

from sim.results.columns import CHECKPOINT_COLUMNS
from sim.results.records import Table

BLOCK = 256  # replications per block: a few bytes per replication, against ~100 for the rows
# Every column of the checkpoints table but those that name the row: all are counts or hours.
SUMMED = tuple(c for c in CHECKPOINT_COLUMNS if c not in ("replication", "checkpoint", "lanes"))
# A table of sums: per checkpoint and block, its lanes, how many rows were summed, and the sums.
SUM_COLUMNS = ("checkpoint", "block", "lanes", "rows", *SUMMED)


def checkpoint_sums(table: Table) -> dict[str, np.ndarray]:
    """The rows of a checkpoints table (in replication order) summed per checkpoint and block, in
    order of block; a table of sums (with a `rows` column) is returned as it is."""
    if "rows" in table:
        return dict(table)
    blocks = np.asarray(table["replication"]) // BLOCK
    checkpoints = np.asarray(table["checkpoint"])
    parts = []
    for key in dict.fromkeys(checkpoints.tolist()):
        at = np.flatnonzero(checkpoints == key)
        starts = np.flatnonzero(np.diff(blocks[at], prepend=-1))
        sums = {
            "checkpoint": np.full(len(starts), key, dtype=object),
            "block": blocks[at[starts]].astype(np.int64),
            "lanes": np.asarray(table["lanes"])[at[starts]].astype(np.int64),
            "rows": np.diff(np.append(starts, len(at))).astype(np.int64),
        }
        parts.append(sums | {c: np.add.reduceat(np.asarray(table[c], dtype=float)[at], starts) for c in SUMMED})
    found = joined(parts)
    # Block by block, each in the table's order of checkpoints: the sums of consecutive pieces,
    # one after another, are then the sums of the whole.
    order = np.argsort(found["block"], kind="stable")
    return {c: v[order] for c, v in found.items()}


def joined(sums: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Tables of sums one after another."""
    if not sums:
        return {c: np.empty(0, dtype=object if c == "checkpoint" else float) for c in SUM_COLUMNS}
    return {c: np.concatenate([s[c] for s in sums]) for c in SUM_COLUMNS}


class BlockSums:
    """The checkpoints table of a run's consecutive pieces, as they come, kept as sums: each block
    summed once it is complete, the rows of the block under way kept until it is."""

    def __init__(self) -> None:
        self._sums: list[dict[str, np.ndarray]] = []
        self._pending: dict[str, np.ndarray] = {}

    def add(self, table: Table) -> None:
        """Add the rows of the next piece (its replications follow those added before)."""
        rows = {c: np.asarray(table[c]) for c in _READ}
        if self._pending:
            rows = {c: np.concatenate([self._pending[c], v]) for c, v in rows.items()}
        replications = rows["replication"]
        if not len(replications):
            return
        # Rows before the first replication of the block under way belong to complete blocks.
        done = int(np.searchsorted(replications, (replications[-1] + 1) // BLOCK * BLOCK))
        if done:
            self._sums.append(checkpoint_sums({c: v[:done] for c, v in rows.items()}))
        self._pending = {c: v[done:].copy() for c, v in rows.items()}

    def table(self) -> dict[str, np.ndarray]:
        """The sums of every row added so far, the block under way summed as far as it goes."""
        under_way = [checkpoint_sums(self._pending)] if self._pending and len(self._pending["replication"]) else []
        return joined(self._sums + under_way)


_READ = ("replication", "checkpoint", "lanes", *SUMMED)
