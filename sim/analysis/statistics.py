"""Headline statistics of a run, with confidence intervals.

Delivery probability: share of replications delivered before the horizon, with a Wilson score
interval. Mean delivery time: over delivered replications only, with a Student t interval.
Quantiles (median, p90, p95): over all replications, a movement that was not delivered (refused,
or still on the way at the horizon) counting as later than the horizon; a quantile that falls
there is reported as null, not as a number.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy import stats

from sim.analysis.checkpoint_summary import CHECKPOINT_READS, summarise_checkpoints
from sim.analysis.delivery_summary import distinct, summarise_deliveries
from sim.analysis.intervals import LEVEL, mean_interval, wilson
from sim.results.records import OUTCOMES, Records

QUANTILES = {"median": 0.5, "p90": 0.9, "p95": 0.95}
# The columns `summarise` reads of each table, and no others: a long run keeps only these.
READS = {
    "movements": (
        "replication",
        "movement",
        "flow",
        "outcome",
        "departure_h",
        "delivery_time_h",
        "trucks",
        "tonnes",
        *(f"{o}_{unit}" for o in OUTCOMES for unit in ("trucks", "t")),
        "closure_wait_h",
        "reroutes",
    ),
    "checkpoints": CHECKPOINT_READS,
    "deliveries": ("replication", "movement", "time_h", "cargo", "tonnes"),
}


def censored_quantile(times_h: np.ndarray, q: float, level: float = LEVEL) -> dict:
    """Empirical quantile (no interpolation) where NaN means 'not delivered', i.e. beyond the
    horizon, with a distribution-free interval from binomial order statistics; any of the three
    is None when it lies beyond the horizon."""
    ordered = np.sort(np.where(np.isnan(times_h), np.inf, times_h))
    n = len(ordered)
    estimate = ordered[int(np.ceil(q * n)) - 1]  # the inverted-CDF quantile
    low_rank = int(stats.binom.ppf((1 - level) / 2, n, q))  # order statistics bracketing it
    high_rank = int(stats.binom.ppf((1 + level) / 2, n, q)) + 1
    low = ordered[low_rank - 1] if low_rank >= 1 else None
    high = ordered[high_rank - 1] if high_rank <= n else None

    def finite(x: float | None) -> float | None:
        return float(x) if x is not None and np.isfinite(x) else None

    return {"estimate": finite(estimate), "low": finite(low), "high": finite(high)}


def summarise(
    records: Records,
    needs: dict | None = None,
    deadlines_h: dict[str, float] | None = None,
    cargo_types: dict[str, dict] | None = None,
    warmup_h: float = 0.0,
) -> dict:
    """Per movement (a flow's departures pooled), per checkpoint and, given `needs`
    ({"population": n, "kg_per_person_day": {cargo: kg}}), per cargo type. `deadlines_h` maps a
    movement to the hours after its departure by which delivery is wanted; `cargo_types` the cargo
    that loses value to its {"shelf_life_days", "loss_per_day"}; checkpoint statistics start at
    `warmup_h`. JSON-ready: null, never NaN."""
    table = records.movements
    flows = table["flow"]
    movements = {
        key: summarise_movement(table, flows == key, records.replications, (deadlines_h or {}).get(key))
        for key in distinct(flows)
    }
    del flows
    summary = {
        "replications": records.replications,
        "horizon_h": records.horizon_h,
        "confidence_level": LEVEL,
        "movements": movements,
        "warmup_h": warmup_h,
        "checkpoints": summarise_checkpoints(records, warmup_h),
    }
    summary["deliveries"] = summarise_deliveries(records, needs, cargo_types or {})
    return summary


def summarise_movement(table: Mapping, rows: np.ndarray, replications: int, deadline_h: float | None) -> dict:
    """One movement's statistics (a flow's departures pooled) from its `rows` of the movements
    table; `deadline_h`: the hours after departure by which delivery is wanted, if any."""
    outcome = table["outcome"][rows]
    times_h = table["delivery_time_h"][rows]
    n = int(rows.sum())
    delivered = times_h[~np.isnan(times_h)]
    result = {
        "departures": int(len(set(table["movement"][rows].tolist()))),
        "trucks": int(table["trucks"][rows][0]),
        "tonnes": float(table["tonnes"][rows][0]),
        "replications": replications,
        "outcomes": {o: int((outcome == o).sum()) for o in OUTCOMES},
        "trucks_by_outcome": {o: int(table[f"{o}_trucks"][rows].sum()) for o in OUTCOMES},
        "tonnes_by_outcome": {o: float(table[f"{o}_t"][rows].sum()) for o in OUTCOMES},
        "delivery_probability": wilson(len(delivered), n),
        "delivered_count": len(delivered),
        "mean_delivery_time_h": mean_interval(delivered),
        **{f"{name}_delivery_time_h": censored_quantile(times_h, q) for name, q in QUANTILES.items()},
        "mean_closure_wait_h": mean_interval(table["closure_wait_h"][rows]),
        "rerouted_share": float((table["reroutes"][rows] > 0).mean()),
    }
    if deadline_h is not None:
        on_time = int((np.nan_to_num(times_h, nan=np.inf) <= deadline_h).sum())
        result["deadline_h"] = deadline_h
        result["on_time_probability"] = wilson(on_time, n)
    return result
