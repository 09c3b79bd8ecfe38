"""The model's semantics, to the hour: exact timelines of tiny scenarios with fixed delays.

Each expected time is worked out by hand in the test. Clock hour 0 is midnight of the first day
(conftest.START) unless a test says otherwise.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import at, checkpoint, delay, hold, movement, rows, scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis.statistics import summarise
from sim.results.columns import TRUCK_COLUMNS
from sim.results.records import OUTCOMES
from sim.simulate.replications import simulate, trace_replication

NAN = math.nan


def truck_rows(trace: dict[str, np.ndarray]) -> list[tuple]:
    """A trace as a list of (movement, truck, place, arrival, start, clear)."""
    return list(zip(*(trace[c].tolist() for c in TRUCK_COLUMNS if c != "waiting_for")))


def passage_rows(records, movement_key: str, replication: int = 0) -> list[tuple]:
    """One movement's passages as a list of (place, arrival, release)."""
    p = rows(records.passages, movement=movement_key, replication=replication)
    return list(zip(p["place"].tolist(), p["arrival_h"].tolist(), p["release_h"].tolist()))


def same(a: list[tuple], b: list[tuple]) -> bool:
    """Lists of tuples equal element by element, NaN equal to NaN."""

    def eq(x, y):
        return (isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y)) or x == y

    return len(a) == len(b) and all(len(r) == len(s) and all(map(eq, r, s)) for r, s in zip(a, b))


# --- Two movements, two checkpoints of two lanes each -------------------------------------------


def two_checkpoints():
    """a --2 h-- b --3 h-- c --1 h-- d, with checkpoints at b (2 lanes, 1.5 h a truck) and at c
    (2 lanes, 2 h a truck). A convoy of 3 trucks leaves a at 00:00; a single truck leaves d at 07:30
    the other way (legs are undirected: one road, both ways)."""
    return scenario(
        legs=[("a", "b", 2.0), ("b", "c", 3.0), ("c", "d", 1.0)],
        checkpoints={"b": checkpoint(1.5, lanes=2), "c": checkpoint(2.0, lanes=2)},
        movements={
            "convoy": movement(["a", "b", "c", "d"], trucks=3),
            "truck": movement(["d", "c", "b", "a"], trucks=1, departure=at(7.5)),
        },
    )


def test_every_truck_at_every_checkpoint_has_the_hand_computed_times():
    expected = [
        # The convoy reaches b at 0 + 2 = 2. Trucks 0 and 1 take the two lanes at once (2 -> 3.5);
        # truck 2 waits for the first lane to free, at 3.5, and is cleared at 5.
        ("convoy", 0, "b", 2.0, 2.0, 3.5),
        ("convoy", 1, "b", 2.0, 2.0, 3.5),
        ("convoy", 2, "b", 2.0, 3.5, 5.0),
        # It leaves b with its last truck at 5 and reaches c at 5 + 3 = 8: same pattern, 2 h each.
        ("convoy", 0, "c", 8.0, 8.0, 10.0),
        ("convoy", 1, "c", 8.0, 8.0, 10.0),
        ("convoy", 2, "c", 8.0, 10.0, 12.0),
        # The truck leaves d at 7.5 and reaches c at 8.5, after the convoy: both lanes are busy
        # until 10 and convoy truck 2, queued since 8, holds one of them. First come, first served:
        # the truck takes the other lane at 10 and is cleared at 12.
        ("truck", 0, "c", 8.5, 10.0, 12.0),
        # It leaves c at 12 and reaches b at 12 + 3 = 15, where the lanes are long free.
        ("truck", 0, "b", 15.0, 15.0, 16.5),
    ]
    assert truck_rows(trace_replication(two_checkpoints(), seed=1, replication=0)) == expected


def test_passages_release_each_movement_when_its_last_truck_is_cleared():
    records = simulate(two_checkpoints(), seed=1, replications=1)
    # Places without a checkpoint release at arrival; the destination is never left (NaN): the
    # movement ends there.
    convoy = [("a", 0.0, 0.0), ("b", 2.0, 5.0), ("c", 8.0, 12.0), ("d", 13.0, NAN)]
    truck = [("d", 7.5, 7.5), ("c", 8.5, 12.0), ("b", 15.0, 16.5), ("a", 18.5, NAN)]
    assert same(passage_rows(records, "convoy"), convoy)
    assert same(passage_rows(records, "truck"), truck)


