"""Does any step grow faster than the replications? Each analysis step of a run, timed on the
baseline at N and at 10 N replications (CPU seconds in this process, the best of up to three): a step
linear in the replications takes about 10 times as long at 10 N; the ratio is printed per step,
and a step whose ratio exceeds LIMIT fails the benchmark (exit status 1). From the repository's
root:

    python -m benchmarks.growth                    # N = 2,000 and 20,000 (about a minute)
    python -m benchmarks.growth --sizes 10000 100000

Steps: the simulation itself (the reference), writing the tables, reading each table back
(`read_table`), the statistics (`summarise`), the check against the record (validation.json),
and the report (`write_report`: every figure and both pages, from the folder's files). Small
sizes carry fixed costs (imports, the figures' layout) that make ratios smaller than 10, never
larger.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 16.0  # 10x the replications: at most 16x the time (linear, with room for noise and caches)
TABLES = ("movements", "passages", "checkpoints", "deliveries")


def cpu_s(step: Callable[[], object], repeats: int = 3) -> float:
    """The least CPU time of up to `repeats` calls of `step` (the least is the one least
    disturbed); one call if it takes over a second (noise is small beside it)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        step()
        best = min(best, time.process_time() - start)
        if best > 1.0:
            break
    return best


def measure(replications: int, scratch: Path) -> dict[str, float]:
    """CPU seconds of each step at `replications` baseline replications."""
    from sim.analysis.report import write_report
    from sim.analysis.statistics import summarise
    from sim.app.run import against_record, summary_inputs
    from sim.config.compose import load_run
    from sim.results import layout
    from sim.results.files import read_table, write_table
    from sim.simulate.replications import simulate

    folder = scratch / f"run_{replications}"
    subprocess.run(
        [sys.executable, "-m", "sim", "scenario=baseline", f"replications={replications}", f"hydra.run.dir={folder}"],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    run = load_run(["scenario=baseline"])
    records = simulate(run.scenario, run.seed, replications)
    inputs = summary_inputs(run.scenario)
    steps: dict[str, Callable[[], object]] = {
        "simulate (reference)": lambda: simulate(run.scenario, run.seed, replications),
        "write tables": lambda: [write_table(scratch / f"{t}.csv", getattr(records, t)) for t in TABLES],
        **{f"read {layout.TABLES[t]}": (lambda t=t: read_table(folder / layout.TABLES[t])) for t in TABLES},
        "statistics (summarise)": lambda: summarise(records, **inputs),
        "against the record": lambda: against_record(run.scenario, folder),
        "report (figures and pages)": lambda: write_report(folder),
    }
    return {name: cpu_s(step) for name, step in steps.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.growth", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[2000, 20000], metavar=("N", "TEN_N"))
    args = parser.parse_args(argv)
    small, large = args.sizes
    with tempfile.TemporaryDirectory() as scratch:
        at_small, at_large = measure(small, Path(scratch)), measure(large, Path(scratch))
    factor = large / small
    print(f"Growth from {small:,} to {large:,} replications ({factor:g}x), CPU seconds:")
    failed = []
    for name in at_small:
        ratio = at_large[name] / max(at_small[name], 1e-6)
        flag = "" if ratio <= LIMIT * factor / 10 else "  <- grows faster than the replications"
        if flag:
            failed.append(name)
        print(f"  {name:<28} {at_small[name]:8.3f} s {at_large[name]:8.3f} s   x{ratio:5.1f}{flag}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
