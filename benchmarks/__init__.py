"""Benchmarks of the simulator: `python -m benchmarks.run` (see docs/performance.md)."""
