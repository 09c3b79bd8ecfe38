"""From a validated scenario to the plan the model replicates (`sim.model.plan`): routes resolved to
legs, delays to samplers, datetimes to clock hours, flows expanded into departures, and each
movement's random draws laid out by name."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from itertools import accumulate

from sim.config.clock import clock_h, parse_hours
from sim.config.scenario import Scenario
from sim.config.schedules import departure_hours, rate_steps
from sim.config.schema import BreakdownPolicy, Checkpoint, Decision, Flow, Leg, Movement, RandomClosures
from sim.model.calendar import NEVER, OpeningHours
from sim.model.plan import DecisionPlan, Draw, MovementPlan, Plan, PointPlan
from sim.simulate.distributions import Sampler, sampler

Legs = dict[tuple[str, str], str]  # (a, b) and (b, a) -> the key of the road leg joining them
Repairs = dict[str, tuple[float, Sampler]]  # leg -> chance a truck breaks down on it, repair time


def compile_scenario(scenario: Scenario) -> Plan:
    """Compile a validated scenario: the convoys, checkpoints and roads the model replicates."""
    start = datetime.fromisoformat(scenario.start)
    horizon_h = scenario.horizon_days * 24.0
    start_hour_of_day = start.hour + start.minute / 60 + start.second / 3600
    legs = {pair: key for key, leg in scenario.legs.items() for pair in ((leg.start, leg.end), (leg.end, leg.start))}
    repair: Repairs = {}  # for legs where trucks break down
    for key, leg in scenario.legs.items():
        chance = leg.breakdown_probability
        if leg.breakdown_per_100km is not None:
            chance = 1.0 - (1.0 - leg.breakdown_per_100km) ** (leg.distance_km / 100.0)
        if chance:
            repair[key] = (chance, sampler(leg.repair))
    escorts = {k: leg.escort for k, leg in scenario.legs.items() if leg.escort}
    place_code = {place: i for i, place in enumerate(scenario.places)}  # shared by every movement
    shared = _shared_with_priority(scenario)
    movements = [
        _movement_plan(scenario, key, key, m, clock_h(scenario.start, m.departure), legs, repair, place_code, shared)
        for key, m in scenario.movements.items()
        if m.enabled
    ]
    for key, flow in scenario.flows.items():
        if not flow.enabled:
            continue
        first = clock_h(scenario.start, flow.first_departure)
        last = min(clock_h(scenario.start, flow.last_departure) if flow.last_departure else horizon_h, horizon_h)
        if flow.schedule:  # intervals that change over time (sim.config.schedules)
            s, f = scenario.start, flow.first_departure
            departures = departure_hours(s, f, flow.every_h, flow.schedule, last, horizon_h)
        else:
            departures = [first + n * flow.every_h for n in range(int((last - first) // flow.every_h) + 1)]
        for n, departure_h in enumerate(d for d in departures if d < horizon_h):
            plan = _movement_plan(scenario, f"{key}/{n}", key, flow, departure_h, legs, repair, place_code, shared)
            movements.append(plan)
    first_truck = list(accumulate((m.trucks for m in movements), initial=0))
    movements = [replace(m, number=i, first_truck=first_truck[i]) for i, m in enumerate(movements)]
    return Plan(
        horizon_h=horizon_h,
        warmup_h=scenario.warmup_days * 24.0,
        start_hour_of_day=start_hour_of_day,
        places=tuple(scenario.places),
        movements=tuple(movements),
        trucks=first_truck[-1],
        decisions=tuple(_decision_plan(scenario, k, d) for k, d in scenario.decisions.items()),
        checkpoints=tuple(_point_plan(scenario, k, cp) for k, cp in scenario.checkpoints.items()),
        roads=tuple(
            _point_plan(scenario, k, leg) for k, leg in scenario.legs.items() if leg.closures or leg.random_closures
        ),
        legs=legs,
        breakdown={leg: chance for leg, (chance, _) in repair.items()},
        escorts=escorts,
        escort_pools={name: pool.size for name, pool in scenario.escorts.items()},
        lanes={k: cp.lanes for k, cp in scenario.checkpoints.items()},
        aid_priority={k: cp.aid_priority for k, cp in scenario.checkpoints.items()},
        shared_with_priority={k: k in shared for k in scenario.checkpoints},
        hours={k: OpeningHours(parse_hours(cp.hours), start_hour_of_day) for k, cp in scenario.checkpoints.items()},
        turn_back={k: cp.turn_back_probability for k, cp in scenario.checkpoints.items()},
    )


def _movement_plan(
    scenario: Scenario,
    key: str,
    flow_key: str,
    m: Movement | Flow,
    departure_h: float,
    legs: Legs,
    repair: Repairs,
    place_code: dict[str, int],
    shared: set[str],
) -> MovementPlan:
    """Compile a convoy: a movement, or one departure of a flow (`key` is then `flow_key/n`)."""
    alternatives = getattr(m, "alternative_routes", {})
    routes = (tuple(m.route), *(tuple(r) for r in alternatives.values()))
    route_legs = list(dict.fromkeys(legs[pair] for r in routes for pair in zip(r, r[1:])))
    places = list(dict.fromkeys(p for r in routes for p in r))
    hold = getattr(m, "hold", None)
    trips = {  # one breakdown draw per trip, or one for all where the leg repeats its breakdowns
        leg: 1 if scenario.legs[leg].repeat_breakdown else _trips(routes, legs, leg)
        for leg in route_legs
        if leg in repair
    }
    draws = _draws(scenario, key, m, route_legs, places, repair, trips)
    offset, start = {}, 0
    for d in draws:
        offset[d.purpose] = start
        start += d.width
    travel_at, breakdown_at = _lookups(scenario, route_legs, offset, trips)
    deadline = getattr(m, "deadline", None)
    direct = None
    passed = not m.priority and any(p in shared for p in places)  # by trucks with priority, at a checkpoint
    if len(routes) == 1 and hold is None and not passed and not _may_hold(scenario, routes[0], legs, repair):
        travel = [travel_at[pair] for pair in zip(routes[0], routes[0][1:])] + [-1]
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
        deadline_h=clock_h(scenario.start, deadline) if deadline else None,
        routes=routes,
        reroute_after_h=reroute_after_h if reroute_after_h is not None else NEVER,
        hold_place=hold.place if hold is not None else None,
        refusal_probability=hold.refusal_probability if hold is not None else 0.0,
        decision=hold.decision if hold is not None else None,
        priority=m.priority,
        wait_for_repairs=m.breakdown_policy is BreakdownPolicy.wait,
        draws=tuple(draws),
        offset=offset,
        travel_at=travel_at,
        breakdown_at=breakdown_at,
    )


def _draws(
    scenario: Scenario,
    key: str,
    m: Movement | Flow,
    route_legs: list[str],
    places: list[str],
    repair: Repairs,
    trips: dict[str, int],
) -> list[Draw]:
    """The random values a convoy uses, in the order they are laid out in a row of draws: travel
    times, then breakdowns and repairs (one pair per trip the leg may take, `trips`), escorts'
    turnarounds and travel back by leg, inspections and turn-backs by place, then the hold's
    delay (unless a shared decision is the wait) and answer."""

    def draw(purpose: str, at: str, width: int, source: Sampler | None) -> Draw:
        return Draw(f"{key}/{purpose}/{at}" if at else f"{key}/{purpose}", (purpose, at), width, source)

    draws = [draw("travel", leg, 1, sampler(scenario.legs[leg].travel)) for leg in route_legs]
    for leg in route_legs:
        for n in range(trips.get(leg, 0)):
            draws.append(draw("breakdown", _trip(leg, n), m.trucks, None))
            draws.append(draw("repair", _trip(leg, n), m.trucks, repair[leg][1]))
        pool = scenario.legs[leg].escort
        if pool:
            draws.append(draw("escort", leg, 1, sampler(scenario.escorts[pool].turnaround)))
        if scenario.legs[leg].travel_back is not None:
            draws.append(draw("travel_back", leg, 1, sampler(scenario.legs[leg].travel_back)))
    for p in places:
        checkpoint = scenario.checkpoints.get(p)
        if checkpoint is not None:
            draws.append(draw("inspection", p, m.trucks, sampler(checkpoint.inspection)))
            if checkpoint.turn_back_probability > 0:
                draws.append(draw("turn_back", p, m.trucks, None))
    hold = getattr(m, "hold", None)
    if hold is not None:
        if hold.decision is None:
            draws.append(draw("hold", "", 1, sampler(hold.delay)))
        draws.append(draw("refusal", "", 1, None))
    return draws


def _decision_plan(scenario: Scenario, key: str, decision: Decision) -> DecisionPlan:
    """Compile a shared decision: its clock's start, and its two streams (`decision/<key>/delay`,
    `decision/<key>/refusal`), named for the decision alone so that the movements waiting on it,
    and every other stream, keep their draws whichever movements wait on it."""
    starts = decision.starts
    return DecisionPlan(
        key=key,
        starts_h=None if starts == "first_arrival" else clock_h(scenario.start, starts),
        refusal_probability=decision.refusal_probability,
        draws=(
            Draw(f"decision/{key}/delay", ("delay", ""), 1, sampler(decision.delay)),
            Draw(f"decision/{key}/refusal", ("refusal", ""), 1, None),
        ),
    )


def _shared_with_priority(scenario: Scenario) -> set[str]:
    """The checkpoints where aid trucks with priority meet aid trucks without it (unless the
    checkpoint gives every aid truck priority): there, those without queue like other traffic."""
    visits: dict[str, set[bool]] = {}
    for m in [*scenario.movements.values(), *scenario.flows.values()]:
        if m.enabled:
            routes = [m.route, *getattr(m, "alternative_routes", {}).values()]
            for p in {p for r in routes for p in r if p in scenario.checkpoints}:
                visits.setdefault(p, set()).add(m.priority)
    return {p for p, kinds in visits.items() if len(kinds) == 2 and not scenario.checkpoints[p].aid_priority}


def _lookups(
    scenario: Scenario, route_legs: list[str], offset: dict[tuple[str, str], int], trips: dict[str, int]
) -> tuple[dict[tuple[str, str], int], dict[str, tuple[tuple[int, int], ...]]]:
    """Where a convoy's journey finds its draws: the travel of each way of each leg it may drive
    (back along a reroute too), and the breakdowns and repairs of each trip on a leg."""
    travel_at = {}
    for leg in route_legs:
        ends = (scenario.legs[leg].start, scenario.legs[leg].end)
        travel_at[ends] = offset["travel", leg]
        travel_at[ends[::-1]] = offset.get(("travel_back", leg), offset["travel", leg])
    breakdown_at = {
        leg: tuple((offset["breakdown", _trip(leg, n)], offset["repair", _trip(leg, n)]) for n in range(n_trips))
        for leg, n_trips in trips.items()
    }
    return travel_at, breakdown_at


def _trip(leg: str, n: int) -> str:
    """Where the draws of trip `n` (from 0) on a leg are named: the leg, then "leg/2", "leg/3"..."""
    return leg if n == 0 else f"{leg}/{n + 1}"


def _trips(routes: tuple[tuple[str, ...], ...], legs: Legs, leg: str) -> int:
    """How many trips a movement may make on a leg: at most as often as its routes take it, plus,
    at each turn to an alternative, back along everything driven so far."""
    trips = 0
    for n, route in enumerate(routes):
        on_route = sum(legs[pair] == leg for pair in zip(route, route[1:]))
        trips = on_route if n == 0 else 2 * trips + on_route
    return trips


def _may_hold(scenario: Scenario, route: tuple[str, ...], legs: Legs, repair: Repairs) -> bool:
    """Whether anything on a route but the lanes may hold a movement or change its course: a
    closure, an escort, a breakdown or a turn-back."""
    route_legs = [legs[pair] for pair in zip(route, route[1:])]
    checkpoints = [scenario.checkpoints[p] for p in route if p in scenario.checkpoints]
    return (
        any(leg in repair or scenario.legs[leg].escort for leg in route_legs)
        or any(cp.turn_back_probability for cp in checkpoints)
        or any(p.closures or p.random_closures for p in [*checkpoints, *(scenario.legs[leg] for leg in route_legs)])
    )


def _point_plan(scenario: Scenario, key: str, point: Checkpoint | Leg) -> PointPlan:
    """Compile what varies by replication at a checkpoint or on a road: closures, other traffic."""
    windows = tuple(
        (
            clock_h(scenario.start, w.start),
            clock_h(scenario.start, w.start) + w.duration_h if w.duration_h is not None else NEVER,
        )
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
        closure_steps=(
            rate_steps(scenario.start, closures.rate_per_day, closures.schedule, "rate_per_day", 24.0)
            if closures and closures.schedule
            else None
        ),
        traffic_steps=(
            rate_steps(scenario.start, other.rate_per_h, other.schedule, "rate_per_h")
            if other and other.schedule
            else None
        ),
    )
