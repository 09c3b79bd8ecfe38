"""Specifications of the model's mechanisms beyond the foundation: closures, other traffic and
priority, turn-backs, breakdowns, escorts, rerouting, flows and needs. Tiny deterministic worlds
with exact times, and conservation of trucks and tonnes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import at, checkpoint, fixed, hold, movement, rows, run_config, scenario
from scipy import stats

from sim.analysis.delivery_summary import population_days
from sim.analysis.statistics import summarise
from sim.app.run import execute
from sim.config.schema import (
    BreakdownPolicy,
    CargoType,
    ClosureWindow,
    EscortPool,
    Flow,
    Hold,
    Needs,
    OtherTraffic,
    PopulationChange,
    RandomClosures,
)
from sim.config.validate import scenario_problems
from sim.model.calendar import Availability, OpeningHours
from sim.model.checkpoint import Lanes
from sim.results.files import read_json
from sim.results.records import OUTCOMES
from sim.simulate.replications import simulate, trace_replication

ALWAYS = OpeningHours(None, 0.0)


def valid(s):
    problems = list(scenario_problems(s, "scenario"))
    assert not problems, problems
    return s


def one_run(s, seed: int = 1):
    """The movements table of a single replication, as a dict key -> row dict."""
    table = simulate(valid(s), seed, 1).movements
    return {k: {c: table[c][i] for c in table} for i, k in enumerate(table["movement"].tolist())}


def chain(inspection_h: float = 0.5, trucks: int = 1, **movement_fields):
    """a -1h- b (checkpoint) -1h- c."""
    m = movement(["a", "b", "c"], trucks=trucks)
    for name, value in movement_fields.items():
        setattr(m, name, value)
    return scenario(
        legs=[("a", "b", 1.0), ("b", "c", 1.0)], checkpoints={"b": checkpoint(inspection_h)}, movements={"m": m}
    )


# --- closures -----------------------------------------------------------------------------------


def test_a_truck_reaching_a_closed_checkpoint_waits_for_it_to_reopen():
    s = chain()
    s.checkpoints["b"].closures = {"shut": ClosureWindow(start=at(0.5), duration_h=10.0)}
    m = one_run(s)["m"]
    # Arrives at b at 1, closed until 10.5, inspected 10.5-11, at c at 12.
    assert m["delivery_time_h"] == 12.0
    assert m["closure_wait_h"] == 9.5  # the closure overlapped its stay at b from 1 to 10.5


def test_an_inspection_under_way_when_a_closure_starts_is_finished():
    s = chain(inspection_h=2.0, trucks=2)
    s.checkpoints["b"].closures = {"shut": ClosureWindow(start=at(2.0), duration_h=5.0)}
    trucks = trace_replication(valid(s), 1, 0)
    # Truck 0 started at 1 and finishes at 3 despite the closure from 2; truck 1 starts when it reopens, at 7.
    assert trucks["start_h"].tolist() == [1.0, 7.0]
    assert trucks["clear_h"].tolist() == [3.0, 9.0]


def test_a_closure_without_end_leaves_the_movement_not_delivered_at_the_horizon():
    s = chain()
    s.checkpoints["b"].closures = {"shut": ClosureWindow(start=at(0.0), duration_h=None)}
    m = one_run(s)["m"]
    assert m["outcome"] == "not_delivered" and math.isnan(m["delivery_time_h"])
    assert m["last_place"] == "b" and m["not_delivered_trucks"] == 1


def test_a_closed_road_holds_the_movement_at_its_start():
    s = chain()
    s.legs["b_c"].closures = {"shut": ClosureWindow(start=at(0.0), duration_h=5.0)}
    m = one_run(s)["m"]
    # Cleared at b at 1.5, waits for the road until 5, at c at 6.
    assert m["delivery_time_h"] == 6.0 and m["closure_wait_h"] == 3.5


def test_random_closures_leave_the_checkpoint_open_the_expected_share_of_time():
    s = chain()
    s.horizon_days = 400
    # Onsets at 0.5 a day while open, each closure 2 days: open spells average 2 days, so the
    # long-run open share is 2 / (2 + 2) = 0.5.
    s.checkpoints["b"].random_closures = RandomClosures(rate_per_day=0.5, duration=fixed(48.0))
    table = simulate(valid(s), 3, 40).checkpoints
    share = table["open_h"] / (400 * 24)
    half = stats.t.ppf(0.975, len(share) - 1) * share.std(ddof=1) / math.sqrt(len(share))
    assert abs(share.mean() - 0.5) < max(3 * half, 0.01)


# --- other traffic and priority ----------------------------------------------------------------


def lanes_with_queue():
    """One lane; other vehicles arrive at 0, 0.1 and 0.2 and take 1 h each."""
    return Lanes(1, Availability(ALWAYS, []), 100.0, [0.0, 0.1, 0.2], [1.0, 1.0, 1.0])


def test_without_priority_aid_trucks_queue_behind_other_traffic_that_came_first():
    lanes, times = lanes_with_queue(), []
    assert lanes.inspect(0.5, [1.0], priority=False, times=times) == 4.0  # cleared
    assert times == [(3.0, 4.0)]


def test_with_priority_aid_trucks_pass_queued_other_traffic_but_not_one_being_inspected():
    lanes, times = lanes_with_queue(), []
    assert lanes.inspect(0.5, [1.0], priority=True, times=times) == 2.0
    assert times == [(1.0, 2.0)]  # the vehicle that started at 0 finishes first
    lanes.finish()
    assert lanes.other_trucks == 3
    assert lanes.other_wait_h == pytest.approx(0 + (2.0 - 0.1) + (3.0 - 0.2))
    assert lanes.busy_h == 4.0


def test_a_checkpoint_may_give_every_aid_truck_priority():
    lanes = Lanes(1, Availability(ALWAYS, []), 100.0, [0.0, 0.1, 0.2], [1.0, 1.0, 1.0], aid_priority=True)
    assert lanes.inspect(0.5, [1.0], priority=False) == 2.0


def test_a_warm_up_leaves_early_arrivals_and_early_lane_time_out_of_the_counts():
    lanes = Lanes(1, Availability(ALWAYS, []), 100.0, [0.0, 5.0], [2.0, 2.0], warmup_h=4.0)
    lanes.inspect(3.0, [2.0])  # arrived before the warm-up ends: inspected 3-5, not counted
    times = []
    lanes.inspect(4.5, [1.0], times=times)  # counted: waits 0.5 h, inspected 5-6
    lanes.finish()  # the other vehicle of 5 h is inspected 6-8 (the one of 0 h, 0-2, is not counted)
    assert times == [(5.0, 6.0)]
    assert (lanes.trucks, lanes.wait_h, lanes.other_trucks, lanes.other_wait_h) == (1, 0.5, 1, 1.0)
    assert lanes.busy_h == 1.0 + 1.0 + 2.0  # 4-5, 5-6 and 6-8


def test_a_warm_up_as_long_as_the_horizon_is_refused():
    s = chain()
    s.warmup_days = 10.0
    problems = list(scenario_problems(s, "scenario"))
    assert len(problems) == 1 and problems[0].startswith("scenario.warmup_days=10.0: must be >= 0 and below"), problems


def test_other_traffic_competes_for_lanes_and_is_recorded():
    s = chain()
    s.checkpoints["b"].other_traffic = OtherTraffic(rate_per_h=0.5, inspection=fixed(1.0))
    table = simulate(valid(s), 1, 20).checkpoints
    per_day = table["other_trucks"].mean() / s.horizon_days
    assert 10 < per_day < 14  # 12 a day expected
    assert np.all(table["busy_h"] >= table["other_trucks"] * 1.0 - 1.0)


# --- inspection outcomes ------------------------------------------------------------------------


@pytest.mark.parametrize("p, expected", [(1.0, "turned_back"), (0.0, "delivered")])
def test_an_inspection_may_turn_trucks_back(p, expected):
    s = chain(trucks=3)
    s.checkpoints["b"].turn_back_probability = p
    m = one_run(s)["m"]
    assert m["outcome"] == expected
    assert m["turned_back_trucks"] == 3 * p and m["turned_back_t"] == 30.0 * p
    assert m["delivered_trucks"] + m["turned_back_trucks"] == 3


def test_turned_back_trucks_leave_and_the_rest_deliver():
    s = chain(trucks=20)
    s.checkpoints["b"].turn_back_probability = 0.3
    table = simulate(valid(s), 5, 200).movements
    share = table["turned_back_trucks"].sum() / (20 * 200)
    assert abs(share - 0.3) < 4 * math.sqrt(0.3 * 0.7 / 4000)
    assert np.all(table["turned_back_trucks"] + table["delivered_trucks"] == 20)


# --- breakdowns ----------------------------------------------------------------------------------


def broken_down(policy: BreakdownPolicy):
    s = chain(trucks=2, breakdown_policy=policy)
    s.legs["a_b"].breakdown_probability = 1.0
    s.legs["a_b"].repair = fixed(3.0)
    return s


def test_with_policy_wait_the_movement_waits_for_its_repaired_trucks():
    m = one_run(broken_down(BreakdownPolicy.wait))["m"]
    assert m["delivery_time_h"] == 1 + 3 + 0.5 + 0.5 + 1  # both inspected one after the other on one lane


def test_with_policy_go_on_each_repaired_truck_follows_on_its_own():
    s = broken_down(BreakdownPolicy.go_on)
    passages = rows(simulate(valid(s), 1, 1).passages, place="c")
    assert passages["trucks"].tolist() == [1, 1]  # two groups of one truck reached c
    m = one_run(s)["m"]
    assert m["delivery_time_h"] == 1 + 3 + 0.5 + 0.5 + 1 and m["delivered_trucks"] == 2


def test_movements_set_off_in_scenario_order_before_any_truck_that_one_of_them_leaves_behind():
    """At equal times the event scheduled first goes first. Every movement sets off at time 0 in
    scenario order, whichever path it takes; a truck left to follow on its own after a breakdown
    starts only after that. Here `first`'s repaired truck and `second` reach b together at 2.0:
    `second`, which set off before the repaired truck, takes the only lane first."""
    first = movement(["a", "b", "c"])
    first.breakdown_policy = BreakdownPolicy.go_on
    second = movement(["d", "b", "c"])  # nothing but the lanes on its way: the direct path
    s = scenario(
        legs=[("a", "b", 1.0), ("d", "b", 2.0), ("b", "c", 1.0)],
        checkpoints={"b": checkpoint(1.0)},
        movements={"first": first, "second": second},
    )
    s.legs["a_b"].breakdown_probability = 1.0
    s.legs["a_b"].repair = fixed(1.0)
    ended = {k: m["end_h"] for k, m in one_run(s).items()}
    assert ended == {"first": 5.0, "second": 4.0}  # inspected 3-4 and 2-3 at b, then 1 h to c


def test_breakdown_chance_per_100km_scales_with_distance():
    s = chain(trucks=50)
    s.legs["a_b"].distance_km = 200.0
    s.legs["a_b"].breakdown_per_100km = 0.1
    s.legs["a_b"].repair = fixed(10.0)
    s.movements["m"].breakdown_policy = BreakdownPolicy.go_on
    table = simulate(valid(s), 2, 100).passages
    at_b = rows(table, place="b")
    late = at_b["trucks"][at_b["arrival_h"] == 11.0].sum()
    expected = 1 - 0.9**2  # 0.19 per truck
    assert abs(late / 5000 - expected) < 4 * math.sqrt(expected * (1 - expected) / 5000)


# --- escorts ------------------------------------------------------------------------------------


def test_a_leg_that_needs_an_escort_waits_for_one_from_the_pool():
    s = scenario(
        legs=[("a", "b", 1.0)],
        movements={"first": movement(["a", "b"]), "second": movement(["a", "b"])},
    )
    s.escorts = {"peacekeepers": EscortPool(size=1, turnaround=fixed(2.0))}
    s.legs["a_b"].escort = "peacekeepers"
    result = one_run(s)
    # The escort drives with the first from 0 to 1 and is back at 3; the second leaves then.
    assert result["first"]["delivery_time_h"] == 1.0
    assert result["second"]["delivery_time_h"] == 4.0


# --- rerouting -----------------------------------------------------------------------------------


def test_after_waiting_at_a_closure_a_movement_turns_back_and_takes_its_alternative_route():
    s = scenario(
        legs=[("a", "b", 1.0), ("b", "d", 1.0), ("a", "c", 1.0), ("c", "d", 1.0)],
        movements={"m": movement(["a", "b", "d"])},
    )
    s.legs["b_d"].closures = {"shut": ClosureWindow(start=at(0.0), duration_h=None)}
    s.movements["m"].alternative_routes = {"south": ["a", "c", "d"]}
    s.movements["m"].reroute_after_h = 2.0
    m = one_run(s)["m"]
    # At b at 1, waits 2 h, drives back to a (4), then to c (5) and d (6).
    assert m["outcome"] == "delivered" and m["delivery_time_h"] == 6.0
    assert m["reroutes"] == 1 and m["closure_wait_h"] == 2.0
    places = rows(simulate(valid(s), 1, 1).passages, movement="m")["place"].tolist()
    assert places == ["a", "b", "a", "c", "d"]


# --- flows and needs -----------------------------------------------------------------------------


def test_a_flow_departs_every_interval_until_the_horizon():
    s = chain()
    s.movements["m"].enabled = False
    s.flows = {
        "daily": Flow(
            name="daily supply",
            trucks=2,
            cargo_t={"food": 40.0},
            route=["a", "b", "c"],
            first_departure=at(0.0),
            every_h=24.0,
        )
    }
    s.horizon_days = 3
    records = simulate(valid(s), 1, 2)
    assert rows(records.movements, replication=0)["movement"].tolist() == ["daily/0", "daily/1", "daily/2"]
    summary = summarise(records)
    assert list(summary["movements"]) == ["daily"] and summary["movements"]["daily"]["departures"] == 3


def test_needs_give_person_days_covered_share_met_and_longest_gap():
    s = chain()
    s.needs = Needs(population=1000, kg_per_person_day={"food": 0.5})
    records = simulate(valid(s), 1, 3)
    needs = summarise(records, {"population": 1000, "kg_per_person_day": {"food": 0.5}})["deliveries"]
    food = needs["by_cargo"]["food"]
    assert food["tonnes"]["estimate"] == 10.0
    assert food["person_days"]["estimate"] == 20000.0  # 10 t / 0.5 kg per person-day
    assert food["share_of_need_met"]["estimate"] == pytest.approx(20000 / (1000 * 10))
    # The only delivery is at 2.5 h: the longest spell without one runs from then to day 10.
    assert needs["longest_gap_days"]["estimate"] == pytest.approx((240 - 2.5) / 24)
    assert needs["cumulative_tonnes_by_day"][0]["mean"] == 10.0


def needs_that_change(**changes: PopulationChange):
    """chain() with 10,000 people (0.5 kg of food a day) and the given population changes."""
    s = chain()
    s.needs = Needs(population=10000, kg_per_person_day={"food": 0.5}, changes=changes)
    return s


def test_a_population_that_changes_sets_the_need_over_the_horizon(tmp_path):
    leaving = PopulationChange(start=at(48.0), end=at(96.0), population=0)
    execute(run_config(needs_that_change(leaving=leaving), replications=3), tmp_path / "run", "test", "")
    needs = read_json(tmp_path / "run" / "summary.json")["deliveries"]
    # 10,000 for 2 days, then on average 5,000 for 2 days, then nobody for the last 6 of 10.
    assert needs["need_person_days"] == 30000.0 and needs["mean_population"] == 3000.0
    assert needs["by_cargo"]["food"]["share_of_need_met"]["estimate"] == pytest.approx(20000 / 30000)


def test_a_change_before_the_start_or_after_the_horizon_counts_only_within_it():
    assert population_days(1000, [[-48.0, 48.0, 0.0]], 240.0) == 500.0  # 500 people at the start, none by 48 h
    assert population_days(1000, [[300.0, 400.0, 0.0]], 240.0) == 10000.0
    assert population_days(1000, [[48.0, 48.0, 500.0]], 240.0) == 2000.0 + 4000.0  # a step


@pytest.mark.parametrize(
    "changes, problem",
    [
        ({"a": PopulationChange(start=at(10.0), end=at(5.0), population=5)}, "needs.changes.a.end="),
        ({"a": PopulationChange(start=at(0.0), end=at(5.0), population=-1)}, "needs.changes.a.population=-1"),
        (
            {
                "a": PopulationChange(start=at(0.0), end=at(10.0), population=5),
                "b": PopulationChange(start=at(5.0), end=at(20.0), population=1),
            },
            "needs.changes.b.start=",
        ),
        ({"a": PopulationChange(start="next week", end=at(5.0), population=5)}, "needs.changes.a.start=next week"),
    ],
)
def test_population_changes_out_of_order_overlapping_or_backwards_are_refused(changes, problem):
    problems = list(scenario_problems(needs_that_change(**changes), "scenario"))
    assert len(problems) == 1 and problems[0].startswith(f"scenario.{problem}"), problems


def perishing(cargo_type: CargoType, tmp_path) -> dict:
    """chain() held 48 h at its origin (delivered 50.5 h after loading), its 10 t of food of
    `cargo_type`: the deliveries of the summary."""
    s = chain(hold=hold("a", 48.0))
    s.cargo_types = {"food": cargo_type}
    s.needs = Needs(population=1000, kg_per_person_day={"food": 0.5})
    execute(run_config(s, replications=2), tmp_path / "run", "test", "")
    return read_json(tmp_path / "run" / "summary.json")["deliveries"]


def test_cargo_that_loses_value_each_day_is_counted_usable_as_what_is_left(tmp_path):
    food = perishing(CargoType(loss_per_day=0.1), tmp_path)["by_cargo"]["food"]
    usable_t = 10.0 * 0.9 ** (50.5 / 24)
    assert food["tonnes"]["estimate"] == 10.0
    assert food["usable_tonnes"]["estimate"] == pytest.approx(usable_t)
    assert food["person_days"]["estimate"] == pytest.approx(usable_t * 1000 / 0.5)  # usable tonnes feed people


@pytest.mark.parametrize("shelf_life_days, usable_t", [(2.0, 0.0), (3.0, 10.0)])
def test_cargo_past_its_shelf_life_is_lost(tmp_path, shelf_life_days, usable_t):
    food = perishing(CargoType(shelf_life_days=shelf_life_days), tmp_path)["by_cargo"]["food"]
    assert food["usable_tonnes"]["estimate"] == usable_t  # delivered after 2.1 days


@pytest.mark.parametrize(
    "cargo_type, problem",
    [
        (CargoType(shelf_life_days=0.0), "shelf_life_days=0.0"),
        (CargoType(loss_per_day=1.0), "loss_per_day=1.0"),
        (CargoType(loss_per_day=-0.1), "loss_per_day=-0.1"),
    ],
)
def test_a_shelf_life_or_daily_loss_out_of_range_is_refused(cargo_type, problem):
    s = chain()
    s.cargo_types = {"food": cargo_type}
    problems = list(scenario_problems(s, "scenario"))
    assert len(problems) == 1 and problems[0].startswith(f"scenario.cargo_types.food.{problem}"), problems


# --- conservation ---------------------------------------------------------------------------------


def test_every_truck_and_tonne_ends_in_exactly_one_outcome(baseline):
    baseline.checkpoints["hakari"].turn_back_probability = 0.2
    baseline.legs["yerevan_goris"].breakdown_probability = 0.3
    baseline.legs["yerevan_goris"].repair = fixed(30.0)
    baseline.movements["armenia_convoy"].breakdown_policy = BreakdownPolicy.go_on
    table = simulate(valid(baseline), 11, 300).movements
    trucks = sum(table[f"{o}_trucks"] for o in OUTCOMES)
    tonnes = sum(table[f"{o}_t"] for o in OUTCOMES)
    assert np.array_equal(trucks, table["trucks"])
    assert np.allclose(tonnes, table["tonnes"])
    assert set(table["outcome"].tolist()) == set(OUTCOMES)


# --- regressions found in review -----------------------------------------------------------------


def detour(hours: str = "24h"):
    """a -20h- b (checkpoint) -1h- d, or a -1h- c -1h- d; reroute after 2 h at a closure."""
    s = scenario(
        legs=[("a", "b", 20.0), ("b", "d", 1.0), ("a", "c", 1.0), ("c", "d", 1.0)],
        checkpoints={"b": checkpoint(0.5, hours=hours)},
        movements={"m": movement(["a", "b", "d"])},
    )
    s.movements["m"].alternative_routes = {"south": ["a", "c", "d"]}
    s.movements["m"].reroute_after_h = 2.0
    return s


def test_a_checkpoint_shut_for_the_night_is_waited_for_not_rerouted_around():
    m = one_run(detour(hours="08:00-18:00"))["m"]
    # At b at 20:00, it waits for 08:00 (not a closure), is inspected 08:00-08:30, at d at 33.5 h.
    assert m["reroutes"] == 0 and m["delivery_time_h"] == 33.5 and m["closure_wait_h"] == 0.0


def test_turning_round_at_a_closed_checkpoint_never_passes_it_uninspected():
    s = scenario(
        legs=[("a", "b", 1.0), ("b", "d", 1.0), ("b", "e", 1.0), ("e", "d", 1.0)],
        checkpoints={"b": checkpoint(0.5)},
        movements={"m": movement(["a", "b", "d"])},
    )
    s.checkpoints["b"].closures = {"shut": ClosureWindow(start=at(0.0), duration_h=None)}
    s.movements["m"].alternative_routes = {"east": ["a", "b", "e", "d"]}
    s.movements["m"].reroute_after_h = 2.0
    m = one_run(s)["m"]
    # It turns back to a (the place it shares with the alternative that it has left), comes to
    # the closed checkpoint again, and waits there: never through it uninspected.
    assert m["outcome"] == "not_delivered" and m["reroutes"] == 1 and m["last_place"] == "b"


def test_an_escorted_group_waits_for_a_road_that_closed_while_it_waited_for_the_escort():
    s = scenario(legs=[("a", "b", 1.0)], movements={"first": movement(["a", "b"]), "second": movement(["a", "b"])})
    s.escorts = {"peacekeepers": EscortPool(size=1, turnaround=fixed(5.0))}
    s.legs["a_b"].escort = "peacekeepers"
    s.legs["a_b"].closures = {"shut": ClosureWindow(start=at(2.0), duration_h=98.0)}
    result = one_run(s)
    # The escort is back at 6, inside the closure: the second leaves when the road opens at 100.
    assert result["first"]["delivery_time_h"] == 1.0 and result["second"]["delivery_time_h"] == 101.0


def test_a_reroute_that_would_happen_after_the_horizon_is_not_counted():
    s = detour()
    s.legs["a_b"].travel = fixed(239.0)
    s.legs["b_d"].closures = {"shut": ClosureWindow(start=at(0.0), duration_h=None)}
    m = one_run(s)["m"]
    assert m["outcome"] == "not_delivered" and m["reroutes"] == 0


def test_a_truck_that_follows_on_its_own_keeps_the_closure_wait_it_shared():
    results = {}
    for policy in BreakdownPolicy:
        s = chain(trucks=2, breakdown_policy=policy)
        s.legs["a_b"].closures = {"shut": ClosureWindow(start=at(0.0), duration_h=5.0)}
        s.legs["b_c"].breakdown_probability, s.legs["b_c"].repair = 1.0, fixed(1.0)
        results[policy] = one_run(s)["m"]["closure_wait_h"]
    assert results[BreakdownPolicy.go_on] == results[BreakdownPolicy.wait] == 5.0


def test_tables_keep_their_types_whatever_the_split():
    from sim.simulate.workers import CHUNK, simulate_many

    s = chain()
    s.movements["m"].hold = Hold(place="b", delay=fixed(1.0), refusal_probability=0.995)
    records = simulate_many(valid(s), 1, 2 * CHUNK)
    assert records.deliveries["replication"].dtype.kind == "i"
