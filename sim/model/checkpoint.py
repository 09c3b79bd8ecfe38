"""A checkpoint's inspection lanes: each lane clears one truck at a time, first come first served,
with an optional queue of other traffic that aid trucks may be allowed to pass."""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Sequence

from sim.model.calendar import Availability


class Lanes:
    """The lanes of one checkpoint during one replication.

    Trucks are committed to lanes when they arrive. This is exact first-come-first-served
    multi-server queueing because SimPy delivers arrivals in time order: every truck that arrived
    earlier already holds its place. An inspection may only start while the checkpoint is open;
    one under way at closing time, or when a closure starts, is finished.

    Other traffic needs no SimPy events: its arrival and inspection times are drawn in advance, and
    it is admitted lazily, just before each aid arrival and at the horizon. Without priority every
    other vehicle that arrived by then goes first; with priority only those whose inspection has
    already started by then, the rest queue behind the aid trucks (non-preemptive priority).

    At a checkpoint that trucks with priority share with aid trucks without it
    (`shared_with_priority`), those without priority queue like other traffic (`queue`): each is
    committed only when its inspection starts (`admit_started`, called by its group's process), so
    a truck with priority that comes before then passes it too.
    """

    __slots__ = (
        "free_h",
        "availability",
        "horizon_h",
        "other_arrival_h",
        "other_inspection_h",
        "next_other",
        "aid_priority",
        "trucks",
        "wait_h",
        "convoy_wait_h",
        "closed_wait_h",
        "other_trucks",
        "other_wait_h",
        "busy_h",
        "shared_with_priority",
        "waiting",
        "warmup_h",
        "other_log",
    )

    def __init__(
        self,
        lanes: int,
        availability: Availability,
        horizon_h: float,
        other_arrival_h: Sequence[float] = (),
        other_inspection_h: Sequence[float] = (),
        aid_priority: bool = False,
        shared_with_priority: bool = False,
        warmup_h: float = 0.0,
    ) -> None:
        self.free_h = [0.0] * lanes  # a heap: when each lane is next free
        self.availability = availability
        self.horizon_h = horizon_h
        self.other_arrival_h = other_arrival_h
        self.other_inspection_h = other_inspection_h
        self.next_other = 0
        self.aid_priority = aid_priority  # every aid truck goes before queued other traffic
        # The statistics count vehicles that arrive from `warmup_h` on and start before the
        # horizon, and lane time between the two.
        self.warmup_h = warmup_h
        self.trucks = 0  # aid trucks whose inspection started
        self.wait_h = 0.0  # their total wait before inspection
        # Of that wait, as the timeline splits it (sim.simulate.waits): the open hours behind their
        # own movement's trucks that arrived with them, after the first of them started (`convoy`),
        # and the hours the checkpoint was closed (opening hours or closures). The rest is open
        # hours with every lane busy with other vehicles or movements.
        self.convoy_wait_h = 0.0
        self.closed_wait_h = 0.0
        self.other_trucks = 0
        self.other_wait_h = 0.0
        self.busy_h = 0.0  # lane time spent inspecting
        self.shared_with_priority = shared_with_priority and not aid_priority
        self.waiting: deque[Waiting] = deque()  # aid trucks without priority not all started, in arrival order
        # When tracing: (arrival, start, clearance) of each other vehicle committed, in order.
        self.other_log: list[tuple[float, float, float]] | None = None

    def _serve(self, arrival_h: float, inspection_h: float) -> float:
        """Commit a vehicle to the lane free first; when its inspection starts (it is cleared
        `inspection_h` later)."""
        free_h = self.free_h[0]
        start_h = arrival_h if arrival_h > free_h else free_h
        if not self.availability.always:  # the common case needs no call: 2% of a replication
            start_h = self.availability.next_open(start_h)
        clear_h = start_h + inspection_h
        heapq.heapreplace(self.free_h, clear_h)
        horizon_h, warmup_h = self.horizon_h, self.warmup_h
        if start_h < horizon_h and clear_h > warmup_h:
            counted_from_h = start_h if start_h > warmup_h else warmup_h
            self.busy_h += (clear_h if clear_h < horizon_h else horizon_h) - counted_from_h
        return start_h

    def admit_others(self, until_h: float, started_before_h: float = math.inf) -> None:
        """Commit the vehicles without priority (other traffic, and aid trucks that `queue`) that
        arrived by `until_h` and whose inspection starts before `started_before_h`, in their order
        of arrival (other traffic first at equal times)."""
        arrivals, inspections, waiting = self.other_arrival_h, self.other_inspection_h, self.waiting
        n, check, log = len(arrivals), started_before_h < math.inf, self.other_log
        while True:
            bound_h = waiting[0].arrival_h if waiting else until_h  # what waits arrived by until_h
            while self.next_other < n and arrivals[self.next_other] <= bound_h:
                i = self.next_other
                if check and self.availability.next_open(max(arrivals[i], self.free_h[0])) >= started_before_h:
                    return
                start_h = self._serve(arrivals[i], inspections[i])
                if log is not None:
                    log.append((arrivals[i], start_h, start_h + inspections[i]))
                if start_h < self.horizon_h and arrivals[i] >= self.warmup_h:
                    self.other_trucks += 1
                    self.other_wait_h += start_h - arrivals[i]
                self.next_other += 1
            if not waiting:
                return
            if self.availability.next_open(max(waiting[0].arrival_h, self.free_h[0])) >= started_before_h:
                return
            self._commit(waiting[0])

    def queue(self, arrival_h: float, inspection_h: Sequence[float]) -> Waiting:
        """Queue aid trucks without priority, arriving together, behind the vehicles without
        priority that came before them; each is committed when its inspection starts."""
        self.waiting.append(Waiting(arrival_h, inspection_h))
        return self.waiting[-1]

    def admit_started(self, now_h: float) -> float | None:
        """Commit the vehicles without priority whose inspection has started by `now_h`; when the
        next of them, if any aid truck still waits, could start."""
        self.admit_others(now_h, math.nextafter(now_h, math.inf))
        if not self.waiting:
            return None
        arrival_h = self.waiting[0].arrival_h
        i = self.next_other
        if i < len(self.other_arrival_h) and self.other_arrival_h[i] <= arrival_h:
            arrival_h = self.other_arrival_h[i]
        return self.availability.next_open(max(arrival_h, self.free_h[0]))

    def _commit(self, waiting: Waiting) -> None:
        """Commit the next truck of the first aid trucks that wait."""
        service_h = waiting.inspection_h[len(waiting.times)]
        start_h = self._serve(waiting.arrival_h, service_h)
        waiting.times.append((start_h, start_h + service_h))
        if start_h < self.horizon_h and waiting.arrival_h >= self.warmup_h:
            self.trucks += 1
            if start_h > waiting.arrival_h:
                self._count_wait(waiting.arrival_h, waiting.times[0][0], start_h)
        if len(waiting.times) == len(waiting.inspection_h):
            self.waiting.popleft()

    def starts(self, arrival_h: float, inspection_h: Sequence[float], priority: bool = False) -> list[float]:
        """When each of the aid trucks arriving together would start its inspection, without
        committing them: what `inspect` would give."""
        if self.next_other < len(self.other_arrival_h):
            self.admit_others(arrival_h, arrival_h if priority or self.aid_priority else math.inf)
        free_h, next_open, found = list(self.free_h), self.availability.next_open, []
        for service_h in inspection_h:
            start_h = next_open(max(arrival_h, free_h[0]))
            heapq.heapreplace(free_h, start_h + service_h)
            found.append(start_h)
        return found

    def inspect(
        self,
        arrival_h: float,
        inspection_h: Sequence[float],
        priority: bool = False,
        times: list[tuple[float, float]] | None = None,
    ) -> float:
        """Inspect aid trucks arriving together, in their order; when the last of them is cleared.
        Each starts as soon as a lane is free and the checkpoint open, and is cleared its inspection
        time later: (start, clearance) of each is appended to `times` if given. `priority` (or the
        checkpoint's `aid_priority`) lets them pass queued other traffic."""
        if self.next_other < len(self.other_arrival_h) or self.waiting:
            self.admit_others(arrival_h, arrival_h if priority or self.aid_priority else math.inf)
        horizon_h, counted = self.horizon_h, arrival_h >= self.warmup_h
        release_h, first_h = arrival_h, math.inf
        for service_h in inspection_h:
            start_h = self._serve(arrival_h, service_h)
            if start_h < first_h:
                first_h = start_h  # the first truck's (the others start no earlier)
            clear_h = start_h + service_h  # as `_serve` reckons it
            if clear_h > release_h:
                release_h = clear_h
            if times is not None:
                times.append((start_h, clear_h))
            if counted and start_h < horizon_h:
                self.trucks += 1
                if start_h > arrival_h:
                    self._count_wait(arrival_h, first_h, start_h)
        return release_h

    def _count_wait(self, arrival_h: float, first_h: float, start_h: float) -> None:
        """Count an aid truck's wait from `arrival_h` to `start_h`, and its parts behind its own
        movement (from `first_h`, when the first truck of its group started) and while closed."""
        self.wait_h += start_h - arrival_h
        available = self.availability
        if available.always:
            self.convoy_wait_h += start_h - first_h
            return
        self.closed_wait_h += start_h - arrival_h - available.open_h(arrival_h, start_h)
        if start_h > first_h:
            self.convoy_wait_h += available.open_h(first_h, start_h)

    def finish(self) -> None:
        """Admit the other traffic that starts before the horizon, for the statistics."""
        self.admit_others(self.horizon_h, self.horizon_h)


class Waiting:
    """Aid trucks without priority, arrived together, queued at a checkpoint shared with trucks
    with priority: each truck's (start, clearance), once its inspection has started."""

    __slots__ = ("arrival_h", "inspection_h", "times")

    def __init__(self, arrival_h: float, inspection_h: Sequence[float]) -> None:
        self.arrival_h = arrival_h
        self.inspection_h = inspection_h
        self.times: list[tuple[float, float]] = []
