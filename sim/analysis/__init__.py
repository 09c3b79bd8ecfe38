"""The analysis layer: statistics, figures and reports, from result files alone.

Reads what a run or sweep wrote (through `sim.results`), so every report can be rebuilt from a
folder without simulating. May import the results layer, numpy, scipy, matplotlib, Jinja2 and
PyYAML; never the model, the simulation, the configuration, simpy, Hydra or OmegaConf.
"""
