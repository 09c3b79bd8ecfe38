"""What a run costs in memory, estimated from its configuration, and the problem of a run that
would not fit: judged before anything runs, against a share of the machine's memory (see
docs/scenarios.md, "Bounds"), once every value is in its range (`sim.config.bounds`)."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sim.config.bounds import finite, flow_departures
from sim.config.cores import auto_workers
from sim.config.scenario import RunConfig, Scenario
from sim.config.schema import Checkpoint, Flow, Movement

__all__ = ["Part", "estimate_memory", "machine_memory", "memory_problems"]

# --- Memory: what the biggest allocations of a run cost (see `estimate_memory`) -------------------

MEMORY_SHARE = 0.5  # of the machine's memory a run may use: the rest is for the system and other work
ROWS_AT_ONCE = 256  # replications drawn and collected together (`sim.simulate.randomness.BATCH`)
SMALLEST_PIECE = 64  # replications per piece of work at least (`sim.simulate.workers.SMALLEST`)
# Bytes, measured as peak resident memory of `python -m sim ... workers=1` (docs/scenarios.md, Bounds):
PROCESS = 200 * 2**20  # a process with Python, NumPy, SciPy and SimPy loaded, the report's libraries too
DRAW = 16  # one random value of one replication: the uniform and its transformed copy, 8 bytes each
TRUCK_ROW = 100  # a truck's state and outcome in one replication, until its piece is collected
MOVEMENT_ROW = 120  # a convoy's journey, passages and outcome in one replication, likewise
CHECKPOINT_ROW = 150  # a checkpoint's row of one replication (while collected, and kept)
# A movements-table row and its deliveries, kept compact for the whole run's statistics (about 40
# bytes), and the columns the statistics make of them at the end (about 35 bytes), with room to spare.
KEPT_MOVEMENT_ROW = 100
ARRIVAL = 180  # one other-traffic vehicle of one replication: its arrival and inspection, lists and arrays
CLOSURE = 200  # one random closure window of one replication
TIMELINE_ROW = 200  # a truck at a checkpoint in the timeline of the first replication


@dataclass
class Part:
    """One of a run's big allocations: what it is, its bytes, the keys that drive it, the remedy."""

    what: str
    bytes: float
    keys: list[str]
    remedy: str


