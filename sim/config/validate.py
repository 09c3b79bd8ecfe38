"""Value rules for a run's configuration, checked before any simulation starts.

Hydra's typed composition already refuses unknown keys and wrong types. What it cannot see (missing
values, negative durations, routes through unknown places...) is checked here, and every problem is
reported at once, each naming its full key: `scenario.checkpoints.hakari.lanes=0: must be >= 1`.
The rules shared by many parts (delays, datetimes, probabilities, closures) are in `sim.config.rules`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sim.config.bounds import range_problems
from sim.config.clock import local_datetime, parse_hours
from sim.config.memory import memory_problems
from sim.config.rules import (
    closure_problems,
    delay_problems,
    find_leg,
    has_path,
    names,
    positive,
    probability_problems,
    time_problems,
)
from sim.config.schedules import schedule_problems
from sim.config.schema import CargoType, Checkpoint, Flow, Movement, Needs, RunConfig, Scenario
from sim.config.uncertainty import uncertainty_problems

__all__ = ["ConfigError", "check", "delay_problems", "find_leg", "scenario_problems"]

KEY = re.compile(r"^[a-z][a-z0-9_]*$")


class ConfigError(Exception):
    """A configuration that cannot be run; the message lists every problem found.

    A plain exception (the configuration layer needs no Hydra for it): the command line catches it
    by name and prints the message alone, without a traceback.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Invalid configuration:\n  " + "\n  ".join(problems))


def check(run: RunConfig) -> None:
    """Raise ConfigError listing every rule the run breaks."""
    problems = list(_run_problems(run))
    if problems:
        raise ConfigError(problems)


def _run_problems(run: RunConfig) -> Iterator[str]:
    """Rules of the run settings (replications, workers, seed, precision), then of its scenario."""
    if isinstance(run.replications, str):
        if run.replications != "auto":
            yield f"replications={run.replications}: must be a whole number >= 1 or 'auto'"
    elif run.replications < 1:
        yield f"replications={run.replications}: must be >= 1"
    if isinstance(run.workers, str):
        if run.workers != "auto":
            yield f"workers={run.workers}: must be a whole number >= 1 or 'auto'"
    elif run.workers < 1:
        yield f"workers={run.workers}: must be >= 1"
    if run.seed < 0:
        yield f"seed={run.seed}: must be >= 0"
    p = run.precision
    if not positive(p.relative_half_width):
        yield f"precision.relative_half_width={p.relative_half_width}: must be a finite number > 0"
    if p.batch < 2:
        yield f"precision.batch={p.batch}: must be >= 2"
    if p.max_replications < p.batch:
        yield f"precision.max_replications={p.max_replications}: must be >= precision.batch={p.batch}"
    enabled = [k for k, m in [*run.scenario.movements.items(), *run.scenario.flows.items()] if m.enabled]
    for key in p.movements:
        if key not in enabled:
            yield f"precision.movements: '{key}' is not an enabled movement or flow ({', '.join(enabled)})"
    yield from scenario_problems(run.scenario, "scenario")
    out_of_range = list(range_problems(run))  # sizes and physical ranges (sim.config.bounds)
    yield from out_of_range
    if not out_of_range:  # memory is judged on sane numbers only (sim.config.memory)
        yield from memory_problems(run)


def scenario_problems(s: Scenario, at: str) -> Iterator[str]:
    """Every rule a scenario breaks; `at` is the key the scenario sits under."""
    yield from time_problems(s.start, f"{at}.start", None)
    if not positive(s.horizon_days):
        yield f"{at}.horizon_days={s.horizon_days}: must be a finite number > 0"
    elif not (math.isfinite(s.warmup_days) and 0.0 <= s.warmup_days < s.horizon_days):
        yield f"{at}.warmup_days={s.warmup_days}: must be >= 0 and below horizon_days ({s.horizon_days:g})"
    yield from _place_problems(s, at)
    yield from _leg_problems(s, at)
    for key, cp in s.checkpoints.items():
        yield from _checkpoint_problems(s, key, cp, f"{at}.checkpoints.{key}")
    yield from _convoy_problems(s, at)
    yield from _decision_problems(s, at)
    for key, pool in s.escorts.items():
        if pool.size < 1:
            yield f"{at}.escorts.{key}.size={pool.size}: must be >= 1"
        yield from delay_problems(pool.turnaround, f"{at}.escorts.{key}.turnaround")
    for key, cargo in s.cargo_types.items():
        yield from _cargo_type_problems(cargo, f"{at}.cargo_types.{key}")
    if s.needs is not None:
        yield from _needs_problems(s.needs, f"{at}.needs")
    for path in s.sources:
        if not has_path(s, path.split(".")):
            yield f"{at}.sources.{path}: names no parameter of this scenario"
    yield from uncertainty_problems(s, at)


