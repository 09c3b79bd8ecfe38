"""A finished run's results folder, read back: its status, summary, resolved scenario and tables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sim.results import layout
from sim.results.files import read_json, read_table
from sim.results.frames import summary_frame, table_frame
from sim.results.records import TABLE_NAMES, Table
from sim.results.status import folder_problem

if TYPE_CHECKING:
    import pandas as pd


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
        return read_table(layout.table_path(self.folder, name))

    def to_pandas(self, *names: str) -> dict[str, pd.DataFrame]:
        """The run's tables as pandas DataFrames, by name: those named, or all four (a long run's
        passages are large: name only what you need)."""
        return {name: table_frame(self.table(name)) for name in names or TABLE_NAMES}

    def summary_frame(self, of: str = "movements") -> pd.DataFrame:
        """The run's statistics, one row per movement (or checkpoint): see `summary_frame`."""
        return summary_frame(self.summary, of)


def read_results(folder: Path | str) -> RunResults:
    """The results of a complete run; ValueError naming what is wrong if the folder is not one."""
    folder = Path(folder)
    problem = folder_problem(folder, (layout.SUMMARY, layout.SCENARIO))
    if problem:
        raise ValueError(f"{folder}: {problem}")
    return RunResults(folder, read_json(folder / layout.SUMMARY), read_json(folder / layout.SCENARIO))