def machine_memory() -> int | None:
    """The machine's total physical memory in bytes (os.sysconf, else /proc/meminfo), None if
    neither tells. A container's own limit (cgroups) is not read: the bound is the machine's."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        pass
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def memory_problems(run: RunConfig) -> Iterator[str]:
    """The run, if its estimated memory exceeds `MEMORY_SHARE` of the machine's: one problem naming
    the keys that drive the biggest part, with the estimate and the bound."""
    total = machine_memory()
    parts = estimate_memory(run)
    need = sum(p.bytes for p in parts)
    if total is None or not math.isfinite(need) or need <= MEMORY_SHARE * total:
        return
    big = max(parts, key=lambda p: p.bytes)
    yield (
        f"{', '.join(big.keys)}: the run would need about {_gib(need)} of memory, {_gib(big.bytes)} of it for "
        f"{big.what} (this machine has {_gib(total)}; at most {MEMORY_SHARE:.0%} is used): {big.remedy}"
    )


def _gib(n: float) -> str:
    gib = n / 2**30
    return f"{gib:.1f} GiB" if gib < 10 else f"{gib:,.0f} GiB"


def estimate_memory(run: RunConfig) -> list[Part]:
    """The run's biggest allocations, in bytes, as `sim.simulate` and `sim.app.run` make them.

    Counts, per process that simulates (the main one, or each worker): the process itself; the
    random draws of up to `ROWS_AT_ONCE` replications (`draw_rows`: per convoy, one column per draw
    per truck and per draw per convoy, as `sim.simulate.compile._draws` lays them out) and the
    trucks', convoys' and checkpoints' numbers of those replications until they are collected
    (`Collector`); the other traffic and random closures of one replication (`draw_points`). A
    worker's finished piece may wait in memory (/dev/shm) for the parent: counted once more. In the
    main process: the tables kept for the statistics (`sim.results.kept`: every replication's
    movements and deliveries rows, compact, and the columns the statistics make of them; the
    checkpoints table is kept as sums, a byte a replication) and the timeline of the first
    replication. Flow departures count as convoys. Set against peak resident memory measured
    (docs/scenarios.md, Bounds); what is smaller (the plan, the report) is left out.
    """
    s = run.scenario
    auto = run.replications == "auto"
    reps = run.precision.max_replications if auto else run.replications
    if not isinstance(reps, int) or reps < 1 or not finite(s.horizon_days) or s.horizon_days <= 0:
        return []
    rows = min(reps, ROWS_AT_ONCE)
    convoys = _convoys(s)
    piece_of, piece, visits = _pieces(s, convoys, rows)
    traffic_of, replication = _replication(s)
    workers = _workers(run, reps, auto)
    copies = 2 if workers > 1 else 1  # a worker's piece, and the same piece waiting for the parent
    n_convoys = sum(count for _, _, count in convoys)
    kept = reps * n_convoys * KEPT_MOVEMENT_ROW

    reps_key = f"precision.max_replications={reps}" if auto else f"replications={reps}"
    convoy_keys = _convoy_keys(convoys, piece_of, reps_key)
    horizon_key = f"scenario.horizon_days={s.horizon_days}"
    traffic_keys = [max(traffic_of, key=traffic_of.get), horizon_key] if traffic_of else [horizon_key]
    kept_keys, kept_remedy = _kept_keys(convoys, n_convoys, reps_key)
    processes = workers + (1 if workers > 1 else 0)
    each = f" in each of {workers} workers" if workers > 1 else ""
    return [
        Part("the processes", processes * PROCESS, [f"workers={run.workers}"], "fewer workers"),
        Part(
            f"the draws and results of {rows} replications at a time{each}",
            workers * copies * piece,
            convoy_keys,
            "fewer trucks, fewer or less frequent convoys, or fewer workers",
        ),
        Part("the tables kept for the statistics", kept, kept_keys, kept_remedy),
        Part(
            f"the other traffic and closures of one replication{each}",
            workers * replication,
            traffic_keys,
            "a lower rate of other traffic, or a shorter horizon",
        ),
        Part("the timeline of the first replication", visits * TIMELINE_ROW, convoy_keys, "fewer trucks"),
    ]


Convoy = tuple[str, Movement | Flow, float]  # a convoy's key, its block, and its departures in a replication


def _convoys(s: Scenario) -> list[Convoy]:
    """The enabled movements (one departure each) and flows (`flow_departures` each)."""
    convoys: list[Convoy] = [(f"scenario.movements.{k}", m, 1.0) for k, m in s.movements.items() if m.enabled]
    convoys += [(f"scenario.flows.{k}", f, flow_departures(s, f)) for k, f in s.flows.items() if f.enabled]
    return convoys


def _pieces(s: Scenario, convoys: list[Convoy], rows: int) -> tuple[dict[str, float], float, float]:
    """Each convoy's bytes in a piece of `rows` replications, the piece's, and the timeline's rows."""
    piece_of: dict[str, float] = {}  # the convoy's key -> bytes of its draws and numbers in a piece
    visits = 0.0  # trucks at checkpoints in one replication: rows of the timeline
    for where, m, count in convoys:
        trucks = max(m.trucks, 0)
        truck_draws, convoy_draws, checkpoints = _draw_widths(s, m)
        per_row = trucks * (TRUCK_ROW + DRAW * truck_draws) + MOVEMENT_ROW + DRAW * convoy_draws
        piece_of[where] = count * rows * per_row
        visits += count * trucks * checkpoints
    return piece_of, sum(piece_of.values()) + rows * len(s.checkpoints) * CHECKPOINT_ROW, visits