def _cargo_type_problems(cargo: CargoType, where: str) -> Iterator[str]:
    """A shelf life, if given, is a positive number of days; a daily loss a share below 1."""
    if cargo.shelf_life_days is not None and not positive(cargo.shelf_life_days):
        yield f"{where}.shelf_life_days={cargo.shelf_life_days}: must be a finite number > 0, or null"
    if not (math.isfinite(cargo.loss_per_day) and 0.0 <= cargo.loss_per_day < 1.0):
        yield f"{where}.loss_per_day={cargo.loss_per_day}: must be >= 0 and < 1 (a share lost each day)"


def _needs_problems(needs: Needs, where: str) -> Iterator[str]:
    """The population, its rations, and its changes: each a period with its end not before its
    start, in time order and not overlapping the one before."""
    if needs.population < 1:
        yield f"{where}.population={needs.population}: must be >= 1"
    for cargo, kg in needs.kg_per_person_day.items():
        if not positive(kg):
            yield f"{where}.kg_per_person_day.{cargo}={kg}: must be a finite number > 0"
    previous: tuple[str, datetime] | None = None
    for key, change in needs.changes.items():
        at = f"{where}.changes.{key}"
        if change.population < 0:
            yield f"{at}.population={change.population}: must be >= 0"
        bad = [*time_problems(change.start, f"{at}.start", None), *time_problems(change.end, f"{at}.end", None)]
        yield from bad
        if bad:
            previous = None
            continue
        start, end = local_datetime(change.start), local_datetime(change.end)
        if end < start:
            yield f"{at}.end={change.end}: must not be before its start {change.start}"
        if previous is not None and start < previous[1]:
            yield (
                f"{at}.start={change.start}: must not be before the end of {previous[0]} "
                f"({previous[1].isoformat()}): changes are listed in time order and do not overlap"
            )
        previous = (key, end)


def _place_problems(s: Scenario, at: str) -> Iterator[str]:
    """The places (towns, crossings, warehouses): at least one, each with a key and a name."""
    if not s.places:
        yield f"{at}.places: must name at least one place"
    for key, place in s.places.items():
        if not KEY.match(key):
            yield f"{at}.places.{key}: keys must be lowercase ASCII letters, digits and _, starting with a letter"
        if not place.name.strip():
            yield f"{at}.places.{key}.name: must not be empty"


def _checkpoint_problems(s: Scenario, key: str, cp: Checkpoint, where: str) -> Iterator[str]:
    """A checkpoint: at a known place, its lanes, opening hours, inspections and other traffic."""
    if key not in s.places:
        yield f"{where}: '{key}' is not a place; checkpoints are keyed by place ({names(s.places)})"
    if cp.lanes < 1:
        yield f"{where}.lanes={cp.lanes}: must be >= 1"
    try:
        parse_hours(cp.hours)
    except ValueError as error:
        yield f"{where}.hours={cp.hours}: {error}"
    yield from delay_problems(cp.inspection, f"{where}.inspection")
    yield from probability_problems(cp.turn_back_probability, f"{where}.turn_back_probability")
    yield from closure_problems(cp, where)
    if cp.other_traffic is not None:
        rate, scheduled = cp.other_traffic.rate_per_h, bool(cp.other_traffic.schedule)
        if not positive(rate) and not (scheduled and math.isfinite(rate) and rate == 0):
            yield f"{where}.other_traffic.rate_per_h={rate}: must be a finite number > 0 (or 0 with a schedule)"
        yield from schedule_problems(cp.other_traffic.schedule, "rate_per_h", f"{where}.other_traffic")
        yield from delay_problems(cp.other_traffic.inspection, f"{where}.other_traffic.inspection")


