"""A sweep's folder: Hydra's `multirun.yaml`, and one numbered folder per job, each a run's
results folder with the overrides Hydra gave it in `.hydra/overrides.yaml`."""

from __future__ import annotations

from pathlib import Path

import yaml

from sim.results.layout import SWEEP_CONFIG


def is_sweep(folder: Path) -> bool:
    """Whether `folder` is a sweep's (a run's folder has no numbered folders inside)."""
    return folder.is_dir() and ((folder / SWEEP_CONFIG).is_file() or bool(job_folders(folder)))


def job_folders(sweep: Path) -> list[Path]:
    """The job folders of a sweep, in job order (numerically: 2 before 10)."""
    return sorted((p for p in sweep.iterdir() if p.is_dir() and p.name.isdigit()), key=lambda p: int(p.name))


def job_overrides(job: Path) -> list[str]:
    """The command-line overrides one job of a sweep ran with (as Hydra recorded them), or none."""
    path = job / ".hydra" / "overrides.yaml"
    return list(yaml.safe_load(path.read_text(encoding="utf-8")) or []) if path.exists() else []
