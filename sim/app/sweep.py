"""Aggregation of a sweep (`python -m sim -m ...`): one table across all jobs, written when the
sweep ends.

Hydra calls `on_multirun_end` in the process that launched the sweep, whichever launcher ran the
jobs, so everything here is read back from the jobs' folders, never from memory. A job that
failed is listed with its error; the sweep's command then exits non-zero (see `sim.app.cli`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from sim.analysis.sweep_summary import write_sweep_summary

_failed: list[str] = []  # failed job numbers (or an unsummarised sweep folder), in the launching process


def failed_jobs() -> list[str]:
    """What failed in this sweep so far: job numbers, or the sweep folder if it could not be summarised."""
    return list(_failed)


class SweepCallback(Callback):
    """Writes the sweep's summary when all its jobs have run."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """After the last job: the sweep's summary and report, and the jobs that failed."""
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
