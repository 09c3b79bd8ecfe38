"""A scenario compiled for fast replication: routes resolved to legs, delays to samplers,
datetimes to clock hours, flows expanded into departures, and the random draws laid out by name."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from sim.distributions import Sampler, sampler
from sim.model.calendar import NEVER, OpeningHours, parse_hours
from sim.randomness import replication_stream, stream
from sim.schema import BreakdownPolicy, RandomClosures, Scenario


def clock_h(scenario: Scenario, when: str) -> float:
    """Hours from the scenario's start to a local ISO datetime."""
    delta = datetime.fromisoformat(when) - datetime.fromisoformat(scenario.start)
    return delta.total_seconds() / 3600.0


def find_leg(scenario: Scenario, a: str, b: str) -> str | None:
    """The key of the leg joining places a and b (legs are undirected), or None."""
    for key, leg in scenario.legs.items():
        if {leg.start, leg.end} == {a, b}:
            return key
    return None


@dataclass(frozen=True)
class Draw:
    """One named stream of random values a movement uses: `width` values per replication, for
    `purpose` (e.g. ("inspection", place)); `name` keys its random stream."""

    name: str
    purpose: tuple[str, str]
    width: int
    sampler: Sampler | None  # None: plain uniforms (for yes/no decisions)


@dataclass(frozen=True)
class MovementPlan:
    """A movement (or one departure of a flow) with everything resolved for its journey."""

    key: str
    flow: str  # the flow it departs in, or its own key for a one-off movement
    trucks: int
    cargo_t: dict[str, float]
    departure_h: float
    deadline_h: float | None
    routes: tuple[tuple[str, ...], ...]  # the route, then the alternatives in order
    reroute_after_h: float
    hold_place: str | None
    refusal_probability: float
    priority: bool
    wait_for_repairs: bool
    draws: tuple[Draw, ...]
    offset: dict[tuple[str, str], int]  # purpose -> where its values start in a row of draws
    tonnes: float  # all its cargo
    place_code: dict[str, int]  # place -> its index among the scenario's places: how passages note it
    # When nothing on its route can hold it but the lanes (no hold, alternative route, closure,
    # escort, breakdown or turn-back): the route as (place, its code, where its inspection draws
    # start or -1 if no checkpoint, where the next leg's travel draw is or -1 at the end). Else None.
    direct: tuple[tuple[str, int, int, int], ...] | None


@dataclass(frozen=True)
class PointPlan:
    """What varies by replication at a checkpoint or on a road: closures and other traffic."""

    key: str
    windows: tuple[tuple[float, float], ...]  # scheduled closures, clock hours
    random_closures: tuple[float, Sampler] | None  # onsets per hour, duration
    # Arrivals per hour, inspection, and the daily window arrivals are kept to (None: all day).
    other_traffic: tuple[float, Sampler, tuple[float, float] | None] | None


@dataclass(frozen=True)
class Plan:
    """A whole scenario, compiled."""

    scenario: Scenario
    horizon_h: float
    start_hour_of_day: float
    movements: tuple[MovementPlan, ...]
    checkpoints: tuple[PointPlan, ...]
    roads: tuple[PointPlan, ...]  # legs with closures
    legs: dict[tuple[str, str], str]  # (a, b) and (b, a) -> the leg joining them
    breakdown: dict[str, float]  # leg -> chance a truck breaks down on it
    escorts: dict[str, str]  # leg -> the escort pool it needs
    hours: dict[str, OpeningHours]  # checkpoint -> its opening hours
    turn_back: dict[str, float]  # checkpoint -> chance an inspection turns a truck back

    def draw(self, seed: int, batch: int, start: int, stop: int) -> list[np.ndarray]:
        """Every movement's random values for rows start .. stop - 1 of one batch of replications:
        one array per movement, a row per replication (row 0 is the batch's row `start`), its draws
        side by side (see `MovementPlan.offset`)."""
        tables = []
        for m in self.movements:
            blocks = []
            for d in m.draws:
                generator = stream(seed, batch, d.name)
                # A stream fills its batch row by row, one 64-bit output per uniform: the rows
                # before `start` are skipped, not drawn, so a piece of a batch costs its own rows.
                generator.bit_generator.advance(start * d.width)
                u = generator.random((stop - start, d.width))
                blocks.append(u if d.sampler is None else d.sampler.from_uniform(u))
            tables.append(np.concatenate(blocks, axis=1) if blocks else np.empty((stop - start, 0)))
        return tables

    def draw_points(self, seed: int, replication: int) -> dict[str, dict]:
        """Closure windows and other traffic of every checkpoint and road in one replication,
        each from its own stream."""
        result: dict[str, dict] = {}
        for kind, points in (("checkpoint", self.checkpoints), ("road", self.roads)):
            for p in points:
                drawn: dict = {"closures": list(p.windows), "arrivals": [], "inspections": []}
                if p.random_closures is not None:
                    rng = replication_stream(seed, replication, f"closures/{kind}/{p.key}")
                    drawn["closures"] += random_windows(rng, *p.random_closures, self.horizon_h)
                if p.other_traffic is not None:
                    rate, inspection, window = p.other_traffic
                    rng = replication_stream(seed, replication, f"other_traffic/{p.key}")
                    drawn["arrivals"], drawn["inspections"] = other_arrivals(
                        rng, rate, inspection, self.horizon_h, window, self.start_hour_of_day
                    )
                result[f"{kind}/{p.key}"] = drawn
        return result


