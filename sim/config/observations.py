"""Which observations of its record a scenario can check, and the rules of naming them.

An observation a scenario names is checked by every run, unless it is not applicable here: about
a disabled movement, or dated outside the scenario's timeline (a scenario extending the baseline
inherits the baseline's observations; one that moves its dates leaves some behind). The rest of
what a scenario says of its observations must hold: the record exists, each name is in it, its
kind can be checked by a run, the movement or checkpoint it is about exists, and what it
calibrates names parameters of the scenario.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sim.config.record import KINDS, RECORD_DIR, Observation, ObservationUse, RecordError, read_record
from sim.config.rules import has_path
from sim.config.scenario import Scenario

# Kinds that total a whole period: only a timeline that holds the whole period can give them.
TOTALS = ("tonnes", "days_without_delivery", "share_of_need")


def observation_problems(s: Scenario, at: str, folder: Path = RECORD_DIR) -> Iterator[str]:
    """The rules of a scenario's `record` and `observations`; `at` is the key it sits under."""
    if s.record is None:
        if s.observations:
            yield f"{at}.observations: names observations but no record (set {at}.record)"
        return
    try:
        record = read_record(s.record, folder)
    except RecordError as error:
        yield from (f"{at}.record: {p}" for p in error.problems)
        return
    for name, use in s.observations.items():
        where = f"{at}.observations.{name}"
        if name not in record:
            yield f"{where}: record {s.record} has no observation {name} (it has: {', '.join(record)})"
            continue
        observation = record[name]
        _, about, _ = KINDS[observation.kind]
        if observation.kind == "not_modelled":
            yield f"{where}: the record marks it not_modelled ({observation.description}): no run can check it"
        elif about == "movement" and use.movement not in s.movements:
            yield f"{where}.movement={use.movement}: a {observation.kind} needs a movement (not a flow) here"
        elif about == "checkpoint" and use.checkpoint not in s.checkpoints:
            yield f"{where}.checkpoint={use.checkpoint}: a {observation.kind} needs a checkpoint of this scenario"
        elif observation.kind == "hold_days" and _hold_place(s, use) is None:
            yield f"{where}.place: movement {use.movement} has no hold; name the place it was held at"
        elif observation.kind == "share_of_need" and (s.needs is None or use.cargo not in s.needs.kg_per_person_day):
            cargos = ", ".join(s.needs.kg_per_person_day) if s.needs else "none: the scenario has no needs"
            yield f"{where}.cargo={use.cargo}: a share_of_need needs a cargo of needs.kg_per_person_day ({cargos})"
        for key in use.calibrates:
            if not has_path(s, key.split(".")):
                yield f"{where}.calibrates: {key} names no parameter of this scenario"


def checked(s: Scenario, folder: Path = RECORD_DIR) -> tuple[list[tuple[Observation, dict]], list[dict]]:
    """The observations a run of `s` checks, each with how the scenario uses it (plain data:
    movement, checkpoint, place, calibrates), and those not applicable here, with why. Call on a
    valid scenario."""
    if s.record is None:
        return [], []
    record = read_record(s.record, folder)
    found, skipped = [], []
    horizon_h = s.horizon_days * 24.0
    for name, use in s.observations.items():
        observation = record[name]
        why = _why_not_applicable(s, observation, use, horizon_h)
        if why:
            skipped.append({"name": name, "description": observation.description, "why": why})
            continue
        plain = {
            "movement": use.movement,
            "checkpoint": use.checkpoint,
            "place": _hold_place(s, use),
            "cargo": use.cargo,
        }
        found.append((observation, {**plain, "calibrates": list(use.calibrates)}))
    return found, skipped


def _why_not_applicable(s: Scenario, observation: Observation, use: ObservationUse, horizon_h: float) -> str | None:
    if not use.enabled:
        return "disabled in this scenario"
    entry = {**s.movements, **s.flows}.get(use.movement) if use.movement else None
    if entry is not None and not entry.enabled:
        return f"movement {use.movement} is disabled in this scenario"
    begin_h, end_h = observation.period_h(s.start)
    if end_h <= 0 or begin_h >= horizon_h:
        return f"dated outside this scenario's timeline ({s.start[:10]}, {s.horizon_days:g} days)"
    if observation.kind == "vehicles_per_day" and (begin_h > 0 or end_h < horizon_h):
        return "a checkpoint's count covers the whole run; this scenario's timeline is not inside the period"
    if observation.kind in TOTALS and (begin_h < 0 or end_h > horizon_h):
        return f"a total over {observation.start} - {observation.end}, a period not inside this scenario's timeline"
    return None


def _hold_place(s: Scenario, use: ObservationUse) -> str | None:
    """Where a hold_days observation's movement was held: as named, or its hold's place."""
    if use.place:
        return use.place
    entry = {**s.movements, **s.flows}.get(use.movement)
    hold = getattr(entry, "hold", None)
    return hold.place if hold is not None else None
