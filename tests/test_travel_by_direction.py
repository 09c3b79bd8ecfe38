"""Specifications of legs driven each way with their own travel time, and of breakdowns drawn
per trip: exact times for tiny worlds, and the draws a second trip on a leg does or does not
share with the first."""

from __future__ import annotations

from conftest import at, delay, fixed, movement, scenario

from sim.config.schema import BreakdownPolicy, ClosureWindow
from sim.config.validate import scenario_problems
from sim.simulate.replications import simulate


def ends(s, seed: int = 1, replications: int = 1) -> dict:
    """Movement -> its end times over the replications."""
    table = simulate(s, seed, replications).movements
    return {k: table["end_h"][table["movement"] == k].tolist() for k in dict.fromkeys(table["movement"].tolist())}


def detour(**leg_fields):
    """a -1h- b -1h- d, shut for good from b, or a -1h- c -1h- d; reroute after 2 h."""
    s = scenario(
        legs=[("a", "b", 1.0), ("b", "d", 1.0), ("a", "c", 1.0), ("c", "d", 1.0)],
        movements={"m": movement(["a", "b", "d"])},
    )
    s.legs["b_d"].closures = {"shut": ClosureWindow(start=at(0.0), duration_h=None)}
    s.movements["m"].alternative_routes = {"south": ["a", "c", "d"]}
    s.movements["m"].reroute_after_h = 2.0
    for name, value in leg_fields.items():
        setattr(s.legs["a_b"], name, value)
    return s


def test_a_leg_driven_from_its_end_takes_its_travel_back():
    s = scenario(legs=[("a", "b", 1.0)], movements={"up": movement(["a", "b"]), "down": movement(["b", "a"])})
    s.legs["a_b"].travel_back = fixed(3.0)
    assert ends(s) == {"up": [1.0], "down": [3.0]}


def test_driving_back_along_a_reroute_takes_the_way_back_s_time():
    # At b at 1, waits 2 h, drives back to a in 3 h (6), then a -> c (7) and c -> d (8).
    assert ends(detour(travel_back=fixed(3.0)))["m"] == [8.0]
    assert ends(detour())["m"] == [6.0]  # without travel_back: the same time both ways


def breakdowns_both_ways(repeat: bool):
    """detour() with a breakdown on a -> b half the time, each costing a 10 h repair waited for."""
    s = detour(breakdown_probability=0.5, repair=fixed(10.0), repeat_breakdown=repeat)
    s.movements["m"].breakdown_policy = BreakdownPolicy.wait
    return s


def test_a_truck_driving_a_leg_again_meets_a_breakdown_drawn_anew():
    # Without repairs it arrives at 6; each of its two trips on a_b adds 10 h half the time.
    fresh = ends(breakdowns_both_ways(repeat=False), replications=400)["m"]
    assert set(fresh) == {6.0, 16.0, 26.0}  # one repair in about half the replications: trips differ
    assert 0.4 < fresh.count(16.0) / 400 < 0.6


def test_a_leg_may_repeat_its_breakdowns_on_every_trip():
    repeated = ends(breakdowns_both_ways(repeat=True), replications=400)["m"]
    assert set(repeated) == {6.0, 26.0}  # both trips or neither


def test_the_first_trip_keeps_its_draws_when_later_trips_get_their_own():
    first_trip = {}
    for repeat in (False, True):
        s = breakdowns_both_ways(repeat)
        s.legs["b_d"].closures = {}  # no reroute: one trip on a_b
        first_trip[repeat] = ends(s, replications=200)["m"]
    assert first_trip[False] == first_trip[True]


def test_a_travel_back_that_is_no_delay_is_refused():
    s = detour(travel_back=delay("lognormal", median_h=-1.0, p90_h=2.0))
    problems = list(scenario_problems(s, "scenario"))
    assert problems and all(p.startswith("scenario.legs.a_b.travel_back") for p in problems), problems
