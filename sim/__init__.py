"""A discrete-event simulator of humanitarian aid logistics through checkpoints.

For notebooks and scripts:

    from sim import load_scenario, simulate, summarise
    scenario = load_scenario("baseline", ["scenario.checkpoints.hakari.lanes=2"])
    records = simulate(scenario, seed=1, replications=500)
    summary = summarise(records)
"""

from sim.analysis.statistics import summarise
from sim.config import load_run, load_scenario
from sim.simulation import simulate, trace_replication

__all__ = ["load_run", "load_scenario", "simulate", "summarise", "trace_replication"]
