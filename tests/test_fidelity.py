"""Specifications from the second outside review: escorts given back when their group arrives (or
can never leave), closures that start while a group waits, and draws that stay with their truck.
Tiny deterministic worlds with exact times."""

from __future__ import annotations

import numpy as np
from conftest import at, checkpoint, delay, fixed, movement, scenario

from sim.config.schema import ClosureWindow, EscortPool
from sim.model.calendar import Availability, OpeningHours
from sim.model.checkpoint import Lanes
from sim.simulate.compile import compile_scenario
from sim.simulate.draws import draw_rows
from sim.simulate.replications import simulate, trace_replication

ALWAYS = OpeningHours(None, 0.0)


def one_run(s, seed: int = 1) -> dict[str, dict]:
    """The movements table of a single replication, as movement -> row."""
    table = simulate(s, seed, 1).movements
    return {k: {c: table[c][i] for c in table} for i, k in enumerate(table["movement"].tolist())}


def chain(inspection_h: float, **movements):
    """a -1h- b (checkpoint, one lane) -1h- c."""
    return scenario(
        legs=[("a", "b", 1.0), ("b", "c", 1.0)], checkpoints={"b": checkpoint(inspection_h)}, movements=movements
    )


def escorted(*movements: str, turnaround_h: float = 2.0):
    """a -1h- b with an escort from a pool of one, and a -1h- c using the same pool."""
    s = scenario(legs=[("a", "b", 1.0), ("a", "c", 1.0)], movements={k: movement(["a", "b"]) for k in movements})
    s.escorts = {"peacekeepers": EscortPool(size=1, turnaround=fixed(turnaround_h))}
    s.legs["a_b"].escort = s.legs["a_c"].escort = "peacekeepers"
    return s


# --- escorts -------------------------------------------------------------------------------------


def test_an_escort_that_waits_with_its_group_for_a_road_to_reopen_is_back_a_turnaround_after_it_arrives():
    s = escorted("first", "second", "third")
    s.legs["a_b"].closures = {"shut": ClosureWindow(start=at(2.0), duration_h=8.0)}
    result = one_run(s)
    # first drives 0-1 with the escort, back at 3. second gets it at 3, but the road is shut until
    # 10: it drives 10-11 and the escort is back at 13, when third gets it: 13-14.
    assert result["first"]["delivery_time_h"] == 1.0
    assert result["second"]["delivery_time_h"] == 11.0
    assert result["third"]["delivery_time_h"] == 14.0


def test_an_escort_whose_road_closes_for_good_after_the_grant_goes_back_to_its_pool():
    s = escorted("first", "second")
    s.movements["elsewhere"] = movement(["a", "c"])
    s.legs["a_b"].closures = {"shut": ClosureWindow(start=at(2.0), duration_h=None)}
    result = one_run(s)
    # second gets the escort at 3 for a road shut for good: it gives it back at once, and the
    # movement on the other road that uses the same pool drives 3-4.
    assert result["second"]["outcome"] == "not_delivered"
    assert result["elsewhere"]["delivery_time_h"] == 4.0


def test_a_group_whose_road_closes_while_it_waits_for_its_escort_turns_round_when_it_may_and_gives_it_back():
    s = scenario(
        legs=[("a", "b", 1.0), ("a", "c", 1.0), ("c", "b", 1.0)],
        movements={"first": movement(["a", "b"]), "second": movement(["a", "b"])},
    )
    s.escorts = {"peacekeepers": EscortPool(size=1, turnaround=fixed(2.0))}
    s.legs["a_b"].escort = s.legs["a_c"].escort = "peacekeepers"
    s.legs["a_b"].closures = {"shut": ClosureWindow(start=at(2.0), duration_h=100.0)}
    s.movements["second"].alternative_routes = {"by_c": ["a", "c", "b"]}
    s.movements["second"].reroute_after_h = 2.0
    result = one_run(s)
    # second gets the escort at 3, finds the road shut, waits 2 h with it and turns round at 5;
    # the escort is free then, and takes it a -> c (5-6); c -> b needs none (6-7).
    assert result["second"]["reroutes"] == 1
    assert result["second"]["delivery_time_h"] == 7.0


# --- closures that start while a group waits ----------------------------------------------------


def queued_at_a_closing_checkpoint(trucks: int = 3):
    """a -1h- b (checkpoint, one lane, 1 h inspections) -1h- d, or a -1h- c -1h- d; the checkpoint
    shuts at 2.5 for 100 h; reroute after 2 h at a closure."""
    s = scenario(
        legs=[("a", "b", 1.0), ("b", "d", 1.0), ("a", "c", 1.0), ("c", "d", 1.0)],
        checkpoints={"b": checkpoint(1.0)},
        movements={"m": movement(["a", "b", "d"], trucks=trucks)},
    )
    s.checkpoints["b"].closures = {"shut": ClosureWindow(start=at(2.5), duration_h=100.0)}
    s.movements["m"].alternative_routes = {"south": ["a", "c", "d"]}
    s.movements["m"].reroute_after_h = 2.0
    return s


