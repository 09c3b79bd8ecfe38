"""A discrete-event simulator of humanitarian aid logistics through checkpoints.

For notebooks and scripts:

    from sim import load_scenario, simulate, summarise
    scenario = load_scenario("baseline", ["scenario.checkpoints.hakari.lanes=2"])
    records = simulate(scenario, seed=1, replications=500)
    summary = summarise(records)
"""

from importlib import import_module

_API = {
    "load_run": "sim.config",
    "load_scenario": "sim.config",
    "simulate": "sim.simulation",
    "trace_replication": "sim.simulation",
    "summarise": "sim.analysis.statistics",
}
__all__ = list(_API)


def __getattr__(name: str) -> object:
    # Imported on first use, so that `python -m sim.report` or `--help` does not load SimPy,
    # SciPy and Hydra before it needs them.
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
