"""Properties that hold for every valid scenario, checked on random ones (Hypothesis).

A random scenario is a chain or tree of places (sometimes with one extra leg closing a loop, which
gives movements alternative routes), legs with random travel times of every distribution kind
(sometimes another way back), sometimes breakdowns (drawn per trip or repeated), closures and
escorts; checkpoints with random lanes, opening hours, inspection
delays, turn-backs, closures and other traffic; movements with random trucks, cargo, departures,
holds with refusal (sometimes waiting on a decision they share), priority and breakdown policy;
sometimes a flow, sometimes a warm-up. Every scenario is checked with
`sim.config.validate.scenario_problems` before it is run.

Properties: every truck and tonne ends in exactly one outcome; a truck's times never decrease
along its route; no wait, busy or open time is negative (or exceeds what is possible); the same
seed gives identical tables; the direct path of simple movements gives the general path's tables.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from unittest.mock import patch

import numpy as np
from conftest import tables_equal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.config.scenario import Scenario
from sim.config.schema import (
    BreakdownPolicy,
    Checkpoint,
    ClosureRatePeriod,
    ClosureWindow,
    Decision,
    Delay,
    DeparturePeriod,
    Distribution,
    EscortPool,
    Flow,
    Hold,
    Leg,
    Movement,
    OtherTraffic,
    Place,
    RandomClosures,
    TrafficPeriod,
)
from sim.config.validate import scenario_problems
from sim.results.records import OUTCOMES
from sim.simulate.compile import compile_scenario
from sim.simulate.replications import simulate, trace_replication

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STARTS = ["2024-01-01T00:00", "2023-07-26T08:00", "2024-03-05T17:45"]


def hours_(max_eighths: int = 32, min_eighths: int = 1):
    """Durations in eighths of an hour: round values make simultaneous events (ties) common."""
    return st.integers(min_eighths, max_eighths).map(lambda n: n / 8)


@st.composite
def delays(draw, max_eighths: int = 32) -> Delay:
    """A random duration of a random distribution kind, with valid parameters."""
    kind = draw(st.sampled_from(list(Distribution)))
    h = hours_(max_eighths)
    if kind is Distribution.fixed:
        return Delay(dist=kind, value_h=draw(st.integers(0, max_eighths)) / 8)
    if kind is Distribution.exponential:
        return Delay(dist=kind, mean_h=draw(h))
    if kind is Distribution.lognormal:
        if draw(st.booleans()):
            return Delay(dist=kind, mean_h=draw(h), sd_h=draw(h))
        median = draw(h)
        return Delay(dist=kind, median_h=median, p90_h=median + draw(h))
    if kind is Distribution.gamma:
        return Delay(dist=kind, mean_h=draw(h), sd_h=draw(h))
    if kind is Distribution.triangular:
        low, mode, high = sorted(draw(st.lists(st.integers(0, max_eighths), min_size=3, max_size=3)))
        return Delay(dist=kind, low_h=low / 8, mode_h=mode / 8, high_h=high / 8)
    if kind is Distribution.uniform:
        low, high = sorted(draw(st.lists(st.integers(0, max_eighths), min_size=2, max_size=2)))
        return Delay(dist=kind, low_h=low / 8, high_h=high / 8)
    values = draw(st.lists(st.integers(0, max_eighths), min_size=1, max_size=5))
    return Delay(dist=kind, values_h=[v / 8 for v in values])


@st.composite
def opening_hours(draw) -> str:
    if draw(st.booleans()):
        return "24h"
    opens = draw(st.integers(0, 95))  # quarter hours
    closes = draw(st.integers(1, 96).filter(lambda c: c % 96 != opens))
    return f"{opens // 4:02d}:{opens % 4 * 15:02d}-{closes // 4:02d}:{closes % 4 * 15:02d}"


def clock(start: str, hours: float) -> str:
    return (datetime.fromisoformat(start) + timedelta(hours=hours)).isoformat(timespec="minutes")


@st.composite
def closures(draw, start: str, horizon_h: float) -> tuple[dict, RandomClosures | None]:
    """Sometimes a scheduled closure (possibly for good), sometimes random closures."""
    scheduled = {}
    if draw(st.integers(0, 3)) == 0:
        duration = draw(st.one_of(st.none(), hours_(8 * 48)))
        scheduled["shut"] = ClosureWindow(start=clock(start, draw(st.integers(0, int(horizon_h)))), duration_h=duration)
    random = None
    if draw(st.integers(0, 3)) == 0:
        random = RandomClosures(rate_per_day=draw(st.sampled_from([0.2, 0.5, 1.0, 3.0])), duration=draw(delays(96)))
        if draw(st.integers(0, 2)) == 0:  # onset rates that change over time
            hour = draw(st.integers(-6, int(horizon_h)))
            random.schedule = {
                "later": ClosureRatePeriod(start=clock(start, hour), rate_per_day=draw(st.sampled_from([0.0, 2.0])))
            }
    return scheduled, random


def simple_paths(edges: set[frozenset], a: str, b: str) -> list[list[str]]:
    """All simple paths from a to b, in a fixed order."""
    neighbours: dict[str, list[str]] = {}
    for e in sorted(edges, key=sorted):
        x, y = sorted(e)
        neighbours.setdefault(x, []).append(y)
        neighbours.setdefault(y, []).append(x)
    paths, stack = [], [[a]]
    while stack:
        path = stack.pop()
        if path[-1] == b:
            paths.append(path)
            continue
        for n in sorted(neighbours.get(path[-1], []), reverse=True):
            if n not in path:
                stack.append([*path, n])
    return sorted(paths, key=lambda p: (len(p), p))


@st.composite
def scenarios(draw) -> Scenario:
    """A random valid scenario (see the module docstring)."""
    start = draw(st.sampled_from(STARTS))
    horizon_days = draw(st.integers(1, 5))
    horizon_h = 24.0 * horizon_days
    n = draw(st.integers(2, 6))
    names = [f"p{i}" for i in range(n)]
    chain = draw(st.booleans())
    edges = {frozenset((names[i - 1 if chain else draw(st.integers(0, i - 1))], names[i])) for i in range(1, n)}
    if n >= 3 and draw(st.booleans()):  # one more leg closes a loop: alternative routes
        a, b = draw(st.lists(st.sampled_from(names), min_size=2, max_size=2, unique=True))
        edges.add(frozenset((a, b)))
    escorts = {}
    if draw(st.integers(0, 3)) == 0:
        escorts["guards"] = EscortPool(size=draw(st.integers(1, 2)), turnaround=draw(delays()))
    legs = {}
    for e in sorted(edges, key=sorted):
        a, b = sorted(e)
        leg = Leg(start=a, end=b, travel=draw(delays(64)))
        breakdown = draw(st.integers(0, 3))
        if breakdown == 1:
            leg.breakdown_probability = draw(st.sampled_from([0.1, 0.5, 1.0]))
        elif breakdown == 2:
            leg.distance_km = float(draw(st.integers(10, 300)))
            leg.breakdown_per_100km = draw(st.sampled_from([0.05, 0.3]))
        if breakdown in (1, 2):
            leg.repair = draw(delays(96))
            leg.repeat_breakdown = draw(st.booleans())
        if draw(st.integers(0, 3)) == 0:  # the way back takes its own time
            leg.travel_back = draw(delays(64))
        if draw(st.integers(0, 4)) == 0:
            leg.closures, leg.random_closures = draw(closures(start, horizon_h))
        if escorts and draw(st.booleans()):
            leg.escort = "guards"
        legs[f"{a}_{b}"] = leg
    checkpoints = {}
    for p in names:
        if not draw(st.booleans()):
            continue
        cp = Checkpoint(
            inspection=draw(delays()),
            lanes=draw(st.integers(1, 3)),
            hours=draw(opening_hours()),
            turn_back_probability=draw(st.sampled_from([0.0, 0.0, 0.2, 1.0])),
            aid_priority=draw(st.booleans()),
        )
        if draw(st.integers(0, 2)) == 0:
            cp.closures, cp.random_closures = draw(closures(start, horizon_h))
        if draw(st.booleans()):
            cp.other_traffic = OtherTraffic(
                rate_per_h=draw(st.sampled_from([0.1, 0.5, 1.0, 2.0])),
                inspection=draw(delays(16)),
                only_when_open=draw(st.booleans()),
            )
            if draw(st.integers(0, 3)) == 0:  # rates that change over time, 0 among them
                hours = sorted(set(draw(st.lists(st.integers(-12, int(horizon_h)), min_size=1, max_size=3))))
                cp.other_traffic.schedule = {
                    f"p{k}": TrafficPeriod(start=clock(start, h), rate_per_h=draw(st.sampled_from([0.0, 0.5, 3.0])))
                    for k, h in enumerate(hours)
                }
        checkpoints[p] = cp
    movements = {}
    for i in range(draw(st.integers(1, 4))):
        a, b = draw(st.lists(st.sampled_from(names), min_size=2, max_size=2, unique=True))
        routes = simple_paths(edges, a, b)
        trucks = draw(st.integers(1, 6))
        m = Movement(
            name=f"movement {i}",
            trucks=trucks,
            cargo_t={"food": 10.0 * trucks, **({"fuel": 3.5 * trucks} if draw(st.booleans()) else {})},
            enabled=i == 0 or draw(st.integers(0, 5)) > 0,
            route=routes[0],
            departure=clock(start, draw(st.integers(0, 4 * int(horizon_h))) / 4),
            priority=draw(st.booleans()),
            breakdown_policy=draw(st.sampled_from(list(BreakdownPolicy))),
        )
        if draw(st.integers(0, 2)) == 0:
            m.hold = Hold(
                place=draw(st.sampled_from(routes[0])),
                delay=draw(delays(96)),
                refusal_probability=draw(st.sampled_from([0.0, 0.3, 1.0])),
            )
        if len(routes) > 1 and draw(st.booleans()):
            m.alternative_routes = {f"via_{k}": r for k, r in enumerate(routes[1:])}
            m.reroute_after_h = draw(st.integers(0, 12)) / 2
            if draw(st.booleans()):  # a road of the route closes, to make the movement turn round
                a, b = sorted(draw(st.sampled_from(list(zip(routes[0], routes[0][1:])))))
                duration = draw(st.one_of(st.none(), hours_(8 * 48)))
                legs[f"{a}_{b}"].closures = {"blocked": ClosureWindow(start=m.departure, duration_h=duration)}
        if draw(st.integers(0, 3)) == 0:
            m.deadline = clock(m.departure, draw(st.integers(1, 96)))
        movements[f"m{i}"] = m
    decisions = {}
    if draw(st.integers(0, 2)) == 0:  # a decision shared by some of the holds
        starts = draw(
            st.one_of(st.just("first_arrival"), st.integers(-24, int(horizon_h)).map(lambda h: clock(start, h)))
        )
        decisions["deal"] = Decision(
            delay=draw(delays(96)), refusal_probability=draw(st.sampled_from([0.0, 0.3, 1.0])), starts=starts
        )
        for m in movements.values():
            if m.hold is not None and draw(st.booleans()):
                m.hold.delay, m.hold.decision = None, "deal"
    flows = {}
    if draw(st.integers(0, 3)) == 0:
        a, b = draw(st.lists(st.sampled_from(names), min_size=2, max_size=2, unique=True))
        flows["supply"] = Flow(
            name="supply",
            trucks=draw(st.integers(1, 3)),
            cargo_t={"food": 20.0},
            route=simple_paths(edges, a, b)[0],
            first_departure=clock(start, draw(st.integers(0, 23))),  # before the horizon (>= 1 day)
            every_h=draw(st.sampled_from([6.0, 12.0, 24.0])),
            priority=draw(st.booleans()),
        )
        if draw(st.booleans()):  # intervals that change over time, a pause among them
            hours = sorted(set(draw(st.lists(st.integers(0, int(horizon_h)), min_size=1, max_size=2))))
            flows["supply"].schedule = {
                f"p{k}": DeparturePeriod(start=clock(start, h), every_h=draw(st.sampled_from([None, 2.5, 8.0])))
                for k, h in enumerate(hours)
            }
    s = Scenario(
        title="random scenario",
        description="drawn by Hypothesis",
        start=start,
        horizon_days=horizon_days,
        places={p: Place(name=p.upper()) for p in names},
        legs=legs,
        checkpoints=checkpoints,
        movements=movements,
        flows=flows,
        escorts=escorts,
        decisions=decisions,
        warmup_days=draw(st.sampled_from([0.0, 0.0, horizon_days / 4])),  # sometimes a warm-up
    )
    problems = list(scenario_problems(s, "scenario"))
    assert not problems, problems
    return s


seeds = st.integers(0, 2**32 - 1)


@FAST
@given(s=scenarios(), seed=seeds)
def test_every_truck_and_tonne_ends_in_exactly_one_outcome(s, seed):
    m = simulate(s, seed, 3).movements
    trucks = sum(m[f"{o}_trucks"] for o in OUTCOMES)
    tonnes = sum(m[f"{o}_t"] for o in OUTCOMES)
    assert np.array_equal(trucks, m["trucks"])
    assert np.allclose(tonnes, m["tonnes"], rtol=1e-12, atol=1e-9)
    for o in OUTCOMES:
        assert np.all(m[f"{o}_trucks"] >= 0) and np.all(m[f"{o}_t"] >= 0)
    # The movement's outcome: not delivered while any truck is; else delivered if any truck was.
    for i, outcome in enumerate(m["outcome"].tolist()):
        if m["not_delivered_trucks"][i] > 0:
            assert outcome == "not_delivered"
        elif m["delivered_trucks"][i] > 0:
            assert outcome == "delivered"
        else:
            assert outcome in ("refused", "turned_back") and m[f"{outcome}_trucks"][i] > 0


@FAST
@given(s=scenarios(), seed=seeds, r=st.integers(0, 3))
def test_times_never_decrease_along_a_route(s, seed, r):
    records = simulate(s, seed, 1, first=r)
    trace = trace_replication(s, seed, r)
    arrival, start, clear = trace["arrival_h"], trace["start_h"], trace["clear_h"]
    cleared = ~np.isnan(clear)  # an inspection still under way at the horizon has no clearance
    assert np.all(arrival <= start) and np.all(start[cleared] <= clear[cleared])
    departure = dict(zip(records.movements["movement"].tolist(), records.movements["departure_h"].tolist()))
    last_clear: dict[tuple, float] = {}
    for m, truck, a, c in zip(trace["movement"].tolist(), trace["truck"].tolist(), arrival.tolist(), clear.tolist()):
        assert a >= departure[m]
        assert a >= last_clear.get((m, truck), -math.inf)  # reached the next checkpoint after clearing the last
        last_clear[(m, truck)] = c
    p = records.passages
    left = ~np.isnan(p["release_h"])
    assert np.all(p["arrival_h"][left] <= p["release_h"][left])
    assert np.all(p["arrival_h"] < records.horizon_h)
    m = records.movements
    ended = ~np.isnan(m["end_h"])
    assert np.all(m["end_h"][ended] >= m["departure_h"][ended])


@FAST
@given(s=scenarios(), seed=seeds)
def test_no_wait_busy_or_open_time_is_negative_or_impossible(s, seed):
    records = simulate(s, seed, 3)
    c, horizon_h = records.checkpoints, records.horizon_h
    for column in ("wait_h", "other_wait_h", "busy_h", "open_h", "trucks", "other_trucks"):
        assert np.all(c[column] >= 0), column
    assert np.all(c["open_h"] <= horizon_h + 1e-9)
    assert np.all(c["busy_h"] <= c["lanes"] * horizon_h + 1e-9)
    m = records.movements
    assert np.all(m["closure_wait_h"] >= 0) and np.all(m["reroutes"] >= 0)
    delivered = m["outcome"] == "delivered"
    assert np.all(m["delivery_time_h"][delivered] >= 0)
    assert np.all(np.isnan(m["delivery_time_h"][~delivered]))
    assert np.all(records.deliveries["tonnes"] >= 0)


@FAST
@given(s=scenarios(), seed=seeds)
def test_the_same_seed_gives_identical_tables(s, seed):
    a, b = simulate(s, seed, 2), simulate(s, seed, 2)
    for name in ("movements", "passages", "checkpoints", "deliveries"):
        assert tables_equal(getattr(a, name), getattr(b, name)), name


def without_holding(s: Scenario, holds_too: bool) -> Scenario:
    """The scenario without breakdowns, turn-backs, closures, escorts (and holds): most movements
    then take the direct path, through checkpoints shared with others."""
    for leg in s.legs.values():
        leg.breakdown_probability = leg.breakdown_per_100km = leg.repair = leg.random_closures = leg.escort = None
        leg.closures = {}
    for cp in s.checkpoints.values():
        cp.turn_back_probability, cp.closures, cp.random_closures = 0.0, {}, None
    for m in s.movements.values():
        m.hold = None if holds_too else m.hold
    return s


@FAST
@given(s=scenarios(), seed=seeds, simplify=st.sampled_from(["no", "all but holds", "all"]))
def test_the_direct_path_gives_the_tables_of_the_general_one(s, seed, simplify):
    """Movements that nothing but the lanes can hold take `Journey.run_direct`, a shortcut of
    `Journey.run`: with every movement made to take `run`, the tables are the same. Most random
    scenarios are simplified first, so that many movements take the direct path through busy
    checkpoints, with other traffic, priority, flows and ties."""
    if simplify != "no":
        s = without_holding(s, holds_too=simplify == "all")
    direct = simulate(s, seed, 3)
    with patch("sim.simulate.compile._may_hold", return_value=True):
        assert all(m.direct is None for m in compile_scenario(s).movements)
        general = simulate(s, seed, 3)
    for name in ("movements", "passages", "checkpoints", "deliveries"):
        assert tables_equal(getattr(direct, name), getattr(general, name)), name