def _convoy_problems(s: Scenario, at: str) -> Iterator[str]:
    """The movements (one convoy each) and flows (convoys at a regular interval)."""
    start = local_datetime(s.start)
    if not any(m.enabled for m in [*s.movements.values(), *s.flows.values()]):
        yield f"{at}.movements: must have at least one enabled movement (or flow)"
    for key, m in s.movements.items():
        yield from _movement_problems(s, m, f"{at}.movements.{key}", start)
    for key, flow in s.flows.items():
        yield from _flow_problems(s, flow, f"{at}.flows.{key}", start)
        if key in s.movements:
            yield f"{at}.flows.{key}: a movement has the same key"


def _leg_problems(s: Scenario, at: str) -> Iterator[str]:
    """The road legs: between two known places, one leg a pair, travel, closures and breakdowns."""
    seen: dict[frozenset, str] = {}
    for key, leg in s.legs.items():
        where = f"{at}.legs.{key}"
        for end in ("start", "end"):
            place = getattr(leg, end)
            if place not in s.places:
                yield f"{where}.{end}={place}: unknown place; known places: {names(s.places)}"
        if leg.start == leg.end:
            yield f"{where}: starts and ends at the same place '{leg.start}'"
        pair = frozenset((leg.start, leg.end))
        if pair in seen:
            yield f"{where}: joins the same places as legs.{seen[pair]}"
        seen[pair] = key
        if leg.distance_km is not None and not positive(leg.distance_km):
            yield f"{where}.distance_km={leg.distance_km}: must be a finite number > 0"
        yield from delay_problems(leg.travel, f"{where}.travel")
        if leg.travel_back is not None:
            yield from delay_problems(leg.travel_back, f"{where}.travel_back")
        yield from closure_problems(leg, where)
        for name in ("breakdown_probability", "breakdown_per_100km"):
            yield from probability_problems(getattr(leg, name), f"{where}.{name}")
        if leg.breakdown_probability is not None and leg.breakdown_per_100km is not None:
            yield f"{where}: give breakdown_probability or breakdown_per_100km, not both"
        if leg.breakdown_per_100km is not None and leg.distance_km is None:
            yield f"{where}.breakdown_per_100km: needs distance_km"
        if (leg.breakdown_probability or leg.breakdown_per_100km) and leg.repair is None:
            yield f"{where}.repair: is required when trucks can break down on this leg"
        if leg.repair is not None:
            yield from delay_problems(leg.repair, f"{where}.repair")
        if leg.escort is not None and leg.escort not in s.escorts:
            yield f"{where}.escort={leg.escort}: unknown escort pool; known pools: {names(s.escorts)}"


def _load_problems(s: Scenario, m: Any, where: str) -> Iterator[str]:
    """Rules shared by movements and flows: name, trucks, cargo, route."""
    if not m.name.strip():
        yield f"{where}.name: must not be empty"
    if m.trucks < 1:
        yield f"{where}.trucks={m.trucks}: must be >= 1"
    if not m.cargo_t:
        yield f"{where}.cargo_t: must list tonnes for at least one cargo type"
    for cargo, tonnes in m.cargo_t.items():
        if not (math.isfinite(tonnes) and tonnes >= 0):
            yield f"{where}.cargo_t.{cargo}={tonnes}: must be a finite number >= 0"
    yield from _route_problems(s, m.route, f"{where}.route")


def _route_problems(s: Scenario, route: list[str], where: str) -> Iterator[str]:
    """A route: at least two known places, each next pair joined by a leg."""
    if len(route) < 2:
        yield f"{where}={list(route)}: must list at least two places (origin and destination)"
    unknown = [p for p in route if p not in s.places]
    for p in unknown:
        yield f"{where}: '{p}' is not a place; known places: {names(s.places)}"
    if not unknown:
        for a, b in zip(route, route[1:]):
            if find_leg(s, a, b) is None:
                yield f"{where}: no leg joins '{a}' and '{b}'; add one under legs"


