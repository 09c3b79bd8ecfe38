"""Run a scenario many times: the entry point for Python users and notebooks.

    from sim import load_scenario, simulate
    records = simulate(load_scenario("baseline"), seed=1, replications=200)

No file is read or written here; see `sim.results.files` for that.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

from sim.config.scenario import Scenario
from sim.model.plan import Plan
from sim.model.replication import run_replication
from sim.results.columns import CLOSED_COLUMNS, OTHER_TRAFFIC_COLUMNS, TRUCK_COLUMNS
from sim.results.records import Records, Table, TableBuilder
from sim.simulate.collector import Collector
from sim.simulate.compile import compile_scenario
from sim.simulate.draws import draw_points, draw_rows
from sim.simulate.randomness import BATCH
from sim.simulate.waits import closed_windows, waiting_for


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
    return simulate_plan(compile_scenario(scenario), seed, replications, first)


def simulate_plan(plan: Plan, seed: int, replications: int, first: int = 0) -> Records:
    """`simulate` for a scenario already compiled."""
    return run_replications(plan, seed, replications, first).records()


def run_replications(plan: Plan, seed: int, replications: int, first: int = 0) -> Collector:
    """Replications first .. first + replications - 1 of a compiled scenario, collected."""
    collector = Collector(plan)
    batch, start, stop = None, 0, first + replications
    with _few_collections():
        for r in range(first, stop):
            if r // BATCH != batch:  # the first of this range in its batch: draw the batch's rows it needs
                batch, start = divmod(r, BATCH)
                draws = draw_rows(plan, seed, batch, start, min(BATCH, stop - batch * BATCH))
            journeys, world = run_replication(plan, draws, r % BATCH - start, draw_points(plan, seed, r))
            collector.add(r, journeys, world)
    return collector


def trace_replication(scenario: Scenario, seed: int, replication: int) -> Table:
    """Every truck's arrival, inspection start and clearance at each checkpoint in one replication
    (the same replication `simulate` produces for this seed), as a table."""
    return trace_tables(scenario, seed, replication).trucks


class Trace(NamedTuple):
    """The per-vehicle tables of one replication (`trace_tables`)."""

    trucks: Table  # every aid truck at every checkpoint (TRUCK_COLUMNS): timeline.csv
    other_traffic: Table  # every other vehicle at every checkpoint (OTHER_TRAFFIC_COLUMNS): other_traffic.csv
    closed: Table  # when each checkpoint was closed (CLOSED_COLUMNS): closed.csv


def trace_tables(scenario: Scenario, seed: int, replication: int) -> Trace:
    """`trace_replication`'s trucks and, from the same run of the replication, every other vehicle
    whose inspection started before the horizon: its checkpoint, arrival, start and clearance (NaN
    at or after the horizon), by checkpoint in the plan's order and then in order of arrival. As
    for trucks, a vehicle still queued at the horizon has no row. Each truck's row says what it
    waited for (`sim.simulate.waits`); `closed` lists when each checkpoint was closed."""
    plan = compile_scenario(scenario)
    batch, row = divmod(replication, BATCH)
    draws = draw_rows(plan, seed, batch, row, row + 1)
    journeys, world = run_replication(plan, draws, 0, draw_points(plan, seed, replication), True)
    trucks = TableBuilder(TRUCK_COLUMNS)
    availability = {key: lanes.availability for key, lanes in world.lanes.items()}
    for j in journeys:
        rows = [(j.plan.key, *truck_row) for truck_row in j.trace]
        trucks.add_rows([(*row, why) for row, why in zip(rows, waiting_for(rows, availability))])
    others, horizon_h = TableBuilder(OTHER_TRAFFIC_COLUMNS), plan.horizon_h
    for key, lanes in world.lanes.items():
        others.add_rows([(key, a, s, c if c < horizon_h else math.nan) for a, s, c in lanes.other_log if s < horizon_h])
    closed = TableBuilder(CLOSED_COLUMNS)
    for key, available in availability.items():
        closed.add_rows(list(closed_windows(key, available, horizon_h)))
    return Trace(trucks.table(), others.table(), closed.table())