def test_delivery_time_is_counted_from_departure():
    m = simulate(two_checkpoints(), seed=1, replications=1).movements
    assert m["movement"].tolist() == ["convoy", "truck"]
    assert m["outcome"].tolist() == ["delivered", "delivered"]
    assert m["departure_h"].tolist() == [0.0, 7.5]
    # convoy: c released at 12, + 1 h to d = 13. truck: b released at 16.5, + 2 h to a = 18.5.
    assert m["end_h"].tolist() == [13.0, 18.5]
    assert m["delivery_time_h"].tolist() == [13.0, 18.5 - 7.5]
    assert m["last_place"].tolist() == ["d", "a"]
    assert m["trucks"].tolist() == [3, 1]
    assert m["tonnes"].tolist() == [30.0, 10.0]


def test_checkpoint_records_add_up_trucks_waits_and_lane_time():
    c = simulate(two_checkpoints(), seed=1, replications=1).checkpoints
    assert c["checkpoint"].tolist() == ["b", "c"]
    assert c["lanes"].tolist() == [2, 2]
    assert c["trucks"].tolist() == [4, 4]
    # b: convoy truck 2 waited 1.5 h; the truck did not wait. c: convoy truck 2 waited 2 h, the
    # truck 10 - 8.5 = 1.5 h.
    assert c["wait_h"].tolist() == [1.5, 3.5]
    assert c["busy_h"].tolist() == [4 * 1.5, 4 * 2.0]


def test_simultaneous_arrivals_are_served_in_scenario_order():
    # Two single trucks reach b at the same moment; one lane, 1 h each. The one listed first in the
    # scenario is inspected first (documented tie-break).
    s = scenario(
        legs=[("a", "b", 1.0), ("c", "b", 1.0), ("b", "d", 1.0)],
        checkpoints={"b": checkpoint(1.0)},
        movements={"second": movement(["c", "b", "d"]), "first": movement(["a", "b", "d"])},
    )
    assert truck_rows(trace_replication(s, seed=1, replication=0)) == [
        ("second", 0, "b", 1.0, 1.0, 2.0),
        ("first", 0, "b", 1.0, 2.0, 3.0),
    ]


# --- One lane: trucks are cleared one after another ---------------------------------------------


def one_lane(trucks: int = 4, lanes: int = 1):
    """Trucks with random inspection times (lognormal) at b, behind a fixed 2 h leg; 1 h to c."""
    return scenario(
        legs=[("a", "b", 2.0), ("b", "c", 1.0)],
        checkpoints={"b": checkpoint(delay("lognormal", median_h=1.0, p90_h=3.0), lanes=lanes)},
        movements={"m": movement(["a", "b", "c"], trucks=trucks)},
    )


@pytest.mark.parametrize("replication", [0, 1, 2, 70])
def test_with_one_lane_each_truck_starts_when_the_one_before_is_cleared(replication):
    t = trace_replication(one_lane(), seed=3, replication=replication)
    arrival, start, clear = t["arrival_h"], t["start_h"], t["clear_h"]
    assert t["truck"].tolist() == [0, 1, 2, 3]
    assert np.all(arrival == 2.0)
    assert start[0] == 2.0
    np.testing.assert_array_equal(start[1:], clear[:-1])
    assert len(set((clear - start).tolist())) == 4, "inspection times should be random, one draw per truck"
    passages = passage_rows(simulate(one_lane(), seed=3, replications=1, first=replication), "m", replication)
    # The convoy leaves b with its last truck, and reaches c 1 h later.
    assert same(passages, [("a", 0.0, 0.0), ("b", 2.0, clear[-1]), ("c", clear[-1] + 1.0, NAN)])


def test_with_several_lanes_the_convoy_leaves_with_its_last_cleared_truck():
    s = one_lane(trucks=6, lanes=2)
    records = simulate(s, seed=5, replications=40)
    for r in range(40):
        t = trace_replication(s, seed=5, replication=r)
        release = rows(records.passages, replication=r, place="b")["release_h"]
        # Trucks are taken in truck order, so a later truck never starts before an earlier one,
        # but with random inspections the last truck is not always the last cleared.
        assert np.all(np.diff(t["start_h"]) >= 0)
        assert release.tolist() == [t["clear_h"].max()]
        # Never more trucks under inspection than lanes: at each start, count those under way.
        for s_h in t["start_h"]:
            assert np.sum((t["start_h"] <= s_h) & (t["clear_h"] > s_h)) <= 2


