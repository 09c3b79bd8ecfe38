"""Fit a delay distribution to observed durations and write it as a scenario fragment:

    python -m sim.fit FILE.csv --column NAME [--censored-column NAME] [--unit h|d] --out FRAGMENT.yaml

One row per observation (how long a suspension, hold or inspection lasted); the optional censored
column says which were still ongoing when last seen (true/false, yes/no or 1/0). Every family the
simulator runs that suits a duration (lognormal, gamma, exponential) is fitted by maximum
likelihood, ranked by AIC and tested; the fragment holds the chosen one in the simulator's own
fields (hours), a `source` entry, and the fit's details and bootstrap intervals as comments. A PNG
of the data against the fitted CDFs is written beside it. Exit status 0, or 2 with one line saying
what is wrong and nothing written.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from pathlib import Path

from sim.analysis.fit_figure import fit_figure
from sim.analysis.fit_ranking import fit_durations
from sim.analysis.fit_report import HOURS_PER_UNIT, Origin, fitted_delay, fragment, summary_lines
from sim.analysis.fitting import FAMILIES, Durations, FitError
from sim.config.bounds import MAX_HOURS
from sim.config.rules import delay_problems
from sim.config.schema import Delay, Distribution
from sim.results.files import write_bytes, write_text

MIN_DURATIONS = 5  # fewer cannot tell one shape from another, nor give any interval
MIN_RESAMPLES = 100
DEFAULT_SEED = 20230726  # the simulator's own default seed
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


class InputError(ValueError):
    """The input cannot be fitted; the message names the file, row or option."""


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line (what is wrong and what is allowed), exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message}\n")


def main(argv: list[str] | None = None) -> int:
    """`python -m sim.fit`: fit, write the fragment and its figure; the exit status."""
    parser = _Parser(prog="python -m sim.fit", description=__doc__.splitlines()[0].rstrip(":") + ".")
    parser.add_argument("csv", type=Path, metavar="FILE.csv", help="observed durations, one row per observation")
    parser.add_argument("--column", required=True, metavar="NAME", help="the column of durations")
    parser.add_argument("--censored-column", metavar="NAME", help="which were still ongoing (true/false)")
    parser.add_argument("--unit", choices=list(HOURS_PER_UNIT), default="h", help="of the durations (default: h)")
    parser.add_argument("--out", type=Path, required=True, metavar="FRAGMENT.yaml", help="the PNG goes beside it")
    parser.add_argument("--family", choices=list(FAMILIES), help="write this family, not the one ranked first")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="bootstrap and test (default: %(default)s)")
    parser.add_argument("--resamples", type=int, default=1000, help="for the intervals and the test (default: 1000)")
    args = parser.parse_args(argv)
    if args.resamples < MIN_RESAMPLES:
        parser.error(f"--resamples={args.resamples}: must be >= {MIN_RESAMPLES}")
    if args.seed < 0:
        parser.error(f"--seed={args.seed}: must be >= 0")
    if args.out.suffix.lower() == ".png":
        parser.error(f"--out {args.out}: the fragment is YAML (FRAGMENT.yaml); the figure gets its name with .png")
    origin = Origin(args.csv.as_posix(), args.column, args.unit, args.censored_column)
    try:
        durations = read_durations(args.csv, args.column, args.censored_column, HOURS_PER_UNIT[args.unit])
        report = fit_durations(durations, args.seed, args.resamples, args.family)
        check_delay(fitted_delay(report))
    except (InputError, FitError) as error:
        print(f"{parser.prog}: {error}; nothing written", file=sys.stderr)
        return 2
    figure = args.out.with_suffix(".png")
    try:
        write_text(args.out, fragment(report, origin))
        write_bytes(figure, fit_figure(report, args.unit))
    except OSError as error:
        print(f"{parser.prog}: --out {args.out}: cannot be written: {error.strerror or error}", file=sys.stderr)
        return 2
    print("\n".join(summary_lines(report, origin)))
    print(f"\nFragment: {args.out}\nFigure: {figure}")
    return 0


def read_durations(path: Path, column: str, censored_column: str | None, hours_per_unit: float) -> Durations:
    """The durations of a CSV file's column, in hours, and which are censored; InputError naming
    the file, line and value of the first bad cell."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            names = reader.fieldnames or []
            for option, name in (("--column", column), ("--censored-column", censored_column)):
                if name is not None and name not in names:
                    known = ", ".join(names) or "none: the file is empty"
                    raise InputError(f"{option} {name}: no such column in {path} (columns: {known})")
            hours, censored = [], []
            for row in reader:
                where = f"{path} line {reader.line_num}"
                hours.append(_duration(row[column], column, where) * hours_per_unit)
                censored.append(_censored(row[censored_column], censored_column, where) if censored_column else False)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InputError(f"{path}: cannot be read as a CSV file: {error}") from None
    if len(hours) < MIN_DURATIONS:
        raise InputError(f"{path}: {len(hours)} durations in {column}; at least {MIN_DURATIONS} are needed to fit")
    return Durations(hours, censored)


def _duration(cell: str | None, column: str, where: str) -> float:
    text = (cell or "").strip()
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{where}: {column}={text!r} is not a number") from None
    if not (math.isfinite(value) and value > 0):
        raise InputError(f"{where}: {column}={text}: a duration must be a finite number > 0")
    return value


def _censored(cell: str | None, column: str, where: str) -> bool:
    text = (cell or "").strip().lower()
    if text not in _TRUE | _FALSE:
        raise InputError(f"{where}: {column}={text!r}: must be true or false (also yes/no, 1/0)")
    return text in _TRUE


def check_delay(fields: dict[str, object]) -> None:
    """InputError unless the fitted delay is one a scenario accepts: the simulator's value rules,
    and no duration beyond its bound."""
    delay = Delay(dist=Distribution(fields["dist"]), **{k: v for k, v in fields.items() if k != "dist"})
    problems = list(delay_problems(delay, "delay"))
    problems += [f"delay.{k}={v:g}: beyond the simulator's bound of {MAX_HOURS:g} h" for k, v in _hours(fields)]
    if problems:
        raise InputError(f"the fitted {fields['dist']} cannot be run: {'; '.join(problems)}")


def _hours(fields: dict[str, object]) -> list[tuple[str, float]]:
    return [(k, v) for k, v in fields.items() if isinstance(v, float) and v > MAX_HOURS]


if __name__ == "__main__":
    sys.exit(main())