def _movement_problems(s: Scenario, m: Movement, where: str, start: datetime | None) -> Iterator[str]:
    """One convoy: its load and route, departure and deadline, hold, and alternative routes."""
    if not m.enabled:
        start = None  # a movement left out may lie before a later start of the scenario extending it
    yield from _load_problems(s, m, where)
    yield from time_problems(m.departure, f"{where}.departure", start)
    if m.deadline is not None:
        yield from time_problems(m.deadline, f"{where}.deadline", local_datetime(m.departure))
    if m.hold is not None:
        yield from _hold_problems(s, m, f"{where}.hold")
    for name, route in m.alternative_routes.items():
        yield from _route_problems(s, route, f"{where}.alternative_routes.{name}")
        if route and m.route and (route[0] != m.route[0] or route[-1] != m.route[-1]):
            yield f"{where}.alternative_routes.{name}: must start at the origin and end at the destination of the route"
    if m.alternative_routes and m.reroute_after_h is None:
        yield f"{where}.reroute_after_h: is required with alternative_routes (hours to wait at a closure first)"
    if m.reroute_after_h is not None and not (math.isfinite(m.reroute_after_h) and m.reroute_after_h >= 0):
        yield f"{where}.reroute_after_h={m.reroute_after_h}: must be a finite number >= 0"


def _hold_problems(s: Scenario, m: Movement, where: str) -> Iterator[str]:
    """A movement's hold: at a place on its route, waiting either its own `delay` or a shared
    `decision` of the scenario (not both), and its chance of refusal."""
    hold = m.hold
    if hold.place not in m.route:
        yield f"{where}.place={hold.place}: must be a place on the route {list(m.route)}"
    yield from probability_problems(hold.refusal_probability, f"{where}.refusal_probability")
    if hold.decision is None:
        if hold.delay is None:
            yield f"{where}.delay: is required unless the hold waits on a decision (decision: a key of decisions)"
        else:
            yield from delay_problems(hold.delay, f"{where}.delay")
        return
    if hold.decision not in s.decisions:
        yield f"{where}.decision={hold.decision}: unknown decision; known decisions: {names(s.decisions)}"
    if hold.delay is not None:
        yield (
            f"{where}.delay: a hold waiting on decision {hold.decision} has no delay of its own "
            "(the decision's delay is the wait); set it to null"
        )


def _decision_problems(s: Scenario, at: str) -> Iterator[str]:
    """The shared permission decisions: a key, a delay, a chance of refusal, and when the clock
    starts (at the first arrival of a movement waiting on it, or at a local datetime)."""
    for key, decision in s.decisions.items():
        where = f"{at}.decisions.{key}"
        if not KEY.match(key):
            yield f"{where}: keys must be lowercase ASCII letters, digits and _, starting with a letter"
        yield from delay_problems(decision.delay, f"{where}.delay")
        yield from probability_problems(decision.refusal_probability, f"{where}.refusal_probability")
        if decision.starts != "first_arrival" and local_datetime(decision.starts) is None:
            yield (
                f"{where}.starts={decision.starts}: must be first_arrival or a local datetime like "
                "2023-07-26T08:00 (no time zone)"
            )


def _flow_problems(s: Scenario, flow: Flow, where: str, start: datetime | None) -> Iterator[str]:
    """Convoys leaving at a regular interval: load and route, first and last departure, interval."""
    if not flow.enabled:
        start = None
    yield from _load_problems(s, flow, where)
    yield from time_problems(flow.first_departure, f"{where}.first_departure", start)
    if flow.last_departure is not None:
        yield from time_problems(flow.last_departure, f"{where}.last_departure", local_datetime(flow.first_departure))
    first, start_at = local_datetime(flow.first_departure), local_datetime(s.start)
    after_horizon = first and start_at and (first - start_at).total_seconds() / 3600 >= s.horizon_days * 24
    if flow.enabled and positive(s.horizon_days) and after_horizon:
        yield f"{where}.first_departure={flow.first_departure}: is at or after the horizon; no departure would run"
    if not positive(flow.every_h):
        yield f"{where}.every_h={flow.every_h}: must be a finite number > 0"
    yield from schedule_problems(flow.schedule, "every_h", where, interval=True)