# --- Opening hours ---------------------------------------------------------------------------------


def inspection_times(hours: str, arrival_h: float, trucks: int = 1, inspection_h: float = 1.0, start=None):
    """(start, clear) of each truck at a checkpoint reached at clock hour `arrival_h`."""
    start = start or "2024-01-01T00:00"
    s = scenario(
        legs=[("a", "b", 1.0), ("b", "c", 1.0)],
        checkpoints={"b": checkpoint(inspection_h, lanes=1, hours=hours)},
        movements={"m": movement(["a", "b", "c"], trucks=trucks, departure=at(arrival_h - 1.0, start))},
        start=start,
    )
    t = trace_replication(s, seed=1, replication=0)
    assert t["arrival_h"].tolist() == [arrival_h] * trucks
    return list(zip(t["start_h"].tolist(), t["clear_h"].tolist()))


@pytest.mark.parametrize(
    "hours, arrival_h, start_h",
    [
        ("08:00-20:00", 12.0, 12.0),  # open: at once
        ("08:00-20:00", 22.0, 32.0),  # arrives 22:00, closed: 08:00 next day = 24 + 8
        ("08:00-20:00", 6.0, 8.0),  # before opening: 08:00 the same day
        ("08:00-20:00", 8.0, 8.0),  # opening time is open...
        ("08:00-20:00", 20.0, 32.0),  # ...closing time is closed
        ("20:00-06:00", 12.0, 20.0),  # a window across midnight, midday: waits for 20:00
        ("20:00-06:00", 23.0, 23.0),  # open before midnight
        ("20:00-06:00", 27.0, 27.0),  # open at 03:00 the next day
        ("20:00-06:00", 30.0, 44.0),  # 06:00 the next day: closed until 20:00 = 24 + 20
        ("24h", 3.25, 3.25),
    ],
)
def test_inspection_starts_at_the_first_open_moment(hours, arrival_h, start_h):
    assert inspection_times(hours, arrival_h) == [(start_h, start_h + 1.0)]


def test_an_inspection_under_way_at_closing_time_is_finished_but_none_starts_after():
    # Arrives 18:00, 3 h per truck, one lane, open 08:00-20:00. Truck 0 starts at 18:00 and runs
    # past closing to 21:00. Truck 1 would start at 21:00, but the post is closed: 08:00 next day.
    assert inspection_times("08:00-20:00", 18.0, trucks=2, inspection_h=3.0) == [(18.0, 21.0), (32.0, 35.0)]


def test_a_window_across_midnight_closes_in_the_morning():
    # Arrives 05:00 on day 2 (clock 29), open 20:00-06:00, 2 h per truck. Truck 0: 05:00-07:00.
    # Truck 1 is ready at 07:00: closed until 20:00 that day = clock 44.
    assert inspection_times("20:00-06:00", 29.0, trucks=2, inspection_h=2.0) == [(29.0, 31.0), (44.0, 46.0)]


@pytest.mark.parametrize(
    "start, hours, arrival_h, start_h",
    [
        # Clock 0 is 18:30. Arrival at clock 3.5 is 22:00: closed until 08:00, i.e. clock 13.5.
        # (A model that ignored the start's hour would read clock 3.5 as 03:30 and start at 8.)
        ("2024-01-01T18:30", "08:00-20:00", 3.5, 13.5),
        # Clock 0 is 18:30; clock 1 is 19:30, still open.
        ("2024-01-01T18:30", "08:00-20:00", 1.0, 1.0),
        # Clock 0 is 22:00; clock 9 is 07:00, after a night window closed; reopens 20:00 = clock 22.
        ("2024-03-05T22:00", "20:00-06:00", 9.0, 22.0),
    ],
)
def test_a_scenario_starting_at_another_hour_shifts_the_local_clock(start, hours, arrival_h, start_h):
    assert inspection_times(hours, arrival_h, start=start) == [(start_h, start_h + 1.0)]


def _open(hour_of_day: float, opens: float, closes: float) -> bool:
    if opens < closes:
        return opens <= hour_of_day < closes
    return hour_of_day >= opens or hour_of_day < closes


