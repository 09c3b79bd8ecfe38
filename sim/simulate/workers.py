"""Replications spread over worker processes, with progress shown while they run.

Work is cut into chunks of whole random-number batches, so each replication draws exactly what it
would draw in one process: the tables are identical whatever the number of workers, and are put
back together in replication order.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import closing
from itertools import islice
from typing import NamedTuple

import numpy as np

from sim.config.scenario import Scenario
from sim.model.plan import Plan
from sim.results.assembly import Assembly
from sim.results.columns import TABLE_COLUMNS
from sim.results.files import csv_rows
from sim.results.records import TABLE_NAMES, Packed, Records
from sim.simulate.compile import compile_scenario
from sim.simulate.handoff import Parcel, parcel_folder, receive, send
from sim.simulate.progress import Progress
from sim.simulate.randomness import BATCH
from sim.simulate.replications import run_replications

# Replications per unit of work: at most a whole batch, so that a piece's fixed costs (about 6 ms
# for the reference model: mostly creating its random generators) are paid rarely, yet small enough
# that progress moves. On several workers the last pieces are smaller, down to SMALLEST.
CHUNK = BATCH
SMALLEST = BATCH // 4
AHEAD = 2  # pieces submitted per worker before the first is taken


def chunks(first: int, replications: int, workers: int = 1) -> list[tuple[int, int]]:
    """(first, count) pieces covering the range, none across a multiple of CHUNK.

    On several workers, pieces shrink towards the end ("guided" scheduling): none is more than a
    share of what is left, so that when the last is handed out the other workers are nearly done
    too, and none waits for a whole piece while another finishes.
    """
    pieces, r, stop = [], first, first + replications
    while r < stop:
        share = -(-(stop - r) // (2 * workers)) if workers > 1 else CHUNK  # rounded up
        boundary = min(stop, (r // CHUNK + 1) * CHUNK)
        end = min(boundary, r + max(SMALLEST, share))
        if boundary - end < SMALLEST:  # too little would be left before the boundary: take it too
            end = boundary
        pieces.append((r, end - r))
        r = end
    return pieces


def simulate_many(
    scenario: Scenario, seed: int, replications: int, workers: int = 1, first: int = 0, progress: bool = False
) -> Records:
    """Like `simulate`, on `workers` processes, with a progress line on a terminal if asked."""
    assembly = Assembly(replications)
    bar = Progress.on_terminal(replications) if progress else None
    try:
        for part in simulate_parts(scenario, seed, replications, workers, first, bar):
            assembly.add(part)
    finally:
        if bar:
            bar.close()
    return assembly.records()


def simulate_parts(
    scenario: Scenario,
    seed: int,
    replications: int,
    workers: int = 1,
    first: int = 0,
    progress: Progress | None = None,
) -> Iterator[Records]:
    """`simulate_many`'s records as consecutive pieces in replication order, each as soon as it and
    those before it are done: a caller can write or summarise them without holding them all.
    `progress` counts them (the caller's line: it may span several calls, and is the caller's to close)."""
    with closing(simulate_written(scenario, seed, replications, workers, first, progress)) as pieces:
        for piece in pieces:
            yield piece.records


class Written(NamedTuple):
    """A piece of a run as `simulate_written` yields it."""

    records: Records  # the tables kept; any other has no columns
    rows: dict[str, str]  # table name -> its rows as CSV text (`sim.results.files.csv_rows`), for those written


def simulate_written(
    scenario: Scenario,
    seed: int,
    replications: int,
    workers: int = 1,
    first: int = 0,
    progress: Progress | None = None,
    written: tuple[str, ...] = (),
    kept: tuple[str, ...] = TABLE_NAMES,
) -> Iterator[Written]:
    """`simulate_parts`, each piece with the tables named in `written` made into CSV rows where it
    was simulated (on several workers, the writing's costliest part runs beside the simulation,
    not after it in the parent) and only the tables named in `kept` as records."""
    pieces = chunks(first, replications, workers)
    plan = compile_scenario(scenario)  # here, once: a problem shows here, not in a worker
    if workers > 1 and len(pieces) > 1:
        done = _on_workers(plan, seed, pieces, workers, written, kept)
    else:
        done = ((count, _piece(plan, seed, count, start, written, kept)) for start, count in pieces)
    try:
        for count, (packed, rows) in done:
            if progress:
                progress.advance(count)
            yield Written(packed.unpacked(), {name: text.tobytes().decode() for name, text in rows.items()})
    finally:  # also when the caller stops early: the workers' pieces not yet started are cancelled
        done.close()


def _piece(
    plan: Plan, seed: int, replications: int, first: int, written: tuple[str, ...], kept: tuple[str, ...]
) -> tuple[Packed, dict[str, np.ndarray]]:
    """A piece's kept tables, still coded, and the CSV rows of those written, as UTF-8 bytes in
    arrays (which go from a worker out of band, as the columns do: `sim.simulate.handoff`)."""
    packed = run_replications(plan, seed, replications, first).packed()
    rows = {}
    if written:
        records = packed.unpacked()
        for name in written:
            text = csv_rows(getattr(records, name), TABLE_COLUMNS[name]).encode()
            rows[name] = np.frombuffer(text, np.uint8)
    tables = {name: table if name in kept else {} for name, table in packed.tables.items()}
    return Packed(tables, packed.horizon_h, packed.replications), rows


def _on_workers(
    plan: Plan, seed: int, pieces: list[tuple[int, int]], workers: int, written: tuple[str, ...], kept: tuple[str, ...]
) -> Iterator[tuple[int, tuple[Packed, dict[str, np.ndarray]]]]:
    """(count, piece) of each piece, in order, simulated on worker processes (`_piece`)."""
    workers = min(workers, len(pieces))
    with (
        parcel_folder() as folder,
        ProcessPoolExecutor(workers, initializer=_worker_start, initargs=(plan, folder)) as pool,
    ):
        # A few pieces in hand per worker keep them busy; no more, so that finished pieces never
        # pile up in memory while the caller is still writing earlier ones.
        waiting = iter(pieces)
        first_pieces = islice(waiting, AHEAD * workers)

        def submit(start: int, count: int) -> tuple[int, Future]:
            return count, pool.submit(_simulate_piece, seed, count, start, written, kept)

        running = deque(submit(start, count) for start, count in first_pieces)
        try:
            while running:
                count, future = running.popleft()
                piece = receive(future.result())
                for start, more in islice(waiting, 1):
                    running.append(submit(start, more))
                yield count, piece
        except BaseException:  # including the caller stopping early (GeneratorExit)
            for _, future in running:
                future.cancel()
            raise


# In a worker process, given once to `_worker_start`: the compiled scenario, and the folder where
# finished pieces are left for the parent (`sim.simulate.handoff`); a parcel is written holding `_sending`.
_plan: Plan
_folder: str | None
_sending = threading.Lock()


def _simulate_piece(
    seed: int, replications: int, first: int, written: tuple[str, ...], kept: tuple[str, ...]
) -> Parcel | tuple:
    piece = _piece(_plan, seed, replications, first, written, kept)
    with _sending:
        return send(piece, _folder)


def _worker_start(plan: Plan, folder: str | None) -> None:
    # Ctrl-C reaches every process of the terminal; the parent alone decides what to keep.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A parent killed outright (SIGKILL) cannot stop its workers, nor remove the parcels' folder:
    # they do both themselves.
    parent = os.getppid()
    threading.Thread(target=_exit_when_orphaned, args=(parent, folder), daemon=True).start()
    global _plan, _folder
    _plan, _folder = plan, folder


def _exit_when_orphaned(parent: int, folder: str | None) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    with _sending:  # once a parcel being written is whole; no other is begun
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        os._exit(1)
