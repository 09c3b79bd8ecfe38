"""The configuration layer: what a run is made of, and whether it can run.

The typed schema of a run and its scenario (plain dataclasses), the scenario library (YAML files
registered with Hydra; `shipped` finds the shipped folders, in a checkout or a wheel), composition
of a run from the command line's overrides, every value rule (`check`, naming each bad key), the
parsing of datetimes and opening hours, and the scenario card.
May import the standard library, Hydra and OmegaConf (only in `library`, `compose` and `overrides`,
the glue to the command line), and itself;
never the model, the simulation, results or analysis.
"""
