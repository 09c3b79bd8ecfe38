"""A scenario compiled for fast replication: inert data the SimPy world is built from.

Routes are resolved to legs, datetimes to clock hours, flows expanded into departures, and the
random values each movement uses laid out by name. `sim.simulate.compile` makes a plan from a
validated scenario; the model reads it and never sees the configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from sim.model.calendar import OpeningHours


class Transform(Protocol):
    """Turns uniforms in [0, 1) into durations in hours (a sampler, by inverse transform)."""

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        """Durations (hours) whose uniforms in [0, 1) are `u`: how long each inspection, trip or repair takes."""


@dataclass(frozen=True)
class Draw:
    """One named stream of random values a movement uses: `width` values per replication, for
    `purpose` (e.g. ("inspection", place)); `name` keys its random stream."""

    name: str
    purpose: tuple[str, str]
    width: int
    transform: Transform | None  # None: plain uniforms (for yes/no decisions)


@dataclass(frozen=True)
class MovementPlan:
    """A movement (or one departure of a flow) with everything resolved for its journey."""

    key: str
    flow: str  # the flow it departs in, or its own key for a one-off movement
    trucks: int
    cargo_t: dict[str, float]
    departure_h: float
    deadline_h: float | None
    routes: tuple[tuple[str, ...], ...]  # the route, then the alternatives in order
    reroute_after_h: float
    hold_place: str | None
    refusal_probability: float
    decision: str | None  # the key of the shared decision (`Plan.decisions`) its hold waits on; None: its own
    priority: bool
    wait_for_repairs: bool
    draws: tuple[Draw, ...]
    offset: dict[tuple[str, str], int]  # purpose -> where its values start in a row of draws
    travel_at: dict[tuple[str, str], int]  # (from, to) of a leg it may drive -> where its travel draw is
    # Leg where trucks break down -> where each trip's breakdown and repair draws start: the
    # first trip's, then a later one's (the last is used for any trip beyond).
    breakdown_at: dict[str, tuple[tuple[int, int], ...]]
    tonnes: float  # all its cargo
    place_code: dict[str, int]  # place -> its index among the scenario's places: how passages note it
    # When nothing on its route can hold it but the lanes (no hold, alternative route, closure,
    # escort, breakdown or turn-back): the route as (place, its code, where its inspection draws
    # start or -1 if no checkpoint, where the next leg's travel draw is or -1 at the end). Else None.
    direct: tuple[tuple[str, int, int, int], ...] | None
    # Where it is in the plan (set once every movement is known): its index in `Plan.movements`,
    # and that of its first truck among all the plan's trucks, movement by movement.
    number: int = 0
    first_truck: int = 0


@dataclass(frozen=True)
class DecisionPlan:
    """A permission decision several movements' holds wait on: its delay and answer are drawn
    once per replication (`draws`: the delay, then a uniform for the answer), so every movement
    waiting on it gets the same answer at the same moment."""

    key: str
    starts_h: float | None  # when its clock starts; None: when the first movement waiting on it arrives
    refusal_probability: float
    draws: tuple[Draw, ...]


@dataclass(frozen=True)
class PointPlan:
    """What varies by replication at a checkpoint or on a road: closures and other traffic."""

    key: str
    windows: tuple[tuple[float, float], ...]  # scheduled closures, clock hours
    random_closures: tuple[float, Transform] | None  # onsets per hour, duration
    # Arrivals per hour, inspection, and the daily window arrivals are kept to (None: all day).
    other_traffic: tuple[float, Transform, tuple[float, float] | None] | None
    # Rates that change over time, as steps ((from clock hour, rate per hour), ...), the first from
    # hour 0; None: the constant rate above (a `schedule` in the scenario).
    closure_steps: tuple[tuple[float, float], ...] | None = None
    traffic_steps: tuple[tuple[float, float], ...] | None = None


@dataclass(frozen=True)
class Plan:
    """A whole scenario, compiled."""

    horizon_h: float
    warmup_h: float  # checkpoint statistics count vehicles arriving from then on
    start_hour_of_day: float
    places: tuple[str, ...]  # every place key, in the scenario's order (`MovementPlan.place_code`)
    movements: tuple[MovementPlan, ...]
    trucks: int  # of all movements
    decisions: tuple[DecisionPlan, ...]  # shared by movements' holds (`MovementPlan.decision`)
    checkpoints: tuple[PointPlan, ...]  # in the scenario's order of checkpoints
    roads: tuple[PointPlan, ...]  # legs with closures
    legs: dict[tuple[str, str], str]  # (a, b) and (b, a) -> the leg joining them
    breakdown: dict[str, float]  # leg -> chance a truck breaks down on it
    escorts: dict[str, str]  # leg -> the escort pool it needs
    escort_pools: dict[str, int]  # escort pool -> its size
    lanes: dict[str, int]  # checkpoint -> its lanes
    aid_priority: dict[str, bool]  # checkpoint -> whether aid trucks pass queued other traffic
    shared_with_priority: dict[str, bool]  # checkpoint -> whether aid trucks with and without priority meet there
    hours: dict[str, OpeningHours]  # checkpoint -> its opening hours
    turn_back: dict[str, float]  # checkpoint -> chance an inspection turns a truck back
