"""A sweep's summary: one table across all jobs (`summary.csv`), the long table of every
replication (`replications.csv`) and the sweep report, read back from the jobs' folders: written
when a sweep ends, and again by `python -m sim.report <sweep folder>` (from the same folders, the
same bytes), e.g. while or after a SLURM sweep runs without the shell that launched it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from sim.analysis.formatting import plural
from sim.analysis.runs import movement_metrics
from sim.analysis.sweep_report import write_sweep_report
from sim.results import layout
from sim.results.columns import SUMMARY_COLUMNS
from sim.results.files import read_json, read_table, write_table
from sim.results.records import OUTCOMES, Table
from sim.results.status import read_status
from sim.results.sweep import job_folders, job_overrides

# Columns of the movements table that count (replications, trucks, reroutes): integers again in
# replications.csv, as the run wrote them (read_table gives every number as a float).
COUNTS = ("replication", "trucks", "reroutes", *(f"{o}_trucks" for o in OUTCOMES))


def summarise_sweep(sweep: Path) -> tuple[list[dict], Table | None]:
    """One row per job and movement (one row for a job without results), and the long table of
    every finished job's per-replication movement results, with a `job` column, then the job's
    value of each swept key (as summary.csv has them), then the movements table's columns."""
    rows: list[dict] = []
    long_parts: list[tuple[dict, Table]] = []
    for job in job_folders(sweep):
        overrides = job_overrides(job)
        swept = dict(o.split("=", 1) for o in overrides if "=" in o)
        status = read_status(job)
        base: dict[str, Any] = {"job": int(job.name), "status": status, "overrides": " ".join(overrides)}
        base["error"] = (
            (job / layout.ERROR).read_text(encoding="utf-8").strip() if (job / layout.ERROR).exists() else ""
        )
        if status != "complete":
            if not base["error"]:
                base["error"] = f"job did not finish (status: {status})"
            rows.append({**dict.fromkeys(SUMMARY_COLUMNS, ""), **base, **swept})
            continue
        summary = read_json(job / layout.SUMMARY)
        for key, m in summary["movements"].items():
            rows.append({**swept, **base, "movement": key, **movement_metrics(m)})
        movements = read_table(layout.table_path(job, "movements"))
        for column in COUNTS:
            if column in movements:
                movements[column] = movements[column].astype(np.int64)
        long_parts.append((swept, {"job": np.full(len(movements["replication"]), int(job.name)), **movements}))
    swept_keys = list(dict.fromkeys(k for row in rows for k in row if k not in SUMMARY_COLUMNS))
    rows = [{c: _cell(row.get(c, "")) for c in (*SUMMARY_COLUMNS, *swept_keys)} for row in rows]
    if not long_parts:
        return rows, None
    parts = [_with_swept(part, swept, swept_keys) for swept, part in long_parts]
    return rows, {c: np.concatenate([part[c] for part in parts]) for c in parts[0]}


def _with_swept(part: Table, swept: dict, keys: list[str]) -> Table:
    """A job's rows of replications.csv: its job number, its value of each swept key, its movements."""
    n = len(part["job"])
    values = {k: np.full(n, swept.get(k, ""), dtype=object) for k in keys if k not in part}
    return {"job": part["job"], **values, **{c: v for c, v in part.items() if c != "job"}}


def _cell(value: Any) -> Any:
    return "" if value is None else value


def write_sweep_summary(sweep: Path) -> list[dict]:
    """Write summary.csv, replications.csv and sweep_report.html into the sweep folder."""
    rows, long_table = summarise_sweep(sweep)
    if rows:
        write_table(sweep / layout.SWEEP_SUMMARY, rows)
    if long_table is not None:
        write_table(sweep / layout.SWEEP_REPLICATIONS, long_table)
    write_sweep_report(sweep)
    return rows


def unfinished_jobs(rows: list[dict]) -> dict[str, str]:
    """The jobs of a sweep's summary rows that did not complete, by job number, with their status
    (failed, interrupted, running, or missing before a job has started)."""
    return {str(r["job"]): r["status"] for r in rows if r["status"] != "complete"}


def outcome(rows: list[dict]) -> str:
    """One line on a sweep's jobs: how many complete, and which did not, by status."""
    by_status: dict[str, list[str]] = {}
    for job, status in unfinished_jobs(rows).items():
        by_status.setdefault(status, []).append(job)
    complete = len({r["job"] for r in rows}) - sum(map(len, by_status.values()))
    said = [f"{complete} job{plural(complete)} complete"]
    said += [f"{len(jobs)} {status} (job{plural(len(jobs))} {', '.join(jobs)})" for status, jobs in by_status.items()]
    return f"Sweep: {', '.join(said)}."
