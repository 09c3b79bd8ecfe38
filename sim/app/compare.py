"""Put two or more finished runs side by side in one HTML page:

    python -m sim.compare results/baseline/<time> results/baseline/<other time> [--out <folder>]

Per movement present in every run: each run's key metrics with their intervals, and paired
differences against the first run where the runs share seed and replication numbers (common
random numbers). Only complete runs are compared: a folder whose status is not "complete" holds a
crashed, interrupted or still running run. The page goes to `results/compare/<time>/compare.html`
under the current folder, as runs go to `results/`; runs that differ in horizon, start or seed
are compared with a warning, on the console and on the page.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from sim.analysis.comparison import render_comparison
from sim.analysis.runs import run_problem
from sim.results import layout
from sim.results.files import write_text

COMPARISONS = Path("results", "compare")  # under the current folder, beside the runs
FOLDER_TIME = "%Y-%m-%d_%H-%M-%S_%f"  # as Hydra names run folders (configs/config.yaml)


def main(argv: list[str] | None = None) -> int:
    """`python -m sim.compare`: one page comparing finished runs; the exit status."""
    parser = argparse.ArgumentParser(prog="python -m sim.compare", description=__doc__.splitlines()[0])
    parser.add_argument("folders", type=Path, nargs="+", metavar="folder", help="results folders of `python -m sim`")
    parser.add_argument(
        "--out", type=Path, help=f"the folder to write {layout.COMPARISON} into (default: {COMPARISONS}/<time>)"
    )
    args = parser.parse_args(argv)
    if len(args.folders) < 2:
        parser.error("give two or more run folders")
    for folder in args.folders:
        problem = run_problem(folder)
        if problem:
            print(f"sim.compare: {folder}: {problem}; nothing written", file=sys.stderr)
            return 2
    page = (args.out or COMPARISONS / datetime.now().strftime(FOLDER_TIME)) / layout.COMPARISON
    try:
        comparison = render_comparison(args.folders)
        write_text(page, comparison.page)
    except (OSError, ValueError, KeyError) as error:  # unreadable or malformed result files
        print(f"sim.compare: cannot compare: {type(error).__name__}: {error}; nothing written", file=sys.stderr)
        return 2
    for warning in comparison.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"Comparison of {len(args.folders)} runs: {page.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