@settings(max_examples=80, deadline=None)
@given(
    opens=st.integers(0, 95),
    closes=st.integers(0, 96),
    start_quarter=st.integers(0, 95),
    arrival_quarter=st.integers(4, 4 * 72),
)
def test_inspection_starts_at_arrival_if_open_else_exactly_at_the_next_opening(
    opens, closes, start_quarter, arrival_quarter
):
    """Any daily window in quarter hours ("22:00-00:00" and "08:00-24:00" included), any start
    hour, any arrival within three days."""
    if opens == closes % 96:
        return  # opens and closes at once: not a valid window
    o, c = opens / 4, closes / 4
    hours = f"{opens // 4:02d}:{opens % 4 * 15:02d}-{closes // 4:02d}:{closes % 4 * 15:02d}"
    start = at(start_quarter / 4)
    arrival_h = arrival_quarter / 4
    [(start_h, _)] = inspection_times(hours, arrival_h, start=start)
    local = (start_quarter / 4 + start_h) % 24
    assert _open(local, o, c)
    if _open((start_quarter / 4 + arrival_h) % 24, o, c):
        assert start_h == arrival_h
    else:
        assert arrival_h < start_h < arrival_h + 24
        assert local == o, "a closed post must be waited for until it opens, no longer"


# --- Approval holds and refusal ----------------------------------------------------------------


def held(refusal_probability: float = 0.0, hold_h=5.0, travel_h=2.0, horizon_days: float = 10.0):
    """a --travel-- b --1 h-- c; a 5 h hold and a 1 h inspection, both at b."""
    return scenario(
        legs=[("a", "b", travel_h), ("b", "c", 1.0)],
        checkpoints={"b": checkpoint(1.0)},
        movements={"m": movement(["a", "b", "c"], hold=hold("b", hold_h, refusal_probability))},
        horizon_days=horizon_days,
    )


def test_hold_clock_starts_on_arrival_and_inspection_follows_it():
    records = simulate(held(), seed=1, replications=1)
    # Arrives at b at 2; held 2 -> 7; inspected 7 -> 8; leaves at 8; reaches c at 9.
    assert same(passage_rows(records, "m"), [("a", 0.0, 0.0), ("b", 2.0, 8.0), ("c", 9.0, NAN)])
    assert records.movements["delivery_time_h"].tolist() == [9.0]
    [(_, _, place, _, start_h, clear_h)] = truck_rows(trace_replication(held(), seed=1, replication=0))
    assert (place, start_h, clear_h) == ("b", 7.0, 8.0)
    # Waiting for permission is not waiting in the queue.
    assert records.checkpoints["wait_h"].tolist() == [0.0]


def test_a_held_movement_does_not_occupy_the_lanes():
    # As in held(), plus a single truck from d that reaches b at 3, during the hold (2 -> 7): it is
    # inspected at once (3 -> 4), and the held movement follows at 7.
    s = scenario(
        legs=[("a", "b", 2.0), ("d", "b", 3.0), ("b", "c", 1.0)],
        checkpoints={"b": checkpoint(1.0)},
        movements={"m": movement(["a", "b", "c"], hold=hold("b", 5.0)), "other": movement(["d", "b", "c"])},
    )
    assert truck_rows(trace_replication(s, seed=1, replication=0)) == [
        ("m", 0, "b", 7.0, 7.0, 8.0),
        ("other", 0, "b", 3.0, 3.0, 4.0),
    ]


def test_a_hold_at_the_origin_starts_at_departure():
    s = scenario(
        legs=[("a", "b", 2.0)],
        movements={"m": movement(["a", "b"], departure=at(6.0), hold=hold("a", 5.0))},
    )
    m = simulate(s, seed=1, replications=1)
    assert same(passage_rows(m, "m"), [("a", 6.0, 11.0), ("b", 13.0, NAN)])
    assert m.movements["delivery_time_h"].tolist() == [7.0]


def test_certain_refusal_ends_every_replication_at_the_end_of_the_hold():
    # Random travel to the hold place, so the arrival differs between replications.
    s = held(refusal_probability=1.0, travel_h=delay("uniform", low_h=1.0, high_h=3.0))
    records = simulate(s, seed=2, replications=50)
    m = records.movements
    assert set(m["outcome"].tolist()) == {"refused"}
    assert np.all(np.isnan(m["delivery_time_h"]))
    assert set(m["last_place"].tolist()) == {"b"}
    b = rows(records.passages, place="b")
    assert len(set(b["arrival_h"].tolist())) > 1
    np.testing.assert_array_equal(m["end_h"], b["arrival_h"] + 5.0)
    assert np.all(np.isnan(b["release_h"]))  # never left b
    assert set(records.passages["place"].tolist()) == {"a", "b"}  # never reached c
    assert records.checkpoints["trucks"].tolist() == [0] * 50  # refused before inspection


