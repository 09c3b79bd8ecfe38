"""What a user waits for: the whole command `python -m sim scenario=baseline replications=N`
(simulation, tables, statistics, figures, report), against the simulator alone. From the
repository's root:

    python -m benchmarks.end_to_end                          # 10^4, 10^5 and 10^6 replications
    python -m benchmarks.end_to_end --sizes 10000 100000     # skip the million (a few minutes less)
    python -m benchmarks.end_to_end --sizes 100000 --workers 1 2   # what a second worker buys
    python -m benchmarks.end_to_end --sizes 100000 --override tables.format=parquet   # any key=value

Each run is a fresh process into a temporary folder. Printed per run: wall time, CPU time (user +
system, the parent and its workers together), the parent's peak RSS (/proc's VmHWM) and the
largest worker's (its ru_maxrss, which Linux reports as the same high-water mark), the tables'
bytes (the four tables of `Records`, in either format), and the ratio
of the run's CPU time to what the simulator alone spends on as many replications (measured in
this process, per CPU second). Wall times count only on a quiet machine: the load average is
printed before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import runpy
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sim.results.records import TABLE_NAMES

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10_000, 100_000, 1_000_000)


def child(arguments: list[str], out: str) -> None:
    """Run the command line in this process, then write its resource use to `out` (JSON)."""
    sys.argv = ["sim", *arguments]
    try:
        runpy.run_module("sim", run_name="__main__", alter_sys=True)
    finally:
        me, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        used = {
            "cpu_s": me.ru_utime + me.ru_stime + workers.ru_utime + workers.ru_stime,
            "parent_cpu_s": me.ru_utime + me.ru_stime,
            "parent_peak_mb": _vm_hwm_kb() / 1024,
            "worker_peak_mb": workers.ru_maxrss / 1024,
        }
        Path(out).write_text(json.dumps(used), encoding="utf-8")


def _vm_hwm_kb() -> float:
    # VmHWM, not ru_maxrss, for this process: Linux carries ru_maxrss over an exec.
    with open("/proc/self/status") as status:
        return float(next(line.split()[1] for line in status if line.startswith("VmHWM:")))


def run_cli(replications: int, workers: int, extra: list[str] = ()) -> dict:
    """One fresh `python -m sim scenario=baseline replications=N workers=W` into a temporary
    folder: wall seconds, CPU seconds, peak RSS of the parent and the largest worker."""
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "used.json"
        arguments = [
            "scenario=baseline",
            f"replications={replications}",
            f"workers={workers}",
            f"hydra.run.dir={Path(scratch) / 'run'}",
            *extra,
        ]
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.end_to_end", "--child", json.dumps([arguments, str(out)])],
            cwd=scratch,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        wall_s = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(f"python -m sim {' '.join(arguments)} failed:\n{done.stderr}")
        tables = [p for p in (Path(scratch) / "run").iterdir() if p.stem in TABLE_NAMES and p.suffix != ".png"]
        tables_mb = sum(p.stat().st_size for p in tables) / 1e6
        used = json.loads(out.read_text())
        return {"replications": replications, "workers": workers, "wall_s": wall_s, "tables_mb": tables_mb, **used}


def simulator_cpu_s_per_replication(replications: int = 5000) -> float:
    """CPU seconds per baseline replication of the simulator alone (`simulate`, one process)."""
    from sim.config.compose import load_run
    from sim.simulate.replications import simulate

    run = load_run(["scenario=baseline"])
    simulate(run.scenario, run.seed, 64)  # imports and first calls done
    start = time.process_time()
    simulate(run.scenario, run.seed, replications)
    return (time.process_time() - start) / replications


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def report(sizes: list[int], workers: list[int], overrides: list[str] = ()) -> list[dict]:
    """Run and print every (size, workers) combination, with `overrides` (key=value); the measurements."""
    print(f"End to end: python -m sim scenario=baseline replications=N workers=W {' '.join(overrides)}; {load()}")
    per_replication_s = simulator_cpu_s_per_replication()
    print(f"  simulator alone: {per_replication_s * 1e6:.0f} us CPU per replication")
    found = []
    for n in sizes:
        for w in workers:
            m = run_cli(n, w, overrides)
            found.append(m)
            print(
                f"  N={n:>9,} workers={w}: wall {m['wall_s']:7.1f} s, CPU {m['cpu_s']:7.1f} s "
                f"(parent {m['parent_cpu_s']:.1f} s), peak RSS parent {m['parent_peak_mb']:.0f} MB, "
                f"largest worker {m['worker_peak_mb']:.0f} MB; tables {m['tables_mb']:.0f} MB; CPU / simulator alone "
                f"{m['cpu_s'] / (per_replication_s * n):.2f}"
            )
    for n in sizes:
        by_workers = {m["workers"]: m["wall_s"] for m in found if m["replications"] == n}
        if 1 in by_workers and 2 in by_workers:
            print(f"  N={n:,}: wall with 1 worker / with 2 workers = {by_workers[1] / by_workers[2]:.2f}")
    print(f"  {load()}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.end_to_end", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="replications per run")
    parser.add_argument("--workers", type=int, nargs="+", default=[2], help="worker processes per run")
    parser.add_argument(
        "--override", action="append", default=[], metavar="KEY=VALUE", help="added to every run's command line"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*json.loads(args.child))
        return 0
    report(args.sizes, args.workers, args.override)
    return 0


if __name__ == "__main__":
    sys.exit(main())
