"""The simulation layer: from a validated scenario to the records of many replications.

Compiles a scenario into the model's plan, draws every random value from named streams, runs
replications (on worker processes if asked, handing results back through files) and collects them
into tables. No file of results is written here. May import the config, model and results layers
(for the record types), numpy and scipy; never analysis, Hydra or OmegaConf.
"""