def test_no_refusal_when_the_probability_is_zero():
    outcomes = simulate(held(refusal_probability=0.0), seed=2, replications=500).movements["outcome"]
    assert set(outcomes.tolist()) == {"delivered"}


def test_refused_share_matches_the_refusal_probability():
    n, p = 2000, 0.3
    outcomes = simulate(held(refusal_probability=p), seed=11, replications=n).movements["outcome"]
    refused = int(np.sum(outcomes == "refused"))
    assert refused + int(np.sum(outcomes == "delivered")) == n
    # 4 binomial standard deviations (about 18 replications of 2000 ... 92): a false alarm is
    # rarer than 1 in 10,000.
    assert abs(refused - n * p) <= 4 * math.sqrt(n * p * (1 - p))


# --- The horizon -------------------------------------------------------------------------------------


def single_leg(travel_h, horizon_days=1.0, **kw):
    return scenario(legs=[("a", "b", travel_h)], movements={"m": movement(["a", "b"], **kw)}, horizon_days=horizon_days)


def test_a_delivery_after_the_horizon_is_not_delivered_and_kept():
    records = simulate(single_leg(30.0), seed=1, replications=3)  # 30 h of road, a 24 h horizon
    m = records.movements
    assert m["replication"].tolist() == [0, 1, 2]
    assert m["outcome"].tolist() == ["not_delivered"] * 3
    assert np.all(np.isnan(m["delivery_time_h"])) and np.all(np.isnan(m["end_h"]))
    assert m["last_place"].tolist() == ["a"] * 3  # on the road from a
    assert m["trucks"].tolist() == [1] * 3 and m["tonnes"].tolist() == [10.0] * 3
    assert same(passage_rows(records, "m", 1), [("a", 0.0, 0.0)])


def test_delivered_means_strictly_before_the_horizon():
    assert simulate(single_leg(23.5), seed=1, replications=1).movements["outcome"].tolist() == ["delivered"]
    # Events due exactly at the horizon are not processed (documented).
    assert simulate(single_leg(24.0), seed=1, replications=1).movements["outcome"].tolist() == ["not_delivered"]


def test_a_movement_departing_after_the_horizon_keeps_its_row():
    records = simulate(single_leg(1.0, departure=at(30.0)), seed=1, replications=2)
    m = records.movements
    assert m["outcome"].tolist() == ["not_delivered"] * 2
    assert m["last_place"].tolist() == ["a"] * 2
    assert len(records.passages["place"]) == 0


def test_held_or_queued_at_the_horizon_is_not_delivered_not_refused():
    # Held 2 -> 30 at b: the refusal decision is due only at the end of the hold, after the horizon.
    records = simulate(held(refusal_probability=1.0, hold_h=28.0, horizon_days=1.0), seed=1, replications=1)
    assert records.movements["outcome"].tolist() == ["not_delivered"]
    assert same(passage_rows(records, "m"), [("a", 0.0, 0.0), ("b", 2.0, NAN)])
    # Queued: 30 trucks of 1 h through one lane, reached at 2, cannot all be cleared by 24.
    s = scenario(
        legs=[("a", "b", 2.0), ("b", "c", 1.0)],
        checkpoints={"b": checkpoint(1.0)},
        movements={"m": movement(["a", "b", "c"], trucks=30)},
        horizon_days=1.0,
    )
    records = simulate(s, seed=1, replications=1)
    assert records.movements["outcome"].tolist() == ["not_delivered"]
    assert records.movements["last_place"].tolist() == ["b"]
    assert same(passage_rows(records, "m"), [("a", 0.0, 0.0), ("b", 2.0, NAN)])


def mixed():
    """Three movements that end every way: refused, delivered, or still held or queued at the
    horizon (random holds, travel and inspections)."""
    return scenario(
        legs=[("a", "b", delay("uniform", low_h=2.0, high_h=8.0)), ("b", "c", delay("exponential", mean_h=6.0))],
        checkpoints={"b": checkpoint(delay("gamma", mean_h=1.0, sd_h=0.5), lanes=2)},
        movements={
            "held": movement(
                ["a", "b", "c"], trucks=5, tonnes=42.5, hold=hold("b", delay("exponential", mean_h=30.0), 0.3)
            ),
            "late": movement(["a", "b", "c"], trucks=8, departure=at(20.0)),
            "back": movement(["c", "b", "a"], trucks=2, tonnes=7.0),
        },
        horizon_days=2.0,
    )


