"""One run of a scenario, from a validated config to a complete results folder.

The order of writing is the promise: `status.json` says "running" first and "complete" last, so a
folder left by a crash or Ctrl-C never looks finished.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path

from sim.analysis.report_figures import figures_drawn
from sim.analysis.statistics import READS, summarise
from sim.app.heap import give_back_freed_memory
from sim.config.card import CARD_COLUMNS, scenario_card
from sim.config.clock import clock_h
from sim.config.observations import checked
from sim.config.plain import scenario_data
from sim.config.scenario import Precision, PrecisionMetric, RunConfig, Scenario, TableFormat
from sim.results import layout
from sim.results.columns import TABLE_COLUMNS
from sim.results.files import parquet_file, table_file, write_json, write_table, write_text
from sim.results.kept import KEPT_TABLES, Kept
from sim.results.provenance import provenance
from sim.results.records import Records
from sim.results.status import now, recording
from sim.simulate.progress import Progress
from sim.simulate.replications import trace_tables
from sim.simulate.workers import simulate_written


def execute(
    run: RunConfig,
    folder: Path,
    scenario_name: str,
    config_yaml: str,
    overridden: list[str] = (),
    workers: int = 1,
    progress: Progress | None = None,
) -> dict:
    """Simulate `run` on `workers` processes and write every result file into `folder`; returns
    the summary. `overridden`: the keys inside the scenario that the command line changed;
    `progress`: the command's line, told each phase and closed here."""
    clock = time.perf_counter()
    with ExitStack() as stack, recording(folder) as started:
        if progress:
            stack.callback(progress.close)  # cleared also when the run stops, before its message
        write_text(folder / layout.CONFIG, config_yaml)
        computed, precision = _replicate(run, folder, workers, progress)
        give_back_freed_memory()  # the kept columns, before the check against the record reads the tables
        summary = _summary(run, scenario_name, computed, precision)
        if progress:
            progress.phase("tables")
        s = run.scenario
        # Every truck at every checkpoint in the first replication, for the report's timeline
        # (replications are exchangeable: the first is as typical as any), and every other
        # vehicle, for the warm-up's check (sim.analysis.warmup).
        trace = trace_tables(s, run.seed, 0)
        write_table(folder / layout.TIMELINE, trace.trucks)
        write_table(folder / layout.OTHER_TRAFFIC, trace.other_traffic)
        write_table(folder / layout.CLOSED, trace.closed)
        write_json(folder / layout.SUMMARY, summary)
        # From here on the run's processes check it against the record and draw the report's
        # figures (the one against the record once the check is done) beside this one.
        drawing = stack.enter_context(figures_drawn(folder, summary, processes=workers))
        write_json(folder / layout.VALIDATION, drawing.compute(against_record, s, folder))
        give_back_freed_memory()  # the rows the check read, before the report reads its own
        scenario = {"name": scenario_name, "overridden": list(overridden), "scenario": scenario_data(s)}
        write_json(folder / layout.SCENARIO, scenario)
        card = scenario_card(s, overridden)
        write_table(folder / layout.CARD, card or [dict.fromkeys(CARD_COLUMNS, "")])
        run_time_s = time.perf_counter() - clock
        write_json(folder / layout.PROVENANCE, provenance(started, now(), run_time_s, run.seed, workers))
        if progress:
            progress.phase("report")
        # Loaded only now: matplotlib and the report's other libraries take about 95 MB, which
        # would otherwise add to the peak of the statistics and the check against the record.
        from sim.analysis.report import write_report

        write_report(folder, drawing=drawing)
    return summary


def _replicate(run: RunConfig, folder: Path, workers: int, progress: Progress | None) -> tuple[dict, dict | None]:
    """Simulate the run's replications, writing the tables into `folder` as they come; the
    statistics, and what `replications=auto` achieved (None for a fixed number)."""
    s = run.scenario
    inputs = summary_inputs(s)

    def statistics(records: Records) -> dict:
        return summarise(records, **inputs)

    # The tables go to their files as the replications come, their CSV rows made where they were
    # simulated (Parquet's from the columns, here); only a compact copy of what the statistics
    # read is kept, so that a long run does not hold every row.
    parquet = run.tables.format is TableFormat.parquet
    names, opened = (layout.PARQUET_TABLES, parquet_file) if parquet else (layout.TABLES, table_file)
    # An earlier run's tables left in this folder (in the other format, or passages) would be read as this run's.
    for stale in (*layout.TABLES.values(), *layout.PARQUET_TABLES.values()):
        (folder / stale).unlink(missing_ok=True)
    with ExitStack() as files:
        writers = {
            name: files.enter_context(opened(folder / names[name], columns))
            for name, columns in TABLE_COLUMNS.items()
            if name != "passages" or run.tables.passages
        }

        kept = Kept(READS)

        def replicate(count: int, first: int) -> Records:
            written, keep = tuple(writers), KEPT_TABLES
            if parquet:  # the columns come back, not CSV rows
                written, keep = (), tuple(dict.fromkeys((*KEPT_TABLES, *writers)))
            for piece in simulate_written(s, run.seed, count, workers, first, progress, written, keep):
                for name, writer in writers.items():
                    if parquet:
                        writer.write(getattr(piece.records, name))
                    else:
                        writer.write_text(piece.rows[name])
                kept.add(piece.records)
            give_back_freed_memory()  # the pieces' arrays, before the statistics' own peak
            return kept.records()

        if run.replications == "auto":
            return replicate_to_precision(run.precision, statistics, replicate, progress)
        # The records are not kept beyond the statistics: the report reads the files.
        return statistics(replicate(run.replications, 0)), None


