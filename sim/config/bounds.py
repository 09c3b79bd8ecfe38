"""The sizes and physical ranges a run may have, and the problems of a run that exceeds them.

Hydra checks types and `sim.config.validate` the rules of each value (>= 1, finite, known places);
neither sees that a value is absurd or that the run cannot fit in memory. Without these bounds
`trucks=1000000000` fails with a MemoryError after the run has started, and a travel time of
1e308 h is simulated. Two kinds of problem, each naming its full key and the bound:

- a value outside a sane physical range (`RANGE`, `MAX_HOURS`, ...): a convoy of a billion
  trucks, a delay longer than any horizon. Non-finite values are left to the value rules, which
  refuse them;
- a run whose estimated memory exceeds a share of the machine's: `sim.config.memory`, judged
  only when every value is in range, so that the estimate is made of sane numbers.

The bounds are stated in docs/scenarios.md ("Bounds"); keep the two in step.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from typing import Any

from sim.config.clock import clock_h, local_datetime
from sim.config.scenario import RunConfig, Scenario
from sim.config.schedules import departure_count
from sim.config.schema import Flow

__all__ = ["finite", "flow_departures", "range_problems", "scenario_range_problems"]

# --- Physical ranges: every bound with the reason for it ------------------------------------------

MAX_HORIZON_DAYS = 3653  # ten years: the model is for an operation, not a decade of them
MAX_HOURS = 1e5  # any duration (*_h), 11.4 years: longer than the longest horizon, so the same as never
MAX_TRUCKS = 10_000  # per movement or flow departure: a convoy of more trucks is not a convoy
MAX_LANES = 100  # per checkpoint: the largest road border crossings have a few dozen lanes
MAX_ESCORTS = 10_000  # per pool: one for every truck of the largest convoy
MAX_OTHER_TRAFFIC_PER_H = 10_000  # vehicles/h: five motorway lanes at full capacity (~2,000 an hour each)
MAX_CLOSURES_PER_DAY = 24  # random closure onsets: more than one an hour is traffic control, not closure
MAX_DISTANCE_KM = 40_000  # the Earth's circumference: no road leg is longer
MAX_POPULATION = 10_000_000_000  # more people than live on Earth
MAX_TONNES_PER_TRUCK = 1_000  # cargo of a movement over its trucks: the heaviest road trains carry ~200 t
MAX_DEPARTURES = 100_000  # per flow: more than one an hour over the longest horizon (87,672 h)
MAX_REPLICATIONS = 1_000_000  # a delivery probability's 95% interval is then +-0.001 at most
MAX_WORKERS = 1024  # processes: more than any single machine has cores

# Integer fields bounded wherever they appear in a scenario: field name -> (bound, reason).
RANGE: dict[str, tuple[float, str]] = {
    "trucks": (MAX_TRUCKS, "a convoy of more trucks is not a convoy"),
    "lanes": (MAX_LANES, "the largest road border crossings have a few dozen lanes"),
    "size": (MAX_ESCORTS, "more escorts than the largest convoy has trucks"),
    "population": (MAX_POPULATION, "more people than live on Earth"),
    "rate_per_h": (MAX_OTHER_TRAFFIC_PER_H, "vehicles an hour: five motorway lanes at full capacity"),
    "rate_per_day": (MAX_CLOSURES_PER_DAY, "onsets a day: more than one an hour is traffic control, not closure"),
    "distance_km": (MAX_DISTANCE_KM, "km: the Earth's circumference"),
}


def range_problems(run: RunConfig) -> Iterator[str]:
    """The run settings and the scenario values outside their sane physical range."""
    for key, value in (
        ("replications", run.replications),
        ("precision.max_replications", run.precision.max_replications),
    ):
        if isinstance(value, int) and value > MAX_REPLICATIONS:
            yield f"{key}={value}: must be <= {MAX_REPLICATIONS} (a delivery probability is then known to +-0.001)"
    if isinstance(run.workers, int) and run.workers > MAX_WORKERS:
        yield f"workers={run.workers}: must be <= {MAX_WORKERS} (more processes than any machine has cores)"
    yield from scenario_range_problems(run.scenario, "scenario")


def scenario_range_problems(s: Scenario, at: str) -> Iterator[str]:
    """A scenario's values outside their range; `at` is the key the scenario sits under."""
    days = s.horizon_days
    if finite(days) and days > MAX_HORIZON_DAYS:
        yield f"{at}.horizon_days={days}: must be <= {MAX_HORIZON_DAYS} (ten years: the model is for one operation)"
    for where, name, value in _leaves(s, at):
        if name in RANGE:
            bound, reason = RANGE[name]
            if finite(value) and value > bound:
                yield f"{where}={value}: must be <= {bound:.15g} ({reason})"
        elif name.endswith("_h") and "_per_" not in name:
            values = value if isinstance(value, list) else [value]
            if any(finite(v) and v > MAX_HOURS for v in values):
                shown = "" if isinstance(value, list) else f"={value}"
                yield f"{where}{shown}: must be <= {MAX_HOURS:g} h ({_HOURS_REASON})"
        elif name.endswith("_days") and name != "horizon_days" and finite(value) and value > MAX_HOURS / 24:
            yield f"{where}={value}: must be <= {MAX_HOURS / 24:.0f} days ({_HOURS_REASON})"
    for group, convoys in (("movements", s.movements), ("flows", s.flows)):
        for key, m in convoys.items():
            tonnes = sum(t for t in m.cargo_t.values() if finite(t))
            if isinstance(m.trucks, int) and m.trucks >= 1 and tonnes > MAX_TONNES_PER_TRUCK * m.trucks:
                yield (
                    f"{at}.{group}.{key}.cargo_t: {tonnes:g} t on {m.trucks} trucks; must be <= "
                    f"{MAX_TONNES_PER_TRUCK} t a truck (the heaviest road trains carry about 200 t)"
                )
    for key, flow in s.flows.items():
        departures = flow_departures(s, flow)
        if departures > MAX_DEPARTURES:
            yield (
                f"{at}.flows.{key}.every_h={flow.every_h}: gives {departures:,.0f} departures before the horizon; "
                f"must give at most {MAX_DEPARTURES} (each is a convoy of its own in every replication)"
            )


