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

The values per replication come from `sim.analysis.validation_samples`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from sim.analysis.validation_samples import SAMPLERS, MissingTable, Run
from sim.results import layout
from sim.results.files import read_json

CENTRAL = 0.90  # the central share of runs an observation is checked to lie in
QUANTILES = np.linspace(0.0, 1.0, 101)  # the simulated distribution as validation.json keeps it
OUTCOMES = ("delivered", "refused", "turned_back", "not_delivered")
CALIBRATION_NOTE = "; a calibration target, so agreement is built in, not evidence"


def validate(folder: Path, record: str | None, observations: list[dict], not_applicable: list[dict]) -> dict:
    """validation.json's content for the run in `folder`: each observation of `observations`
    (plain data: the record's fields, and how the scenario uses it: movement, checkpoint, place,
    cargo, calibrates) checked against the run's tables, and `not_applicable` (name, description,
    why) as given."""
    summary = read_json(folder / layout.SUMMARY)
    run = Run(folder, summary, observations)
    checked = [check(observation, run) for observation in observations]
    return {
        "record": record,
        "replications": run.replications,
        "central_share": CENTRAL,
        "observations": checked,
        "not_applicable": not_applicable,
    }


def check(observation: dict, run: Run) -> dict:
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
