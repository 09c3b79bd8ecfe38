"""One run of a scenario, from a validated config to a complete results folder.

The order of writing is the promise: `status.json` says "running" first and "complete" last, so a
folder left by a crash or Ctrl-C never looks finished.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from sim.analysis.card import CARD_COLUMNS, scenario_card
from sim.analysis.statistics import summarise
from sim.model.plan import clock_h
from sim.provenance import provenance
from sim.results import write_json, write_status, write_table, write_text
from sim.schema import RunConfig
from sim.simulation import simulate


def execute(run: RunConfig, folder: Path, scenario_name: str, config_yaml: str, overridden: list[str] = ()) -> dict:
    """Simulate `run` and write every result file into `folder`; returns the summary."""
    from sim.analysis.report import write_report  # matplotlib loads only when a run gets this far

    started, clock = _now(), time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    write_status(folder, "running", started=started)
    try:
        write_text(folder / "config.yaml", config_yaml)
        records = simulate(run.scenario, run.seed, run.replications)
        s = run.scenario
        needs = None if s.needs is None else {"population": s.needs.population,
                                              "kg_per_person_day": dict(s.needs.kg_per_person_day)}  # fmt: skip
        deadlines_h = {
            key: clock_h(s, m.deadline) - clock_h(s, m.departure)
            for key, m in s.movements.items()
            if m.enabled and m.deadline
        }
        summary = {
            "scenario": scenario_name,
            "title": s.title,
            "description": s.description,
            "start": s.start,
            "seed": run.seed,
            **summarise(records, needs, deadlines_h),
            "places": {key: place.name for key, place in s.places.items()},
        }
        for key, movement in [*s.movements.items(), *s.flows.items()]:
            if movement.enabled:
                summary["movements"][key] = {"name": movement.name, **summary["movements"][key]}
        write_table(folder / "movements.csv", records.movements)
        write_table(folder / "passages.csv", records.passages)
        write_table(folder / "checkpoints.csv", records.checkpoints)
        write_table(folder / "deliveries.csv", records.deliveries)
        write_json(folder / "summary.json", summary)
        card = scenario_card(s, overridden)
        write_table(folder / "scenario_card.csv", card or [dict.fromkeys(CARD_COLUMNS, "")])
        write_json(folder / "provenance.json", provenance(started, _now(), time.perf_counter() - clock, run.seed))
        write_report(folder)
    except KeyboardInterrupt:
        write_status(folder, "interrupted", started=started, ended=_now())
        raise
    except BaseException as error:
        write_status(folder, "failed", started=started, ended=_now(), error=f"{type(error).__name__}: {error}")
        raise
    write_status(folder, "complete", started=started, ended=_now())
    return summary


def _now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")
