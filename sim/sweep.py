"""Aggregation of a sweep (`python -m sim -m ...`): one table across all jobs, written when the
sweep ends.

Hydra calls `on_multirun_end` in the process that launched the sweep, whichever launcher ran the
jobs, so everything here is read back from the jobs' folders, never from memory. A job that
failed is listed with its error; the sweep's command then exits non-zero (see `sim.cli`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from sim.analysis.sweep_report import movement_metrics
from sim.records import Table
from sim.results import read_json, read_status, read_table, write_table

_failed: list[str] = []  # job folders that failed, in the launching process

SUMMARY_COLUMNS = (
    "job", "status", "overrides", "error", "movement", "replications",
    "delivery_probability", "delivery_probability_low", "delivery_probability_high",
    "mean_delivery_time_h", "mean_delivery_time_h_low", "mean_delivery_time_h_high",
    "median_delivery_time_h", "p90_delivery_time_h", "p95_delivery_time_h", "mean_closure_wait_h",
)  # fmt: skip


def failed_jobs() -> list[str]:
    return list(_failed)


def job_folders(sweep: Path) -> list[Path]:
    """The job folders of a sweep, in job order (numerically: 2 before 10)."""
    return sorted((p for p in sweep.iterdir() if p.is_dir() and p.name.isdigit()), key=lambda p: int(p.name))


def job_overrides(job: Path) -> list[str]:
    path = job / ".hydra" / "overrides.yaml"
    return list(OmegaConf.load(path)) if path.exists() else []


def summarise_sweep(sweep: Path) -> tuple[list[dict], Table | None]:
    """One row per job and movement (one row for a job without results), and the long table of
    every finished job's per-replication movement results, with a `job` column."""
    rows: list[dict] = []
    long_parts: list[Table] = []
    for job in job_folders(sweep):
        overrides = job_overrides(job)
        swept = dict(o.split("=", 1) for o in overrides if "=" in o)
        status = read_status(job)
        base: dict[str, Any] = {"job": int(job.name), "status": status, "overrides": " ".join(overrides)}
        base["error"] = (job / "error.txt").read_text(encoding="utf-8").strip() if (job / "error.txt").exists() else ""
        if status != "complete":
            if not base["error"]:
                base["error"] = f"job did not finish (status: {status})"
            rows.append({**dict.fromkeys(SUMMARY_COLUMNS, ""), **base, **swept})
            continue
        summary = read_json(job / "summary.json")
        for key, m in summary["movements"].items():
            rows.append({**swept, **base, "movement": key, **movement_metrics(m)})
        movements = read_table(job / "movements.csv")
        n = len(movements["replication"])
        long_parts.append({"job": np.full(n, int(job.name)), **movements})
    swept_keys = list(dict.fromkeys(k for row in rows for k in row if k not in SUMMARY_COLUMNS))
    rows = [{c: _cell(row.get(c, "")) for c in (*SUMMARY_COLUMNS, *swept_keys)} for row in rows]
    if not long_parts:
        return rows, None
    return rows, {c: np.concatenate([part[c] for part in long_parts]) for c in long_parts[0]}


def _cell(value: Any) -> Any:
    return "" if value is None else value


def write_sweep_summary(sweep: Path) -> list[dict]:
    """Write summary.csv, replications.csv and sweep_report.html into the sweep folder."""
    from sim.analysis.sweep_report import write_sweep_report

    rows, long_table = summarise_sweep(sweep)
    if rows:
        write_table(sweep / "summary.csv", rows)
    if long_table is not None:
        write_table(sweep / "replications.csv", long_table)
    write_sweep_report(sweep)
    return rows


class SweepCallback(Callback):
    """Writes the sweep's summary when all its jobs have run."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep = Path(config.hydra.sweep.dir)
        if not sweep.is_dir():
            return
        try:
            rows = write_sweep_summary(sweep)
        except Exception as error:  # Hydra would swallow it: say it, and fail the command
            print(f"Could not summarise the sweep in {sweep}: {type(error).__name__}: {error}", file=sys.stderr)
            _failed.append(str(sweep))
            return
        failed = sorted({str(r["job"]) for r in rows if r["status"] != "complete"}, key=int)
        _failed.extend(failed)
        done = len({r["job"] for r in rows}) - len(failed)
        which = f" (jobs {', '.join(failed)})" if failed else ""
        print(f"\nSweep: {done} jobs complete, {len(failed)} failed{which}.")
        print(f"Summary: {sweep / 'summary.csv'}\nReport: {sweep / 'sweep_report.html'}")
