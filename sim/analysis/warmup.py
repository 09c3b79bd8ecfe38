"""MSER-5: a data-driven check of the warm-up, on the other-traffic waits of one replication.

MSER (White 1997; MSER-5, White, Cobb and Spratt 2000) truncates a series where the standard error
of the mean of what remains is smallest: the early, biased observations widen it, and cutting too
many shortens what is left. It is computed on batch means of 5 consecutive observations, and only
truncations within the first half of the series are searched (beyond that the statistic is unstable
and the series too short to say). Here the series is each checkpoint's other-traffic waits (start of
inspection minus arrival) in order of arrival, from other_traffic.csv: one replication, so the
suggestion is an indication, not a proof.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.results import layout
from sim.results.files import read_table

BATCH = 5  # observations per batch mean (MSER-5)
MIN_BATCHES = 10  # fewer batch means than this: no suggestion


def mser(values: np.ndarray, batch: int = BATCH) -> int | None:
    """The MSER-`batch` truncation point: how many leading observations to drop (a multiple of
    `batch`), or None for a series of fewer than `MIN_BATCHES` batches.

    The series is cut into `n` batch means `Z_1..Z_n` (an incomplete last batch is left out); for
    each `d` from 0 to `n // 2`, MSER(d) = sum over i > d of (Z_i - mean(Z_{d+1..n}))^2 / (n - d)^2,
    the squared standard error of the mean of the batch means kept, up to a constant. The smallest
    `d` at which it is least is chosen."""
    n = len(values) // batch
    if n < MIN_BATCHES:
        return None
    z = np.asarray(values[: n * batch], dtype=float).reshape(n, batch).mean(axis=1)
    z = z - z.mean()  # the statistic does not change; the sums below lose fewer digits
    kept = np.arange(n, 0, -1, dtype=float)  # n - d for d = 0 .. n - 1
    tail_sum = np.cumsum(z[::-1])[::-1]
    tail_squares = np.cumsum((z * z)[::-1])[::-1]
    spread = np.maximum(tail_squares - tail_sum * tail_sum / kept, 0.0)
    statistic = (spread / (kept * kept))[: n // 2 + 1]
    return int(np.argmin(statistic)) * batch


def suggestions(folder: Path) -> dict[str, dict]:
    """For each checkpoint with other traffic in `folder`'s other_traffic.csv (none if the file is
    missing: runs written before it existed): the vehicles in the series, the truncation (`dropped`
    vehicles, None for too short a series), the suggested warm-up in hours (the arrival of the first
    vehicle kept; 0 if none is dropped), and whether the truncation reached the end of the searched
    half (`at_limit`: the series may not have settled within the run)."""
    path = folder / layout.OTHER_TRAFFIC
    if not path.is_file():
        return {}
    table = read_table(path)
    found = {}
    for key in dict.fromkeys(table["checkpoint"].tolist()):
        rows = table["checkpoint"] == key
        arrival_h = table["arrival_h"][rows].astype(float)
        order = np.argsort(arrival_h, kind="stable")
        arrival_h = arrival_h[order]
        wait_h = table["start_h"][rows].astype(float)[order] - arrival_h
        dropped = mser(wait_h)
        found[key] = {
            "vehicles": len(wait_h),
            "dropped": dropped,
            "warmup_h": None if dropped is None else (float(arrival_h[dropped]) if dropped else 0.0),
            "at_limit": dropped is not None and dropped // BATCH == (len(wait_h) // BATCH) // 2,
        }
    return found
