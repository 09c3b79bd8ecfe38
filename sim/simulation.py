"""Run a scenario many times: the entry point for Python users and notebooks.

    from sim import load_scenario, simulate
    records = simulate(load_scenario("baseline"), seed=1, replications=200)

No file is read or written here; see `sim.results` for that.
"""

from __future__ import annotations

import gc
import math
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from sim.model.movement import Journey, Outcome
from sim.model.plan import compile_scenario
from sim.model.replication import World, run_replication
from sim.randomness import BATCH
from sim.records import OUTCOMES, Records, Table, TableBuilder
from sim.schema import Scenario

MOVEMENT_COLUMNS = (
    "replication", "movement", "flow", "outcome", "departure_h", "end_h", "delivery_time_h", "trucks", "tonnes",
    *(f"{o}_{unit}" for o in OUTCOMES for unit in ("trucks", "t")),
    "closure_wait_h", "reroutes", "last_place",
)  # fmt: skip
PASSAGE_COLUMNS = ("replication", "movement", "place", "arrival_h", "release_h", "trucks")
CHECKPOINT_COLUMNS = (
    "replication", "checkpoint", "lanes", "trucks", "wait_h", "other_trucks", "other_wait_h", "busy_h", "open_h",
)  # fmt: skip
DELIVERY_COLUMNS = ("replication", "movement", "time_h", "cargo", "tonnes")
TRUCK_COLUMNS = ("movement", "truck", "place", "arrival_h", "start_h", "clear_h")


class _Collector:
    """Turns finished replications into table rows, once per replication (never per event)."""

    def __init__(self) -> None:
        self.movements = TableBuilder(MOVEMENT_COLUMNS)
        self.passages = TableBuilder(PASSAGE_COLUMNS)
        self.checkpoints = TableBuilder(CHECKPOINT_COLUMNS)
        self.deliveries = TableBuilder(DELIVERY_COLUMNS)

    def add(self, r: int, journeys: list[Journey], world: World, horizon_h: float) -> None:
        for j in journeys:
            m = j.plan
            outcome = j.outcome()
            tonnes_per_truck = m.tonnes / m.trucks
            counts = [j.outcome_of.count(o) for o in Outcome]
            delivered_h = j.delivered_h()
            if outcome is Outcome.not_delivered:
                end_h = math.nan
            else:
                end_h = delivered_h if outcome is Outcome.delivered else max(j.end_of)
            self.movements.add(
                r, m.key, m.flow, outcome.name, m.departure_h, end_h,
                delivered_h - m.departure_h if outcome is Outcome.delivered else math.nan, m.trucks, m.tonnes,
                *(x for o in Outcome for x in (counts[o], counts[o] * tonnes_per_truck)),
                j.closure_wait_h, j.reroutes, j.passages[-1][0] if j.passages else m.routes[0][0],
            )  # fmt: skip
            self.passages.rows.extend((r, m.key, *passage) for passage in j.passages)
            if counts[Outcome.delivered]:
                arrivals = Counter(e for o, e in zip(j.outcome_of, j.end_of) if o is Outcome.delivered)
                for time_h, trucks in sorted(arrivals.items()):
                    for cargo, tonnes in m.cargo_t.items():
                        self.deliveries.add(r, m.key, time_h, cargo, tonnes * trucks / m.trucks)
        for place, lane in world.lanes.items():
            self.checkpoints.add(
                r, place, len(lane.free_h), lane.trucks, lane.wait_h, lane.other_trucks, lane.other_wait_h,
                lane.busy_h, lane.availability.open_h(0.0, horizon_h),
            )  # fmt: skip


@contextmanager
def _few_collections() -> Iterator[None]:
    """Keep Python's cyclic garbage collector out of the replication loop's way.

    A replication's objects die young, but full collections would walk every long-lived object of
    the process (SciPy, Hydra) again and again: 15% of the run time. Existing objects are frozen
    out of collection and collections are made rarer while replications run; both are undone after.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 10)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def simulate(scenario: Scenario, seed: int, replications: int, first: int = 0) -> Records:
    """Replications first .. first + replications - 1 of a validated scenario."""
    plan = compile_scenario(scenario)
    collector = _Collector()
    batch = None
    with _few_collections():
        for r in range(first, first + replications):
            if r // BATCH != batch:
                batch = r // BATCH
                draws = plan.draw(seed, batch, BATCH)
            journeys, world = run_replication(plan, draws, r % BATCH, plan.draw_points(seed, r))
            collector.add(r, journeys, world, plan.horizon_h)
    return Records(
        movements=collector.movements.table(),
        passages=collector.passages.table(),
        checkpoints=collector.checkpoints.table(),
        deliveries=collector.deliveries.table(),
        horizon_h=plan.horizon_h,
        replications=replications,
    )


def trace_replication(scenario: Scenario, seed: int, replication: int) -> Table:
    """Every truck's arrival, inspection start and clearance at each checkpoint in one replication
    (the same replication `simulate` produces for this seed), as a table."""
    plan = compile_scenario(scenario)
    batch, row = divmod(replication, BATCH)
    journeys, _ = run_replication(plan, plan.draw(seed, batch, BATCH), row, plan.draw_points(seed, replication), True)
    trucks = TableBuilder(TRUCK_COLUMNS)
    for j in journeys:
        for truck_row in j.trace:
            trucks.add(j.plan.key, *truck_row)
    return trucks.table()
