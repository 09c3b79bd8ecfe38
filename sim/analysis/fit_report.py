"""What `python -m sim.fit` says about a fit: the table of candidates, and the scenario fragment
(YAML) with the chosen delay, its source entry, and every detail of the fit as comments."""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from sim.analysis.fit_ranking import ALPHA, FitReport

HOURS_PER_UNIT = {"h": 1.0, "d": 24.0}
UNIT_NAMES = {"h": "hours", "d": "days"}
_SMALL_SAMPLE = 30  # below this many durations the fragment warns that the fit says little


@dataclass(frozen=True)
class Origin:
    """Where the durations came from, as the fragment names it."""

    csv: str  # the file, as given on the command line
    column: str
    unit: str  # "h" or "d": the unit of the column
    censored_column: str | None = None


def rounded(value: float) -> float:
    """A fitted value to 4 significant figures: more would claim a precision the data lack."""
    return float(f"{value:.4g}")


def number(value: float) -> str:
    """A value for reading: 4 significant figures, thousands separated, never in e-notation."""
    r = rounded(value)
    return f"{r:,.0f}" if abs(r) >= 1000 else f"{r:g}"


def fitted_delay(report: FitReport) -> dict[str, object]:
    """The chosen delay as a scenario writes it: `dist` and the simulator's fields, in hours."""
    fit = report.chosen.fit
    return {"dist": fit.family, **{name: rounded(v) for name, v in fit.parameters.items()}}


def summary_lines(report: FitReport, origin: Origin) -> list[str]:
    """The fit in plain lines: the data, the candidates ranked by AIC, the choice, the test and
    the bootstrap intervals of the chosen family."""
    d = report.durations
    scale = HOURS_PER_UNIT[origin.unit]
    censored = f", right-censored where {origin.censored_column} is true" if origin.censored_column else ""
    lines = [
        f"Durations: {origin.csv}, column {origin.column} ({UNIT_NAMES[origin.unit]}){censored}:",
        f"  {len(d)} durations, {int(d.censored.sum())} right-censored (still ongoing when last seen).",
        "",
        f"{'family':<12} {'log-lik':>9} {'AIC':>9} {'dAIC':>6} {'AICc':>9} {'KS':>6} {'p (GoF)':>8}  fitted (hours)",
    ]
    best = report.candidates[0].fit.aic
    for c in report.candidates:
        fields = " ".join(f"{name}={number(v)}" for name, v in c.fit.parameters.items())
        lines.append(
            f"{c.fit.family:<12} {c.fit.loglik:>9.2f} {c.fit.aic:>9.2f} {c.fit.aic - best:>6.2f} "
            f"{c.fit.aicc:>9.2f} {c.ks:>6.3f} {c.p_value:>8.3f}  {fields}"
        )
    u = report.uncertainty
    lines += [
        "",
        f"Chosen: {report.chosen.fit.family}: {report.why}.",
        *_cautions(report),
        "Fit: maximum likelihood (a censored duration counts by its survival, not its density); "
        "AIC = 2k - 2 log-lik, AICc adds the small-sample correction.",
        "Goodness of fit: Kolmogorov-Smirnov distance between the Kaplan-Meier estimate and the fitted CDF; "
        f"p-value by parametric bootstrap ({u.resamples} samples, parameters refitted on each, "
        "censored rows keeping their censoring times).",
        f"{u.level:.0%} bootstrap intervals of the {u.family} ({u.resamples} resamples of the rows, refitted; "
        f"seed {report.seed}; {u.failed} without a finite fit left out):",
    ]
    for name, (low, high) in u.intervals.items():
        value = report.chosen.fit.parameters[name]
        line = f"  {name}: {number(value)} ({number(low)} - {number(high)})"
        if scale != 1:
            line += f"  = {number(value / scale)} {origin.unit} ({number(low / scale)} - {number(high / scale)})"
        lines.append(line)
    return lines


def _cautions(report: FitReport) -> list[str]:
    """What the reader should not over-read: families AIC cannot tell apart, a small sample."""
    notes = []
    close = [c.fit.family for c in report.candidates[1:] if c.fit.aic - report.candidates[0].fit.aic < 2]
    if close:
        notes.append(f"Within 2 AIC of the best: {', '.join(close)}: the data hardly tell these families apart.")
    if len(report.durations) < _SMALL_SAMPLE:
        notes.append(
            f"Only {len(report.durations)} durations: the test has little power (a p-value above {ALPHA:g} "
            "does not show the family is right) and the intervals are wide; treat the shape as an assumption."
        )
    return notes


def fragment(report: FitReport, origin: Origin) -> str:
    """The scenario fragment: comments on the fit, then `delay` (to paste under the key it models)
    and `source` (to paste under `sources`, keyed by the same path)."""
    fit = report.chosen.fit
    intervals = "; ".join(
        f"{name} {number(low)}-{number(high)}" for name, (low, high) in report.uncertainty.intervals.items()
    )
    note = (
        f"{fit.family} fitted by maximum likelihood with python -m sim.fit to {origin.csv}, column {origin.column} "
        f"({len(report.durations)} durations, {int(report.durations.censored.sum())} right-censored); "
        f"{report.why}; {report.uncertainty.level:.0%} bootstrap intervals (h): {intervals}; "
        "the observations' sources are in the CSV"
    )
    comments = [
        "A delay fitted by `python -m sim.fit`.",
        "",
        *summary_lines(report, origin),
        "",
        "Paste `delay` under the key it models (e.g. checkpoints.<place>.random_closures.duration or",
        "movements.<movement>.hold.delay) and `source` under `sources`, keyed by the same path. Replacing a",
        "delay of another shape in a scenario you extend: set its other fields to null.",
    ]
    data = {"delay": fitted_delay(report), "source": {"source": "ASSUMPTION", "confidence": "A", "note": note}}
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return "".join(f"# {line}".rstrip() + "\n" for line in comments) + body
