"""A finished run's results folder, read back: its status, summary, resolved scenario and tables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sim.results import layout
from sim.results.files import read_json, read_table
from sim.results.records import TABLE_NAMES, Table
from sim.results.status import folder_problem


@dataclass(frozen=True)
class RunResults:
    """What one run of `python -m sim` (or `sim.app.run.execute`) wrote into its folder."""

    folder: Path
    summary: dict  # summary.json: the statistics per movement and checkpoint
    scenario: dict  # scenario.json: the resolved scenario as plain data, and the overridden keys

    def table(self, name: str) -> Table:
        """One of the run's tables (movements, passages, checkpoints, deliveries) as column arrays."""
        if name not in TABLE_NAMES:
            raise ValueError(f"no table {name!r}; the tables are {', '.join(TABLE_NAMES)}")
        return read_table(self.folder / layout.TABLES[name])


def read_results(folder: Path | str) -> RunResults:
    """The results of a complete run; ValueError naming what is wrong if the folder is not one."""
    folder = Path(folder)
    problem = folder_problem(folder, (layout.SUMMARY, layout.SCENARIO))
    if problem:
        raise ValueError(f"{folder}: {problem}")
    return RunResults(folder, read_json(folder / layout.SUMMARY), read_json(folder / layout.SCENARIO))