_HOURS_REASON = "longer than the longest horizon, so the same as never: use a refusal or a closure for good"


def _leaves(node: Any, at: str) -> Iterator[tuple[str, str, Any]]:
    """(full key, field name, value) of every number or list of numbers below a scenario's node,
    through its blocks and keyed mappings; `sources` (text about the values) is left out."""
    if is_dataclass(node):
        items = ((f.name, getattr(node, f.name)) for f in fields(node) if f.name != "sources")
    elif isinstance(node, dict):
        items = node.items()
    else:
        return
    for name, value in items:
        where = f"{at}.{name}"
        if isinstance(value, bool) or value is None:
            continue
        numbers = value if isinstance(value, list) else [value]
        if numbers and all(isinstance(v, int | float) for v in numbers):
            yield where, str(name), value
        elif is_dataclass(value) or isinstance(value, dict):
            yield from _leaves(value, where)


def finite(x: Any) -> bool:
    """Whether `x` is a finite number (not a bool)."""
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def flow_departures(s: Scenario, flow: Flow) -> float:
    """How many departures an enabled flow makes before the horizon (as `sim.simulate.compile`
    expands it); 0 where the values that decide it are not valid (the value rules say why)."""
    start, first = local_datetime(s.start), local_datetime(flow.first_departure)
    last = flow.last_departure
    if not flow.enabled or start is None or first is None or (last is not None and local_datetime(last) is None):
        return 0.0
    if not (finite(s.horizon_days) and finite(flow.every_h) and flow.every_h > 0):
        return 0.0
    horizon_h = s.horizon_days * 24.0
    first_h = clock_h(s.start, flow.first_departure)
    stop_h = min(clock_h(s.start, last) if last is not None else horizon_h, horizon_h)
    if first_h >= horizon_h or stop_h < first_h:
        return 0.0
    if flow.schedule:  # intervals that change over time: counted as sim.config.schedules lists them
        periods = flow.schedule.values()
        if any(
            local_datetime(p.start) is None or not (p.every_h is None or finite(p.every_h) and p.every_h > 0)
            for p in periods
        ):
            return 0.0
        return departure_count(s.start, flow.first_departure, flow.every_h, flow.schedule, stop_h, horizon_h)
    return math.floor((stop_h - first_h) / flow.every_h) + 1.0
