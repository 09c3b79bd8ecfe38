"""How precise a run's headline is: the widest interval on a movement's chance of delivery, and
what `replications=auto` aimed at and reached, in one sentence for the console and the report."""

from __future__ import annotations


def widest_probability(summary: dict) -> tuple[float, str] | None:
    """The widest half-width of a movement's P(delivered by the horizon) interval, and its movement."""
    halves = [
        ((m["delivery_probability"]["high"] - m["delivery_probability"]["low"]) / 2, key)
        for key, m in summary["movements"].items()
        if m["delivery_probability"]["low"] is not None
    ]
    return max(halves) if halves else None


def statement(summary: dict) -> str:
    """How precisely this run's replications pin its chances of delivery down, and why that many."""
    level = f"{round(summary['confidence_level'] * 100)}%"
    n = f"{summary['replications']:,} replications"
    widest = widest_probability(summary)
    found = "no movement has an interval" if widest is None else (
        f"the widest {level} interval on a chance of delivery is ±{widest[0]:.3f} ({widest[1]})"
    )  # fmt: skip
    p = summary.get("precision")
    if p is None:
        return f"Precision: {n} (a fixed number); {found}."
    metric = "mean delivery time" if p["relative"] else "chance of delivery"
    target = f"±{p['target_half_width']:.0%} of the estimate" if p["relative"] else f"±{p['target_half_width']:.3f}"
    whose = ", ".join(p["movements"]) + "'s" if p["movements"] else "every movement's"
    aim = f"replications=auto ran {n} until {whose} {metric} was known within {target}"
    if not p["met"]:
        aim += f", and stopped at precision.max_replications={p['max_replications']:,} short of it"
    return f"Precision: {aim}; {found}."
