"""A checkpoint's inspection lanes: each lane clears one truck at a time, first come first served."""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from sim.model.calendar import OpeningHours


class Lanes:
    """The lanes of one checkpoint during one replication.

    Trucks are committed to lanes when they arrive. This is exact first-come-first-served
    multi-server queueing because SimPy delivers arrivals in time order: every truck that arrived
    earlier already holds its place. An inspection may only start while the post is open; one under
    way at closing time is finished.
    """

    __slots__ = ("free_h", "hours", "trucks", "wait_h", "busy_h")

    def __init__(self, lanes: int, hours: OpeningHours) -> None:
        self.free_h = [0.0] * lanes  # a heap: when each lane is next free
        self.hours = hours
        self.trucks = 0
        self.wait_h = 0.0  # total time trucks waited before their inspection started
        self.busy_h = 0.0  # total lane time spent inspecting

    def inspect(self, arrival_h: float, inspection_h: Sequence[float]) -> tuple[list[float], list[float]]:
        """Start and clearance times of trucks arriving together, inspected in their given order."""
        starts, clears = [], []
        free_h, next_open = self.free_h, self.hours.next_open
        for service_h in inspection_h:
            lane_free_h = free_h[0]
            start_h = next_open(arrival_h if arrival_h > lane_free_h else lane_free_h)
            clear_h = start_h + service_h
            heapq.heapreplace(free_h, clear_h)
            starts.append(start_h)
            clears.append(clear_h)
            self.wait_h += start_h - arrival_h
            self.busy_h += service_h
        self.trucks += len(starts)
        return starts, clears
