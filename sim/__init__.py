"""A discrete-event simulator of humanitarian aid logistics through checkpoints.

For notebooks and scripts:

    from sim import load_scenario, simulate, simulate_many, summarise, summary_frame
    scenario = load_scenario("baseline", ["scenario.checkpoints.hakari.lanes=2"])
    records = simulate(scenario, seed=1, replications=500)           # one process
    records = simulate_many(scenario, seed=1, replications=20_000, workers=2)   # the same, on 2
    summary = summarise(records)
    summary_frame(summary)                  # a pandas DataFrame: one row per movement
    tables = records.to_pandas()            # the tables as DataFrames: tables["movements"] ...
    run = read_results("results/baseline/<time>")      # a finished run's folder
    run.summary_frame(), run.to_pandas("movements")

The package is layered as the data flows: `config` (what a run is) -> `simulate` (with `model`,
the SimPy world, inside) -> `results` (tables and files) -> `analysis` (statistics, figures,
reports); `app` is the command line on top. See docs/design.md.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for IDEs and type checkers; at run time each name is imported on first use
    from sim.analysis.statistics import summarise
    from sim.config.compose import load_run, load_scenario
    from sim.config.validate import ConfigError, check
    from sim.results.folder import RunResults, read_results
    from sim.results.frames import summary_frame
    from sim.results.records import Records
    from sim.simulate.replications import simulate, trace_replication
    from sim.simulate.workers import simulate_many

_API = {
    "load_scenario": "sim.config.compose",
    "load_run": "sim.config.compose",
    "check": "sim.config.validate",
    "ConfigError": "sim.config.validate",
    "simulate": "sim.simulate.replications",
    "simulate_many": "sim.simulate.workers",
    "trace_replication": "sim.simulate.replications",
    "Records": "sim.results.records",
    "summarise": "sim.analysis.statistics",
    "read_results": "sim.results.folder",
    "RunResults": "sim.results.folder",
    "summary_frame": "sim.results.frames",
}
__all__ = [
    "load_scenario",
    "load_run",
    "check",
    "ConfigError",
    "simulate",
    "simulate_many",
    "trace_replication",
    "Records",
    "summarise",
    "read_results",
    "RunResults",
    "summary_frame",
]
assert __all__ == list(_API)  # one list of the public names, checked against where each lives


def __getattr__(name: str) -> object:
    # Imported on first use, so that `python -m sim.report` or `--help` does not load SimPy,
    # SciPy and Hydra before it needs them.
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
