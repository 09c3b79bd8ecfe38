"""The small value rules every part of a scenario shares: a random delay's shape and values, a local
datetime, a probability, a road's or checkpoint's closures, and the helpers that name what is known.

Each rule yields one message per problem, naming its full key (`where`); `sim.config.validate`
applies them to a whole run.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from datetime import datetime
from typing import Any

from sim.config.clock import local_datetime
from sim.config.delays import REQUIRED_FIELDS
from sim.config.scenario import Scenario
from sim.config.schedules import schedule_problems
from sim.config.schema import Delay, Distribution

# Shapes whose mean, sd or median must be above zero, not only >= 0.
_NEEDS_POSITIVE = (Distribution.lognormal, Distribution.gamma, Distribution.exponential)


KEY = re.compile(r"^[a-z][a-z0-9_]*$")  # a key of places, legs, movements...: lowercase ASCII


def delay_problems(d: Delay, where: str) -> Iterator[str]:
    """Every rule a random delay (an inspection, a trip, a repair) breaks: the fields its shape
    needs, and their values."""
    kind = d.dist
    options = REQUIRED_FIELDS[kind]
    given = {f.name for f in fields(Delay) if f.name != "dist" and getattr(d, f.name) is not None}
    chosen = next((o for o in options if set(o) <= given), None)
    if chosen is None:
        needs = " or ".join("+".join(o) for o in options)
        yield f"{where}: dist={kind.value} needs {needs}"
        return
    for extra in sorted(given - set(chosen)):
        yield f"{where}.{extra}: is not used by dist={kind.value} (it takes {'+'.join(chosen)})"
    values = {name: getattr(d, name) for name in chosen}
    if kind is Distribution.empirical:
        if not values["values_h"] or not all(math.isfinite(v) and v >= 0 for v in values["values_h"]):
            yield f"{where}.values_h: must be a non-empty list of finite numbers >= 0"
        return
    for name, v in values.items():
        if not (math.isfinite(v) and v >= 0):
            yield f"{where}.{name}={v}: must be a finite number >= 0"
    if any(not math.isfinite(v) or v < 0 for v in values.values()):
        return
    yield from _shape_problems(kind, values, where)


def _shape_problems(kind: Distribution, values: dict[str, float], where: str) -> Iterator[str]:
    """Rules between a shape's own (finite, non-negative) values."""
    for name in ("mean_h", "sd_h", "median_h"):
        if kind in _NEEDS_POSITIVE and values.get(name) == 0:
            yield f"{where}.{name}=0: must be > 0 for dist={kind.value}"
    if "p90_h" in values and values["p90_h"] <= values["median_h"]:
        yield f"{where}.p90_h={values['p90_h']}: must be greater than median_h={values['median_h']}"
    if kind is Distribution.triangular and not values["low_h"] <= values["mode_h"] <= values["high_h"]:
        yield f"{where}: needs low_h <= mode_h <= high_h"
    if kind is Distribution.uniform and values["low_h"] > values["high_h"]:
        yield f"{where}: needs low_h <= high_h"


def time_problems(text: str, where: str, not_before: datetime | None) -> Iterator[str]:
    """A moment in the scenario's local time (a departure, a closure's start): its format, and
    that it does not come before `not_before`."""
    when = local_datetime(text)
    if when is None:
        yield f"{where}={text}: must be a local datetime like 2023-07-26T08:00 (no time zone)"
    elif not_before is not None and when < not_before:
        yield f"{where}={text}: is before {not_before.isoformat()}"


def probability_problems(p: float | None, where: str) -> Iterator[str]:
    """A chance (of a breakdown, a refusal, a turn back), if given, lies between 0 and 1."""
    if p is not None and not 0.0 <= p <= 1.0:
        yield f"{where}={p}: must be between 0 and 1"


def closure_problems(point: Any, where: str) -> Iterator[str]:
    """The closures of a leg or checkpoint: planned windows, and random closures' rate and length."""
    for name, window in point.closures.items():
        yield from time_problems(window.start, f"{where}.closures.{name}.start", None)
        if window.duration_h is not None and not positive(window.duration_h):
            yield f"{where}.closures.{name}.duration_h={window.duration_h}: must be > 0 (or null for no end)"
    if point.random_closures is not None:
        yield from rate_problems(point.random_closures, "rate_per_day", f"{where}.random_closures")
        yield from delay_problems(point.random_closures.duration, f"{where}.random_closures.duration")


def rate_problems(block: Any, field: str, where: str) -> Iterator[str]:
    """A block's rate (its `field`: other traffic's `rate_per_h`, random closures' `rate_per_day`):
    finite and > 0, or 0 where its `schedule` gives the rates; then the schedule's own rules."""
    rate, scheduled = getattr(block, field), bool(block.schedule)
    if not positive(rate) and not (scheduled and math.isfinite(rate) and rate == 0):
        yield f"{where}.{field}={rate}: must be a finite number > 0 (or 0 with a schedule)"
    yield from schedule_problems(block.schedule, field, where)


def positive(x: float) -> bool:
    """Whether a number is finite and above zero."""
    return math.isfinite(x) and x > 0


def names(mapping: dict) -> str:
    """The keys of a mapping (the known places, escort pools...) for a message."""
    return ", ".join(mapping) or "(none)"


def has_path(node: Any, parts: list[str]) -> bool:
    """Whether a dotted key (split in parts) names a parameter below `node` (a scenario)."""
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif is_dataclass(node) and part in {f.name for f in fields(node)}:
            node = getattr(node, part)
        else:
            return node is None  # below an optional part left out (e.g. a hold set to null)
    return True


def find_leg(scenario: Scenario, a: str, b: str) -> str | None:
    """The key of the road leg joining places a and b (legs are undirected), or None."""
    for key, leg in scenario.legs.items():
        if {leg.start, leg.end} == {a, b}:
            return key
    return None
