"""The benchmark: how fast the simulator runs the reference model, against SimPy itself, a plain
SimPy model of the same thing and the exact recursion. From the repository's root:

    python -m benchmarks.run              # agreement check, then timings and ratios (about 1.5 minutes)
    python -m benchmarks.run --memory     # also: 100,000 replications through simulate_many, peak RSS
    python -m benchmarks.run --profile    # also: cProfile of the simulator, time in garbage collection
    python -m benchmarks.run --quick      # fewer replications: a smoke run, noisier figures
    python -m benchmarks.run --end-to-end # also: the whole CLI at 10^4, 10^5, 10^6 (benchmarks.end_to_end)

It first checks that the simulator, the plain SimPy model and the recursion agree statistically on
the delivery times (see `benchmarks.reference`), and prints no timing if they do not. Rates within
one process are per second of its CPU time, best of 3; rates over worker processes per second of
wall-clock time, best of 5, which other programs on the machine disturb: the load average is
printed before and after. Figures and their explanation: docs/performance.md.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import scipy
import simpy

from benchmarks import end_to_end, reference
from sim.config.cores import available_cores
from sim.simulate.replications import simulate
from sim.simulate.workers import simulate_many

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {  # ratio name -> (target, "min" if the ratio must be at least the target, "max" if at most)
    "simulator / plain SimPy (per core)": (2.0, "min"),
    "plain-Python recursion / simulator": (10.0, "max"),
    "2 workers / 1 worker": (1.8, "min"),
}


def best_rates(
    works: dict[str, tuple[Callable[[], object], int]], repeats: int, clock: Callable[[], float]
) -> dict[str, float]:
    """For each name, `count` units of its work per second of `clock`, best of `repeats` runs. The
    works take turns, round after round, so that a change in the machine's load between rounds
    touches all of them alike and the ratios between them stay fair."""
    best = dict.fromkeys(works, 0.0)
    for _ in range(repeats):
        for name, (work, count) in works.items():
            start = clock()
            work()
            best[name] = max(best[name], count / (clock() - start))
    return best


def bare_timeouts(n: int, processes: int = 100) -> None:
    """`n` timeouts: `processes` processes, each yielding timeouts in a loop."""
    env = simpy.Environment()

    def loop(k: int):
        for _ in range(k):
            yield env.timeout(1.0)

    for _ in range(processes):
        env.process(loop(n // processes))
    env.run()


def bare_requests(n: int, processes: int = reference.LANES) -> None:
    """`n` request/release pairs on a resource with a free unit for every process."""
    env = simpy.Environment()
    resource = simpy.Resource(env, capacity=processes)

    def loop(k: int):
        for _ in range(k):
            request = resource.request()
            yield request
            resource.release(request)

    for _ in range(processes):
        env.process(loop(n // processes))
    env.run()


def load() -> str:
    try:
        return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"


def check_agreement(seed: int, replications: int) -> bool:
    print(
        f"Agreement: {replications} replications each, independent random numbers, "
        "mean delivery time over the trucks of each replication"
    )
    comparisons, problems = reference.agreement(seed, replications)
    for c in comparisons:
        print("  " + str(c))
    for p in problems:
        print("  PROBLEM: " + p)
    return not problems


def measure(seed: int, quick: bool) -> dict[str, float]:
    """Every rate, in the units named by its key. Rates within one process are per second of this
    process's CPU time, which another program's load disturbs little; rates across worker
    processes are per second of wall-clock time, which it does."""
    scale = 0.25 if quick else 1.0
    repeats = 2 if quick else 3
    cores = available_cores()
    s = reference.scenario()
    rates: dict[str, float] = {}

    def timed(title: str, works: dict[str, tuple[Callable[[], object], int]], wall: bool = False) -> None:
        print(title)
        # Wall-clock rates vary more (a busy neighbour slows one core for a while): more rounds.
        rounds = (3 if quick else 5) if wall else repeats
        found = best_rates(works, rounds, time.perf_counter if wall else time.process_time)
        for name, rate in found.items():
            print(f"  {name:<44} {rate:>12,.0f}")
        rates.update(found)

    n = int(1_000_000 * scale)
    timed(
        "Engine ceiling (bare SimPy), per CPU second:",
        {
            "timeouts/s": (lambda: bare_timeouts(n), n),
            "request/release pairs/s": (lambda: bare_requests(n), n),
        },
    )

    reps, recursion_reps, numpy_reps = int(1024 * scale), int(8192 * scale), int(100_000 * scale)
    simulate(s, seed, 64)  # warm-up: imports, scipy's special functions
    travel, inspection = reference.draw_block(reference.rng(seed, reference.RECURSION), recursion_reps)
    timed(
        "Reference model, replications per CPU second (one process):",
        {
            "simulator, simulate": (lambda: simulate(s, seed, reps), reps),
            "plain SimPy, process per truck": (lambda: reference.run_plain_simpy(seed, reps), reps),
            "recursion, plain Python (with its draws)": (
                lambda: reference.run_recursion(seed, recursion_reps, False),
                recursion_reps,
            ),
            "recursion, plain Python (draws excluded)": (
                lambda: reference.recursion_python(travel, inspection),
                recursion_reps,
            ),
            "recursion, NumPy (with its draws)": (lambda: reference.run_recursion(seed, numpy_reps), numpy_reps),
        },
    )

    # A run of a few seconds: starting the pool and waiting for its last piece are fixed costs, which
    # weigh twice as much on a run half as long (docs/performance.md gives both).
    many = int(8192 * scale)
    works = {f"workers={w}": (lambda w=w: simulate_many(s, seed, many, workers=w), many) for w in sorted({1, 2, cores})}
    timed("Simulator on worker processes (simulate_many), replications per wall-clock second:", works, wall=True)
    return rates


def ratios(rates: dict[str, float]) -> dict[str, float]:
    simulator = rates["simulator, simulate"]
    return {
        "simulator / plain SimPy (per core)": simulator / rates["plain SimPy, process per truck"],
        "plain-Python recursion / simulator": rates["recursion, plain Python (with its draws)"] / simulator,
        "NumPy recursion / simulator": rates["recursion, NumPy (with its draws)"] / simulator,
        "2 workers / 1 worker": rates["workers=2"] / rates["workers=1"],
        "simulator events/s / bare timeouts/s": simulator * events_per_replication() / rates["timeouts/s"],
    }


def events_per_replication() -> int:
    """SimPy events the simulator processes in one replication of the reference."""
    s = reference.scenario()
    counter = {"steps": 0}
    original = simpy.Environment.step

    def step(self: simpy.Environment) -> None:
        counter["steps"] += 1
        original(self)

    simpy.Environment.step = step
    try:
        simulate(s, 0, 1)
    finally:
        simpy.Environment.step = original
    return counter["steps"]


def print_ratios(values: dict[str, float]) -> None:
    print("Ratios:")
    for name, value in values.items():
        line = f"  {name:<44} {value:>8.2f}x"
        if name in TARGETS:
            target, kind = TARGETS[name]
            met = value >= target if kind == "min" else value <= target
            line += f"   target {'>=' if kind == 'min' else '<='} {target:g}x: {'met' if met else 'NOT MET'}"
        print(line)


def profile(seed: int, replications: int, top: int) -> None:
    """cProfile of `simulate` on the reference: the functions with the most time of their own; then,
    without the profiler, the share of time in Python's cyclic garbage collector (which cProfile
    charges to whatever function happened to allocate when a collection started)."""
    s = reference.scenario()
    simulate(s, seed, 64)
    profiler = cProfile.Profile()
    profiler.runcall(simulate, s, seed, replications)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    print(f"Profile: simulate, {replications} replications of the reference, by own time (cProfile slows it ~2x)")
    text = out.getvalue()
    print(text[text.index("ncalls") - 3 :].rstrip().replace(str(ROOT) + os.sep, "").replace(sys.prefix, "<python>"))

    spent = [0.0, 0.0, 0.0]
    count = [0, 0, 0]
    started = [0.0]

    def clock(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            spent[info["generation"]] += time.perf_counter() - started[0]
            count[info["generation"]] += 1

    gc.callbacks.append(clock)
    try:
        start = time.perf_counter()
        simulate(s, seed, replications)
        total = time.perf_counter() - start
    finally:
        gc.callbacks.remove(clock)
    print(
        f"Garbage collection: {sum(spent) / total:.0%} of simulate's time; by generation 0/1/2: "
        + ", ".join(f"{c} collections {t / replications * 1e6:.0f} us/replication" for c, t in zip(count, spent))
    )


def memory_child(replications: int, workers: int, block: int, seed: int) -> dict:
    """Run in a fresh process: `replications` replications through `simulate_many` in blocks of
    `block`, keeping only each replication's mean delivery time. Peak RSS in MB."""
    import resource

    s = reference.scenario()
    simulate(s, seed, 64)  # imports done, as in a real run
    kb = 1024.0
    before = _status_kb("VmRSS") / kb  # the resident set now, not the peak so far
    means = np.empty(replications)
    record_bytes = 0
    start = time.perf_counter()
    for first in range(0, replications, block):
        count = min(block, replications - first)
        records = simulate_many(s, seed, count, workers=workers, first=first)
        if first == 0:
            tables = (records.movements, records.passages, records.checkpoints, records.deliveries)
            record_bytes = sum(a.nbytes for t in tables for a in t.values()) / count
        means[first : first + count] = reference.delivery_times(records.movements, count).mean(axis=1)
        del records
    seconds = time.perf_counter() - start
    return {
        "replications": replications,
        "workers": workers,
        "block": block,
        "seconds": seconds,
        "mean_delivery_h": float(means.mean()),
        "rss_before_mb": before,
        # VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over an exec, so it would
        # include the resident set of the benchmark process this one was forked from.
        "rss_peak_mb": _status_kb("VmHWM") / kb,
        "workers_rss_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / kb,
        "records_kb_per_replication": record_bytes / 1024,
    }


