"""One simulated value per replication for each kind of observation of the record, from a run's
tables: a delivery's time, a hold's length, tonnes, days without delivery, a share of need,
vehicles a day. A value known only as a range (after the horizon, never) is an interval
[low, high]; `sim.analysis.validation` sets the observation among them.

Tables are read a block of rows at a time, so checking a million replications needs no more
memory than checking a thousand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.delivery_summary import days_without_delivery, population_days
from sim.results import layout
from sim.results.files import table_blocks


class MissingTable(LookupError):
    """A table the check needs that the run did not write."""


class Run:
    """What the checks read of a run's folder, each table read once and in blocks."""

    def __init__(self, folder: Path, summary: dict, observations: Iterable[dict] = ()):
        """`observations`: those to be checked; the rows each needs of a table are read in one
        pass with those of the others."""
        self.folder = folder
        observations = list(observations)
        self.wanted = {o["movement"] for o in observations if o.get("movement")}
        self.wanted_holds = {(o["movement"], o["place"]) for o in observations if o["kind"] == "hold_days"}
        self._holds: dict[tuple[str, str], dict[str, np.ndarray]] = {}
        self.start = summary["start"]
        self.horizon_h = float(summary["horizon_h"])
        self.warmup_h = float(summary.get("warmup_h") or 0.0)
        self.replications = int(summary["replications"])
        self.deliveries_summary = summary["deliveries"]
        self._movements: dict[str, dict[str, np.ndarray]] = {}  # read once per movement

    def rows(self, table: str, columns: list[str], keep: Callable | None = None) -> dict[str, np.ndarray]:
        """The columns of a table (numbers as floats, text as strings), for the rows `keep(block)`
        selects, read a block at a time."""
        return self._gather(table, columns, columns, {None: keep or (lambda block: slice(None))})[None]

    def _gather(self, table: str, read: list[str], columns: list[str], groups: dict) -> dict:
        """Group -> `columns` of the rows `groups[group](block)` selects, from one pass over the
        table's columns `read`: only the rows selected are ever held."""
        path = layout.table_path(self.folder, table)
        if not path.is_file():
            raise MissingTable(f"this run wrote no {path.name}")
        parts = {group: {name: [np.empty(0)] for name in columns} for group in groups}
        texts: dict[str, dict[str, int]] = {name: {} for name in columns}  # column -> text -> its code
        for block in table_blocks(path, read):
            for group, select in groups.items():
                chosen = select(block)
                for name in columns:
                    values = block[name][chosen]
                    if values.dtype == object:  # held as codes: a byte a row, not eight
                        names, codes = np.unique(values, return_inverse=True)
                        found = texts[name]
                        values = np.array([found.setdefault(n, len(found)) for n in names], np.uint8)[codes]
                    elif name == "replication":  # a whole number: four bytes, not eight
                        values = values.astype(np.int32)
                    parts[group][name].append(values)

        def joined(name: str, arrays: list[np.ndarray]) -> np.ndarray | pd.Categorical:
            if not texts[name]:
                return np.concatenate(arrays[1:] or arrays)  # the first, empty, only if nothing came
            # Text stays coded: compared with a string (==, np.isin) as an array of strings would be.
            codes = np.concatenate(arrays[1:] or [np.empty(0, np.uint8)])
            return pd.Categorical.from_codes(codes, categories=list(texts[name]))

        # Column by column, each one's pieces let go once joined: the rows are held once, not twice.
        return {group: {name: joined(name, found.pop(name)) for name in columns} for group, found in parts.items()}

    def movement(self, key: str) -> dict[str, np.ndarray]:
        """The movement's row of each replication (a movement, unlike a flow, has one), in
        replication order as the table has them."""
        if key not in self._movements:
            keys = sorted({key} | self.wanted - set(self._movements))
            columns = ["replication", "outcome", "end_h", "last_place"]
            groups = {k: (lambda block, k=k: block["movement"] == k) for k in keys}
            self._movements |= self._gather("movements", [*columns, "movement"], columns, groups)
        return self._movements[key]

    def passages_at(self, key: str, place: str) -> dict[str, np.ndarray]:
        """The passages of movement `key` at `place` (replication, arrival_h, release_h)."""
        if (key, place) not in self._holds:
            pairs = sorted({(key, place)} | self.wanted_holds - set(self._holds))
            columns = ["replication", "arrival_h", "release_h"]
            groups = {(m, p): (lambda b, m=m, p=p: (b["movement"] == m) & (b["place"] == p)) for m, p in pairs}
            self._holds |= self._gather("passages", [*columns, "movement", "place"], columns, groups)
        return self._holds[key, place]

    def outcomes(self, key: str) -> np.ndarray:
        """How the movement ended in each replication (strings: compared as they are, never
        copied into a fixed-width array of 52 bytes a row)."""
        return self.movement(key)["outcome"]


def _delivery_time(observation: dict, run: Run, begin_h: float, end_h: float) -> tuple:
    """When the movement delivered, in days from the start: after the horizon if still under way
    there, never if refused or turned back."""
    rows = run.movement(observation["movement"])
    outcome = rows["outcome"]
    delivered = outcome == "delivered"
    low = np.where(delivered, rows["end_h"], np.where(outcome == "not_delivered", run.horizon_h, np.inf)) / 24.0
    high = np.where(delivered, low, np.inf)
    return low, high, f"days from {run.start[:10]}"


