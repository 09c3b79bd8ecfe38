"""A Dask cluster as the worker pool of a study's design points (`cluster=local` or
`cluster=tcp://scheduler:8786`), for studies that outgrow one machine.

The points go to the cluster's workers through joblib's Dask backend; joblib hands the results
back in the points' order as they finish, and each point is computed exactly as on this machine
(`run_point`), so a study's files are the same on a cluster as on a laptop. Dask, distributed and
joblib are the optional extra `cluster`; every worker needs the project installed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sim.config.scenario import Scenario

LOCAL = "local"  # a Dask cluster of worker processes on this machine (tests, and trying it out)
CONNECT_TIMEOUT = "20s"


class ClusterError(RuntimeError):
    """The cluster could not be reached or started: what was tried, in one line."""


def on_cluster(
    address: str, scenarios: Sequence[Scenario], seeds: Sequence[int], replications: int, measure, workers: int
) -> Iterator:
    """Each point's `measure(scenario, records)`, in order, computed on the Dask cluster at
    `address` (`workers` processes if it is LOCAL; otherwise as many as the cluster has)."""
    import joblib

    from sim.simulate.designs import run_point

    with _client(address, workers), joblib.parallel_config(backend="dask"):
        tasks = (joblib.delayed(run_point)(s, n, replications, measure) for s, n in zip(scenarios, seeds))
        yield from joblib.Parallel(n_jobs=-1, return_as="generator")(tasks)


@contextmanager
def _client(address: str, workers: int) -> Iterator[object]:
    from dask.distributed import Client, LocalCluster

    logging.getLogger("distributed").setLevel(logging.WARNING)  # Dask's chatter would bury the study's lines
    if address == LOCAL:
        quiet = {"dashboard_address": None, "silence_logs": logging.WARNING}
        with LocalCluster(n_workers=workers, threads_per_worker=1, **quiet) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except OSError as error:
        raise ClusterError(f"cluster={address}: no Dask scheduler answered ({error})") from None
    with client:
        yield client
