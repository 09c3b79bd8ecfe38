"""Rebuild the reports of a finished run, a study or a sweep from its result files alone:

    python -m sim.report results/baseline/2024-01-01_12-00-00_000000    # figures, report.html, report.md
    python -m sim.report results/sweeps/2024-01-01_12-00-00_000000      # summary.csv ... sweep_report.html
    python -m sim.report results/baseline/<time> --study results/sensitivity/baseline/<time>
                                  # attach studies of the run's scenario: "What drives this result"

A sensitivity study's folder (`results/sensitivity/<scenario>/<time>/`) is rebuilt the same way,
from its study.json and indices.csv, without simulating anything. A sweep's folder
(`results/sweeps/<time>/`) gets its summary.csv, replications.csv and sweep_report.html again from
its job folders, as when the sweep ended: the complete jobs' results, the others listed with their
status (a SLURM sweep can be summarised while it runs, or after, without its launching shell).

Only a complete run (or study) is rebuilt: a folder whose status is not "complete" holds a crashed,
interrupted or still running run, and a report of it could pass for a result. The same files give
byte-identical reports.
"""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path

from sim.analysis.report import INPUTS, write_report
from sim.config.cores import available_cores
from sim.results import layout
from sim.results.parquet import ParquetUnavailable
from sim.results.status import folder_problem
from sim.results.sweep import is_sweep, job_folders


def main(argv: list[str] | None = None) -> int:
    """`python -m sim.report`: rebuild a finished run's, study's or sweep's report from its files;
    the exit status."""
    parser = argparse.ArgumentParser(prog="python -m sim.report", description=__doc__.splitlines()[0].rstrip(":"))
    parser.add_argument("folder", type=Path, help="a run's, study's or sweep's folder (results/...)")
    parser.add_argument(
        "--study",
        type=Path,
        action="append",
        default=[],
        metavar="FOLDER",
        help="a sensitivity or uncertainty study of the run's scenario (results/sensitivity/... or "
        "results/uncertainty/...) to attach to a run's report; at most one of each kind",
    )
    args = parser.parse_args(argv)
    folder = args.folder
    if args.study and (is_sweep(folder) or (folder / layout.STUDY).is_file()):
        print(
            f"sim.report: {folder}: --study attaches studies to a run's folder, not to a sweep or a study",
            file=sys.stderr,
        )
        return 2
    if is_sweep(folder):
        return _sweep(folder)
    inputs, write = INPUTS, partial(write_report, processes=available_cores())
    if (folder / layout.STUDY).is_file():  # a sensitivity study's folder (`python -m sim.sensitivity`)
        from sim.analysis import sensitivity_report

        inputs, write = sensitivity_report.INPUTS, sensitivity_report.write_sensitivity_report
    problem = folder_problem(folder, inputs)
    if problem:
        print(f"sim.report: {folder}: {problem}; nothing written", file=sys.stderr)
        return 2
    if args.study:
        from sim.analysis.studies import attach

        problems = attach(folder, args.study)
        if problems:
            print("\n".join(f"sim.report: {p}; nothing written" for p in problems), file=sys.stderr)
            return 2
    try:
        write(folder)
    except OSError as error:
        print(f"sim.report: {folder}: cannot write the report: {error}", file=sys.stderr)
        return 2
    except ParquetUnavailable as error:  # a run with tables.format=parquet, read where pyarrow is not installed
        print(f"sim.report: {folder}: {error}; nothing written", file=sys.stderr)
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


def _sweep(folder: Path) -> int:
    """Rebuild a sweep's summary, long table and report from its job folders; the exit status."""
    from sim.analysis.sweep_summary import outcome, write_sweep_summary

    if not job_folders(folder):
        print(f"sim.report: {folder}: a sweep without job folders (none has started); nothing written", file=sys.stderr)
        return 2
    try:
        rows = write_sweep_summary(folder)
    except OSError as error:
        print(f"sim.report: {folder}: cannot write the sweep's summary: {error}", file=sys.stderr)
        return 2
    except (KeyError, ValueError) as error:  # a job's files of another version, or edited by hand
        print(
            f"sim.report: {folder}: a job's result files do not have the expected content "
            f"({type(error).__name__}: {error}); nothing written",
            file=sys.stderr,
        )
        return 2
    print(outcome(rows))
    for name in (layout.SWEEP_SUMMARY, layout.SWEEP_REPLICATIONS, layout.SWEEP_REPORT):
        if (folder / name).is_file():
            print(folder / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
