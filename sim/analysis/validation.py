"""A run against the record: where each observed value falls among the simulated runs.

For every observation its scenario names (`sim.config.observations.checked`), the run's tables
give one simulated value per replication, in the observation's unit. Some are known only as a
range: a delivery still under way at the horizon came at some time after it, a hold still going
on lasted at least until the horizon, a refused movement never delivers. Each replication's value
is therefore an interval [low, high] (equal ends when it is known), and an observed value is an
interval too (a day for a date; `low`-`high` where the record gives a range). A run is below the
observation when its whole interval is, above when its whole interval is, and ties with it
otherwise, so that

    percentile = 100 (below + ties / 2) / runs                    (the mid-rank)
    P(at least as extreme) = min(1, 2 min(P(X <= obs), P(X >= obs)))   (two-sided)

and the observation lies inside the central 90% of runs when P(X <= obs) and P(X >= obs) are
both at least 5%, i.e. when P(at least as extreme) >= 0.10. An observation beyond every run
is a finding, not an error. An outcome (delivered, refused, ...) is a category: the chance the
model gives it, and, as its P(at least as extreme), the total chance of outcomes no more likely.

Tables are read a block of rows at a time, so checking a million replications needs no more
memory than checking a thousand.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from sim.analysis.statistics import days_without_delivery, population_days
from sim.results import layout
from sim.results.files import read_json

CENTRAL = 0.90  # the central share of runs an observation is checked to lie in
QUANTILES = np.linspace(0.0, 1.0, 101)  # the simulated distribution as validation.json keeps it
OUTCOMES = ("delivered", "refused", "turned_back", "not_delivered")
CHUNK_ROWS = 500_000
CALIBRATION_NOTE = "; a calibration target, so agreement is built in, not evidence"


def validate(folder: Path, record: str | None, observations: list[dict], not_applicable: list[dict]) -> dict:
    """validation.json's content for the run in `folder`: each observation of `observations`
    (plain data: the record's fields, and how the scenario uses it: movement, checkpoint, place,
    cargo, calibrates) checked against the run's tables, and `not_applicable` (name, description,
    why) as given."""
    summary = read_json(folder / layout.SUMMARY)
    run = _Run(folder, summary)
    checked = [check(observation, run) for observation in observations]
    return {
        "record": record,
        "replications": run.replications,
        "central_share": CENTRAL,
        "observations": checked,
        "not_applicable": not_applicable,
    }


def check(observation: dict, run: _Run) -> dict:
    """One observation against the run: what was observed, the simulated distribution and where
    the observation falls in it, and a one-line verdict."""
    kind = observation["kind"]
    begin_h, end_h = period_h(observation, run.start)
    use = "calibration" if observation["calibrates"] else "validation"
    result = {**observation, "use": use, "period_h": [begin_h, end_h]}
    if kind == "outcome":
        return {**result, **_categorical(run.outcomes(observation["movement"]), observation["value"], use)}
    try:
        low, high, scale = SAMPLERS[kind](observation, run, begin_h, end_h)
    except MissingTable as missing:
        empty = {"scale": observation["unit"], "observed_range": None, "nearest_run": None}
        unchecked = {**placement(np.empty(0), np.empty(0), 0.0, 0.0), **empty, "distribution": distribution([], [])}
        return {**result, **unchecked, "verdict": f"not checked: {missing}"}
    observed = _observed(observation, run.start)
    found = {**placement(low, high, *observed), "scale": scale, "observed_range": list(observed)}
    found["nearest_run"] = _nearest(low, high, found)
    found["distribution"] = distribution(low, high)
    found["verdict"] = verdict(found, use, _direction_words(kind))
    return {**result, **found}


def placement(low: np.ndarray, high: np.ndarray, observed_low: float, observed_high: float) -> dict:
    """Where an observed interval falls among simulated intervals [low, high] (one per run)."""
    runs = len(low)
    if runs == 0:
        return {"runs": 0, "below": 0, "above": 0, "at_most": None, "at_least": None, "percentile": None,
                "probability_at_least_as_extreme": None, "inside_central": None, "outside_all_runs": None}  # fmt: skip
    below = int(np.count_nonzero(high < observed_low))
    above = int(np.count_nonzero(low > observed_high))
    ties = runs - below - above
    at_most, at_least = (below + ties) / runs, (above + ties) / runs
    extreme = min(1.0, 2.0 * min(at_most, at_least))
    return {
        "runs": runs,
        "below": below,
        "above": above,
        "at_most": at_most,
        "at_least": at_least,
        "percentile": 100.0 * (below + ties / 2.0) / runs,
        "probability_at_least_as_extreme": extreme,
        "inside_central": bool(extreme >= 1.0 - CENTRAL),
        "outside_all_runs": bool(below == runs or above == runs),
    }


def distribution(low: np.ndarray, high: np.ndarray) -> dict:
    """The simulated values as quantiles 0, 1, ..., 100% (null where a quantile falls on a run
    known only as a range: beyond the horizon, or never), and the share of such runs."""
    if len(low) == 0:
        return {"quantiles": [], "share_censored": None}
    order = np.argsort(low, kind="stable")
    low, high = low[order], high[order]
    index = np.minimum((QUANTILES * len(low)).astype(int), len(low) - 1)
    exact = (low == high) & np.isfinite(low)
    quantiles = [float(low[i]) if exact[i] else None for i in index]
    return {"quantiles": quantiles, "share_censored": float(np.count_nonzero(~exact) / len(low))}


def _nearest(low: np.ndarray, high: np.ndarray, found: dict) -> float | None:
    """For an observation beyond every run, the run's value nearest to it (None if only a range)."""
    if not found["runs"] or not found["outside_all_runs"]:
        return None
    value = float(low.min()) if found["above"] == found["runs"] else float(high.max())
    return value if np.isfinite(value) else None