def random_windows(rng: np.random.Generator, rate_per_h: float, duration: Sampler, horizon_h: float) -> list:
    """Closures over [0, horizon): open spells exponential with the onset rate, then a closure."""
    windows, t = [], 0.0
    while True:
        t += rng.exponential(1.0 / rate_per_h)
        if t >= horizon_h:
            return windows
        end = t + float(duration.from_uniform(rng.random()))
        windows.append((t, end))
        t = end


def other_arrivals(
    rng: np.random.Generator,
    rate_per_h: float,
    inspection: Sampler,
    horizon_h: float,
    window: tuple[float, float] | None,
    start_hour_of_day: float,
) -> tuple[list[float], list[float]]:
    """Poisson arrivals before the horizon (kept only inside the daily window, if one is given)
    and their inspection times."""
    expected = rate_per_h * horizon_h
    gaps = rng.exponential(1.0 / rate_per_h, int(expected + 6 * math.sqrt(expected) + 20))
    arrivals = np.cumsum(gaps)
    while arrivals[-1] < horizon_h:  # rare: draw more
        arrivals = np.concatenate([arrivals, arrivals[-1] + np.cumsum(rng.exponential(1.0 / rate_per_h, 100))])
    arrivals = arrivals[arrivals < horizon_h]
    inspections = inspection.from_uniform(rng.random(len(arrivals)))
    if window is not None:
        opens, closes = window
        day_h = (arrivals + start_hour_of_day) % 24.0
        inside = (day_h >= opens) & (day_h < closes) if opens < closes else (day_h >= opens) | (day_h < closes)
        arrivals, inspections = arrivals[inside], inspections[inside]
    return arrivals.tolist(), inspections.tolist()


