"""One replication: a fresh SimPy world, every movement started, run to the horizon."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy

from sim.model.calendar import Availability, OpeningHours
from sim.model.checkpoint import Lanes
from sim.model.movement import Journey
from sim.model.plan import Plan

ALWAYS = OpeningHours("24h", 0.0)


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


def run_replication(
    plan: Plan, draws: list[np.ndarray], row: int, points: dict[str, dict], trace: bool = False
) -> tuple[list[Journey], World]:
    """Simulate one replication from row `row` of `draws` (`Plan.draw`) and its own
    closures and other traffic (`Plan.draw_points`)."""
    env = simpy.Environment()
    scenario = plan.scenario
    lanes = {}
    for key, cp in scenario.checkpoints.items():
        point = points[f"checkpoint/{key}"]
        available = Availability(plan.hours[key], point["closures"])
        lanes[key] = Lanes(
            cp.lanes, available, plan.horizon_h, point["arrivals"], point["inspections"], cp.aid_priority
        )
    pools = {name: simpy.Resource(env, pool.size) for name, pool in scenario.escorts.items()}
    world = World(
        env=env,
        lanes=lanes,
        roads={p.key: Availability(ALWAYS, points[f"road/{p.key}"]["closures"]) for p in plan.roads},
        legs=plan.legs,
        turn_back=plan.turn_back,
        breakdown=plan.breakdown,
        escorts={leg: pools[pool] for leg, pool in plan.escorts.items()},
        horizon_h=plan.horizon_h,
    )
    # Movements start in scenario order: at equal times SimPy serves events in the order they
    # were scheduled, so this order breaks ties between simultaneous arrivals.
    journeys = [
        Journey(movement, world, table[row].tolist(), trace) for movement, table in zip(plan.movements, draws)
    ]
    env.run(until=plan.horizon_h)
    for journey in journeys:
        journey.censor(plan.horizon_h)
    for lane in lanes.values():
        lane.finish()
    return journeys, world
