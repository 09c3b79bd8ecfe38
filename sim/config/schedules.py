"""Rates that change over time: a block's `schedule` of named periods, each from a local datetime
(`start`) until the next period starts, with its own rate (`rate_per_h` of other traffic,
`rate_per_day` of random closures) or interval (`every_h` of a flow). Before the first period the
block's own value applies.

Here: the value rules of a schedule, and the schedule as clock hours (`rate_steps`) and a flow's
departures (`departure_hours`), shared by `sim.simulate.compile` and `sim.config.bounds`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sim.config.clock import clock_h, local_datetime

__all__ = ["departure_count", "departure_hours", "rate_steps", "schedule_problems"]


def schedule_problems(schedule: dict[str, Any], field: str, where: str, interval: bool = False) -> Iterator[str]:
    """Every rule a schedule breaks: each period's `start` a local datetime after the previous
    period's start, its `field` a finite number >= 0 (a rate), or > 0 or null (an `interval`)."""
    previous: tuple[str, datetime] | None = None
    for key, period in schedule.items():
        at = f"{where}.schedule.{key}"
        value = getattr(period, field)
        if interval:
            if value is not None and not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                yield f"{at}.{field}={value}: must be a finite number > 0, or null (no departures in the period)"
        elif not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
            yield f"{at}.{field}={value}: must be a finite number >= 0"
        when = local_datetime(period.start)
        if when is None:
            yield f"{at}.start={period.start}: must be a local datetime like 2023-09-26T00:00 (no time zone)"
            continue
        if previous is not None and when <= previous[1]:
            yield (
                f"{at}.start={period.start}: must be after the start of {previous[0]} "
                f"({previous[1].isoformat()}): periods are listed in time order, each lasting until the next"
            )
        previous = (key, when)


def rate_steps(start: str, base: float, schedule: dict[str, Any], field: str, per: float = 1.0) -> tuple:
    """The rate over the clock as steps ((from hour, rate / per), ...): the first from hour 0 (the
    base rate, or the last period that started by then), each lasting until the next."""
    steps = [(0.0, base / per)]
    for period in schedule.values():
        hour = clock_h(start, period.start)
        rate = getattr(period, field) / per
        if hour <= 0.0:
            steps = [(0.0, rate)]
        else:
            steps.append((hour, rate))
    return tuple(steps)


def _segments(start: str, first: str, every_h: float, schedule: dict[str, Any]) -> list[tuple[float, float, Any]]:
    """A scheduled flow's intervals as (anchor hour, end hour, every_h or None): the base interval
    from the first departure, then each period's from its start (or the first departure, if later)."""
    first_h = clock_h(start, first)
    bounds = [(-math.inf, every_h)] + [(clock_h(start, p.start), p.every_h) for p in schedule.values()]
    ends = [b for b, _ in bounds[1:]] + [math.inf]
    return [(max(lo, first_h), hi, every) for (lo, every), hi in zip(bounds, ends) if max(lo, first_h) < hi]


def departure_hours(
    start: str, first: str, every_h: float, schedule: dict[str, Any], last_h: float, horizon_h: float
) -> list[float]:
    """A scheduled flow's departures (clock hours): within each segment every its interval from
    its anchor, before the next period, at or before `last_h` and before the horizon."""
    hours = []
    for anchor, end, every in _segments(start, first, every_h, schedule):
        stop = min(end, horizon_h)
        if every is None or anchor >= stop or anchor > last_h:
            continue
        n = int((min(stop, last_h) - anchor) // every) + 1
        hours += [d for d in (anchor + k * every for k in range(n)) if d < stop and d <= last_h]
    return hours


def departure_count(
    start: str, first: str, every_h: float, schedule: dict[str, Any], last_h: float, horizon_h: float
) -> float:
    """How many departures `departure_hours` gives (to within one a period), without listing them."""
    count = 0.0
    for anchor, end, every in _segments(start, first, every_h, schedule):
        stop = min(end, horizon_h, last_h)
        if every is not None and anchor <= stop:
            count += math.floor((stop - anchor) / every) + 1
    return count
