"""What is needed to reproduce a run: command, code version, package versions, times."""

from __future__ import annotations

import platform
import shlex
import subprocess
import sys
from importlib import metadata
from pathlib import Path

PACKAGES = ("aid-logistics-sim", "simpy", "numpy", "scipy", "matplotlib", "hydra-core", "omegaconf", "jinja2")
REPOSITORY = Path(__file__).resolve().parents[2]  # the checkout, if the package sits in one


def git_state() -> dict:
    """The commit of the code that ran and whether its working tree had uncommitted changes; both
    None where the package is not the top of a git checkout (an installed wheel, even in a virtual
    environment kept inside some other repository, whose commit says nothing of this code)."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=REPOSITORY, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    top = git("rev-parse", "--show-toplevel")
    if top is None or Path(top).resolve() != REPOSITORY:
        return {"commit": None, "dirty": None}
    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": None if status is None else bool(status)}


def package_versions() -> dict:
    """The versions of Python and of the packages that made the results (None: not installed)."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def command_line() -> str:
    """The command as the user typed it, as far as it can be known."""
    if not sys.argv or not sys.argv[0]:
        return ""
    program = "python -m sim" if sys.argv[0].endswith("__main__.py") else Path(sys.argv[0]).name
    return " ".join([program, *map(shlex.quote, sys.argv[1:])])


def provenance(started: str, ended: str, run_time_s: float, seed: int, workers: int) -> dict:
    """Everything needed to run it again and to know what ran: command, seed, workers, code, times."""
    return {
        "command": command_line(),
        "seed": seed,
        "workers": workers,
        "started": started,
        "ended": ended,
        "run_time_s": round(run_time_s, 3),
        "git": git_state(),
        "versions": package_versions(),
        "platform": platform.platform(),
    }
