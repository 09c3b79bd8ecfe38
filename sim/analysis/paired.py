"""Paired differences of two runs under common random numbers, the one implementation every page uses.

Replication r of a given seed draws the same random numbers whatever the configuration (see
`sim.simulate.randomness`), so two runs with the same seed can be compared replication by
replication over the replication numbers both ran, which cancels much of the noise that separate intervals carry. Runs
that do not share them are not paired, and the caller is told why.
"""

from __future__ import annotations

import math

import numpy as np

from sim.analysis.delivery_summary import days_without_delivery
from sim.analysis.intervals import LEVEL, mean_interval, wilson
from sim.analysis.runs import Run
from sim.results.records import Table


def paired_differences(reference: Run, other: Run, level: float = LEVEL) -> dict:
    """`other` minus `reference`, replication by replication, for every movement both ran.

    Returns {"problem": why they cannot be paired, or None, "movements": {key: result}, "common":
    None, or which replications were paired where the runs ran different ones}. Runs are paired
    only when they used the same seed (common random numbers), over the replication numbers both
    ran. Per movement (a flow's departures are matched by departure and pooled within each
    replication, so that replications stay the independent units):

    - time: the mean over replications of (delivery time in `other` - delivery time in
      `reference`), over the departures delivered in both, with a Student t interval; null when
      fewer than two replications delivered in both.
    - probability: the difference in the share delivered. A movement with one departure per
      replication gives a paired 2x2 table, with Newcombe's (1998, method 10) interval built from
      Wilson intervals; a flow's per-replication shares get a Student t interval.
    """
    if reference.seed != other.seed:
        return {"problem": f"different seeds ({reference.seed} and {other.seed})", "movements": {}}
    ours, theirs = _replication_numbers(reference.movements), _replication_numbers(other.movements)
    common = ours & theirs
    if not common:
        return {"problem": f"no replication in common ({_span(ours)} and {_span(theirs)})", "movements": {}}
    a, b = _only(reference.movements, common), _only(other.movements, common)
    keys = [k for k in reference.summary["movements"] if k in other.summary["movements"]]
    results = {}
    for key in keys:
        result = _paired_movement(a, b, key, level)
        if result is not None:
            results[key] = result
    # Runs of `replications=auto` stop at different counts: they pair over the replications both ran.
    over = None if ours == theirs else f"over the {len(common):,} replications both ran ({_span(common)})"
    return {"problem": None, "movements": results, "common": over}


def paired_totals(reference: Run, other: Run, level: float = LEVEL) -> dict | None:
    """`other` minus `reference` for the whole run, replication by replication over the
    replications both ran: the tonnes delivered (all movements and flows) and the days without
    any delivery (over each run's horizon; None if a run has no deliveries table). Each as
    {"reference": mean, "other": mean, "difference": mean with Student t interval}. None if the
    runs cannot be paired (see `paired_differences`)."""
    if reference.seed != other.seed:
        return None
    common = np.array(sorted(_replication_numbers(reference.movements) & _replication_numbers(other.movements)))
    if not len(common):
        return None
    totals = {"tonnes": [_tonnes(run, common) for run in (reference, other)]}
    if reference.deliveries is not None and other.deliveries is not None:
        totals["days_without_delivery"] = [_idle_days(run, common) for run in (reference, other)]
    result = {"replications": len(common)}
    for name, (a, b) in totals.items():
        result[name] = {
            "reference": float(a.mean()),
            "other": float(b.mean()),
            "difference": mean_interval(b - a, level),
        }
    return result


def _tonnes(run: Run, replications: np.ndarray) -> np.ndarray:
    """Tonnes delivered in each of `replications`."""
    numbers = run.movements["replication"].astype(np.int64)
    by_replication = np.bincount(numbers, weights=run.movements["delivered_t"], minlength=int(replications.max()) + 1)
    return by_replication[replications]


def _idle_days(run: Run, replications: np.ndarray) -> np.ndarray:
    """Days of the horizon without any delivery, in each of `replications`."""
    d = run.deliveries
    return days_without_delivery(
        d["replication"], d["time_h"], replications, 0.0, round(run.summary["horizon_h"] / 24.0)
    )


def _only(table: Table, replications: set[int]) -> Table:
    """The rows of `table` whose replication is one of `replications`."""
    keep = np.isin(table["replication"].astype(int), list(replications))
    return table if keep.all() else {name: column[keep] for name, column in table.items()}


