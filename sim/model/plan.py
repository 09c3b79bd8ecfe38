"""A scenario compiled for fast replication: routes resolved to legs, delays to samplers,
datetimes to clock hours, and the random draws each movement needs laid out by name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from sim.distributions import Sampler, sampler
from sim.randomness import stream
from sim.schema import Scenario


def clock_h(scenario: Scenario, when: str) -> float:
    """Hours from the scenario's start to a local ISO datetime."""
    delta = datetime.fromisoformat(when) - datetime.fromisoformat(scenario.start)
    return delta.total_seconds() / 3600.0


def find_leg(scenario: Scenario, a: str, b: str) -> str | None:
    """The key of the leg joining places a and b (legs are undirected), or None."""
    for key, leg in scenario.legs.items():
        if {leg.start, leg.end} == {a, b}:
            return key
    return None


@dataclass(frozen=True)
class Draw:
    """One named stream of random durations a movement uses: `width` values per replication."""

    name: str
    width: int
    sampler: Sampler | None  # None: plain uniforms (for yes/no decisions)


@dataclass(frozen=True)
class MovementPlan:
    """A movement with everything resolved: what the SimPy process needs and nothing more."""

    key: str
    index: int
    trucks: int
    tonnes: float
    departure_h: float
    places: tuple[str, ...]
    legs: tuple[str, ...]  # legs[i] joins places[i] and places[i + 1]
    hold_place: str | None
    refusal_probability: float
    draws: tuple[Draw, ...]


@dataclass(frozen=True)
class Plan:
    """A whole scenario, compiled."""

    scenario: Scenario
    horizon_h: float
    start_hour_of_day: float
    movements: tuple[MovementPlan, ...]

    def draw(self, seed: int, batch: int, size: int) -> list[dict[str, np.ndarray]]:
        """Every movement's random values for one batch of replications: arrays of (size, width)."""
        tables = []
        for m in self.movements:
            table = {}
            for d in m.draws:
                u = stream(seed, batch, d.name).random((size, d.width))
                table[d.name] = u if d.sampler is None else d.sampler.from_uniform(u)
            tables.append(table)
        return tables


def compile_scenario(scenario: Scenario) -> Plan:
    """Compile a validated scenario."""
    start = datetime.fromisoformat(scenario.start)
    movements = []
    for index, (key, m) in enumerate(scenario.movements.items()):
        places = tuple(m.route)
        legs = tuple(find_leg(scenario, a, b) for a, b in zip(places, places[1:]))
        draws = [Draw(f"{key}/travel/{leg}", 1, sampler(scenario.legs[leg].travel)) for leg in legs]
        draws += [
            Draw(f"{key}/inspection/{p}", m.trucks, sampler(scenario.checkpoints[p].inspection))
            for p in places
            if p in scenario.checkpoints
        ]
        if m.hold is not None:
            draws += [Draw(f"{key}/hold", 1, sampler(m.hold.delay)), Draw(f"{key}/refusal", 1, None)]
        movements.append(
            MovementPlan(
                key=key,
                index=index,
                trucks=m.trucks,
                tonnes=float(sum(m.cargo_t.values())),
                departure_h=clock_h(scenario, m.departure),
                places=places,
                legs=legs,
                hold_place=m.hold.place if m.hold is not None else None,
                refusal_probability=m.hold.refusal_probability if m.hold is not None else 0.0,
                draws=tuple(draws),
            )
        )
    return Plan(
        scenario=scenario,
        horizon_h=scenario.horizon_days * 24.0,
        start_hour_of_day=start.hour + start.minute / 60 + start.second / 3600,
        movements=tuple(movements),
    )
