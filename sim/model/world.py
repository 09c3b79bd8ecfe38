"""The shared state of one replication: what movements meet on their way."""

from __future__ import annotations

from dataclasses import dataclass, field

import simpy

from sim.model.calendar import Availability
from sim.model.checkpoint import Lanes
from sim.model.decisions import Decision
from sim.model.passages import Passages


@dataclass
class World:
    """The shared state of one replication that movements meet on their way."""

    env: simpy.Environment
    lanes: dict[str, Lanes]  # checkpoint place -> its lanes
    roads: dict[str, Availability]  # leg -> when it is open (only legs that ever close)
    legs: dict[tuple[str, str], str]  # (place, place), either way round -> leg
    turn_back: dict[str, float]  # checkpoint place -> chance an inspection turns a truck back
    breakdown: dict[str, float]  # leg -> chance a truck breaks down on it
    escorts: dict[str, simpy.Resource]  # leg -> the escort pool it needs
    horizon_h: float
    # Per truck of every movement, movement by movement (`MovementPlan.first_truck`): how its
    # journey ended (`Outcome`), and when it was delivered, refused or turned back (NaN if not).
    outcome_of: list[int]
    end_of: list[float]
    decisions: dict[str, Decision] = field(default_factory=dict)  # shared decisions, by key
    passages: Passages = field(default_factory=Passages)  # where every movement's groups have been