def verdict(found: dict, use: str, words: tuple[str, str]) -> str:
    """One line: where the observation lies among the runs, and, for a calibration target, that
    agreement is built in. `words`: what a run below and above the observation did."""
    smaller, larger = words
    runs = found["runs"]
    if not runs:
        line = "no run gives a value to set it against"
    elif found["outside_all_runs"]:
        nearest = (
            f" (the nearest, {in_scale(found['nearest_run'], found['scale'])})"
            if found["nearest_run"] is not None
            else ""
        )
        line = f"outside every one of the {runs:,} runs: all {larger if found['above'] == runs else smaller}{nearest}"
    elif found["inside_central"]:
        line = f"within the central {CENTRAL:.0%} of runs (percentile {found['percentile']:.0f})"
    elif found["percentile"] > 50:
        line = f"in the upper tail: {found['at_least']:.1%} of runs at or above it"
    else:
        line = f"in the lower tail: {found['at_most']:.1%} of runs at or below it"
    if use == "calibration":
        line += CALIBRATION_NOTE
    return line


def in_scale(value: float, scale: str) -> str:
    """A value of a sample as a reader reads it: a date for days from a start, else with its unit."""
    if scale.startswith("days from "):
        moment = datetime.fromisoformat(scale.removeprefix("days from ")) + timedelta(days=value)
        return moment.strftime("%d %b %H:%M")  # the year is the record's: the observation gives it
    if scale == "share":
        return f"{value:.1%}"
    digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    return f"{value:,.{digits}f} {scale}"


def period_h(observation: dict, start: str) -> tuple[float, float]:
    """The observation's date (its day) or period (its days, the last included) in hours from `start`."""
    dated = observation["kind"] in ("delivery_date", "outcome")
    first, last = (observation["date"], observation["date"]) if dated else (observation["start"], observation["end"])
    origin = datetime.fromisoformat(start)
    begin = datetime.fromisoformat(first) - origin
    finish = datetime.fromisoformat(last) + timedelta(days=1) - origin
    return begin.total_seconds() / 3600.0, finish.total_seconds() / 3600.0


