"""Run a scenario many times: the entry point for Python users and notebooks.

    from sim import load_scenario, simulate
    records = simulate(load_scenario("baseline"), seed=1, replications=200)

No file is read or written here; see `sim.results` for that.
"""

from __future__ import annotations

from sim.model.movement import Outcome
from sim.model.plan import Plan, compile_scenario
from sim.model.replication import run_replication
from sim.randomness import BATCH
from sim.records import Records, TableBuilder
from sim.schema import Scenario

MOVEMENT_COLUMNS = (
    "replication", "movement", "outcome", "departure_h", "end_h", "delivery_time_h",
    "trucks", "tonnes", "last_place",
)  # fmt: skip
PASSAGE_COLUMNS = ("replication", "movement", "place", "arrival_h", "release_h")
CHECKPOINT_COLUMNS = ("replication", "checkpoint", "lanes", "trucks", "wait_h", "busy_h")
TRUCK_COLUMNS = ("movement", "truck", "place", "arrival_h", "start_h", "clear_h")


def simulate(scenario: Scenario, seed: int, replications: int, first: int = 0) -> Records:
    """Replications first .. first + replications - 1 of a validated scenario."""
    plan = compile_scenario(scenario)
    movements = TableBuilder(MOVEMENT_COLUMNS)
    passages = TableBuilder(PASSAGE_COLUMNS)
    checkpoints = TableBuilder(CHECKPOINT_COLUMNS)
    stop = first + replications
    batch = None
    for r in range(first, stop):
        if r // BATCH != batch:
            batch = r // BATCH
            draws = plan.draw(seed, batch, BATCH)
        journeys, lanes = run_replication(plan, draws, r % BATCH)
        for j in journeys:
            m = j.plan
            delivered = j.outcome is Outcome.delivered
            movements.add(
                r, m.key, j.outcome.name, m.departure_h, j.end_h,
                j.end_h - m.departure_h if delivered else float("nan"),
                m.trucks, m.tonnes, j.passages[-1][0] if j.passages else m.places[0],
            )  # fmt: skip
            for place, arrival_h, release_h in j.passages:
                passages.add(r, m.key, place, arrival_h, release_h)
        for place, lane in lanes.items():
            checkpoints.add(r, place, len(lane.free_h), lane.trucks, lane.wait_h, lane.busy_h)
    return Records(
        movements=movements.table(),
        passages=passages.table(),
        checkpoints=checkpoints.table(),
        horizon_h=plan.horizon_h,
        replications=replications,
    )


def trace_replication(scenario: Scenario, seed: int, replication: int) -> dict:
    """Every truck's arrival, inspection start and clearance at each checkpoint in one replication
    (the same replication `simulate` produces for this seed), as a table."""
    plan: Plan = compile_scenario(scenario)
    draws = plan.draw(seed, replication // BATCH, BATCH)
    journeys, _ = run_replication(plan, draws, replication % BATCH, trace=True)
    trucks = TableBuilder(TRUCK_COLUMNS)
    for j in journeys:
        for row in j.trace:
            trucks.add(j.plan.key, *row)
    return trucks.table()
