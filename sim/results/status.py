"""A results folder's status: `status.json` says "running" first and "complete" last, so a folder
left by a crash or Ctrl-C never looks finished."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sim.results.files import read_json, remove_unfinished, write_json
from sim.results.layout import STATUS, holds


def now() -> str:
    """The local time now, as status and provenance files write it."""
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


@contextmanager
def recording(folder: Path) -> Iterator[str]:
    """Write a results folder inside this block, its status kept: "running" first (files left by
    a run killed outright removed), "complete" only if the block ends normally, else
    "interrupted" or "failed" with the error, which is raised on. Gives the time it started."""
    started = now()
    folder.mkdir(parents=True, exist_ok=True)
    remove_unfinished(folder)
    write_status(folder, "running", started=started)
    try:
        yield started
    except KeyboardInterrupt:
        write_status(folder, "interrupted", started=started, ended=now())
        raise
    except BaseException as error:
        write_status(folder, "failed", started=started, ended=now(), error=f"{type(error).__name__}: {error}")
        raise
    write_status(folder, "complete", started=started, ended=now())


def write_status(folder: Path, status: str, **details: object) -> None:
    """Mark a results folder running, complete, failed or interrupted, with details (an error...)."""
    write_json(folder / STATUS, {"status": status, **details})


def read_status(folder: Path) -> str:
    """'complete', 'running', 'failed', 'interrupted', or 'missing' when there is no status file."""
    try:
        return read_json(folder / STATUS)["status"]
    except (OSError, ValueError, KeyError):
        return "missing"


def folder_problem(folder: Path, required: tuple[str, ...] | list[str]) -> str | None:
    """Why `folder` is not a complete results folder holding the `required` files (tables in
    either format), or None."""
    if not folder.is_dir():
        return "no such folder"
    status = read_status(folder)
    if status != "complete":
        return f"not a complete run (status: {status})"
    missing = [name for name in required if not holds(folder, name)]
    return f"missing {', '.join(missing)}" if missing else None
