"""Random durations: every shape has the moments it promises, and draws by inverse transform.

Reference moments come from scipy.stats or closed forms written out here, not from the sampler
itself; sample checks use tolerances derived from the sample size.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import delay
from scipy import stats

from sim.config.delays import REQUIRED_FIELDS
from sim.config.schema import Distribution
from sim.simulate.distributions import sampler

N = 200_000
Z = 5.0  # standard errors allowed: a false alarm is rarer than 1 in a million per check

EMPIRICAL = [1.0, 2.0, 2.0, 7.5]
STEPPED = {Distribution.fixed, Distribution.empirical}  # not strictly increasing in u


def _lognormal_median_p90(median: float, p90: float):
    return stats.lognorm(s=(math.log(p90) - math.log(median)) / stats.norm.ppf(0.9), scale=median)


# (delay spec, reference mean, reference variance)
CASES = {
    "fixed": (delay("fixed", value_h=2.5), 2.5, 0.0),
    "exponential": (delay("exponential", mean_h=3.0), 3.0, 9.0),
    "lognormal mean/sd": (delay("lognormal", mean_h=4.0, sd_h=2.0), 4.0, 4.0),
    "lognormal median/p90": (
        delay("lognormal", median_h=0.75, p90_h=2.0),
        *(float(v) for v in _lognormal_median_p90(0.75, 2.0).stats("mv")),
    ),
    "gamma": (delay("gamma", mean_h=5.0, sd_h=2.0), 5.0, 4.0),
    "gamma shape < 1": (delay("gamma", mean_h=1.0, sd_h=2.0), 1.0, 4.0),
    "triangular": (
        delay("triangular", low_h=1.0, mode_h=2.0, high_h=5.0),
        *(float(v) for v in stats.triang(c=0.25, loc=1.0, scale=4.0).stats("mv")),
    ),
    "triangular mode at low": (delay("triangular", low_h=0.0, mode_h=0.0, high_h=3.0), 1.0, 0.5),
    "uniform": (delay("uniform", low_h=2.0, high_h=6.0), 4.0, 16.0 / 12.0),
    "empirical": (delay("empirical", values_h=EMPIRICAL), float(np.mean(EMPIRICAL)), float(np.var(EMPIRICAL))),
}


def test_every_distribution_is_covered():
    assert {spec.dist for spec, _, _ in CASES.values()} == set(Distribution) == set(REQUIRED_FIELDS)


@pytest.mark.parametrize("name", CASES)
def test_analytic_moments_match_the_reference(name):
    spec, mean, variance = CASES[name]
    s = sampler(spec)
    assert s.mean_h == pytest.approx(mean, rel=1e-9)
    assert s.variance_h2 == pytest.approx(variance, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("name", CASES)
def test_sample_mean_and_variance_match_the_analytic_moments(name):
    spec, _, _ = CASES[name]
    s = sampler(spec)
    x = s.sample(np.random.default_rng(1), N)
    assert x.shape == (N,)
    mean, variance = s.mean_h, s.variance_h2
    if variance == 0.0:
        assert np.all(x == mean)
        return
    # Standard error of the mean from the analytic variance; of the variance, from the spread of
    # the squared deviations (sqrt((m4 - var^2) / n)), estimated from the sample itself.
    se_mean = math.sqrt(variance / N)
    se_variance = np.std((x - mean) ** 2) / math.sqrt(N)
    assert abs(x.mean() - mean) <= Z * se_mean
    assert abs(x.var() - variance) <= Z * se_variance


def test_lognormal_by_median_and_p90_has_that_median_and_p90():
    s = sampler(delay("lognormal", median_h=0.75, p90_h=2.0))
    # By inverse transform the quantiles are exact...
    np.testing.assert_allclose(s.from_uniform(np.array([0.5, 0.9])), [0.75, 2.0], rtol=1e-12)
    # ...and a sample has them within binomial error: the share below each is 0.5 and 0.9.
    x = s.sample(np.random.default_rng(2), N)
    for q, value in ((0.5, 0.75), (0.9, 2.0)):
        share = np.mean(x <= value)
        assert abs(share - q) <= Z * math.sqrt(q * (1 - q) / N)


def test_lognormal_by_mean_and_sd_has_that_mean_and_sd():
    s = sampler(delay("lognormal", mean_h=720.0, sd_h=500.0))
    assert s.mean_h == pytest.approx(720.0) and math.sqrt(s.variance_h2) == pytest.approx(500.0)


def test_empirical_resamples_the_observed_values_with_equal_weight():
    x = sampler(delay("empirical", values_h=EMPIRICAL)).sample(np.random.default_rng(3), N)
    assert set(np.unique(x).tolist()) == set(EMPIRICAL)
    for value, weight in ((1.0, 0.25), (2.0, 0.5), (7.5, 0.25)):  # 2.0 was observed twice
        assert abs(np.mean(x == value) - weight) <= Z * math.sqrt(weight * (1 - weight) / N)


@pytest.mark.parametrize(
    "spec, low, high",
    [
        (delay("triangular", low_h=1.0, mode_h=2.0, high_h=5.0), 1.0, 5.0),
        (delay("uniform", low_h=2.0, high_h=6.0), 2.0, 6.0),
        (delay("empirical", values_h=EMPIRICAL), 1.0, 7.5),
    ],
)
def test_bounded_shapes_stay_within_their_bounds(spec, low, high):
    x = sampler(spec).sample(np.random.default_rng(4), N)
    assert x.min() >= low and x.max() <= high


UNIFORMS = np.concatenate([[0.0], np.sort(np.random.default_rng(5).random(20_000)), [np.nextafter(1.0, 0.0)]])


@pytest.mark.parametrize("name", CASES)
def test_draws_are_by_inverse_transform_monotone_in_the_uniform(name):
    s = sampler(CASES[name][0])
    x = s.from_uniform(UNIFORMS)
    assert np.all(np.isfinite(x)) and np.all(x >= 0.0)
    assert np.all(np.diff(x) >= 0.0), "a larger uniform must never give a shorter duration"


@pytest.mark.parametrize("name", CASES)
def test_a_sample_uses_exactly_one_uniform_per_value(name):
    # What makes scenario comparisons paired: the n-th value of a sample is a function of the
    # generator's n-th uniform only, whatever the shape.
    s = sampler(CASES[name][0])
    np.testing.assert_array_equal(
        s.sample(np.random.default_rng(6), (50, 3)), s.from_uniform(np.random.default_rng(6).random((50, 3)))
    )


@pytest.mark.parametrize("name", [n for n, (spec, _, _) in CASES.items() if spec.dist not in STEPPED])
def test_continuous_shapes_rank_their_values_as_their_uniforms(name):
    # Common random numbers: whatever the shape, the replication with the larger uniform gets the
    # longer duration, so comparisons between scenarios stay paired.
    u = np.random.default_rng(7).random(1000)
    x = sampler(CASES[name][0]).from_uniform(u)
    np.testing.assert_array_equal(np.argsort(x, kind="stable"), np.argsort(u, kind="stable"))
