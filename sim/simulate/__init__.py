"""The simulation layer: from a validated scenario to the records of many replications.

Compiles a scenario into the model's plan, draws every random value from named streams, runs
replications (on worker processes if asked, handing results back through files) and collects them
into tables. No file of results is written here. May import the config, model and results layers
(for the record types), numpy and scipy; never analysis, Hydra or OmegaConf.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.config.scenario import Scenario
    from sim.results.records import Records


class _Layer(ModuleType):
    """This package, callable as the API's `simulate`: Python binds `sim.simulate` to this package
    once any of its modules is imported, so `from sim import simulate` gives the package; calling
    it runs `sim.simulate.replications.simulate`, as the API documents."""

    def __call__(self, scenario: Scenario, seed: int, replications: int, first: int = 0) -> Records:
        """Replications first .. first + replications - 1 of a validated scenario."""
        from sim.simulate.replications import simulate

        return simulate(scenario, seed, replications, first)


sys.modules[__name__].__class__ = _Layer
