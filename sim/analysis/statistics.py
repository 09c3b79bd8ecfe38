"""Headline statistics of a run, with confidence intervals.

Delivery probability: share of replications delivered before the horizon, with a Wilson score
interval. Mean delivery time: over delivered replications only, with a Student t interval.
Quantiles (median, p90, p95): over all replications, a movement that was not delivered (refused,
or still on the way at the horizon) counting as later than the horizon; a quantile that falls
there is reported as null, not as a number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from scipy import stats

from sim.analysis.checkpoint_summary import CHECKPOINT_READS, summarise_checkpoints
from sim.analysis.delivery_summary import distinct, summarise_deliveries
from sim.analysis.intervals import LEVEL, mean_interval, wilson
from sim.results.kept import ROWS_AT_A_TIME, read_rows, read_where, row_count
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


def censored_quantile(ordered_h: np.ndarray, q: float, level: float = LEVEL) -> dict:
    """Empirical quantile (no interpolation) of delivery times where NaN means 'not delivered',
    i.e. beyond the horizon, with a distribution-free interval from binomial order statistics; any
    of the three is None when it lies beyond the horizon. `ordered_h`: the times in ascending
    order, NaN last (as `np.sort` orders them)."""
    n = len(ordered_h)
    estimate = ordered_h[int(np.ceil(q * n)) - 1]  # the inverted-CDF quantile
    low_rank = int(stats.binom.ppf((1 - level) / 2, n, q))  # order statistics bracketing it
    high_rank = int(stats.binom.ppf((1 + level) / 2, n, q)) + 1
    low = ordered_h[low_rank - 1] if low_rank >= 1 else None
    high = ordered_h[high_rank - 1] if high_rank <= n else None

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
    movements = summarise_movements(table, flow_rows(table), records.replications, deadlines_h or {})
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


def summarise_movements(
    table: Mapping, rows: dict[str, np.ndarray], replications: int, deadlines_h: dict[str, float]
) -> dict[str, dict]:
    """Each movement's statistics (a flow's departures pooled) from its `rows` of the movements
    table (movement -> a mask of the table's rows); `deadlines_h`: the hours after departure by
    which delivery is wanted, for the movements that have one.

    Column by column and movement by movement: a long run holds one movement's values of one
    column at a time, read from the kept parts a block of rows at a time, never a whole column."""

    def per_movement(column: str, reduce: Callable[[np.ndarray], object]) -> dict[str, object]:
        return {key: reduce(read_where(table, column, where)) for key, where in rows.items()}

    departures = per_movement("movement", lambda v: len(set(v.tolist())))
    trucks = per_movement("trucks", lambda v: int(v[0]))
    tonnes = per_movement("tonnes", lambda v: float(v[0]))
    outcomes = per_movement("outcome", lambda v: {o: int((v == o).sum()) for o in OUTCOMES})
    trucks_by = {o: per_movement(f"{o}_trucks", lambda v: int(v.sum())) for o in OUTCOMES}
    tonnes_by = {o: per_movement(f"{o}_t", lambda v: float(v.sum())) for o in OUTCOMES}
    closure_wait_h = per_movement("closure_wait_h", mean_interval)
    rerouted_share = per_movement("reroutes", lambda v: float((v > 0).mean()))
    times = {  # the one column whose reduction depends on the movement (its deadline)
        key: delivery_time_statistics(read_where(table, "delivery_time_h", where), deadlines_h.get(key))
        for key, where in rows.items()
    }
    result = {}
    for key in rows:
        time_statistics, on_time = times[key]
        result[key] = {
            "departures": departures[key],
            "trucks": trucks[key],
            "tonnes": tonnes[key],
            "replications": replications,
            "outcomes": outcomes[key],
            "trucks_by_outcome": {o: trucks_by[o][key] for o in OUTCOMES},
            "tonnes_by_outcome": {o: tonnes_by[o][key] for o in OUTCOMES},
            **time_statistics,
            "mean_closure_wait_h": closure_wait_h[key],
            "rerouted_share": rerouted_share[key],
        }
        if on_time is not None:
            result[key] |= {"deadline_h": deadlines_h[key], "on_time_probability": on_time}
    return result


def flow_rows(table: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each flow of the movements table -> a mask of its rows, in the order the flows first
    appear; the flow column read a block of rows at a time."""
    rows, count = {}, row_count(table)
    for begin in range(0, count, ROWS_AT_A_TIME):
        flows = read_rows(table, "flow", begin, begin + ROWS_AT_A_TIME)
        for key in distinct(flows):
            rows.setdefault(key, np.zeros(count, bool))[begin : begin + len(flows)] = flows == key
    return rows


def delivery_time_statistics(times_h: np.ndarray, deadline_h: float | None) -> tuple[dict, dict | None]:
    """What a movement's delivery times (NaN: not delivered) say: its chance of delivery, the mean
    and quantiles of its time; and, given `deadline_h`, its chance of delivery by then (else None)."""
    n = len(times_h)
    delivered = times_h[~np.isnan(times_h)]  # in the order they came, as the mean's sum has always added them
    ordered_h = np.sort(times_h)  # once, for every quantile and the deadline
    result = {
        "delivery_probability": wilson(len(delivered), n),
        "delivered_count": len(delivered),
        "mean_delivery_time_h": mean_interval(delivered),
        **{f"{name}_delivery_time_h": censored_quantile(ordered_h, q) for name, q in QUANTILES.items()},
    }
    if deadline_h is None:
        return result, None
    return result, wilson(int(np.searchsorted(ordered_h, deadline_h, side="right")), n)
