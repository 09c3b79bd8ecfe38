"""Specifications of what an aid truck's wait at a checkpoint was for, over every replication: the
open hours behind its own movement's trucks that arrived with it (a convoy queueing behind
itself), the open hours behind other vehicles, and the hours the checkpoint was closed."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import checkpoint, fixed, movement, rows, scenario

from sim.analysis.report_checkpoints import checkpoint_results
from sim.analysis.statistics import summarise
from sim.config.schema import ClosureWindow, OtherTraffic
from sim.model.calendar import Availability, OpeningHours
from sim.model.checkpoint import Lanes
from sim.simulate.replications import simulate, trace_tables
from sim.simulate.waits import wait_parts

ALWAYS = OpeningHours(None, 0.0)


def counts(lanes: Lanes) -> tuple[float, float, float]:
    return lanes.wait_h, lanes.convoy_wait_h, lanes.closed_wait_h


def test_a_convoy_behind_another_vehicle_waits_for_it_once_and_then_for_itself():
    # One lane; another vehicle arrives at 0 and takes 2 h. Three aid trucks of 1 h arrive at 1:
    # they start at 2, 3 and 4. Each waits 1 h for the other vehicle; the second and third then
    # wait 1 h and 2 h for their own movement.
    lanes = Lanes(1, Availability(ALWAYS, []), 100.0, [0.0], [2.0])
    times = []
    lanes.inspect(1.0, [1.0, 1.0, 1.0], times=times)
    assert [start for start, _ in times] == [2.0, 3.0, 4.0]
    assert counts(lanes) == (1.0 + 2.0 + 3.0, 0.0 + 1.0 + 2.0, 0.0)


def test_two_lanes_take_two_trucks_at_once_and_the_third_waits_for_its_own_movement():
    lanes = Lanes(2, Availability(ALWAYS, []), 100.0)
    lanes.inspect(5.0, [1.0, 3.0, 1.0])  # starts 5, 5 and 6 (when the first lane is free)
    assert counts(lanes) == (1.0, 1.0, 0.0)


def test_the_night_a_convoy_spends_behind_itself_counts_as_closed_not_as_its_own_queue():
    # Open 08:00-16:00. Two trucks of 2 h arrive at 15:00: the first is inspected 15-17 (an
    # inspection under way at closing is finished); the second starts at 08:00 the next day. Of its
    # 17 h: 1 h open behind the first truck (15-16) and 16 h closed.
    lanes = Lanes(1, Availability(OpeningHours((8.0, 16.0), 0.0), []), 100.0)
    times = []
    lanes.inspect(15.0, [2.0, 2.0], times=times)
    assert times == [(15.0, 17.0), (32.0, 34.0)]
    assert counts(lanes) == (17.0, 1.0, 16.0)


def test_a_closure_is_closed_time_and_the_open_rest_behind_other_vehicles():
    # Closed 0-4; another vehicle that arrived at 0 is inspected 4-6; an aid truck arriving at 1
    # waits 5 h: 3 h closed, 2 h behind the other vehicle.
    lanes = Lanes(1, Availability(ALWAYS, [(0.0, 4.0)]), 100.0, [0.0], [2.0])
    lanes.inspect(1.0, [1.0])
    assert counts(lanes) == (5.0, 0.0, 3.0)


def test_trucks_that_queue_behind_priority_traffic_split_their_wait_the_same_way():
    # Shared with trucks with priority: aid trucks without it are committed as they start. Two of
    # 1 h arrive at 2 behind another vehicle inspected 0-10; they start at 10 and 11.
    lanes = Lanes(1, Availability(ALWAYS, []), 100.0, [0.0], [10.0], shared_with_priority=True)
    waiting = lanes.queue(2.0, [1.0, 1.0])
    while (next_h := lanes.admit_started(lanes.free_h[0])) is not None:
        lanes.admit_started(next_h)
    assert waiting.times == [(10.0, 11.0), (11.0, 12.0)]
    assert counts(lanes) == (8.0 + 9.0, 1.0, 0.0)


def busy_closing_checkpoint():
    """a -1h- b -1h- c; b has two lanes, opening hours, a closure and other traffic; a convoy of 9
    trucks and a second movement of 3 go through it."""
    b = checkpoint(fixed(0.75), lanes=2, hours="06:00-18:00")
    b.closures = {"shut": ClosureWindow(start="2024-01-01T20:00", duration_h=30.0)}
    b.other_traffic = OtherTraffic(rate_per_h=1.5, inspection=fixed(0.5))
    return scenario(
        legs=[("a", "b", 1.0), ("b", "c", 1.0)],
        checkpoints={"b": b},
        movements={
            "convoy": movement(["a", "b", "c"], trucks=9, departure="2024-01-01T16:00"),
            "second": movement(["a", "b", "c"], trucks=3, departure="2024-01-02T10:00"),
        },
        horizon_days=5.0,
    )


@pytest.mark.parametrize("replication", [0, 3])
def test_the_checkpoints_table_sums_the_parts_the_timeline_gives_each_truck(replication):
    s = busy_closing_checkpoint()
    traced = trace_tables(s, 7, replication).trucks
    table = rows(simulate(s, 7, replication + 1).checkpoints, replication=replication)
    at_b = traced["place"] == "b"
    arrival, start = traced["arrival_h"][at_b], traced["start_h"][at_b]
    groups = list(zip(traced["movement"][at_b].tolist(), arrival.tolist()))
    first = {g: min(s_h for g2, s_h in zip(groups, start) if g2 == g) for g in groups}
    available = Availability(OpeningHours((6.0, 18.0), 0.0), [(20.0, 50.0)])
    parts = [wait_parts(available, a, first[g], s_h) for g, a, s_h in zip(groups, arrival, start) if s_h > a]
    assert table["wait_h"][0] == pytest.approx(float(np.sum(start - arrival)))
    assert table["convoy_wait_h"][0] == pytest.approx(sum(p["convoy"] for p in parts))
    assert table["closed_wait_h"][0] == pytest.approx(sum(p["opening_hours"] + p["closure"] for p in parts))
    assert table["convoy_wait_h"][0] > 0 and table["closed_wait_h"][0] > 0  # the scenario tests both


def test_the_report_gives_each_checkpoints_mean_wait_in_parts_that_add_up():
    s = busy_closing_checkpoint()
    c = summarise(simulate(s, 7, 40))["checkpoints"]["b"]
    parts = c["mean_wait_parts_h"]
    assert set(parts) == {"behind_own_movement_h", "behind_other_vehicles_h", "while_closed_h"}
    assert sum(parts.values()) == pytest.approx(c["mean_wait_h"])
    assert all(hours > 0 for hours in parts.values())
    row = checkpoint_results("b", c, {"b": "B"})
    assert list(row["wait_parts"]) == list(parts)
    assert all(text.endswith((" h", " min")) for text in row["wait_parts"].values())
