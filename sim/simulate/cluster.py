"""A Dask cluster as the worker pool of a study's design points (`cluster=local` or
`cluster=tcp://scheduler:8786`), for studies that outgrow one machine.

The points go to the cluster's workers through joblib's Dask backend; joblib hands the results
back in the points' order as they finish, and each point is computed exactly as on this machine
(`sim.simulate.designs.run_point`), so a study's files are the same on a cluster as on a laptop.
Dask, distributed and joblib are the optional extra `cluster`; every worker needs the project
installed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

LOCAL = "local"  # a Dask cluster of worker processes on this machine (tests, and trying it out)
CONNECT_TIMEOUT = "20s"


class ClusterError(RuntimeError):
    """The cluster could not be reached or started: what was tried, in one line."""


def on_cluster(address: str, workers: int, task: Callable[..., T], calls: Sequence[tuple]) -> Iterator[T]:
    """`task(*call)` for each call, in order, computed on the Dask cluster at `address`
    (`workers` processes if it is LOCAL; otherwise as many as the cluster has)."""
    import joblib

    with _client(address, workers), joblib.parallel_config(backend="dask"):
        yield from joblib.Parallel(n_jobs=-1, return_as="generator")(joblib.delayed(task)(*call) for call in calls)


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
