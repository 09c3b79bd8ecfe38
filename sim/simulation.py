"""Run a scenario many times: the entry point for Python users and notebooks.

    from sim import load_scenario, simulate
    records = simulate(load_scenario("baseline"), seed=1, replications=200)

No file is read or written here; see `sim.results` for that.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator
from contextlib import contextmanager

from sim.model.movement import OUTCOME_ORDER, Journey, Outcome
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
TABLE_COLUMNS = {  # each table of `Records` (an attribute of that name)
    "movements": MOVEMENT_COLUMNS,
    "passages": PASSAGE_COLUMNS,
    "checkpoints": CHECKPOINT_COLUMNS,
    "deliveries": DELIVERY_COLUMNS,
}
TRUCK_COLUMNS = ("movement", "truck", "place", "arrival_h", "start_h", "clear_h")


class _Collector:
    """Turns finished replications into table rows, once per replication (never per event)."""

    def __init__(self) -> None:
        self.movements = TableBuilder(MOVEMENT_COLUMNS)
        self.passages = TableBuilder(PASSAGE_COLUMNS)
        self.checkpoints = TableBuilder(CHECKPOINT_COLUMNS)
        self.deliveries = TableBuilder(DELIVERY_COLUMNS)

    def add(self, r: int, journeys: list[Journey], world: World, horizon_h: float) -> None:
        movement_rows, delivery_rows = [], []
        for j in journeys:
            m = j.plan
            counts = [j.outcome_of.count(o) for o in OUTCOME_ORDER]
            outcome = j.outcome(counts)
            delivered = j.delivery_times()
            delivered_h = delivered[-1] if delivered else math.nan
            if outcome is Outcome.not_delivered:
                end_h = math.nan
            else:
                end_h = delivered_h if outcome is Outcome.delivered else max(j.end_of)
            passages = j.passages
            tonnes_per_truck = m.tonnes / m.trucks
            movement_rows.append((
                r, m.key, m.flow, OUTCOMES[outcome], m.departure_h, end_h,
                delivered_h - m.departure_h if outcome is Outcome.delivered else math.nan, m.trucks, m.tonnes,
                *[x for count in counts for x in (count, count * tonnes_per_truck)],
                j.closure_wait_h, j.reroutes, passages.place[-1] if passages.place else m.routes[0][0],
            ))  # fmt: skip
            n = len(passages.place)
            self.passages.add_columns(
                [r] * n, [m.key] * n, passages.place, passages.arrival_h, passages.release_h, passages.trucks
            )
            delivery_rows += [
                (r, m.key, time_h, cargo, tonnes * delivered.count(time_h) / m.trucks)
                for time_h in dict.fromkeys(delivered)
                for cargo, tonnes in m.cargo_t.items()
            ]
        self.movements.add_rows(movement_rows)
        self.deliveries.add_rows(delivery_rows)
        self.checkpoints.add_rows([
            (r, place, len(lane.free_h), lane.trucks, lane.wait_h, lane.other_trucks, lane.other_wait_h, lane.busy_h,
             lane.availability.open_h(0.0, horizon_h))
            for place, lane in world.lanes.items()
        ])  # fmt: skip


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
        trucks.add_rows([(j.plan.key, *truck_row) for truck_row in j.trace])
    return trucks.table()