class MissingTable(LookupError):
    """A table the check needs that the run did not write."""


class _Run:
    """What the checks read of a run's folder, each table read once and in blocks."""

    def __init__(self, folder: Path, summary: dict):
        self.folder = folder
        self.start = summary["start"]
        self.horizon_h = float(summary["horizon_h"])
        self.warmup_h = float(summary.get("warmup_h") or 0.0)
        self.replications = int(summary["replications"])
        self.deliveries_summary = summary["deliveries"]
        self._movements: dict[str, dict[str, np.ndarray]] = {}  # read once per movement

    def rows(self, table: str, columns: list[str], keep: Callable | None = None) -> dict[str, np.ndarray]:
        """The columns of a table, for the rows `keep(frame)` selects, read a block at a time."""
        import pandas as pd

        parts = []
        path = self.folder / layout.TABLES[table]
        if not path.is_file():
            raise MissingTable(f"this run wrote no {path.name}")
        for frame in pd.read_csv(path, usecols=columns, chunksize=CHUNK_ROWS, keep_default_na=False, na_values=[""]):
            parts.append(frame[keep(frame)] if keep else frame)
        joined = pd.concat(parts) if parts else pd.DataFrame(columns=columns)
        return {name: joined[name].to_numpy() for name in columns}

    def movement(self, key: str) -> dict[str, np.ndarray]:
        """The movement's row of each replication (a movement, unlike a flow, has one)."""
        if key not in self._movements:
            columns = ["replication", "movement", "outcome", "end_h", "last_place"]
            rows = self.rows("movements", columns, lambda f: f["movement"] == key)
            order = np.argsort(rows["replication"], kind="stable")
            self._movements[key] = {name: values[order] for name, values in rows.items()}
        return self._movements[key]

    def outcomes(self, key: str) -> np.ndarray:
        return self.movement(key)["outcome"].astype(str)


def _delivery_time(observation: dict, run: _Run, begin_h: float, end_h: float) -> tuple:
    """When the movement delivered, in days from the start: after the horizon if still under way
    there, never if refused or turned back."""
    rows = run.movement(observation["movement"])
    outcome = rows["outcome"].astype(str)
    delivered = outcome == "delivered"
    low = np.where(delivered, rows["end_h"], np.where(outcome == "not_delivered", run.horizon_h, np.inf)) / 24.0
    high = np.where(delivered, low, np.inf)
    return low, high, f"days from {run.start[:10]}"


def _hold(observation: dict, run: _Run, begin_h: float, end_h: float) -> tuple:
    """How long the movement was held at its hold's place, in days: from its arrival there to its
    release, or to its refusal there; at least until the horizon if still held then. Runs that
    never reached the place have no hold and are left out (`runs` counts those that did)."""
    key, place = observation["movement"], observation["place"]
    columns = ["replication", "arrival_h", "release_h"]
    passages = run.rows(
        "passages", [*columns, "movement", "place"], lambda f: (f["movement"] == key) & (f["place"] == place)
    )
    movement = run.movement(key)
    reached = np.unique(passages["replication"])
    arrival = _per_replication(passages["replication"], passages["arrival_h"], np.minimum, reached)
    unreleased = np.isnan(passages["release_h"])
    release = _per_replication(
        passages["replication"], np.where(unreleased, np.inf, passages["release_h"]), np.maximum, reached
    )
    row = np.searchsorted(movement["replication"], reached)
    outcome, end_h_, last_place = (
        movement["outcome"][row].astype(str),
        movement["end_h"][row],
        movement["last_place"][row],
    )
    ended_here = np.isin(outcome, ("refused", "turned_back")) & (last_place.astype(str) == place)
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


def _window(run: _Run, begin_h: float, end_h: float) -> tuple[float, float]:
    return max(begin_h, 0.0), min(end_h, run.horizon_h)