def compile_scenario(scenario: Scenario) -> Plan:
    """Compile a validated scenario."""
    start = datetime.fromisoformat(scenario.start)
    horizon_h = scenario.horizon_days * 24.0
    start_hour_of_day = start.hour + start.minute / 60 + start.second / 3600
    legs = {pair: key for key, leg in scenario.legs.items() for pair in ((leg.start, leg.end), (leg.end, leg.start))}
    repair = {}  # leg -> (chance per truck, repair time), for legs where trucks break down
    for key, leg in scenario.legs.items():
        chance = leg.breakdown_probability
        if leg.breakdown_per_100km is not None:
            chance = 1.0 - (1.0 - leg.breakdown_per_100km) ** (leg.distance_km / 100.0)
        if chance:
            repair[key] = (chance, sampler(leg.repair))
    escorts = {k: leg.escort for k, leg in scenario.legs.items() if leg.escort}
    place_code = {place: i for i, place in enumerate(scenario.places)}  # shared by every movement
    movements = [
        _movement_plan(scenario, key, key, m, clock_h(scenario, m.departure), legs, repair, place_code)
        for key, m in scenario.movements.items()
        if m.enabled
    ]
    for key, flow in scenario.flows.items():
        if not flow.enabled:
            continue
        first = clock_h(scenario, flow.first_departure)
        last = min(clock_h(scenario, flow.last_departure) if flow.last_departure else horizon_h, horizon_h)
        departures = [first + n * flow.every_h for n in range(int((last - first) // flow.every_h) + 1)]
        for n, departure_h in enumerate(d for d in departures if d < horizon_h):
            plan = _movement_plan(scenario, f"{key}/{n}", key, flow, departure_h, legs, repair, place_code)
            movements.append(plan)
    return Plan(
        scenario=scenario,
        horizon_h=horizon_h,
        start_hour_of_day=start_hour_of_day,
        movements=tuple(movements),
        checkpoints=tuple(_point_plan(scenario, k, cp) for k, cp in scenario.checkpoints.items()),
        roads=tuple(
            _point_plan(scenario, k, leg) for k, leg in scenario.legs.items() if leg.closures or leg.random_closures
        ),
        legs=legs,
        breakdown={leg: chance for leg, (chance, _) in repair.items()},
        escorts=escorts,
        hours={k: OpeningHours(cp.hours, start_hour_of_day) for k, cp in scenario.checkpoints.items()},
        turn_back={k: cp.turn_back_probability for k, cp in scenario.checkpoints.items()},
    )


def _movement_plan(scenario, key, flow_key, m, departure_h, legs, repair, place_code) -> MovementPlan:
    """Compile a movement, or one departure of a flow."""
    alternatives = getattr(m, "alternative_routes", {})
    routes = (tuple(m.route), *(tuple(r) for r in alternatives.values()))
    route_legs = list(dict.fromkeys(legs[pair] for r in routes for pair in zip(r, r[1:])))
    places = list(dict.fromkeys(p for r in routes for p in r))
    def draw(purpose: str, at: str, width: int, source: Sampler | None) -> Draw:
        return Draw(f"{key}/{purpose}/{at}" if at else f"{key}/{purpose}", (purpose, at), width, source)

    draws = [draw("travel", leg, 1, sampler(scenario.legs[leg].travel)) for leg in route_legs]
    for leg in route_legs:
        if leg in repair:
            draws.append(draw("breakdown", leg, m.trucks, None))
            draws.append(draw("repair", leg, m.trucks, repair[leg][1]))
        pool = scenario.legs[leg].escort
        if pool:
            draws.append(draw("escort", leg, 1, sampler(scenario.escorts[pool].turnaround)))
    for p in places:
        checkpoint = scenario.checkpoints.get(p)
        if checkpoint is not None:
            draws.append(draw("inspection", p, m.trucks, sampler(checkpoint.inspection)))
            if checkpoint.turn_back_probability > 0:
                draws.append(draw("turn_back", p, m.trucks, None))
    hold = getattr(m, "hold", None)
    if hold is not None:
        draws += [draw("hold", "", 1, sampler(hold.delay)), draw("refusal", "", 1, None)]
    offset, start = {}, 0
    for d in draws:
        offset[d.purpose] = start
        start += d.width
    deadline = getattr(m, "deadline", None)
    direct = None
    if len(routes) == 1 and hold is None and not _may_hold(scenario, routes[0], legs, repair):
        travel = [offset["travel", legs[pair]] for pair in zip(routes[0], routes[0][1:])] + [-1]
        direct = tuple((p, place_code[p], offset.get(("inspection", p), -1), t) for p, t in zip(routes[0], travel))
    reroute_after_h = getattr(m, "reroute_after_h", None)
    return MovementPlan(
        key=key,
        flow=flow_key,
        trucks=m.trucks,
        cargo_t=dict(m.cargo_t),
        tonnes=float(sum(m.cargo_t.values())),
        direct=direct,
        place_code=place_code,
        departure_h=departure_h,
        deadline_h=clock_h(scenario, deadline) if deadline else None,
        routes=routes,
        reroute_after_h=reroute_after_h if reroute_after_h is not None else NEVER,
        hold_place=hold.place if hold is not None else None,
        refusal_probability=hold.refusal_probability if hold is not None else 0.0,
        priority=m.priority,
        wait_for_repairs=m.breakdown_policy is BreakdownPolicy.wait,
        draws=tuple(draws),
        offset=offset,
    )


def _may_hold(scenario: Scenario, route: tuple[str, ...], legs: dict, repair: dict) -> bool:
    """Whether anything on a route but the lanes may hold a movement or change its course: a
    closure, an escort, a breakdown or a turn-back."""
    route_legs = [legs[pair] for pair in zip(route, route[1:])]
    checkpoints = [scenario.checkpoints[p] for p in route if p in scenario.checkpoints]
    return (
        any(leg in repair or scenario.legs[leg].escort for leg in route_legs)
        or any(cp.turn_back_probability for cp in checkpoints)
        or any(p.closures or p.random_closures for p in [*checkpoints, *(scenario.legs[leg] for leg in route_legs)])
    )


def _point_plan(scenario: Scenario, key: str, point) -> PointPlan:
    windows = tuple(
        (clock_h(scenario, w.start), clock_h(scenario, w.start) + w.duration_h if w.duration_h is not None else NEVER)
        for w in point.closures.values()
    )
    closures: RandomClosures | None = point.random_closures
    other = getattr(point, "other_traffic", None)
    return PointPlan(
        key=key,
        windows=windows,
        random_closures=(closures.rate_per_day / 24.0, sampler(closures.duration)) if closures else None,
        other_traffic=(
            (other.rate_per_h, sampler(other.inspection), parse_hours(point.hours) if other.only_when_open else None)
            if other
            else None
        ),
    )


