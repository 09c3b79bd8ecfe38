"""Random durations: a delay spec from the config turned into a sampler.

Every sampler draws by inverse transform from uniforms, one uniform per value. A run therefore
consumes the same uniforms whatever shapes or parameters it uses, which keeps scenario comparisons
paired (common random numbers), and draws are vectorised over whole blocks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaincinv, ndtri

from sim.config.schema import Delay, Distribution

_Z90 = 1.2815515655446004  # standard normal 0.9 quantile


@dataclass(frozen=True)
class Sampler:
    """A distribution of durations in hours, with its analytic mean and variance."""

    dist: Distribution
    params: tuple[float, ...]
    values: tuple[float, ...] = ()

    @property
    def mean_h(self) -> float:
        """The mean duration, hours."""
        return _MOMENTS[self.dist](self)[0]

    @property
    def variance_h2(self) -> float:
        """The variance of the duration, hours squared."""
        return _MOMENTS[self.dist](self)[1]

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        """Durations (hours) whose uniforms in [0, 1) are `u`."""
        return _INVERSE[self.dist](self, np.asarray(u, dtype=float))

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
        """Durations (hours) drawn from `rng`, one uniform each."""
        return self.from_uniform(rng.random(size))


def sampler(delay: Delay) -> Sampler:
    """The sampler for a validated delay spec."""
    d = delay.dist
    if d is Distribution.fixed:
        return Sampler(d, (delay.value_h,))
    if d is Distribution.exponential:
        return Sampler(d, (delay.mean_h,))
    if d is Distribution.lognormal:
        if delay.median_h is not None:
            mu = math.log(delay.median_h)
            sigma = (math.log(delay.p90_h) - mu) / _Z90
        else:
            sigma = math.sqrt(math.log1p((delay.sd_h / delay.mean_h) ** 2))
            mu = math.log(delay.mean_h) - sigma**2 / 2
        return Sampler(d, (mu, sigma))
    if d is Distribution.gamma:
        shape = (delay.mean_h / delay.sd_h) ** 2
        return Sampler(d, (shape, delay.mean_h / shape))
    if d is Distribution.triangular:
        return Sampler(d, (delay.low_h, delay.mode_h, delay.high_h))
    if d is Distribution.uniform:
        return Sampler(d, (delay.low_h, delay.high_h))
    return Sampler(d, (), tuple(sorted(delay.values_h)))


def _fixed(s: Sampler, u: np.ndarray) -> np.ndarray:
    return np.full(u.shape, s.params[0])


def _exponential(s: Sampler, u: np.ndarray) -> np.ndarray:
    return -s.params[0] * np.log1p(-u)


def _lognormal(s: Sampler, u: np.ndarray) -> np.ndarray:
    mu, sigma = s.params
    return np.exp(mu + sigma * ndtri(u))


def _gamma(s: Sampler, u: np.ndarray) -> np.ndarray:
    shape, scale = s.params
    return scale * gammaincinv(shape, u)


def _triangular(s: Sampler, u: np.ndarray) -> np.ndarray:
    a, c, b = s.params
    if b == a:
        return np.full(u.shape, a)
    split = (c - a) / (b - a)
    left = a + np.sqrt(u * (b - a) * (c - a))
    right = b - np.sqrt((1 - u) * (b - a) * (b - c))
    return np.where(u < split, left, right)


def _uniform(s: Sampler, u: np.ndarray) -> np.ndarray:
    low, high = s.params
    return low + (high - low) * u


def _empirical(s: Sampler, u: np.ndarray) -> np.ndarray:
    values = np.asarray(s.values)
    return values[(u * len(values)).astype(np.intp)]


_INVERSE = {
    Distribution.fixed: _fixed,
    Distribution.exponential: _exponential,
    Distribution.lognormal: _lognormal,
    Distribution.gamma: _gamma,
    Distribution.triangular: _triangular,
    Distribution.uniform: _uniform,
    Distribution.empirical: _empirical,
}


def _lognormal_moments(s: Sampler) -> tuple[float, float]:
    mu, sigma = s.params
    mean = math.exp(mu + sigma**2 / 2)
    return mean, mean**2 * math.expm1(sigma**2)


def _triangular_moments(s: Sampler) -> tuple[float, float]:
    a, c, b = s.params
    return (a + b + c) / 3, (a * a + b * b + c * c - a * b - a * c - b * c) / 18


def _empirical_moments(s: Sampler) -> tuple[float, float]:
    values = np.asarray(s.values)
    return float(values.mean()), float(values.var())


_MOMENTS = {
    Distribution.fixed: lambda s: (s.params[0], 0.0),
    Distribution.exponential: lambda s: (s.params[0], s.params[0] ** 2),
    Distribution.lognormal: _lognormal_moments,
    Distribution.gamma: lambda s: (s.params[0] * s.params[1], s.params[0] * s.params[1] ** 2),
    Distribution.triangular: _triangular_moments,
    Distribution.uniform: lambda s: ((s.params[0] + s.params[1]) / 2, (s.params[1] - s.params[0]) ** 2 / 12),
    Distribution.empirical: _empirical_moments,
}
