"""What a movement is made of on its way, and what it leaves behind: its trucks' outcomes, the
groups its trucks travel in, and the places they pass."""

from __future__ import annotations

import math
from collections.abc import Callable
from enum import IntEnum

import simpy
from simpy.events import URGENT


class Outcome(IntEnum):
    """How a truck (or a whole movement) ended. Every truck and tonne ends in exactly one."""

    delivered = 0
    refused = 1  # permission refused at a hold
    turned_back = 2  # sent back by an inspection
    not_delivered = 3  # still on the way, or held, at the horizon


class SetOff(simpy.Event):
    """A movement on the direct path setting off at time 0. It is scheduled as SimPy schedules the
    start of a process (urgent, at once), so that movements set off in scenario order whichever
    path they take, and before any process that one of them starts."""

    def __init__(self, env: simpy.Environment, callback: Callable[[simpy.Event], None]) -> None:
        super().__init__(env)
        self._ok, self._value = True, None  # triggered, as SimPy's own Initialize and Timeout are
        self.callbacks.append(callback)
        env.schedule(self, URGENT)


class Group:
    """Trucks of one movement travelling together, and where they are on their route."""

    __slots__ = ("trucks", "places", "i", "alternative", "waited_h", "trips")

    def __init__(self, trucks: list[int], places: list[str], i: int, alternative: int) -> None:
        self.trucks = trucks
        self.places = places  # the route as driven so far and planned onward
        self.i = i  # index of the current or next place
        self.alternative = alternative  # index of the next alternative route to turn to
        self.waited_h = 0.0  # time this group spent waiting at closures
        self.trips: dict[str, int] = {}  # leg -> trips its trucks made on it, where they may break down


class Passages:
    """Where the movements' groups have been in one replication: one entry per place a group
    reached, as columns, in the order they were noted (the movements' entries interleaved). A
    movement is noted by its number in the plan, a place by its code (`MovementPlan.place_code`),
    as the tables will have them."""

    __slots__ = ("movement", "place", "arrival_h", "release_h", "trucks")

    def __init__(self) -> None:
        self.movement: list[int] = []
        self.place: list[int] = []
        self.arrival_h: list[float] = []
        self.release_h: list[float] = []  # NaN until the group leaves
        self.trucks: list[int] = []

    def arrive(self, movement: int, place: int, t: float, trucks: int) -> int:
        """Note a group's arrival; returns the entry's index, to set its release later."""
        self.add(movement, place, t, math.nan, trucks)
        return len(self.place) - 1

    def add(self, movement: int, place: int, arrival_h: float, release_h: float, trucks: int) -> None:
        """Note a group's passage whose release is known (NaN: it ends there)."""
        self.movement.append(movement)
        self.place.append(place)
        self.arrival_h.append(arrival_h)
        self.release_h.append(release_h)
        self.trucks.append(trucks)

    def censor(self, horizon_h: float) -> None:
        """Forget arrivals at or after the horizon, and releases at or after it."""
        if any(t >= horizon_h for t in self.arrival_h):
            kept = [i for i, t in enumerate(self.arrival_h) if t < horizon_h]
            for column in (self.movement, self.place, self.arrival_h, self.release_h, self.trucks):
                column[:] = [column[i] for i in kept]
        if any(t >= horizon_h for t in self.release_h):
            self.release_h[:] = [t if t < horizon_h else math.nan for t in self.release_h]