def against_record(s: Scenario, folder: Path) -> dict:
    """validation.json: the run in `folder` checked against the observations its scenario names."""
    from sim.analysis.validation import validate

    found, not_applicable = checked(s)
    observations = [{**asdict(observation), **use} for observation, use in found]
    return validate(folder, s.record, observations, not_applicable)


def summary_inputs(s: Scenario) -> dict:
    """What `summarise` needs to know of the scenario besides the records, as its keyword
    arguments: needs (population, rations, changes in clock hours), deadlines in hours after each
    movement's departure, cargo that loses value, and the warm-up in hours."""
    needs = None
    if s.needs is not None:
        needs = {
            "population": s.needs.population,
            "kg_per_person_day": dict(s.needs.kg_per_person_day),
            "changes_h": [
                [clock_h(s.start, c.start), clock_h(s.start, c.end), c.population] for c in s.needs.changes.values()
            ],
        }
    deadlines_h = {
        key: clock_h(s.start, m.deadline) - clock_h(s.start, m.departure)
        for key, m in s.movements.items()
        if m.enabled and m.deadline
    }

    cargo_types = {
        name: {"shelf_life_days": c.shelf_life_days, "loss_per_day": c.loss_per_day}
        for name, c in s.cargo_types.items()
    }

    return {"needs": needs, "deadlines_h": deadlines_h, "cargo_types": cargo_types, "warmup_h": s.warmup_days * 24.0}


def _summary(run: RunConfig, scenario_name: str, computed: dict, precision: dict | None) -> dict:
    """summary.json: the statistics, with what names the run and its movements."""
    s = run.scenario
    summary = {
        "scenario": scenario_name,
        "title": s.title,
        "description": s.description,
        "start": s.start,
        "seed": run.seed,
        **computed,
        "places": {key: place.name for key, place in s.places.items()},
    }
    if precision is not None:
        summary["precision"] = precision
    for key, movement in [*s.movements.items(), *s.flows.items()]:
        if movement.enabled:
            summary["movements"][key] = {"name": movement.name, **summary["movements"][key]}
    return summary


def replicate_to_precision(
    p: Precision,
    statistics: Callable[[Records], dict],
    replicate: Callable[[int, int], Records],
    progress: Progress | None = None,
) -> tuple[dict, dict]:
    """Replicate in batches of `p.batch` (`replicate(count, first)`: the records of every batch
    so far, each batch kept after those before, never re-joined) until every
    chosen movement's interval for the chosen metric is within the target half-width (absolute
    for a chance, relative for a mean time), or `p.max_replications` is reached. `progress` is
    told the precision reached after each batch."""
    relative = p.metric is PrecisionMetric.mean_delivery_time_h
    target = p.relative_half_width if relative else p.half_width
    done = 0
    while True:
        summary = statistics(replicate(p.batch, done))
        done += p.batch
        achieved, widest = half_width(summary, p.metric.value, p.movements or list(summary["movements"]), relative)
        if progress:
            progress.note(precision_note(achieved, target, relative))
        if achieved <= target or done + p.batch > p.max_replications:
            break
    precision = {
        "metric": p.metric.value,
        "relative": relative,
        "target_half_width": target,
        "achieved_half_width": float(achieved) if math.isfinite(achieved) else None,
        "widest": widest,
        "movements": list(p.movements),
        "met": bool(achieved <= target),
        "replications": done,
        "batch": p.batch,
        "max_replications": p.max_replications,
    }
    return summary, precision


def precision_note(achieved: float, target: float, relative: bool) -> str:
    """How precise the answer is so far, for the progress line: "±0.031 of ±0.02" (a chance's
    half-width), "±4.1% of ±5%" (a mean time's, over the estimate)."""
    wanted = f"±{target * 100:g}%" if relative else f"±{target:g}"
    if not math.isfinite(achieved):
        return f"precision not known yet, target {wanted}"
    return f"±{achieved:.1%} of {wanted}" if relative else f"±{achieved:.3f} of {wanted}"


def half_width(summary: dict, metric: str, movements: list[str], relative: bool) -> tuple[float, str | None]:
    """The widest half-width of `metric`'s interval among `movements` (over the estimate if
    `relative`), and the movement that has it; inf if some interval is unknown."""
    widest, at = 0.0, None
    for key in movements:
        interval = summary["movements"][key][metric]
        if interval["low"] is None or (relative and not interval["estimate"]):
            return math.inf, key
        half = (interval["high"] - interval["low"]) / 2 / (abs(interval["estimate"]) if relative else 1.0)
        if half > widest or at is None:
            widest, at = half, key
    return widest, at
