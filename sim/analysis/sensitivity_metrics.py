"""The results a sensitivity study analyses, read from one design point's summary (the statistics
of `summary.json`): per movement, the chance of delivery by the horizon and by its deadline, the
mean and median delivery time, the tonnes delivered; and the person-days of need covered.

Each comes with its Monte-Carlo standard error at the point (from the summary's interval), so a
study can say how much of an index is noise. The median is censored: where more than half of
the replications are not delivered by the horizon it lies beyond it, and the study records the
time from departure to the horizon instead, a lower bound (the points where this happened are
counted and reported). The mean delivery time is over delivered replications only; a point with
none has no value, and a result missing at any point is not analysed.
"""

from __future__ import annotations

import math

from scipy import stats

Z = 1.959963984540054  # the summary's intervals are 95% intervals

# metric -> (what it is, unit)
METRICS = {
    "delivery_probability": ("chance of delivery by the horizon", "share"),
    "on_time_probability": ("chance of delivery by its deadline", "share"),
    "mean_delivery_time_h": ("mean delivery time of delivered replications", "h"),
    "median_delivery_time_h": ("median delivery time (at the horizon where beyond it)", "h"),
    "tonnes_delivered": ("tonnes delivered, mean per replication", "t"),
    "person_days": ("person-days of need covered, mean per replication", "person-days"),
}
ALL = "all"  # the "movement" of results about every movement together
SEPARATOR = ":"  # a result's column: metric:movement


def column(metric: str, movement: str) -> str:
    """The name of a result's column in designs.csv."""
    return f"{metric}{SEPARATOR}{movement}"


def split(name: str) -> tuple[str, str]:
    """(metric, movement) of a result's column."""
    metric, movement = name.split(SEPARATOR, 1)
    return metric, movement


def point_results(summary: dict, bounds_h: dict[str, float]) -> dict[str, dict]:
    """column -> {"value", "se", "censored"} for one design point. `bounds_h`: per movement, the
    hours from its departure to the horizon (where a censored median is put)."""
    out: dict[str, dict] = {}
    for key, m in summary["movements"].items():
        p = m["delivery_probability"]["estimate"]
        n = m["replications"]
        out[column("delivery_probability", key)] = _result(p, math.sqrt(p * (1 - p) / n))
        if "on_time_probability" in m:
            q = m["on_time_probability"]["estimate"]
            out[column("on_time_probability", key)] = _result(q, math.sqrt(q * (1 - q) / n))
        out[column("mean_delivery_time_h", key)] = _from_interval(m["mean_delivery_time_h"], m["delivered_count"] - 1)
        median = m["median_delivery_time_h"]
        if median["estimate"] is None:
            out[column("median_delivery_time_h", key)] = {"value": bounds_h[key], "se": None, "censored": True}
        else:
            out[column("median_delivery_time_h", key)] = _from_interval(median)
        out[column("tonnes_delivered", key)] = _result(m["tonnes_by_outcome"]["delivered"] / n, None)
    by_cargo = summary.get("deliveries", {}).get("by_cargo", {})
    covered = [c["person_days"] for c in by_cargo.values() if "person_days" in c]
    if covered:
        total = sum(c["estimate"] for c in covered)
        parts = [_half(c) for c in covered]
        t = _quantile(summary["replications"] - 1)
        se = math.sqrt(sum(h * h for h in parts)) / t if all(h is not None for h in parts) else None
        out[column("person_days", ALL)] = _result(total, se)
    return out


def _result(value: float | None, se: float | None) -> dict:
    return {"value": math.nan if value is None else float(value), "se": se, "censored": False}


def _from_interval(interval: dict, df: int | None = None) -> dict:
    """A result and its standard error from its 95% interval: a t interval's with `df` degrees of
    freedom, else a normal one's."""
    half = _half(interval)
    return _result(interval["estimate"], None if half is None else half / _quantile(df))


def _quantile(df: int | None) -> float:
    """The 97.5% quantile of the t distribution with `df` degrees of freedom (normal: None)."""
    return float(stats.t.ppf(0.975, df)) if df is not None and df >= 1 else Z


def _half(interval: dict) -> float | None:
    if interval["low"] is None or interval["high"] is None:
        return None
    return (interval["high"] - interval["low"]) / 2.0
