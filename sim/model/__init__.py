"""The simulated world: roads, checkpoints and the movements that pass through them (SimPy)."""
