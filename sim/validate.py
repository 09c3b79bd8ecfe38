"""Value rules for a run's configuration, checked before any simulation starts.

Hydra's typed composition already refuses unknown keys and wrong types. What it cannot see (missing
values, negative durations, routes through unknown places...) is checked here, and every problem is
reported at once, each naming its full key: `scenario.checkpoints.hakari.lanes=0: must be >= 1`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from datetime import datetime
from typing import Any

from hydra.errors import CompactHydraException

from sim.distributions import REQUIRED_FIELDS
from sim.model.calendar import parse_hours
from sim.model.plan import find_leg
from sim.schema import Delay, Distribution, RunConfig, Scenario

KEY = re.compile(r"^[a-z][a-z0-9_]*$")


class ConfigError(CompactHydraException):
    """A configuration that cannot be run; the message lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Invalid configuration:\n  " + "\n  ".join(problems))


def check(run: RunConfig) -> None:
    """Raise ConfigError listing every rule the run breaks."""
    problems = list(_run_problems(run))
    if problems:
        raise ConfigError(problems)


def _run_problems(run: RunConfig) -> Iterator[str]:
    if run.replications < 1:
        yield f"replications={run.replications}: must be >= 1"
    if run.seed < 0:
        yield f"seed={run.seed}: must be >= 0"
    yield from scenario_problems(run.scenario, "scenario")


def scenario_problems(s: Scenario, at: str) -> Iterator[str]:
    """Every rule a scenario breaks; `at` is the key the scenario sits under."""
    start = _datetime(s.start)
    if start is None:
        yield f"{at}.start={s.start}: must be a datetime like 2023-07-26T08:00"
    if not _positive(s.horizon_days):
        yield f"{at}.horizon_days={s.horizon_days}: must be a finite number > 0"
    if not s.places:
        yield f"{at}.places: must name at least one place"
    for key, place in s.places.items():
        if not KEY.match(key):
            yield f"{at}.places.{key}: keys must be lowercase ASCII letters, digits and _, starting with a letter"
        if not place.name.strip():
            yield f"{at}.places.{key}.name: must not be empty"
    yield from _leg_problems(s, at)
    for key, cp in s.checkpoints.items():
        where = f"{at}.checkpoints.{key}"
        if key not in s.places:
            yield f"{where}: '{key}' is not a place; checkpoints are keyed by place ({_names(s.places)})"
        if cp.lanes < 1:
            yield f"{where}.lanes={cp.lanes}: must be >= 1"
        try:
            parse_hours(cp.hours)
        except ValueError as error:
            yield f"{where}.hours={cp.hours}: {error}"
        yield from delay_problems(cp.inspection, f"{where}.inspection")
    if not s.movements:
        yield f"{at}.movements: must have at least one movement"
    for key, m in s.movements.items():
        yield from _movement_problems(s, m, f"{at}.movements.{key}", start)
    for path in s.sources:
        if not _has_path(s, path.split(".")):
            yield f"{at}.sources.{path}: names no parameter of this scenario"


def _leg_problems(s: Scenario, at: str) -> Iterator[str]:
    seen: dict[frozenset, str] = {}
    for key, leg in s.legs.items():
        where = f"{at}.legs.{key}"
        for end in ("start", "end"):
            place = getattr(leg, end)
            if place not in s.places:
                yield f"{where}.{end}={place}: unknown place; known places: {_names(s.places)}"
        if leg.start == leg.end:
            yield f"{where}: starts and ends at the same place '{leg.start}'"
        pair = frozenset((leg.start, leg.end))
        if pair in seen:
            yield f"{where}: joins the same places as legs.{seen[pair]}"
        seen[pair] = key
        if leg.distance_km is not None and not _positive(leg.distance_km):
            yield f"{where}.distance_km={leg.distance_km}: must be a finite number > 0"
        yield from delay_problems(leg.travel, f"{where}.travel")


def _movement_problems(s: Scenario, m: Any, where: str, start: datetime | None) -> Iterator[str]:
    if not m.name.strip():
        yield f"{where}.name: must not be empty"
    if m.trucks < 1:
        yield f"{where}.trucks={m.trucks}: must be >= 1"
    if not m.cargo_t:
        yield f"{where}.cargo_t: must list tonnes for at least one cargo type"
    for cargo, tonnes in m.cargo_t.items():
        if not (math.isfinite(tonnes) and tonnes >= 0):
            yield f"{where}.cargo_t.{cargo}={tonnes}: must be a finite number >= 0"
    if len(m.route) < 2:
        yield f"{where}.route={list(m.route)}: must list at least two places (origin and destination)"
    unknown = [p for p in m.route if p not in s.places]
    for p in unknown:
        yield f"{where}.route: '{p}' is not a place; known places: {_names(s.places)}"
    if not unknown:
        for a, b in zip(m.route, m.route[1:]):
            if find_leg(s, a, b) is None:
                yield f"{where}.route: no leg joins '{a}' and '{b}'; add one under legs"
    departure = _datetime(m.departure)
    if departure is None:
        yield f"{where}.departure={m.departure}: must be a datetime like 2023-07-26T08:00"
    elif start is not None and departure < start:
        yield f"{where}.departure={m.departure}: is before the scenario's start {start.isoformat()}"
    if m.hold is not None:
        if m.hold.place not in m.route:
            yield f"{where}.hold.place={m.hold.place}: must be a place on the route {list(m.route)}"
        p = m.hold.refusal_probability
        if not (0.0 <= p <= 1.0):
            yield f"{where}.hold.refusal_probability={p}: must be between 0 and 1"
        yield from delay_problems(m.hold.delay, f"{where}.hold.delay")


def delay_problems(d: Delay, where: str) -> Iterator[str]:
    """Every rule a delay spec breaks: the fields its shape needs, and their values."""
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
    for name in ("mean_h", "sd_h", "median_h"):
        if kind in (Distribution.lognormal, Distribution.gamma, Distribution.exponential) and values.get(name) == 0:
            yield f"{where}.{name}=0: must be > 0 for dist={kind.value}"
    if "p90_h" in values and values["p90_h"] <= values["median_h"]:
        yield f"{where}.p90_h={values['p90_h']}: must be greater than median_h={values['median_h']}"
    if kind is Distribution.triangular and not values["low_h"] <= values["mode_h"] <= values["high_h"]:
        yield f"{where}: needs low_h <= mode_h <= high_h"
    if kind is Distribution.uniform and values["low_h"] > values["high_h"]:
        yield f"{where}: needs low_h <= high_h"


def _positive(x: float) -> bool:
    return math.isfinite(x) and x > 0


def _datetime(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _names(mapping: dict) -> str:
    return ", ".join(mapping) or "(none)"


def _has_path(node: Any, parts: list[str]) -> bool:
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif is_dataclass(node) and part in {f.name for f in fields(node)}:
            node = getattr(node, part)
        else:
            return False
    return True
