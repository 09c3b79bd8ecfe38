"""From finished replications to the tables of `Records`.

A replication leaves its numbers in flat lists: one entry per truck (how and when it ended), per
movement (closure wait, reroutes) and per passage (put row by row a part at a time, `PassageRows`).
The rest is computed from them by NumPy once, when the tables are made: each movement's outcome,
trucks and tonnes by outcome and last delivery, the deliveries by cargo, and the movement's own
columns (name, flow, departure, trucks, tonnes), which are the same in every replication. Only the
checkpoints table, a few rows per replication, is built row by row. Text columns are made as codes
(`Coded`): a worker process hands them back that way (`packed`), and names replace codes only in
the tables of `Records`.
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.journey import Journey
from sim.model.passages import Outcome
from sim.model.plan import Plan
from sim.model.world import World
from sim.results.columns import CHECKPOINT_COLUMNS, MOVEMENT_COLUMNS, PASSAGE_COLUMNS
from sim.results.records import OUTCOMES, Coded, Packed, PackedTable, Records, TableBuilder
from sim.simulate.passage_rows import PassageRows


class Collector:
    """The numbers of consecutive replications of one plan, and the tables made of them."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.replications: list[int] = []
        self.truck_ends = TableBuilder(("outcome", "end_h"))  # per replication, movement and truck
        self.movements = TableBuilder(("closure_wait_h", "reroutes"))  # per movement row
        self.passages = PassageRows(len(plan.movements))  # places as codes
        self.checkpoints = TableBuilder(tuple(c for c in CHECKPOINT_COLUMNS if c != "checkpoint"))
        self.places = list(plan.places)  # as `MovementPlan.place_code` numbers them

    def add(self, r: int, journeys: list[Journey], world: World) -> None:
        """Keep the numbers of replication `r`, the one after those already added."""
        self.replications.append(r)
        self.truck_ends.add_columns(world.outcome_of, world.end_of)
        self.movements.add_columns([j.closure_wait_h for j in journeys], [j.reroutes for j in journeys])
        self.passages.add(world.passages)
        horizon_h = self.plan.horizon_h
        self.checkpoints.add_rows(
            [
                (
                    r,
                    len(lane.free_h),
                    lane.trucks,
                    lane.wait_h,
                    lane.convoy_wait_h,
                    lane.closed_wait_h,
                    lane.other_trucks,
                    lane.other_wait_h,
                    lane.busy_h,
                    lane.availability.open_h(lane.warmup_h, horizon_h),
                )
                for lane in world.lanes.values()  # in the scenario's order of checkpoints
            ]
        )

    def records(self) -> Records:
        """The four tables of the replications added so far."""
        return self.packed().unpacked()

    def packed(self) -> Packed:
        """`records`, text columns still as codes."""
        plan, n = self.plan, len(self.replications)
        rows = _Rows(plan, n)
        truck_ends = self.truck_ends.table()
        outcome_of, end_of = truck_ends["outcome"].astype(np.intp), truck_ends["end_h"]
        per_movement, (row_of, passages) = self.movements.table(), self.passages.table()
        keys, flows = [m.key for m in plan.movements], list(dict.fromkeys(m.flow for m in plan.movements))
        reached = np.bincount(row_of, minlength=n * len(keys))  # places each movement row reached
        flow_code = {flow: i for i, flow in enumerate(flows)}
        movement = rows.repeat(range(len(keys)), np.intp)
        last_place = rows.repeat([m.place_code[m.routes[0][0]] for m in plan.movements], np.intp)  # its start
        # A row's last passage is the one before the next row's first (passages come row by row).
        last_place[reached > 0] = passages["place"][np.cumsum(reached)[reached > 0] - 1]
        columns = {
            "replication": np.repeat(np.array(self.replications, np.int64), len(keys)),
            "movement": Coded.of(keys, movement),
            "flow": Coded.of(flows, rows.repeat([flow_code[m.flow] for m in plan.movements], np.intp)),
            "closure_wait_h": per_movement["closure_wait_h"],
            "reroutes": per_movement["reroutes"],
            "last_place": Coded.of(self.places, last_place),
        } | _results(plan, rows, outcome_of, end_of)
        movements = {c: columns[c] for c in MOVEMENT_COLUMNS}
        passages |= {
            "replication": np.repeat(movements["replication"], reached),
            "movement": Coded.of(keys, np.repeat(movement, reached)),
            "place": Coded.of(self.places, passages["place"]),
        }
        checkpoints = self.checkpoints.table()
        checkpoint_names = list(plan.lanes)  # a row each, in this order
        checkpoints["checkpoint"] = Coded.of(checkpoint_names, np.tile(np.arange(len(checkpoint_names)), n))
        delivered_truck = outcome_of == Outcome.delivered
        tables = {
            "movements": movements,
            "passages": {c: passages[c] for c in PASSAGE_COLUMNS},
            "checkpoints": {c: checkpoints[c] for c in CHECKPOINT_COLUMNS},
            "deliveries": _deliveries(plan, movements, rows.of_truck[delivered_truck], end_of[delivered_truck], keys),
        }
        return Packed(tables, plan.horizon_h, n)