def newcombe_paired(both: int, other_only: int, reference_only: int, neither: int, level: float = LEVEL) -> dict:
    """The difference of two paired proportions (other minus reference) with Newcombe's interval
    (method 10: Wilson score intervals of each proportion, combined with the phi correlation)."""
    n = both + other_only + reference_only + neither
    p1, p2 = (both + other_only) / n, (both + reference_only) / n
    w1, w2 = wilson(both + other_only, n, level), wilson(both + reference_only, n, level)
    l1, u1, l2, u2 = w1["low"], w1["high"], w2["low"], w2["high"]
    margins = (both + other_only) * (reference_only + neither) * (both + reference_only) * (other_only + neither)
    cross = both * neither - other_only * reference_only
    if cross > n / 2:
        cross -= n / 2
    elif cross >= 0:
        cross = 0
    phi = cross / math.sqrt(margins) if margins else 0.0
    d = p1 - p2
    low = d - math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    high = d + math.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    return {"estimate": d, "low": max(-1.0, low), "high": min(1.0, high)}


def _paired_movement(reference: Table, other: Table, key: str, level: float) -> dict | None:
    """The paired differences of one movement or flow; None if no departure is in both."""
    numbers, a, b, unmatched = _matched_departures(reference, other, key)
    if not len(numbers):
        return None
    replications, index = np.unique(numbers, return_inverse=True)
    departures = np.bincount(index)
    in_a, in_b = ~np.isnan(a), ~np.isnan(b)
    both = in_a & in_b
    if (departures == 1).all():
        probability = newcombe_paired(
            int(both.sum()), int((in_b & ~in_a).sum()), int((in_a & ~in_b).sum()), int((~in_a & ~in_b).sum()), level
        )
        method = "Newcombe"
    else:
        probability = mean_interval(np.bincount(index, weights=in_b.astype(float) - in_a) / departures, level)
        method = "t"
    delivered_both = np.bincount(index, weights=both)
    total = np.bincount(index, weights=np.where(both, b - a, 0.0))
    shared = delivered_both > 0
    return {
        "replications": len(replications),
        "probability": probability,
        "probability_method": method,
        "reference_probability": float(in_a.mean()),
        "other_probability": float(in_b.mean()),
        "time": mean_interval(total[shared] / delivered_both[shared], level),
        "time_replications": int(shared.sum()),
        "unmatched_departures": unmatched,
        "same_outcomes": bool((in_a == in_b).all()),
        "same_times": bool((a[both] == b[both]).all()),
    }


def _matched_departures(reference: Table, other: Table, key: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The departures of a movement (or flow) found in both tables, matched by replication and
    departure: their replication numbers, delivery times in each (NaN: not delivered), and how
    many departures were in one table only."""
    ours, theirs = reference["flow"] == key, other["flow"] == key
    numbers = reference["replication"][ours].astype(int)
    if np.array_equal(numbers, other["replication"][theirs].astype(int)) and np.array_equal(
        reference["movement"][ours], other["movement"][theirs]
    ):  # the same rows in the same order: the usual case
        return numbers, reference["delivery_time_h"][ours], other["delivery_time_h"][theirs], 0
    a, b = _departures(reference, key), _departures(other, key)
    matched = sorted(a.keys() & b.keys())
    return (
        np.array([r for r, _ in matched], dtype=int),
        np.array([a[k] for k in matched], dtype=float),
        np.array([b[k] for k in matched], dtype=float),
        len(a) + len(b) - 2 * len(matched),
    )


def _departures(table: Table, key: str) -> dict[tuple[int, str], float]:
    """(replication, departure) -> delivery time (NaN: not delivered), for one movement or flow."""
    rows = table["flow"] == key
    pairs = zip(table["replication"][rows].astype(int).tolist(), table["movement"][rows].tolist())
    return dict(zip(pairs, table["delivery_time_h"][rows].tolist()))


def _replication_numbers(table: Table) -> set[int]:
    """The replication numbers a movements table holds."""
    return set(table["replication"].astype(int).tolist())


def _span(numbers: set[int]) -> str:
    """Replication numbers as said on the page: "1-30", or how many from where to where."""
    if not numbers:
        return "none"
    low, high = min(numbers), max(numbers)
    if len(numbers) == high - low + 1:
        return f"{low}-{high}"
    return f"{len(numbers)} numbers from {low} to {high}"
