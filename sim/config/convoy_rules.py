"""Value rules for movements and flows (the convoys of a scenario) and for the holds and shared
decisions they wait on: names, trucks, cargo, routes through known legs, departures, deadlines,
alternative routes, and the decisions' delays and answers. Part of `sim.config.validate`."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sim.config.clock import local_datetime
from sim.config.rules import KEY, delay_problems, find_leg, names, positive, probability_problems, time_problems
from sim.config.scenario import Scenario
from sim.config.schedules import schedule_problems
from sim.config.schema import Flow, Movement


def convoy_problems(s: Scenario, at: str) -> Iterator[str]:
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
    yield from route_problems(s, m.route, f"{where}.route")


def route_problems(s: Scenario, route: list[str], where: str) -> Iterator[str]:
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
        yield from route_problems(s, route, f"{where}.alternative_routes.{name}")
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


def decision_problems(s: Scenario, at: str) -> Iterator[str]:
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