def _hold(observation: dict, run: Run, begin_h: float, end_h: float) -> tuple:
    """How long the movement was held at its hold's place, in days: from its arrival there to its
    release, or to its refusal there; at least until the horizon if still held then. Runs that
    never reached the place have no hold and are left out (`runs` counts those that did)."""
    key, place = observation["movement"], observation["place"]
    passages = run.passages_at(key, place)
    movement = run.movement(key)
    reached = np.unique(passages["replication"])
    arrival = _per_replication(passages["replication"], passages["arrival_h"], np.minimum, reached)
    unreleased = np.isnan(passages["release_h"])
    release = _per_replication(
        passages["replication"], np.where(unreleased, np.inf, passages["release_h"]), np.maximum, reached
    )
    row = np.searchsorted(movement["replication"], reached)
    outcome, end_h_, last_place = (
        movement["outcome"][row],
        movement["end_h"][row],
        movement["last_place"][row],
    )
    ended_here = np.isin(outcome, ("refused", "turned_back")) & (last_place == place)
    low_h = np.where(np.isfinite(release), release, np.where(ended_here, end_h_, run.horizon_h))
    high_h = np.where(np.isfinite(release) | ended_here, low_h, np.inf)
    return (low_h - arrival) / 24.0, (high_h - arrival) / 24.0, "days"


def _per_replication(
    replication: np.ndarray, values: np.ndarray, combine: np.ufunc, replications: np.ndarray
) -> np.ndarray:
    """`combine` (minimum, maximum) of `values` within each of `replications` (sorted, unique)."""
    out = np.full(len(replications), np.inf if combine is np.minimum else -np.inf)
    combine.at(out, np.searchsorted(replications, replication), values)
    return out


def _window(run: Run, begin_h: float, end_h: float) -> tuple[float, float]:
    return max(begin_h, 0.0), min(end_h, run.horizon_h)


def _deliveries(run: Run, begin_h: float, end_h: float, cargo: str | None = None) -> dict[str, np.ndarray]:
    """The deliveries (of `cargo`, if named) in [begin_h, end_h)."""

    def inside(frame):
        keep = (frame["time_h"] >= begin_h) & (frame["time_h"] < end_h)
        return keep & (frame["cargo"] == cargo) if cargo else keep

    return run.rows("deliveries", ["replication", "time_h", "cargo", "tonnes"], inside)


def _tonnes_by_replication(run: Run, begin_h: float, end_h: float, cargo: str | None = None) -> np.ndarray:
    rows = _deliveries(run, begin_h, end_h, cargo)
    return np.bincount(rows["replication"].astype(int), weights=rows["tonnes"], minlength=run.replications)


def _tonnes(observation: dict, run: Run, begin_h: float, end_h: float) -> tuple:
    """Tonnes delivered over the period (inside the timeline)."""
    tonnes = _tonnes_by_replication(run, begin_h, end_h)
    return tonnes, tonnes, "t"


def _tonnes_per_day(observation: dict, run: Run, begin_h: float, end_h: float) -> tuple:
    """Tonnes delivered a day over the part of the period inside the timeline."""
    a, b = _window(run, begin_h, end_h)
    rate = _tonnes_by_replication(run, a, b) / ((b - a) / 24.0)
    return rate, rate, "t/day"


def _days_without_delivery(observation: dict, run: Run, begin_h: float, end_h: float) -> tuple:
    """The days of the period (inside the timeline) on which nothing was delivered."""
    rows = _deliveries(run, begin_h, end_h)
    replications = np.arange(run.replications)
    without = days_without_delivery(
        rows["replication"], rows["time_h"], replications, begin_h, round((end_h - begin_h) / 24.0)
    )
    return without, without, "days"


def _share_of_need(observation: dict, run: Run, begin_h: float, end_h: float) -> tuple:
    """The share of the period's need for the cargo met by the tonnes of it delivered."""
    cargo = observation["cargo"]
    needs = run.deliveries_summary
    changes_h = needs["population_changes_h"]
    person_days = population_days(needs["population"], changes_h, end_h) - population_days(
        needs["population"], changes_h, begin_h
    )
    need_t = person_days * needs["kg_per_person_day"][cargo] / 1000.0
    share = _tonnes_by_replication(run, begin_h, end_h, cargo) / need_t
    return share, share, "share"


def _vehicles_per_day(observation: dict, run: Run, begin_h: float, end_h: float) -> tuple:
    """Vehicles through the checkpoint a day (aid trucks and other traffic, counted from the warm-up on)."""
    key = observation["checkpoint"]
    rows = run.rows("checkpoints", ["checkpoint", "trucks", "other_trucks"], lambda f: f["checkpoint"] == key)
    rate = (rows["trucks"] + rows["other_trucks"]) / ((run.horizon_h - run.warmup_h) / 24.0)
    return rate.astype(float), rate.astype(float), "vehicles/day"


SAMPLERS = {
    "delivery_date": _delivery_time,
    "hold_days": _hold,
    "tonnes": _tonnes,
    "tonnes_per_day": _tonnes_per_day,
    "days_without_delivery": _days_without_delivery,
    "share_of_need": _share_of_need,
    "vehicles_per_day": _vehicles_per_day,
}