class _Rows:
    """The movement rows of `n` replications (replication by replication, movements in plan order)
    and the trucks in them."""

    def __init__(self, plan: Plan, n: int) -> None:
        self.n = n
        self.trucks = self.repeat([m.trucks for m in plan.movements], np.intp)
        self.of_truck = np.repeat(np.arange(len(self.trucks)), self.trucks)  # the row of each truck
        self.first_truck = np.cumsum(self.trucks) - self.trucks

    def repeat(self, values: list, dtype: type) -> np.ndarray:
        """A value per movement, for every row."""
        return np.tile(np.array(values, dtype), self.n)

    def reduce(self, ufunc: np.ufunc, values: np.ndarray) -> np.ndarray:
        """`ufunc` over each row's trucks (every movement has at least one truck)."""
        return ufunc.reduceat(values, self.first_truck) if len(values) else np.empty(0)


def _results(plan: Plan, rows: _Rows, outcome_of: np.ndarray, end_of: np.ndarray) -> PackedTable:
    """Movement columns from outcome to tonnes by outcome, from each truck's outcome and end."""
    counts = np.bincount(rows.of_truck * len(Outcome) + outcome_of, minlength=len(rows.trucks) * len(Outcome))
    counts = counts.reshape(len(rows.trucks), len(Outcome))
    # Not delivered while any truck is still on its way; else delivered if any truck was, else
    # refused or turned back.
    outcome = np.select(
        [counts[:, Outcome.not_delivered] > 0, counts[:, Outcome.delivered] > 0, counts[:, Outcome.refused] > 0],
        [Outcome.not_delivered, Outcome.delivered, Outcome.refused],
        Outcome.turned_back,
    )
    delivered = outcome == Outcome.delivered
    last_delivery_h = rows.reduce(np.maximum, np.where(outcome_of == Outcome.delivered, end_of, -math.inf))
    end_h = np.where(delivered, last_delivery_h, rows.reduce(np.maximum, end_of))
    end_h[outcome == Outcome.not_delivered] = math.nan
    departure_h = rows.repeat([m.departure_h for m in plan.movements], float)
    tonnes_per_truck = rows.repeat([m.tonnes / m.trucks for m in plan.movements], float)
    table = {
        "outcome": Coded.of(OUTCOMES, outcome),
        "departure_h": departure_h,
        "end_h": end_h,
        "delivery_time_h": np.where(delivered, end_h - departure_h, math.nan),
        "trucks": rows.trucks.astype(np.int64),
        "tonnes": rows.repeat([m.tonnes for m in plan.movements], float),
    }
    for o in Outcome:
        table[f"{OUTCOMES[o]}_trucks"] = counts[
            :, o
        ].copy()  # contiguous: it travels as a block (`sim.simulate.handoff`)
        table[f"{OUTCOMES[o]}_t"] = counts[:, o] * tonnes_per_truck
    return table


def _deliveries(
    plan: Plan, movements: PackedTable, row_of: np.ndarray, time_h: np.ndarray, keys: list[str]
) -> PackedTable:
    """One row per movement row, delivery time and cargo type, in that order, from the row and
    time of each delivered truck: the tonnes of that cargo the trucks delivered then carried."""
    order = np.lexsort((time_h, row_of))
    row_of, time_h = row_of[order], time_h[order]
    new_delivery = np.ones(len(row_of), bool)  # the first truck of its row or time
    new_delivery[1:] = (row_of[1:] != row_of[:-1]) | (time_h[1:] != time_h[:-1])
    first = np.flatnonzero(new_delivery)
    together = np.diff(np.r_[first, len(row_of)])  # trucks delivered at once
    row_of, time_h = row_of[first], time_h[first]
    # Each delivery once per cargo type of its movement: the k-th row of a delivery takes the k-th
    # of its movement's cargo types, found in the plan's cargo types listed movement by movement.
    cargo_names = [name for m in plan.movements for name in m.cargo_t]
    cargo_tonnes = [t for m in plan.movements for t in m.cargo_t.values()]
    types_of_movement = np.array([len(m.cargo_t) for m in plan.movements], np.intp)
    movement = row_of % len(plan.movements)
    types = types_of_movement[movement]  # rows of each delivery
    first_of_movement = (np.cumsum(types_of_movement) - types_of_movement)[movement]  # in the cargo list
    first_row = np.cumsum(types) - types  # of each delivery, among the rows
    cargo = np.repeat(first_of_movement - first_row, types) + np.arange(types.sum())
    row_of, time_h, together = (np.repeat(x, types) for x in (row_of, time_h, together))
    return {
        "replication": movements["replication"][row_of],
        "movement": Coded.of(keys, row_of % len(keys)),
        "time_h": time_h,
        "cargo": Coded.of(cargo_names, cargo),
        "tonnes": np.array(cargo_tonnes, float)[cargo] * together / movements["trucks"][row_of],
    }
