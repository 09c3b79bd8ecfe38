"""Headline statistics of a run, with confidence intervals.

Delivery probability: share of replications delivered before the horizon, with a Wilson score
interval. Mean delivery time: over delivered replications only, with a Student t interval.
Quantiles (median, p90, p95): over all replications, a movement that was not delivered (refused,
or still on the way at the horizon) counting as later than the horizon; a quantile that falls
there is reported as null, not as a number.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from sim.records import OUTCOMES, Records

LEVEL = 0.95
QUANTILES = {"median": 0.5, "p90": 0.9, "p95": 0.95}


def wilson(successes: int, trials: int, level: float = LEVEL) -> dict:
    """A proportion with its Wilson score interval."""
    ci = stats.binomtest(successes, trials).proportion_ci(confidence_level=level, method="wilson")
    return {"estimate": successes / trials, "low": ci.low, "high": ci.high}


def mean_interval(values: np.ndarray, level: float = LEVEL) -> dict:
    """The mean with its Student t interval; null bounds with fewer than two values."""
    n = len(values)
    if n == 0:
        return {"estimate": None, "low": None, "high": None}
    mean = float(values.mean())
    if n < 2:
        return {"estimate": mean, "low": None, "high": None}
    half = stats.t.ppf(0.5 + level / 2, n - 1) * values.std(ddof=1) / math.sqrt(n)
    return {"estimate": mean, "low": mean - half, "high": mean + half}


def censored_quantile(times_h: np.ndarray, q: float) -> float | None:
    """Empirical quantile (no interpolation) where NaN means 'not delivered', i.e. beyond the
    horizon; None when the quantile lies there."""
    value = np.quantile(np.where(np.isnan(times_h), np.inf, times_h), q, method="inverted_cdf")
    return float(value) if np.isfinite(value) else None


def summarise(records: Records) -> dict:
    """Per movement and per checkpoint statistics, JSON-ready (null, never NaN)."""
    table = records.movements
    movements = {}
    for key in records.movement_keys():
        rows = table["movement"] == key
        outcome = table["outcome"][rows]
        times_h = table["delivery_time_h"][rows]
        n = int(rows.sum())
        delivered = times_h[~np.isnan(times_h)]
        movements[key] = {
            "trucks": int(table["trucks"][rows][0]),
            "tonnes": float(table["tonnes"][rows][0]),
            "replications": n,
            "outcomes": {o: int((outcome == o).sum()) for o in OUTCOMES},
            "delivery_probability": wilson(len(delivered), n),
            "delivered_count": len(delivered),
            "mean_delivery_time_h": mean_interval(delivered),
            **{f"{name}_delivery_time_h": censored_quantile(times_h, q) for name, q in QUANTILES.items()},
        }
    return {
        "replications": records.replications,
        "horizon_h": records.horizon_h,
        "confidence_level": LEVEL,
        "movements": movements,
        "checkpoints": summarise_checkpoints(records),
    }


def summarise_checkpoints(records: Records) -> dict:
    """Mean wait per truck and lane utilisation over the horizon, per checkpoint."""
    table = records.checkpoints
    result = {}
    for key in dict.fromkeys(table["checkpoint"].tolist()):
        rows = table["checkpoint"] == key
        trucks = table["trucks"][rows].sum()
        lanes = int(table["lanes"][rows][0])
        result[key] = {
            "lanes": lanes,
            "trucks_per_replication": float(trucks / rows.sum()),
            "mean_wait_h": float(table["wait_h"][rows].sum() / trucks) if trucks else None,
            "utilisation": float(table["busy_h"][rows].mean() / (lanes * records.horizon_h)),
        }
    return result
