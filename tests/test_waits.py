"""What each truck waited for at a checkpoint (timeline.csv's `waiting_for`) and when each
checkpoint was closed (closed.csv), on tiny scenarios with fixed delays where the answer is known.
Clock hour 0 is midnight of the first day (conftest.START)."""

from __future__ import annotations

from conftest import at, checkpoint, movement, scenario

from sim.config.schema import ClosureWindow
from sim.simulate.replications import trace_tables


def waits(s) -> list[tuple]:
    """(movement, truck, place, waiting_for) of every row of the traced replication."""
    t = trace_tables(s, seed=1, replication=0).trucks
    return list(zip(*(t[c].tolist() for c in ("movement", "truck", "place", "waiting_for"))))


def test_a_convoy_queues_behind_itself_and_a_later_truck_behind_the_convoy():
    # Checkpoint b: one lane, 1 h a truck. The convoy of 2 reaches b at 1: truck 0 starts at once,
    # truck 1 waits for it (its own convoy). The single truck arrives at 1.5 and waits for the
    # convoy's trucks: another movement in the lane.
    s = scenario(
        legs=[("a", "b", 1.0), ("b", "c", 1.0)],
        checkpoints={"b": checkpoint(1.0)},
        movements={
            "convoy": movement(["a", "b", "c"], trucks=2),
            "truck": movement(["a", "b", "c"], trucks=1, departure=at(0.5)),
        },
    )
    assert waits(s) == [
        ("convoy", 0, "b", "none"),
        ("convoy", 1, "b", "convoy"),
        ("truck", 0, "b", "lane"),
    ]


def test_a_truck_arriving_at_night_waits_for_opening_hours():
    # Open 08:00-20:00; the truck arrives at 02:40 with the lane idle, and starts at 08:00.
    s = scenario(
        legs=[("a", "b", 2 + 40 / 60), ("b", "c", 1.0)],
        checkpoints={"b": checkpoint(1.0, hours="08:00-20:00")},
        movements={"truck": movement(["a", "b", "c"], trucks=1)},
    )
    assert waits(s) == [("truck", 0, "b", "opening_hours")]
    closed = trace_tables(s, seed=1, replication=0).closed
    first = [
        (k, a, b) for k, a, b in zip(closed["kind"].tolist(), closed["start_h"].tolist(), closed["end_h"].tolist())
    ]
    # Closed from the start of the clock (00:00) to 08:00, then every night 20:00-08:00.
    assert first[:2] == [("opening_hours", 0.0, 8.0), ("opening_hours", 20.0, 32.0)]


def test_a_wait_for_a_closed_checkpoint_is_a_closure_and_the_window_is_listed():
    # Checkpoint b closed from 00:30 for 15 days; the truck arrives at 01:00 and waits to the end.
    s = scenario(
        legs=[("a", "b", 1.0), ("b", "c", 1.0)],
        checkpoints={"b": checkpoint(1.0)},
        movements={"truck": movement(["a", "b", "c"], trucks=1)},
        horizon_days=20,
    )
    s.checkpoints["b"].closures = {"shut": ClosureWindow(start=at(0.5), duration_h=360.0)}
    assert waits(s) == [("truck", 0, "b", "closure")]
    closed = trace_tables(s, seed=1, replication=0).closed
    assert list(zip(closed["checkpoint"].tolist(), closed["kind"].tolist(), closed["end_h"].tolist())) == [
        ("b", "closure", 360.5)
    ]
