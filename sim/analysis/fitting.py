"""Delay distributions fitted to observed durations: how long suspensions, holds or inspections
lasted in the record, some of them still ongoing when last seen (right-censored).

Each family the simulator can run and that suits a duration (lognormal, gamma, exponential; all
starting at zero) is fitted by maximum likelihood: an observed duration contributes its density,
a censored one its survival (it lasted at least that long). The candidates are ranked by AIC and
tested for goodness of fit (`sim.analysis.fit_ranking`): the Kolmogorov-Smirnov distance between
the Kaplan-Meier estimate (the empirical CDF when nothing is censored) and the fitted CDF, its p-value by parametric
bootstrap with the parameters estimated again on every simulated sample. A censored row keeps its
censoring time in the simulated samples (a draw beyond it is seen as censored there); the other
rows are seen to their end. The chosen family's parameters get percentile bootstrap intervals:
rows resampled with replacement and refitted.

The likelihood is written out with `scipy.special` and minimised with BFGS: `scipy.stats`'s own
fit on `CensoredData` gives the same estimates (the tests check it) but costs some 50 ms a fit,
and the bootstrap and the test refit thousands of times. Parameters are returned in the
simulator's own terms, in hours: a lognormal as `median_h` and `p90_h`, a gamma as `mean_h` and
`sd_h`, an exponential as `mean_h`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize, special, stats

_Z90 = float(special.ndtri(0.9))  # the standard normal's 0.9 quantile, for p90_h
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


class FitError(ValueError):
    """The durations cannot give a finite maximum-likelihood fit (too few distinct observations)."""


@dataclass(frozen=True)
class Durations:
    """Observed durations in hours, and which of them were still ongoing when last seen (so that
    the true duration is at least the value)."""

    hours: np.ndarray
    censored: np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "hours", np.asarray(self.hours, dtype=float))
        object.__setattr__(self, "censored", np.asarray(self.censored, dtype=bool))
        if self.hours.shape != self.censored.shape or self.hours.ndim != 1:
            raise ValueError("hours and censored must be one-dimensional and of the same length")

    def __len__(self) -> int:
        return len(self.hours)

    @property
    def ended(self) -> np.ndarray:
        """The durations seen to their end."""
        return self.hours[~self.censored]


@dataclass(frozen=True)
class _Family:
    """A shape of delay the simulator runs, with its parameters on an unconstrained scale `theta`
    (what the optimiser moves) and their translation into the simulator's fields."""

    name: str
    fields: tuple[str, ...]  # the simulator's, in hours
    start: Callable[[Durations], np.ndarray]  # a first guess of theta
    loglik: Callable[[np.ndarray, np.ndarray, np.ndarray], float]  # theta, hours, censored
    frozen: Callable[[np.ndarray], Any]  # theta -> the frozen scipy.stats distribution
    simulator: Callable[[np.ndarray], dict[str, float]]  # theta -> the simulator's fields

    @property
    def k(self) -> int:
        """How many parameters are estimated."""
        return len(self.fields)


def _total(loglik_ended: np.ndarray, logsf_censored: np.ndarray) -> float:
    """The log-likelihood of the whole sample; -inf where any part is not finite."""
    total = float(loglik_ended.sum() + logsf_censored.sum())
    return total if math.isfinite(total) else -math.inf


def _lognormal_loglik(theta: np.ndarray, x: np.ndarray, c: np.ndarray) -> float:
    mu, sigma = theta[0], math.exp(theta[1])
    z = (np.log(x) - mu) / sigma
    logpdf = -np.log(x[~c]) - math.log(sigma) - _HALF_LOG_2PI - 0.5 * z[~c] ** 2
    return _total(logpdf, special.log_ndtr(-z[c]))


def _lognormal_start(d: Durations) -> np.ndarray:
    logs = np.log(d.hours)  # censored values as if ended: low, but near enough to start from
    return np.array([logs.mean(), math.log(max(logs.std(), 1e-3))])


