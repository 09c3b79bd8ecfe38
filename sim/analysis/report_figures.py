"""The figures of a run's report: which the run calls for, drawn (`sim.analysis.plots`) as PNG bytes
and base64 for embedding, and numbered. Their titles and captions are in report_prose.j2, by name.

Each figure reads what it draws from the run's folder, one table at a time, a block of rows at a
time where the table is long, and lets it go after. Given processes to spare, the figures are
drawn in forked processes while the report's text is gathered: they are most of a report's time
(a second or two each), and each is drawn alone, from the files. A run also checks itself
against the record in one of them (`Drawing.compute`), the figures drawn meanwhile by the others.
"""

from __future__ import annotations

import base64
import multiprocessing
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.pool import Pool
from pathlib import Path
from typing import TypeVar

import numpy as np

from sim.results import layout
from sim.results.columns import PASSAGE_COLUMNS
from sim.results.files import read_table, table_blocks
from sim.results.records import Table

FIRST_REPLICATION = 0  # a run's tables start at replication 0
TIMELINE_REPLICATION = 0  # the replication timeline.csv traces (sim.app.run)
T = TypeVar("T")
# The columns the figures read of each table, and no others: a long run's tables are large. The
# timeline's movements are replication TIMELINE_REPLICATION's rows alone.
READ = {
    "movements": ("flow", "outcome", "departure_h", "delivery_time_h"),
    "timeline_movements": ("replication", "movement", "flow", "outcome", "end_h"),
    "checkpoints": ("checkpoint", "lanes", "trucks", "wait_h", "other_trucks", "other_wait_h", "busy_h"),
    "deliveries": ("replication", "time_h", "cargo", "tonnes"),
}


@contextmanager
def figures_drawn(folder: Path, summary: dict, processes: int = 1) -> Iterator[Drawing]:
    """The figures of the run in `folder` (its `summary`), to be drawn (`Drawing`). With
    `processes` > 1 (on Linux, where they can be forked), that many processes draw them while this
    one goes on, stopped when the block ends however it ends; else they are drawn here, in turn."""
    # Forked processes only on Linux: on macOS forking a process that has loaded the system's
    # frameworks is not safe (Python's own default there is to spawn).
    if processes < 2 or not sys.platform.startswith("linux"):
        yield Drawing(folder, summary, None)
        return
    _load_drawing_libraries()  # once, here: each forked process has them loaded
    # Leaving the block terminates the processes (Pool.__exit__): an interrupted report leaves
    # nothing drawing.
    fork = multiprocessing.get_context("fork")
    with fork.Pool(min(processes, len(_CALLED_FOR)), initializer=_ignore_interrupts) as pool:
        yield Drawing(folder, summary, pool)


class Drawing:
    """The figures of a run's report, drawn in `pool`'s processes as soon as they are started
    (None: drawn here, in turn, when asked for)."""

    def __init__(self, folder: Path, summary: dict, pool: Pool | None) -> None:
        self._folder, self._summary, self._pool = folder, summary, pool
        self._pending: dict[str, Callable[[], dict | None]] = {}

    def compute(self, function: Callable[..., T], *args: object) -> T:
        """`function(*args)`, in one of the drawing processes if there are any (its memory is then
        not this process's), the figures started meanwhile in the others."""
        if self._pool is None:
            return function(*args)
        result = self._pool.apply_async(function, args)  # first in the queue
        self.start()
        return result.get()

    def start(self) -> None:
        """Start drawing every figure the run calls for but the one against the record."""
        for name, wanted in _CALLED_FOR.items():
            if name != RECORD and name not in self._pending and wanted(self._summary, None):
                self._pending[name] = self._started(name, None)

    def figures(self, validation: dict | None) -> list[dict]:
        """Each figure as {name, file, number, png, base64} and the facts its caption states, once
        drawn; `validation`: the run's validation.json, if it has one (the figure against the record)."""
        self.start()
        if _CALLED_FOR[RECORD](self._summary, validation):
            self._pending[RECORD] = self._started(RECORD, validation)
        drawn = [result() for result in self._pending.values()]
        found = [figure for figure in drawn if figure is not None]
        for number, figure in enumerate(found, 1):
            figure["number"] = number
        return found

    def _started(self, name: str, validation: dict | None) -> Callable[[], dict | None]:
        job = (self._folder, name, self._summary, validation)
        if self._pool is None:
            return lambda: _draw(*job)
        return self._pool.apply_async(_draw, job).get


def _load_drawing_libraries() -> None:
    from sim.analysis import plots, validation_figure  # noqa: F401  (matplotlib and its kin)


def _ignore_interrupts() -> None:
    # Ctrl-C reaches every process of the terminal; the report's own process decides what to keep.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _draw(folder: Path, name: str, summary: dict, validation: dict | None) -> dict | None:
    """The figure `name` of the run in `folder`; None if the run has nothing for it to show."""
    # matplotlib loads only where a figure is drawn: not in a run's process before its report
    # (it would add about 95 MB to the peak of the statistics and the check against the record).
    from sim.analysis import plots
    from sim.analysis.validation_figure import against_record

    if name == "delivery_times":
        return _figure(name, plots.delivery_times(_blocks(folder, "movements"), summary))
    if name == "checkpoints":
        return _figure(name, plots.checkpoints(_blocks(folder, "checkpoints"), summary))
    if name == "timeline":
        trace, passages = read_table(folder / layout.TIMELINE), _timeline_passages(folder)
        if not (len(trace["movement"]) or len(passages["movement"])):
            return None
        movements = read_table(layout.table_path(folder, "movements"), TIMELINE_REPLICATION, READ["timeline_movements"])
        closed = read_table(folder / layout.CLOSED) if (folder / layout.CLOSED).exists() else None  # since waiting_for
        png = plots.timeline(movements, passages, trace, summary, TIMELINE_REPLICATION, closed)
        return _figure(name, png, replication=TIMELINE_REPLICATION, panels=plots.MAX_TRUCK_PANELS)
    if name == "deliveries":
        png = plots.deliveries(_blocks(folder, "deliveries"), summary, FIRST_REPLICATION)
        return _figure(name, png, needs=bool(summary["deliveries"]["population"]))
    return _figure(name, against_record(validation))


# Which figures a run calls for, in their order in the report.
_CALLED_FOR = {
    "delivery_times": lambda summary, validation: True,
    "checkpoints": lambda summary, validation: bool(summary["checkpoints"]),
    "timeline": lambda summary, validation: True,  # unless the replication has nothing to show (`_draw`)
    "deliveries": lambda summary, validation: bool(summary["deliveries"]["cumulative_tonnes_by_day"]),
    "against_record": lambda summary, validation: _observed_in_runs(validation),
}
RECORD = "against_record"  # the figure that needs the run's validation


def _observed_in_runs(validation: dict | None) -> bool:
    return bool(validation and any(o["runs"] for o in validation["observations"]))


def _blocks(folder: Path, name: str) -> Iterator[Table]:
    return table_blocks(layout.table_path(folder, name), READ[name])


def _timeline_passages(folder: Path) -> Table:
    """The passages of the timeline's replication alone."""
    path = layout.table_path(folder, "passages")
    if not path.is_file():  # a run with tables.passages=false
        return {c: np.empty(0) for c in PASSAGE_COLUMNS}  # as an empty file reads
    return read_table(path, replication=TIMELINE_REPLICATION)


def _figure(name: str, png: bytes, **facts: object) -> dict:
    return {"name": name, "file": f"{name}.png", "png": png, "base64": base64.b64encode(png).decode("ascii"), **facts}
