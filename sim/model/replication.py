"""One replication: a fresh SimPy world, every movement started, run to the horizon."""

from __future__ import annotations

import numpy as np
import simpy

from sim.model.calendar import OpeningHours
from sim.model.checkpoint import Lanes
from sim.model.movement import Journey
from sim.model.plan import Plan


def run_replication(
    plan: Plan, draws: list[dict[str, np.ndarray]], row: int, trace: bool = False
) -> tuple[list[Journey], dict[str, Lanes]]:
    """Simulate one replication from row `row` of a batch's draws (see `Plan.draw`)."""
    env = simpy.Environment()
    lanes = {
        place: Lanes(cp.lanes, OpeningHours(cp.hours, plan.start_hour_of_day))
        for place, cp in plan.scenario.checkpoints.items()
    }
    journeys = []
    # Movements start in scenario order: at equal times SimPy serves events in the order they
    # were scheduled, so this order breaks ties between simultaneous arrivals.
    for movement, table in zip(plan.movements, draws):
        journey = Journey(movement, trace)
        env.process(journey.run(env, lanes, {name: values[row].tolist() for name, values in table.items()}))
        journeys.append(journey)
    env.run(until=plan.horizon_h)
    return journeys, lanes
