"""Put two or more finished runs side by side in one HTML page:

    python -m sim.compare results/baseline/<time> results/baseline/<other time> [--out compare.html]

Per movement present in every run: each run's key metrics with their intervals, and paired
differences against the first run where the runs share seed and replication numbers (common
random numbers). Only complete runs are compared: a folder whose status is not "complete" holds a
crashed, interrupted or still running run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.analysis.comparison import render_comparison
from sim.analysis.runs import run_problem
from sim.results.files import write_text


def main(argv: list[str] | None = None) -> int:
    """`python -m sim.compare`: one page comparing finished runs; the exit status."""
    parser = argparse.ArgumentParser(prog="python -m sim.compare", description=__doc__.splitlines()[0])
    parser.add_argument("folders", type=Path, nargs="+", metavar="folder", help="results folders of `python -m sim`")
    parser.add_argument("--out", type=Path, default=Path("compare.html"), help="the page (default: %(default)s)")
    args = parser.parse_args(argv)
    if len(args.folders) < 2:
        parser.error("give two or more run folders")
    for folder in args.folders:
        problem = run_problem(folder)
        if problem:
            print(f"sim.compare: {folder}: {problem}; nothing written", file=sys.stderr)
            return 2
    try:
        page = render_comparison(args.folders)
        write_text(args.out, page)
    except (OSError, ValueError, KeyError) as error:  # unreadable or malformed result files
        print(f"sim.compare: cannot compare: {type(error).__name__}: {error}; nothing written", file=sys.stderr)
        return 2
    print(f"Comparison of {len(args.folders)} runs: {args.out.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