def test_every_replication_has_one_row_per_movement_carrying_its_trucks_and_tonnes():
    n = 300
    m = simulate(mixed(), seed=4, replications=n).movements
    spec = {"held": (5, 42.5), "late": (8, 80.0), "back": (2, 7.0)}
    assert m["replication"].tolist() == [r for r in range(n) for _ in spec]
    assert m["movement"].tolist() == list(spec) * n
    for key, (trucks, tonnes) in spec.items():
        mine = rows(m, movement=key)
        assert set(mine["trucks"].tolist()) == {trucks} and set(mine["tonnes"].tolist()) == {tonnes}
    # Every truck and tonne ends in exactly one outcome: the movement's, and in the per-outcome
    # columns of its row.
    assert {"delivered", "refused", "not_delivered"} <= set(m["outcome"].tolist()) <= set(OUTCOMES)
    by_outcome = {o: m["trucks"][m["outcome"] == o].sum() for o in OUTCOMES}
    assert sum(by_outcome.values()) == n * (5 + 8 + 2)
    np.testing.assert_array_equal(sum(m[f"{o}_trucks"] for o in OUTCOMES), m["trucks"])
    np.testing.assert_allclose(sum(m[f"{o}_t"] for o in OUTCOMES), m["tonnes"], rtol=1e-12)
    for o in OUTCOMES:  # a whole movement that ended one way has all its trucks there
        np.testing.assert_array_equal(m[f"{o}_trucks"][m["outcome"] == o], m["trucks"][m["outcome"] == o])
    # A delivery time exactly when delivered, never a stand-in number.
    delivered = m["outcome"] == "delivered"
    assert np.all(np.isfinite(m["delivery_time_h"][delivered]))
    assert np.all(np.isnan(m["delivery_time_h"][~delivered]))
    assert np.all(m["end_h"][delivered] < 48.0)


def test_passages_and_trace_agree_replication_by_replication():
    s = mixed()
    records = simulate(s, seed=4, replications=30)
    for r in range(30):
        t = trace_replication(s, seed=4, replication=r)
        for key in s.movements:
            mine = rows(t, movement=key)
            release = rows(records.passages, replication=r, movement=key, place="b")["release_h"]
            if len(mine["clear_h"]) and mine["clear_h"].max() < 48.0:
                assert release.tolist() == [mine["clear_h"].max()]
        # The checkpoint's record counts what happened before the horizon (48 h): inspections
        # started by then, their waits, and lane time up to the horizon.
        started = t["start_h"] < 48.0
        c = rows(records.checkpoints, replication=r)
        assert c["trucks"].tolist() == [started.sum()]
        assert np.isclose(c["wait_h"][0], np.sum(t["start_h"][started] - t["arrival_h"][started]))
        # An inspection still under way at the horizon has no clearance in the trace (NaN).
        cleared_by_horizon = np.nan_to_num(t["clear_h"], nan=48.0)
        assert np.isclose(c["busy_h"][0], np.sum(cleared_by_horizon[started] - t["start_h"][started]))


def saturated():
    """10 trucks of 5 h each reach one lane at 0; the horizon is 24 h, so only 5 inspections can
    even start (at 0, 5, 10, 15, 20) and the lane is busy all 24 h."""
    return scenario(
        legs=[("a", "b", 0.0), ("b", "c", 1.0)],
        checkpoints={"b": checkpoint(5.0)},
        movements={"m": movement(["a", "b", "c"], trucks=10)},
        horizon_days=1.0,
    )


def test_lane_busy_time_counts_only_time_within_the_horizon():
    records = simulate(saturated(), seed=1, replications=1)
    assert records.checkpoints["busy_h"][0] <= 1 * records.horizon_h
    assert 0.0 <= summarise(records)["checkpoints"]["b"]["utilisation"] <= 1.0


def test_trucks_still_queued_at_the_horizon_are_not_counted_as_inspected():
    records = simulate(saturated(), seed=1, replications=1)
    assert records.checkpoints["trucks"][0] <= 5