def _deliveries(run: _Run, begin_h: float, end_h: float, cargo: str | None = None) -> dict[str, np.ndarray]:
    """The deliveries (of `cargo`, if named) in [begin_h, end_h)."""

    def inside(frame):
        keep = (frame["time_h"] >= begin_h) & (frame["time_h"] < end_h)
        return keep & (frame["cargo"] == cargo) if cargo else keep

    return run.rows("deliveries", ["replication", "time_h", "cargo", "tonnes"], inside)


def _tonnes_by_replication(run: _Run, begin_h: float, end_h: float, cargo: str | None = None) -> np.ndarray:
    rows = _deliveries(run, begin_h, end_h, cargo)
    return np.bincount(rows["replication"].astype(int), weights=rows["tonnes"], minlength=run.replications)


def _tonnes(observation: dict, run: _Run, begin_h: float, end_h: float) -> tuple:
    """Tonnes delivered over the period (inside the timeline)."""
    tonnes = _tonnes_by_replication(run, begin_h, end_h)
    return tonnes, tonnes, "t"


def _tonnes_per_day(observation: dict, run: _Run, begin_h: float, end_h: float) -> tuple:
    """Tonnes delivered a day over the part of the period inside the timeline."""
    a, b = _window(run, begin_h, end_h)
    rate = _tonnes_by_replication(run, a, b) / ((b - a) / 24.0)
    return rate, rate, "t/day"


def _days_without_delivery(observation: dict, run: _Run, begin_h: float, end_h: float) -> tuple:
    """The days of the period (inside the timeline) on which nothing was delivered."""
    rows = _deliveries(run, begin_h, end_h)
    replications = np.arange(run.replications)
    without = days_without_delivery(
        rows["replication"], rows["time_h"], replications, begin_h, round((end_h - begin_h) / 24.0)
    )
    return without, without, "days"


def _share_of_need(observation: dict, run: _Run, begin_h: float, end_h: float) -> tuple:
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


def _vehicles_per_day(observation: dict, run: _Run, begin_h: float, end_h: float) -> tuple:
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


def _observed(observation: dict, start: str) -> tuple[float, float]:
    """The observed value as an interval on the samples' scale: a date as its day, in days from
    `start`; a number as its `low`-`high` range, or the value itself."""
    if observation["kind"] == "delivery_date":
        begin_h, end_h = period_h(observation, start)
        return begin_h / 24.0, end_h / 24.0
    value, low, high = observation.get("value"), observation.get("low"), observation.get("high")
    return (float(low), float(high)) if low is not None and high is not None else (float(value), float(value))


def _direction_words(kind: str) -> tuple[str, str]:
    """What a run below and a run above the observation did, in a verdict's words."""
    return {
        "delivery_date": ("deliver earlier", "deliver later or never"),
        "hold_days": ("hold it shorter", "hold it longer"),
        "days_without_delivery": ("have fewer such days", "have more such days"),
    }.get(kind, ("give less", "give more"))


def _categorical(outcomes: np.ndarray, observed: str, use: str) -> dict:
    """An observed outcome among the runs' outcomes: the chance of each, and of the observed one."""
    runs = len(outcomes)
    shares = {o: float(np.count_nonzero(outcomes == o) / runs) if runs else None for o in OUTCOMES}
    chance = shares[observed]
    if chance is None:
        return {"runs": 0, "shares": shares, "verdict": "no run gives a value to set it against"}
    extreme = min(1.0, sum(s for s in shares.values() if s <= chance + 1e-12))
    line = (
        f"no run ends {observed.replace('_', ' ')}: outside every one of the {runs:,} runs"
        if chance == 0
        else f"{chance:.1%} of runs end {observed.replace('_', ' ')}"
        + ("" if extreme >= 1.0 - CENTRAL else f"; outcomes as unlikely or less have {extreme:.1%}")
    )
    if use == "calibration":
        line += CALIBRATION_NOTE
    return {
        "runs": runs,
        "shares": shares,
        "percentile": None,
        "probability_at_least_as_extreme": extreme,
        "inside_central": bool(extreme >= 1.0 - CENTRAL),
        "outside_all_runs": bool(chance == 0),
        "verdict": line,
    }
