"""Sweeps on the launchers a researcher moves to: joblib on one machine, submitit (here its local
executor, the same code path as SLURM) on a cluster, and how many workers a job's run starts. The
sweeps are slow: each starts several processes."""

from __future__ import annotations

import csv
import json

import pytest
from conftest import run_sim

from sim.config import cores
from sim.config.cores import PARALLEL_FROM, auto_workers


@pytest.fixture
def machine(monkeypatch):
    """A machine of 16 cores, outside SLURM: the test sets the job's environment itself."""
    monkeypatch.setattr(cores, "available_cores", lambda: 16)
    for name in ("SUBMITIT_EXECUTOR", "SLURM_CPUS_PER_TASK"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_auto_workers_alone_use_every_core_for_a_large_run_only(machine):
    assert auto_workers("auto", in_sweep=False) == 16
    assert auto_workers(PARALLEL_FROM, in_sweep=False) == 16
    assert auto_workers(PARALLEL_FROM - 1, in_sweep=False) == 1


def test_auto_workers_in_a_sweep_job_on_one_machine_leave_the_cores_to_the_launcher(machine):
    assert auto_workers("auto", in_sweep=True) == 1
    machine.setenv("SUBMITIT_EXECUTOR", "local")  # submitit_local: jobs side by side on this machine
    machine.setenv("SLURM_CPUS_PER_TASK", "4")
    assert auto_workers("auto", in_sweep=True) == 1


def test_auto_workers_in_a_slurm_job_follow_its_cpu_allocation(machine):
    machine.setenv("SUBMITIT_EXECUTOR", "slurm")
    machine.setenv("SLURM_CPUS_PER_TASK", "4")
    assert auto_workers("auto", in_sweep=True) == 4
    assert auto_workers(20_000, in_sweep=True) == 4
    assert auto_workers(500, in_sweep=True) == 1  # small runs stay in one process, as everywhere
    machine.setenv("SLURM_CPUS_PER_TASK", "64")  # never more than the cores the job may run on
    assert auto_workers("auto", in_sweep=True) == 16
    for unusable in ("", "0", "four"):  # no --cpus-per-task, or nonsense: the launcher's rule
        machine.setenv("SLURM_CPUS_PER_TASK", unusable)
        assert auto_workers("auto", in_sweep=True) == 1


def test_a_shell_inside_a_slurm_allocation_is_not_a_job_of_its_own(machine):
    # `salloc -c 16` then a joblib sweep: the jobs share those CPUs, so each keeps to one.
    machine.setenv("SLURM_CPUS_PER_TASK", "16")
    assert auto_workers("auto", in_sweep=True) == 1
    assert auto_workers("auto", in_sweep=False) == 16


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


def test_the_slurm_launcher_off_a_cluster_is_one_clear_line_and_leaves_no_folder(tmp_path):
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher", reason="pip install -e '.[cluster]'")
    (tmp_path / "bin").mkdir()  # PATH: no sbatch, no srun
    sweep = tmp_path / "sweep"
    done = run_sim(
        "-m",
        "hydra/launcher=submitit_slurm",
        "scenario.checkpoints.hakari.lanes=1,2",
        f"hydra.sweep.dir={sweep}",
        cwd=tmp_path,
        env={"PATH": str(tmp_path / "bin")},
    )
    assert done.returncode == 1
    assert done.stderr == (
        "hydra/launcher=submitit_slurm: no SLURM here (sbatch and srun not found); "
        "use hydra/launcher=submitit_local to try the same path on this machine\n"
    )
    assert not sweep.exists()


def test_a_submission_slurm_refuses_is_one_clear_line_and_leaves_no_folder(tmp_path):
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher", reason="pip install -e '.[cluster]'")
    commands = tmp_path / "bin"  # a cluster's commands, whose sbatch refuses the partition asked for
    commands.mkdir()
    (commands / "srun").write_text("#!/bin/sh\nexit 0\n")
    (commands / "sbatch").write_text("#!/bin/sh\necho 'sbatch: error: invalid partition specified: gpu' >&2\nexit 1\n")
    for command in commands.iterdir():
        command.chmod(0o755)
    sweep = tmp_path / "sweep"
    done = run_sim(
        "-m",
        "hydra/launcher=submitit_slurm",
        "hydra.launcher.partition=gpu",
        "scenario.checkpoints.hakari.lanes=1,2",
        f"hydra.sweep.dir={sweep}",
        cwd=tmp_path,
        env={"PATH": str(commands)},
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    said = "Sweep stopped: hydra/launcher=submitit_slurm failed: FailedJobError: sbatch: error: invalid partition"
    assert said in done.stderr and done.stderr.endswith("No job ran.\n")
    assert not sweep.exists()  # it held only multirun.yaml and submitit's submission files
