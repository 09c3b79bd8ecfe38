"""Sweeps on the launchers a researcher moves to: joblib on one machine, submitit (here its local
executor, the same code path as SLURM) on a cluster. Slow: each starts several processes."""

from __future__ import annotations

import csv
import json

import pytest
from conftest import run_sim


@pytest.mark.slow
@pytest.mark.parametrize(
    "launcher, plugin",
    [("joblib", "hydra_plugins.hydra_joblib_launcher"), ("submitit_local", "hydra_plugins.hydra_submitit_launcher")],
)
def test_a_sweep_runs_on_the_launcher_and_is_aggregated(tmp_path, launcher, plugin):
    pytest.importorskip(plugin, reason=f"pip install -e '.[{'parallel' if launcher == 'joblib' else 'cluster'}]'")
    sweep = tmp_path / "sweep"
    done = run_sim(
        "-m",
        f"hydra/launcher={launcher}",
        "scenario.checkpoints.hakari.lanes=1,2",
        "replications=30",
        f"hydra.sweep.dir={sweep}",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    with (sweep / "summary.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert {r["job"] for r in rows} == {"0", "1"} and {r["status"] for r in rows} == {"complete"}
    assert {r["scenario.checkpoints.hakari.lanes"] for r in rows} == {"1", "2"}
    assert (sweep / "sweep_report.html").exists()
    # Inside a launcher's job `workers=auto` means one process: the launcher owns the cores.
    assert all(json.loads((sweep / job / "provenance.json").read_text())["workers"] == 1 for job in ("0", "1"))
