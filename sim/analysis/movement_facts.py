"""What the report states of the movements table beyond summary.json: when each movement or flow
departed, and how many replications delivered none, part or all of the tonnes they sent. Read a
block of rows at a time: a million replications' movements are millions of rows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.results.files import table_blocks

COLUMNS = ("replication", "flow", "departure_h", "tonnes", "delivered_t")


@dataclass
class MovementFacts:
    """departures_h: each movement's (or flow's) distinct departure times, in order; rows: its rows
    of the table; sent_t, delivered_t: tonnes per replication number (NaN where it has no row)."""

    departures_h: dict[str, list[float]]
    rows: dict[str, int]
    sent_t: np.ndarray
    delivered_t: np.ndarray


def movement_facts(path: Path, replications: int) -> MovementFacts:
    """The facts of the movements table at `path`, of a run of `replications` replications."""
    departures: dict[str, set[float]] = {}
    rows: dict[str, int] = {}
    sent, delivered, present = (np.zeros(replications) for _ in range(3))
    for block in table_blocks(path, COLUMNS):
        flows = block["flow"]
        for key in dict.fromkeys(flows.tolist()):
            at = flows == key
            departures.setdefault(key, set()).update(block["departure_h"][at].tolist())
            rows[key] = rows.get(key, 0) + int(at.sum())
        numbers = block["replication"].astype(np.int64)
        sent += np.bincount(numbers, weights=block["tonnes"], minlength=replications)
        delivered += np.bincount(numbers, weights=block["delivered_t"], minlength=replications)
        present += np.bincount(numbers, minlength=replications)
    missing = present == 0
    sent[missing] = delivered[missing] = np.nan
    return MovementFacts({k: sorted(v) for k, v in departures.items()}, rows, sent, delivered)
