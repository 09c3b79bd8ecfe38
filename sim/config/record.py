"""The record: what was observed in a real period, as data a run checks itself against.

A record file (`scenarios/records/<name>.yaml`, one per setting) lists observations, each with
its kind, value (or range), date or period, unit, source and confidence. A scenario names its
record (`record:`) and, under `observations:`, which of them it should reproduce: about which
movement or checkpoint, and whether the observation was used to calibrate parameters
(`calibrates:`, their keys) or is held out for validation (`calibrates: []`). Read with PyYAML:
a record is data beside the scenarios, not a Hydra config.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import yaml

from sim.config.shipped import shipped

RECORD_DIR = shipped("scenarios") / "records"

# kind -> (the unit its value is in, what it is about: "movement", "checkpoint" or None for the
# whole scenario; whether it is dated by one `date` or a `period`)
KINDS = {
    "delivery_date": ("date", "movement", "date"),
    "outcome": ("outcome", "movement", "date"),
    "hold_days": ("days", "movement", "period"),
    "tonnes": ("t", None, "period"),
    "tonnes_per_day": ("t/day", None, "period"),
    "vehicles_per_day": ("vehicles/day", "checkpoint", "period"),
    "days_without_delivery": ("days", None, "period"),
    "share_of_need": ("share", None, "period"),
    "not_modelled": (None, None, None),  # recorded for the reader; no run can check it
}
OUTCOMES = ("delivered", "refused", "turned_back", "not_delivered")
CONFIDENCES = ("H", "M", "L", "A")
FIELDS = {"kind", "description", "value", "low", "high", "date", "start", "end", "unit", "source", "confidence", "note"}


@dataclass(frozen=True)
class Observation:
    """One thing that happened, as the record states it."""

    name: str
    kind: str
    description: str
    unit: str
    source: str
    confidence: str
    value: float | str | None = None  # a number, a date (delivery_date) or an outcome
    low: float | None = None  # a range instead of one value
    high: float | None = None
    date: str | None = None
    start: str | None = None  # a period: from `start` to `end` (dates, end included)
    end: str | None = None
    note: str = ""

    def period_h(self, scenario_start: str) -> tuple[float, float]:
        """The observation's period (or its date's day) in hours from `scenario_start`."""
        first, last = (self.date, self.date) if self.kind in ("delivery_date", "outcome") else (self.start, self.end)
        origin = datetime.fromisoformat(scenario_start)
        begin = datetime.fromisoformat(first) - origin
        finish = datetime.fromisoformat(last) + timedelta(days=1) - origin
        return begin.total_seconds() / 3600.0, finish.total_seconds() / 3600.0


@dataclass
class ObservationUse:
    """How a scenario uses one observation of its record."""

    movement: str | None = None  # what it is about, for a movement's observation (a key of movements)
    checkpoint: str | None = None  # ... or a checkpoint's (a key of checkpoints)
    place: str | None = None  # hold_days: where the movement was held (default: its hold's place)
    cargo: str | None = None  # share_of_need: the cargo whose need it is (a key of needs.kg_per_person_day)
    calibrates: list[str] = field(default_factory=list)  # parameter keys set from it; empty: held out
    enabled: bool = True


def read_record(name: str, folder: Path = RECORD_DIR) -> dict[str, Observation]:
    """The observations of record `name`, by name; RecordError listing every problem of the file."""
    path = folder / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in folder.glob("*.yaml"))
        raise RecordError([f"record={name}: no such record (known: {', '.join(known) or 'none'})"])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise RecordError([f"record {name}: not valid YAML ({error})"]) from None
    entries = (data or {}).get("observations") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise RecordError([f"record {name}: needs a mapping `observations:` of named observations"])
    problems = [p for key, entry in entries.items() for p in observation_problems(f"record {name}.{key}", entry)]
    if problems:
        raise RecordError(problems)
    return {key: Observation(name=key, **{k: _plain(v) for k, v in entry.items()}) for key, entry in entries.items()}


class RecordError(ValueError):
    """A record file that cannot be used: every problem found, one line each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def observation_problems(where: str, entry: object) -> Iterator[str]:
    """The rules of one observation in a record file."""
    if not isinstance(entry, dict):
        yield f"{where}: must be a mapping of kind, description, value, unit, source, confidence ..."
        return
    unknown = sorted(set(entry) - FIELDS)
    if unknown:
        yield f"{where}: unknown field(s) {', '.join(unknown)} (allowed: {', '.join(sorted(FIELDS))})"
    for required in ("kind", "description", "unit", "source", "confidence"):
        if not entry.get(required):
            yield f"{where}.{required}: is required"
    kind = entry.get("kind")
    if kind not in KINDS:
        yield f"{where}.kind={kind}: must be one of {', '.join(KINDS)}"
        return
    unit, _, dated = KINDS[kind]
    if unit is not None and entry.get("unit") and entry["unit"] != unit:
        yield f"{where}.unit={entry['unit']}: a {kind} is in {unit}"
    source = str(entry.get("source", ""))
    if source and not (source.startswith(("http://", "https://")) or source == "ASSUMPTION"):
        yield f"{where}.source={source}: must be a URL (http:// or https://) or ASSUMPTION"
    if entry.get("confidence") and entry["confidence"] not in CONFIDENCES:
        yield f"{where}.confidence={entry['confidence']}: must be one of {', '.join(CONFIDENCES)}"
    yield from _value_problems(where, kind, entry)
    for date_field in ("date",) if dated == "date" else ("start", "end") if dated == "period" else ():
        value = entry.get(date_field)
        if not _is_date(value):
            yield f"{where}.{date_field}={value}: a {kind} needs a {date_field}, an ISO date such as 2023-09-12"


def _value_problems(where: str, kind: str, entry: dict) -> Iterator[str]:
    value, low, high = entry.get("value"), entry.get("low"), entry.get("high")
    if kind == "delivery_date":
        if not _is_date(value):
            yield f"{where}.value={value}: a delivery_date is an ISO date such as 2023-09-12"
    elif kind == "outcome":
        if value not in OUTCOMES:
            yield f"{where}.value={value}: an outcome is one of {', '.join(OUTCOMES)}"
    elif kind != "not_modelled" or value is not None or low is not None:
        if value is None and (low is None or high is None):
            yield f"{where}: needs a value, or a range low and high"
        numbers = [x for x in (value, low, high) if x is not None]
        if any(not isinstance(x, int | float) or isinstance(x, bool) or not math.isfinite(x) for x in numbers):
            yield f"{where}: value, low and high must be finite numbers"
        elif low is not None and high is not None and not low <= (value if value is not None else low) <= high:
            yield f"{where}: needs low <= value <= high (got {low}, {value}, {high})"


def _is_date(value: object) -> bool:
    try:
        datetime.fromisoformat(str(value))
    except ValueError:
        return False
    return value is not None


def _plain(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value  # YAML reads 2023-09-12 as a date