def _gamma_loglik(theta: np.ndarray, x: np.ndarray, c: np.ndarray) -> float:
    shape, scale = math.exp(theta[0]), math.exp(theta[1])
    ended = x[~c]
    logpdf = (shape - 1) * np.log(ended) - ended / scale - special.gammaln(shape) - shape * theta[1]
    with np.errstate(divide="ignore"):  # a survival of 0 far in the tail: -inf, refused below
        logsf = np.log(special.gammaincc(shape, x[c] / scale))
    return _total(logpdf, logsf)


def _gamma_start(d: Durations) -> np.ndarray:
    mean, var = d.hours.mean(), max(d.hours.var(), 1e-6 * d.hours.mean() ** 2)
    return np.log([mean**2 / var, var / mean])


def _exponential_loglik(theta: np.ndarray, x: np.ndarray, c: np.ndarray) -> float:
    return float(-(~c).sum() * theta[0] - x.sum() / math.exp(theta[0]))


def _exponential_start(d: Durations) -> np.ndarray:
    return np.array([math.log(d.hours.sum() / (~d.censored).sum())])  # the maximum itself


FAMILIES: dict[str, _Family] = {
    f.name: f
    for f in (
        _Family(
            "lognormal",
            ("median_h", "p90_h"),
            _lognormal_start,
            _lognormal_loglik,
            lambda t: stats.lognorm(math.exp(t[1]), scale=math.exp(t[0])),
            lambda t: {"median_h": math.exp(t[0]), "p90_h": math.exp(t[0] + _Z90 * math.exp(t[1]))},
        ),
        _Family(
            "gamma",
            ("mean_h", "sd_h"),
            _gamma_start,
            _gamma_loglik,
            lambda t: stats.gamma(math.exp(t[0]), scale=math.exp(t[1])),
            lambda t: {"mean_h": math.exp(t[0] + t[1]), "sd_h": math.exp(0.5 * t[0] + t[1])},
        ),
        _Family(
            "exponential",
            ("mean_h",),
            _exponential_start,
            _exponential_loglik,
            lambda t: stats.expon(scale=math.exp(t[0])),
            lambda t: {"mean_h": math.exp(t[0])},
        ),
    )
}


@dataclass(frozen=True)
class Fit:
    """One family fitted to the durations by maximum likelihood."""

    family: str
    theta: tuple[float, ...]
    loglik: float
    n: int

    @property
    def parameters(self) -> dict[str, float]:
        """The fitted delay in the simulator's fields, hours."""
        return FAMILIES[self.family].simulator(np.asarray(self.theta))

    @property
    def k(self) -> int:
        """How many parameters were estimated."""
        return FAMILIES[self.family].k

    @property
    def aic(self) -> float:
        """Akaike's information criterion, 2k - 2 log-likelihood: lower is better."""
        return 2 * self.k - 2 * self.loglik

    @property
    def aicc(self) -> float:
        """AIC with the small-sample correction (infinite when n <= k + 1)."""
        spare = self.n - self.k - 1
        return self.aic + 2 * self.k * (self.k + 1) / spare if spare > 0 else math.inf

    def cdf(self, hours: np.ndarray) -> np.ndarray:
        """The fitted chance that a duration is at most `hours`."""
        return FAMILIES[self.family].frozen(np.asarray(self.theta)).cdf(hours)


def _identifiable(family: _Family, d: Durations) -> bool:
    """Whether a finite maximum can exist: as many distinct ended durations as parameters."""
    return len(np.unique(d.ended)) >= family.k


def fit(d: Durations, family: str) -> Fit:
    """The maximum-likelihood fit of `family` to the durations; FitError if there is none."""
    f = FAMILIES[family]
    if not _identifiable(f, d):
        raise FitError(f"{family}: needs at least {f.k} distinct durations seen to their end")

    def negative(theta: np.ndarray) -> float:
        value = -f.loglik(theta, d.hours, d.censored)
        return value if math.isfinite(value) else 1e300  # keeps the line search out of the far tail

    best = optimize.minimize(negative, f.start(d), method="BFGS")
    if not (np.all(np.isfinite(best.x)) and best.fun < 1e300):
        raise FitError(f"{family}: the likelihood has no finite maximum for these durations")
    return Fit(family, tuple(float(t) for t in best.x), float(-best.fun), len(d))
