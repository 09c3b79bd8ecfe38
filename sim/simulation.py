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

import numpy as np

from sim.model.movement import OUTCOME_ORDER, Journey, Outcome
from sim.model.plan import Plan, compile_scenario
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
    """Turns finished replications into table rows, once per replication (never per event).

    Only what varies between replications is gathered; the movement's own columns (name, flow,
    departure, trucks, tonnes) are repeated, and what follows from them computed, when the tables
    are made.
    """

    RESULT_COLUMNS = (  # of movements
        "outcome", "end_h", "delivered_h", *(f"{o}_trucks" for o in OUTCOMES), "closure_wait_h", "reroutes",
        "last_place",
    )  # fmt: skip

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.replications: list[int] = []
        self.results = TableBuilder(self.RESULT_COLUMNS)
        self.passages = TableBuilder(PASSAGE_COLUMNS[2:])
        self.passage_counts: list[int] = []  # per replication and movement
        self.checkpoints = TableBuilder(CHECKPOINT_COLUMNS)
        self.deliveries = TableBuilder(DELIVERY_COLUMNS)

    def add(self, r: int, journeys: list[Journey], world: World) -> None:
        result_rows, delivery_rows = [], []
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
            last_place = passages.place[-1] if passages.place else m.routes[0][0]
            result_rows.append((outcome, end_h, delivered_h, *counts, j.closure_wait_h, j.reroutes, last_place))
            self.passages.add_columns(passages.place, passages.arrival_h, passages.release_h, passages.trucks)
            self.passage_counts.append(len(passages.place))
            delivery_rows += [
                (r, m.key, time_h, cargo, tonnes * delivered.count(time_h) / m.trucks)
                for time_h in dict.fromkeys(delivered)
                for cargo, tonnes in m.cargo_t.items()
            ]
        self.replications.append(r)
        self.results.add_rows(result_rows)
        self.deliveries.add_rows(delivery_rows)
        horizon_h = self.plan.horizon_h
        self.checkpoints.add_rows([
            (r, place, len(lane.free_h), lane.trucks, lane.wait_h, lane.other_trucks, lane.other_wait_h, lane.busy_h,
             lane.availability.open_h(0.0, horizon_h))
            for place, lane in world.lanes.items()
        ])  # fmt: skip

    def records(self) -> Records:
        movements = self.movement_table()
        rows = np.array(self.passage_counts, np.intp)  # passages of each movement row
        passages = {c: np.repeat(movements[c], rows) for c in ("replication", "movement")}
        return Records(
            movements=movements,
            passages=passages | self.passages.table(),
            checkpoints=self.checkpoints.table(),
            deliveries=self.deliveries.table(),
            horizon_h=self.plan.horizon_h,
            replications=len(self.replications),
        )

    def movement_table(self) -> Table:
        results, movements, n = self.results.table(), self.plan.movements, len(self.replications)

        def repeated(values: list, dtype: type) -> np.ndarray:  # a value per movement, for every replication
            return np.tile(np.array(values, dtype), n)

        departure_h = repeated([m.departure_h for m in movements], float)
        tonnes_per_truck = repeated([m.tonnes / m.trucks for m in movements], float)
        outcome = results["outcome"].astype(np.intp)
        table = {
            "replication": np.repeat(np.array(self.replications, np.int64), len(movements)),
            "movement": repeated([m.key for m in movements], object),
            "flow": repeated([m.flow for m in movements], object),
            "outcome": np.array(OUTCOMES, object)[outcome],
            "departure_h": departure_h,
            "end_h": results["end_h"],
            "delivery_time_h": np.where(outcome == Outcome.delivered, results["delivered_h"] - departure_h, math.nan),
            "trucks": repeated([m.trucks for m in movements], np.int64),
            "tonnes": repeated([m.tonnes for m in movements], float),
        }
        for o in OUTCOMES:
            table[f"{o}_trucks"] = results[f"{o}_trucks"]
            table[f"{o}_t"] = results[f"{o}_trucks"] * tonnes_per_truck
        return table | {c: results[c] for c in ("closure_wait_h", "reroutes", "last_place")}


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
    collector = _Collector(plan)
    batch = None
    with _few_collections():
        for r in range(first, first + replications):
            if r // BATCH != batch:
                batch = r // BATCH
                draws = plan.draw(seed, batch, BATCH)
            journeys, world = run_replication(plan, draws, r % BATCH, plan.draw_points(seed, r))
            collector.add(r, journeys, world)
    return collector.records()


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
