"""Rebuild the figures, report.html and report.md of a finished run from its result files:

    python -m sim.report results/baseline/2024-01-01_12-00-00_000000

A sensitivity study's folder (`results/sensitivity/<scenario>/<time>/`) is rebuilt the same way,
from its study.json and indices.csv, without simulating anything.

Only a complete run is rebuilt: a folder whose status is not "complete" holds a crashed,
interrupted or still running run, and a report of it could pass for a result. The same files give
byte-identical reports.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.analysis.report import INPUTS, write_report
from sim.results import layout
from sim.results.status import folder_problem


def main(argv: list[str] | None = None) -> int:
    """`python -m sim.report`: rebuild a finished run's report from its files; the exit status."""
    parser = argparse.ArgumentParser(prog="python -m sim.report", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a results folder written by `python -m sim`")
    folder = parser.parse_args(argv).folder
    inputs, write = INPUTS, write_report
    if (folder / layout.STUDY).is_file():  # a sensitivity study's folder (`python -m sim.sensitivity`)
        from sim.analysis import sensitivity_report

        inputs, write = sensitivity_report.INPUTS, sensitivity_report.write_sensitivity_report
    problem = folder_problem(folder, inputs)
    if problem:
        print(f"sim.report: {folder}: {problem}; nothing written", file=sys.stderr)
        return 2
    try:
        write(folder)
    except OSError as error:
        print(f"sim.report: {folder}: cannot write the report: {error}", file=sys.stderr)
        return 2
    except (KeyError, ValueError) as error:  # files of another version, or edited by hand
        print(
            f"sim.report: {folder}: the result files do not have the expected content "
            f"({type(error).__name__}: {error}); nothing written",
            file=sys.stderr,
        )
        return 2
    print(folder / layout.REPORT_HTML)
    print(folder / layout.REPORT_MD)
    return 0


if __name__ == "__main__":
    sys.exit(main())
