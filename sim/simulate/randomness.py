"""Independent random streams, keyed by name so that adding or changing one source of randomness
never reshuffles the draws of another (common random numbers across scenarios)."""

from __future__ import annotations

import zlib

import numpy as np

# Replications draw their random numbers in fixed batches of this many: creating a generator costs
# about 11 µs, so one generator per (batch, stream) rather than per (replication, stream).
# Replication r always reads row r % BATCH of batch r // BATCH, whatever the number of replications
# or worker processes, so results do not depend on how the work is split.
BATCH = 256


def stream(seed: int, batch: int, name: str) -> np.random.Generator:
    """The generator of stream `name` for one batch of replications (fixed-size draws)."""
    return _generator(seed, (0, batch, _key(name)))


def replication_stream(seed: int, replication: int, name: str) -> np.random.Generator:
    """The generator of stream `name` for one replication: for draws whose number varies, such as
    the arrivals of other traffic or the closures of a random process."""
    return _generator(seed, (1, replication, _key(name)))


def _key(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))  # stable across processes, unlike hash()


def _generator(seed: int, spawn_key: tuple[int, ...]) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=spawn_key)))
