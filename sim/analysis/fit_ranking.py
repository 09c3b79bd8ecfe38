"""Ranking the fitted families and the chosen one's uncertainty: the goodness-of-fit test (the
Kolmogorov-Smirnov distance between Kaplan-Meier and the fitted CDF, its p-value by parametric
bootstrap with the parameters estimated again on every simulated sample), AIC, and percentile
bootstrap intervals of the chosen family's parameters (rows resampled and refitted). The fits
themselves are `sim.analysis.fitting`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.analysis.fitting import FAMILIES, Durations, Fit, FitError, fit

LEVEL = 0.95  # of the bootstrap intervals
ALPHA = 0.05  # a family whose goodness-of-fit p-value is below this is not chosen


def kaplan_meier(d: Durations) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Kaplan-Meier estimate of the CDF at every distinct duration (ended or censored): the
    times, the estimate just before each and at each. With nothing censored, the empirical CDF."""
    ordered = np.sort(d.hours)
    times = np.unique(ordered)
    at_risk = len(d) - np.searchsorted(ordered, times)  # the durations that last at least each time
    ended = np.bincount(np.searchsorted(times, d.ended), minlength=len(times))
    survival = np.cumprod(1 - ended / at_risk)
    after = 1 - survival
    before = np.concatenate([[0.0], after[:-1]])
    return times, before, after


def ks_distance(d: Durations, fitted: Fit) -> float:
    """The largest gap between the Kaplan-Meier estimate and the fitted CDF, up to the longest
    duration (beyond it the estimate says nothing)."""
    times, before, after = kaplan_meier(d)
    model = fitted.cdf(times)
    return float(max(np.abs(after - model).max(), np.abs(before - model).max()))


def goodness_of_fit(d: Durations, fitted: Fit, resamples: int, rng: np.random.Generator) -> tuple[float, float]:
    """The KS distance of the fit and its p-value: the share of samples drawn from the fitted
    distribution, with the same censoring times and refitted, whose distance is at least as
    large ((hits + 1) / (resamples + 1); a sample with no finite fit counts as a hit)."""
    observed = ks_distance(d, fitted)
    frozen = FAMILIES[fitted.family].frozen(np.asarray(fitted.theta))
    hits = 0
    for _ in range(resamples):
        draws = frozen.ppf(rng.random(len(d)))
        cut = d.censored & (draws > d.hours)  # outlasts its censoring time: seen as censored there
        sample = Durations(np.where(cut, d.hours, draws), cut)
        try:
            hits += ks_distance(sample, fit(sample, fitted.family)) >= observed
        except FitError:
            hits += 1
    return observed, (hits + 1) / (resamples + 1)


@dataclass(frozen=True)
class Bootstrap:
    """Percentile bootstrap intervals of a family's fitted fields: rows resampled with replacement
    and refitted `resamples` times; `failed` of them gave no finite fit and are left out."""

    family: str
    intervals: dict[str, tuple[float, float]]
    resamples: int
    failed: int
    level: float = LEVEL


def bootstrap(d: Durations, family: str, resamples: int, rng: np.random.Generator, level: float = LEVEL) -> Bootstrap:
    """Percentile intervals of the simulator's fields of `family`, by resampling rows."""
    fields = FAMILIES[family].fields
    values: list[list[float]] = []
    failed = 0
    for _ in range(resamples):
        rows = rng.integers(0, len(d), len(d))
        try:
            refit = fit(Durations(d.hours[rows], d.censored[rows]), family)
        except FitError:
            failed += 1
            continue
        values.append([refit.parameters[name] for name in fields])
    if not values:
        raise FitError(f"{family}: no bootstrap resample gave a finite fit")
    tails = np.quantile(np.array(values), [(1 - level) / 2, (1 + level) / 2], axis=0)
    intervals = {name: (float(tails[0, i]), float(tails[1, i])) for i, name in enumerate(fields)}
    return Bootstrap(family, intervals, resamples, failed, level)


@dataclass(frozen=True)
class Candidate:
    """A fitted family with its goodness-of-fit test."""

    fit: Fit
    ks: float
    p_value: float


@dataclass(frozen=True)
class FitReport:
    """Every candidate family ranked by AIC, the one chosen, and its bootstrap intervals."""

    durations: Durations
    candidates: tuple[Candidate, ...]  # lowest AIC first
    chosen: Candidate
    why: str  # one sentence: why this family
    uncertainty: Bootstrap
    seed: int


def fit_durations(d: Durations, seed: int, resamples: int, family: str | None = None) -> FitReport:
    """Fit every family, test each, choose one (`family` if given, else the lowest AIC among those
    the test does not reject at ALPHA, else the lowest AIC) and bootstrap its parameters.
    The same durations, seed and resamples give the same report."""
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(1 + len(FAMILIES))]
    candidates = []
    for name, stream in zip(FAMILIES, streams[1:]):  # one stream per family, whichever is chosen
        try:
            fitted = fit(d, name)
        except FitError:
            continue
        candidates.append(Candidate(fitted, *goodness_of_fit(d, fitted, resamples, stream)))
    if not candidates:
        raise FitError("no family gives a finite fit: too few distinct durations seen to their end")
    candidates.sort(key=lambda c: c.fit.aic)
    chosen, why = _choose(candidates, family)
    return FitReport(d, tuple(candidates), chosen, why, bootstrap(d, chosen.fit.family, resamples, streams[0]), seed)


def _choose(candidates: list[Candidate], family: str | None) -> tuple[Candidate, str]:
    if family is not None:
        named = [c for c in candidates if c.fit.family == family]
        if not named:
            raise FitError(f"{family}: no finite fit for these durations")
        return named[0], f"{family}, as asked (--family)"
    kept = [c for c in candidates if c.p_value >= ALPHA]
    if kept:
        return kept[0], f"the lowest AIC among the families the goodness-of-fit test does not reject at {ALPHA:g}"
    return candidates[0], f"the lowest AIC; WARNING: the goodness-of-fit test rejects every family at {ALPHA:g}"