def test_a_closure_that_starts_while_a_group_queues_is_met_as_on_arrival():
    s = queued_at_a_closing_checkpoint()
    m = one_run(s)["m"]
    # At b at 1: truck 0 inspected 1-2, truck 1 2-3 (under way when the post shuts at 2.5, so
    # finished); truck 2 would wait until 102.5. The group waits 2 h from 2.5, turns round at
    # 4.5 and drives b -> a (5.5), a -> c (6.5), c -> d (7.5).
    assert m["outcome"] == "delivered" and m["delivery_time_h"] == 7.5
    assert m["reroutes"] == 1 and m["closure_wait_h"] == 2.0
    trucks = trace_replication(s, 1, 0)
    assert trucks["place"].tolist() == ["b", "b"] and trucks["truck"].tolist() == [0, 1]


def test_a_short_closure_while_a_group_queues_is_waited_out():
    s = queued_at_a_closing_checkpoint()
    s.checkpoints["b"].closures["shut"].duration_h = 1.5
    m = one_run(s)["m"]
    # Shut 2.5-4: truck 2 is inspected 4-5 and the group goes on to d, at 6.
    assert m["reroutes"] == 0 and m["delivery_time_h"] == 6.0


# --- priority ------------------------------------------------------------------------------------


def test_a_truck_with_priority_passes_every_vehicle_whose_inspection_has_not_started():
    # The review's example: others at 0 h (10 h inspection) and 1 h (5 h), an aid truck without
    # priority at 2 h, one with priority at 3 h. Only the vehicle being inspected keeps its place.
    lanes = Lanes(1, Availability(ALWAYS, []), 100.0, [0.0, 1.0], [10.0, 5.0], shared_with_priority=True)
    waiting = lanes.queue(2.0, [1.0])
    assert lanes.admit_started(2.0) == 10.0  # the other vehicle of 1 h could start at 10
    times = []
    lanes.inspect(3.0, [1.0], priority=True, times=times)
    assert times == [(10.0, 11.0)]
    assert lanes.admit_started(10.0) == 11.0  # it went first: the next could start at 11
    assert lanes.admit_started(11.0) == 16.0
    assert lanes.admit_started(16.0) is None and waiting.times == [(16.0, 17.0)]


def test_among_aid_movements_priority_passes_a_convoy_whose_trucks_have_not_started():
    slow, urgent = movement(["a", "b", "c"], trucks=2), movement(["a", "b", "c"], departure=at(0.5))
    urgent.priority = True
    s = chain(1.0, slow=slow, urgent=urgent)
    result = one_run(s)
    # slow's truck 0 is inspected 1-2; urgent, at b at 1.5, goes next (2-3), then slow's truck 1 (3-4).
    assert result["urgent"]["end_h"] == 4.0
    assert result["slow"]["end_h"] == 5.0


# --- draws ---------------------------------------------------------------------------------------


def varied_convoy(trucks: int):
    """a -1h- b (checkpoint, exponential inspections, two lanes) -1h- c, `trucks` trucks."""
    s = scenario(
        legs=[("a", "b", 1.0), ("b", "c", 1.0)],
        checkpoints={"b": checkpoint(delay("exponential", mean_h=1.0), lanes=2)},
        movements={"m": movement(["a", "b", "c"], trucks=trucks)},
    )
    s.legs["b_c"].breakdown_probability, s.legs["b_c"].repair = 0.5, delay("exponential", mean_h=3.0)
    return s


def test_a_truck_keeps_its_draws_when_trucks_are_added_to_its_movement():
    rows = {n: draw_rows(compile_scenario(varied_convoy(n)), 7, 0, 0, 5)[0] for n in (3, 4)}
    offsets = {n: compile_scenario(varied_convoy(n)).movements[0].offset for n in (3, 4)}
    for purpose in (("inspection", "b"), ("breakdown", "b_c"), ("repair", "b_c")):
        three, four = offsets[3][purpose], offsets[4][purpose]
        assert np.array_equal(rows[3][:, three : three + 3], rows[4][:, four : four + 3]), purpose


def test_inspection_times_follow_their_truck_whatever_the_convoy_size():
    inspected = {}
    for n in (3, 4):
        trucks = trace_replication(varied_convoy(n), 7, 2)
        inspected[n] = (trucks["clear_h"] - trucks["start_h"])[:3]
    assert np.allclose(inspected[3], inspected[4])


def test_a_piece_of_a_batch_reads_the_same_draws_as_the_whole_batch():
    plan = compile_scenario(varied_convoy(4))
    whole = draw_rows(plan, 7, 1, 0, 256)[0]
    assert np.array_equal(draw_rows(plan, 7, 1, 100, 140)[0], whole[100:140])