def _status_kb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (VmRSS: now; VmHWM: its peak)."""
    with open("/proc/self/status") as status:
        return float(next(line.split()[1] for line in status if line.startswith(f"{field}:")))


def memory_check(replications: int, workers: int, block: int, seed: int) -> None:
    print(
        f"Memory: {replications:,} replications through simulate_many (workers={workers}, blocks of {block}), "
        "keeping only the mean delivery time per replication; in a fresh process"
    )
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    arguments = json.dumps([replications, workers, block, seed])
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--memory-child", arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print("  FAILED:\n" + done.stderr)
        return
    m = json.loads(done.stdout.strip().splitlines()[-1])
    growth = m["rss_peak_mb"] - m["rss_before_mb"]
    worker_growth = m["workers_rss_peak_mb"] - m["rss_before_mb"]
    print(
        f"  {m['seconds']:.0f} s ({m['replications'] / m['seconds']:,.0f} replications/s), "
        f"mean delivery time {m['mean_delivery_h']:.3f} h"
    )
    print(
        f"  parent: RSS {m['rss_before_mb']:.0f} MB after imports, peak {m['rss_peak_mb']:.0f} MB: "
        f"growth {growth:.0f} MB"
    )
    print(
        f"  largest worker: peak RSS {m['workers_rss_peak_mb']:.0f} MB "
        f"({worker_growth:+.0f} MB over the parent's RSS after imports)"
    )
    print(f"  {'met' if max(growth, worker_growth) < 300 else 'NOT MET'}: target growth under a few hundred MB")
    print(
        f"  (the full Records take {m['records_kb_per_replication']:.1f} kB per replication: "
        f"{m['records_kb_per_replication'] * m['replications'] / 1024**2:.1f} GB if all were kept)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer replications (a smoke run)")
    parser.add_argument("--memory", action="store_true", help="also run the 100,000-replication memory check")
    parser.add_argument("--memory-replications", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true", help="also profile the simulator (cProfile)")
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument("--agreement-replications", type=int, help="default 2000 (500 with --quick)")
    parser.add_argument("--end-to-end", action="store_true", help="also time the whole CLI (benchmarks.end_to_end)")
    parser.add_argument("--end-to-end-sizes", type=int, nargs="+", default=list(end_to_end.SIZES))
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        print(json.dumps(memory_child(*json.loads(args.memory_child))))
        return 0

    cores = available_cores()
    print(
        f"Python {platform.python_version()}, SimPy {simpy.__version__}, NumPy {np.__version__}, "
        f"SciPy {scipy.__version__}; {cores} cores; {load()}"
    )
    print(
        f"Reference: {reference.TRUCKS} trucks, one every {reference.INTERVAL_H} h, through "
        f"{len(reference.CHECKPOINTS)} checkpoints of {reference.LANES} FIFO lanes; lognormal times\n"
    )
    agreement_replications = args.agreement_replications or (500 if args.quick else 2000)
    if not check_agreement(args.seed, agreement_replications):
        print("\nThe implementations disagree: no timings are printed.")
        return 1
    print()
    rates = measure(args.seed, args.quick)
    print()
    print_ratios(ratios(rates))
    if args.memory:
        print()
        memory_check(args.memory_replications, cores, 2048, args.seed)
    if args.end_to_end:
        print()
        end_to_end.report(args.end_to_end_sizes, [1, cores] if cores > 1 else [1])
    if args.profile:
        print()
        profile(args.seed, 512, 15)
    print(f"\n{load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
