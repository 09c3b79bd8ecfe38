"""A sweep (`python -m sim -m ...`): every job's configuration checked before any job runs, and
one table across all jobs, written when the sweep ends.

Hydra calls the callback in the process that launched the sweep, whichever launcher ran the
jobs, so the summary is read back from the jobs' folders, never from memory (and can be rebuilt
from them: `python -m sim.report <sweep folder>`). A job that fails while it runs is listed with
its error; the sweep's command then exits non-zero (see `sim.app.cli`). A sweep with a job that
could not run at all (a value of the wrong type, or one the rules refuse) is refused whole, and
so is a SLURM sweep where there is no SLURM: nothing runs, no folder is left.
"""

from __future__ import annotations

import copy
import shutil
import sys
from pathlib import Path
from typing import Any, NoReturn

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, open_dict, read_write
from omegaconf.errors import OmegaConfBaseException

from sim.analysis.sweep_summary import outcome, unfinished_jobs, write_sweep_summary
from sim.app.cli import override_message
from sim.config.compose import to_run
from sim.config.validate import ConfigError
from sim.results import layout
from sim.results.sweep import job_folders

_failed: list[str] = []  # failed job numbers (or an unsummarised sweep folder), in the launching process
_launching: dict[str, str] = {}  # the sweep's folder and launcher, while its jobs are being launched
_BASIC_SWEEPER = "hydra._internal.core_plugins.basic_sweeper.BasicSweeper"
_SLURM_LAUNCHER = "hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher"
SLURM_COMMANDS = ("sbatch", "srun")  # submitting a job, and running it (submitit needs both)


def failed_jobs() -> list[str]:
    """What failed in this sweep so far: job numbers, or the sweep folder if it could not be summarised."""
    return list(_failed)


class SweepCallback(Callback):
    """Refuses a sweep that cannot run before any job starts; writes its summary when all its jobs
    have run."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Before the sweep's folder exists: the launcher, and every job's configuration."""
        launcher = launcher_problem(config)
        if launcher:
            _refuse(launcher)
        jobs = planned_jobs(config)
        problems = job_problems(config, jobs)
        if problems:
            which = ", ".join(problems)
            first = f"Sweep refused, nothing ran: {len(problems)} of its {len(jobs)} jobs cannot run (jobs {which})."
            lines = dict.fromkeys(line for found in problems.values() for line in found)  # each problem once
            _refuse("\n".join([first, *(f"  {line}" for line in lines)]))
        _launching.update(folder=str(config.hydra.sweep.dir), launcher=config.hydra.runtime.choices["hydra/launcher"])

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """After the last job: the sweep's summary and report, and the jobs that failed."""
        _launching.clear()
        sweep = Path(config.hydra.sweep.dir)
        if not sweep.is_dir():
            return
        try:
            rows = write_sweep_summary(sweep)
        except Exception as error:  # Hydra would swallow it: say it, and fail the command
            print(f"Could not summarise the sweep in {sweep}: {type(error).__name__}: {error}", file=sys.stderr)
            _failed.append(str(sweep))
            return
        _failed.extend(unfinished_jobs(rows))
        print(f"\n{outcome(rows)}")
        print(f"Summary: {sweep / layout.SWEEP_SUMMARY}\nReport: {sweep / layout.SWEEP_REPORT}")


def launching() -> bool:
    """Whether a sweep's jobs are being launched: its checks passed, and its end not reached."""
    return bool(_launching)


def stopped(error: Exception) -> NoReturn:
    """End a sweep whose launcher failed (a job SLURM refused or killed, say): one line instead of
    the launcher's traceback; the sweep's folder removed if no job got as far as its own folder,
    else the jobs that ran summarised, as at a sweep's end."""
    sweep, launcher = Path(_launching["folder"]), _launching["launcher"]
    _launching.clear()
    said = f"Sweep stopped: hydra/launcher={launcher} failed: {type(error).__name__}: {str(error).strip()}"
    if not job_folders(sweep):
        discard_sweep(sweep)
        _refuse(f"{said}\nNo job ran.")
    write_sweep_summary(sweep)
    _refuse(f"{said}\nThe jobs that ran, summarised: {sweep / layout.SWEEP_SUMMARY}")


def discard_sweep(sweep: Path) -> None:
    """Remove a sweep's folder that holds nothing but the launcher's files (Hydra's multirun.yaml,
    submitit's .submitit/ of submission scripts), so that no empty sweep passes for a result."""
    if sweep.is_dir() and all(p.name in (layout.SWEEP_CONFIG, ".submitit") for p in sweep.iterdir()):
        shutil.rmtree(sweep, ignore_errors=True)


def launcher_problem(config: DictConfig) -> str | None:
    """Why the sweep's launcher cannot start its jobs here, or None: the SLURM launcher off a
    cluster (submitit would fail with a long traceback after Hydra made the sweep's folder)."""
    if config.hydra.launcher.get("_target_") != _SLURM_LAUNCHER:
        return None
    missing = [command for command in SLURM_COMMANDS if shutil.which(command) is None]
    if not missing:
        return None
    return (
        f"hydra/launcher=submitit_slurm: no SLURM here ({' and '.join(missing)} not found); "
        "use hydra/launcher=submitit_local to try the same path on this machine"
    )


def planned_jobs(config: DictConfig) -> list[list[str]]:
    """Each job's overrides, as Hydra's basic sweeper will launch them (none for another sweeper,
    which chooses its jobs as it goes)."""
    if config.hydra.sweeper.get("_target_") != _BASIC_SWEEPER:
        return []
    params = [f"{key}={value}" for key, value in (config.hydra.sweeper.get("params") or {}).items()]
    parser = OverridesParser.create(config_loader=GlobalHydra.instance().config_loader())
    overrides = parser.parse_overrides([*params, *config.hydra.overrides.task])
    return [list(job) for batch in BasicSweeper.split_arguments(overrides, None) for job in batch]


def job_problems(config: DictConfig, jobs: list[list[str]]) -> dict[str, list[str]]:
    """The problems of every job that could not run, by job number: each job's config composed
    as its launcher will compose it, and checked as its run will check it."""
    loader = GlobalHydra.instance().config_loader()
    problems: dict[str, list[str]] = {}
    for number, overrides in enumerate(jobs):
        try:
            composed = loader.load_sweep_config(master_config=config, sweep_overrides=overrides)
            task = copy.deepcopy(composed)
            with read_write(task), open_dict(task):
                del task["hydra"]  # as Hydra gives a job its config
            to_run(task, overrides)
        except ConfigError as error:
            problems[str(number)] = list(error.problems)
        except (HydraException, OmegaConfBaseException, AssertionError, AttributeError) as error:
            problems[str(number)] = [override_message(error)]
    return problems


def _refuse(message: str) -> NoReturn:
    """End the command before the sweep starts. SystemExit passes through Hydra's callbacks,
    which would swallow and only warn of an error."""
    print(message, file=sys.stderr)
    sys.exit(1)