def _replication(s: Scenario) -> tuple[dict[str, float], float]:
    """One replication's other traffic in bytes by the key of its rate, and with the closures too."""
    horizon_h = s.horizon_days * 24.0
    traffic_of = {
        f"scenario.checkpoints.{k}.other_traffic.rate_per_h={cp.other_traffic.rate_per_h}": _top_rate(cp.other_traffic)
        * horizon_h
        * ARRIVAL
        for k, cp in s.checkpoints.items()
        if cp.other_traffic is not None and finite(cp.other_traffic.rate_per_h)
    }
    closures = sum(
        max(_top_rate(p.random_closures), 0.0) * s.horizon_days * CLOSURE
        for p in [*s.checkpoints.values(), *s.legs.values()]
        if p.random_closures is not None and finite(p.random_closures.rate_per_day)
    )
    return traffic_of, sum(traffic_of.values()) + closures


def _workers(run: RunConfig, reps: int, auto: bool) -> int:
    """The processes that simulate: `workers` (auto: every core for a large run, as if the run were
    alone: a sweep's job uses no more), at most one a piece."""
    workers = auto_workers("auto" if auto else reps, in_sweep=False) if run.workers == "auto" else run.workers
    return min(max(workers, 1) if isinstance(workers, int) else 1, math.ceil(reps / SMALLEST_PIECE))


def _convoy_keys(convoys: list[Convoy], piece_of: dict[str, float], reps_key: str) -> list[str]:
    """The keys a refusal names for the draws and results: the biggest convoy's, else the replications."""
    biggest = max(piece_of, key=piece_of.get, default=None)
    if biggest is None:
        return [reps_key]
    m = {w: m for w, m, _ in convoys}[biggest]
    keys = [f"{biggest}.trucks={m.trucks}"]
    if isinstance(m, Flow):
        keys.append(f"{biggest}.every_h={m.every_h}")
    return keys


def _kept_keys(convoys: list[Convoy], n_convoys: float, reps_key: str) -> tuple[list[str], str]:
    """The keys a refusal names for the kept tables, with the remedy: a frequent flow's too."""
    frequent = max(((w, m, n) for w, m, n in convoys if isinstance(m, Flow)), key=lambda c: c[2], default=None)
    if frequent is not None and frequent[2] > 1 and 2 * frequent[2] >= n_convoys:
        every_key = f"{frequent[0]}.every_h={frequent[1].every_h}"
        return [reps_key, every_key], "fewer replications, or less frequent departures"
    return [reps_key], "fewer replications"


def _top_rate(block: Any) -> float:
    """The highest rate of other traffic or random closures, its own or a period's (`schedule`)."""
    name = "rate_per_h" if hasattr(block, "rate_per_h") else "rate_per_day"
    rates = [getattr(block, name), *(getattr(p, name) for p in block.schedule.values())]
    return max(r for r in rates if finite(r))


def _draw_widths(s: Scenario, m: Movement | Flow) -> tuple[int, int, int]:
    """A convoy's random values per truck and per convoy in one replication, and its checkpoint
    visits, as `sim.simulate.compile._draws` lays them out: over every leg and place of its routes,
    travel (a convoy draw per leg), breakdown and repair (per truck, on legs where trucks break
    down), escort turnaround (per convoy), inspection and turn-back (per truck, at checkpoints),
    and the hold's delay and answer (per convoy)."""
    routes = [list(m.route), *(list(r) for r in getattr(m, "alternative_routes", {}).values())]
    places = list(dict.fromkeys(p for r in routes for p in r))
    legs = {
        key for r in routes for a, b in zip(r, r[1:]) for key, leg in s.legs.items() if {leg.start, leg.end} == {a, b}
    }
    per_truck = per_convoy = 0
    for key in legs:
        leg = s.legs[key]
        per_convoy += 1 + (1 if leg.escort else 0)
        if leg.breakdown_probability or leg.breakdown_per_100km:
            per_truck += 2
    checkpoints = [s.checkpoints[p] for p in places if p in s.checkpoints]
    per_truck += sum(1 + (1 if _turns_back(cp) else 0) for cp in checkpoints)
    if getattr(m, "hold", None) is not None:
        per_convoy += 2
    return per_truck, per_convoy, len(checkpoints)


def _turns_back(cp: Checkpoint) -> bool:
    return finite(cp.turn_back_probability) and cp.turn_back_probability > 0
