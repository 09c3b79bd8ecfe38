"""One replication: a fresh SimPy world, every movement started, run to the horizon."""

from __future__ import annotations

import math

import numpy as np
import simpy

from sim.model.calendar import Availability, OpeningHours
from sim.model.checkpoint import Lanes
from sim.model.decisions import Decision
from sim.model.journey import Journey
from sim.model.passages import Outcome
from sim.model.plan import Plan
from sim.model.world import World

ALWAYS = OpeningHours(None, 0.0)


def run_replication(
    plan: Plan, draws: list[np.ndarray], row: int, points: dict[str, dict], trace: bool = False
) -> tuple[list[Journey], World]:
    """Simulate one replication from row `row` of `draws` (`sim.simulate.draws.draw_rows`) and its own
    closures and other traffic (`draw_points`). With `trace`, journeys keep every truck's times
    (`Journey.trace`) and lanes every other vehicle's (`Lanes.other_log`)."""
    env = simpy.Environment()
    lanes = {}
    for key, count in plan.lanes.items():
        point = points[f"checkpoint/{key}"]
        available = Availability(plan.hours[key], point["closures"])
        lanes[key] = Lanes(
            count,
            available,
            plan.horizon_h,
            point["arrivals"],
            point["inspections"],
            plan.aid_priority[key],
            plan.shared_with_priority[key],
            plan.warmup_h,
        )
        if trace:  # every other vehicle committed, for the trace of other traffic
            lanes[key].other_log = []
    pools = {name: simpy.Resource(env, size) for name, size in plan.escort_pools.items()}
    world = World(
        env=env,
        lanes=lanes,
        roads={p.key: Availability(ALWAYS, points[f"road/{p.key}"]["closures"]) for p in plan.roads},
        legs=plan.legs,
        turn_back=plan.turn_back,
        breakdown=plan.breakdown,
        escorts={leg: pools[pool] for leg, pool in plan.escorts.items()},
        horizon_h=plan.horizon_h,
        outcome_of=[Outcome.not_delivered] * plan.trucks,
        end_of=[math.nan] * plan.trucks,
        decisions={
            d.key: Decision(env, d, table[row].tolist())
            for d, table in zip(plan.decisions, draws[len(plan.movements) :])
        },
    )
    # Movements start in scenario order: at equal times SimPy serves events in the order they
    # were scheduled, so this order breaks ties between simultaneous arrivals. Until a process is
    # started, nothing is scheduled to run before a movement on the direct path sets off, so those
    # movements set off at once, with no event of their own.
    journeys, all_direct = [], True  # whether every journey so far takes the direct path
    for movement, table in zip(plan.movements, draws):
        journey = Journey(movement, world, table[row].tolist(), trace, set_off_now=all_direct)
        all_direct = all_direct and journey.on_direct_path
        journeys.append(journey)
    env.run(until=plan.horizon_h)
    if not all_direct:  # the direct path stops at the horizon; a process's groups may run past it
        for journey in journeys:
            journey.censor(plan.horizon_h)
        world.passages.censor(plan.horizon_h)
    for lane in lanes.values():
        lane.finish()
    return journeys, world
