"""Design points of a study (one scenario each) run on worker processes, every point with the same
seed: the same named random streams, so that points differ by their parameters, not by noise
(common random numbers); or each with its own seed, where independent noise is wanted
(uncertainty propagation).

A point is one task: a worker compiles its scenario, runs its replications in one process and
hands back only what `measure(scenario, records)` makes of them (a few numbers), never the
records. Results come back in the points' order, and each point is computed exactly as in one
process, so they are identical whatever the number of workers.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from sim.config.scenario import Scenario
from sim.results.records import Records
from sim.simulate.progress import Progress
from sim.simulate.replications import simulate

T = TypeVar("T")
Measure = Callable[[Scenario, Records], T]


def simulate_points(
    scenarios: Sequence[Scenario],
    seed: int | Sequence[int],
    replications: int,
    measure: Measure,
    workers: int = 1,
    progress: bool = False,
    cluster: str | None = None,
) -> Iterator[T]:
    """`measure(scenario, records)` of each point's `replications` replications, in order.
    `seed`: one for every point (common random numbers), or one per point. `measure` must be
    picklable (a module-level function) when `workers` > 1 or on a `cluster` (a Dask scheduler's
    address, or "local"; see `sim.simulate.cluster`)."""
    seeds = [seed] * len(scenarios) if isinstance(seed, int) else list(seed)
    bar = Progress.on_terminal(len(scenarios) * replications) if progress else None
    if cluster:
        from sim.simulate.cluster import on_cluster  # Dask loads only for a cluster

        calls = [(s, n, replications, measure) for s, n in zip(scenarios, seeds)]
        done = on_cluster(cluster, workers, run_point, calls)
    elif workers > 1 and len(scenarios) > 1:
        done = _on_workers(scenarios, seeds, replications, measure, workers)
    else:
        done = (run_point(s, n, replications, measure) for s, n in zip(scenarios, seeds))
    try:
        for result in done:
            if bar:
                bar.advance(replications)
            yield result
    finally:
        done.close()
        if bar:
            bar.close()


def run_point(scenario: Scenario, seed: int, replications: int, measure: Measure) -> T:
    """One design point: its replications, measured."""
    return measure(scenario, simulate(scenario, seed, replications))


def _on_workers(
    scenarios: Sequence[Scenario], seeds: list[int], replications: int, measure: Measure, workers: int
) -> Iterator[T]:
    with ProcessPoolExecutor(min(workers, len(scenarios)), initializer=_worker_start) as pool:
        futures = [pool.submit(run_point, s, n, replications, measure) for s, n in zip(scenarios, seeds)]
        try:
            for future in futures:
                yield future.result()
        except BaseException:  # Ctrl-C, a failed point, or the caller stopping early
            for future in futures:
                future.cancel()
            raise


def _worker_start() -> None:
    # Ctrl-C reaches every process of the terminal; the parent alone decides what to keep.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
