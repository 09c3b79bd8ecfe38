"""How many processes simulate a run when `workers=auto`: the cores this process may use, the
CPUs a SLURM job was given, and the size from which starting workers pays.

The rule: a run of `PARALLEL_FROM` replications or more (or `replications=auto`) uses every core
it may run on; a smaller one uses one process, since starting workers costs more than it saves.
Inside a sweep's job the launcher owns the cores (joblib runs several jobs side by side), so a job
uses one process, unless it is a SLURM job of its own (the submitit launcher): then its share is
the CPUs SLURM allocated to it (`hydra.launcher.cpus_per_task`, seen as `SLURM_CPUS_PER_TASK`).
"""

from __future__ import annotations

import os

PARALLEL_FROM = 2000  # replications from which workers=auto uses more than one process


def available_cores() -> int:
    """The processor cores this process may run on: how many workers a large run starts."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def slurm_job_cores() -> int | None:
    """The CPUs SLURM gave this process's job, when it is a sweep job the submitit launcher sent
    to SLURM (submitit marks it `SUBMITIT_EXECUTOR=slurm`); None elsewhere. A shell inside an
    allocation (`salloc -c 16`) has `SLURM_CPUS_PER_TASK` too, but there a joblib sweep runs
    several jobs on those CPUs: only submitit's own jobs have them to themselves."""
    if os.environ.get("SUBMITIT_EXECUTOR") != "slurm":
        return None
    try:
        cpus = int(os.environ.get("SLURM_CPUS_PER_TASK", ""))
    except ValueError:  # not set (no --cpus-per-task), or not a number
        return None
    # Never more than the cores the job may run on, should SLURM's binding be narrower.
    return min(cpus, available_cores()) if cpus >= 1 else None


def auto_workers(replications: int | str, in_sweep: bool) -> int:
    """What `workers=auto` means for a run of `replications` (a number or "auto"), alone or as one
    job of a sweep (see the module's docstring)."""
    if replications != "auto" and replications < PARALLEL_FROM:
        return 1
    if not in_sweep:
        return available_cores()
    return slurm_job_cores() or 1
