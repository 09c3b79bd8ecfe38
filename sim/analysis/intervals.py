"""The intervals every statistic of a run comes with: a proportion's (Wilson score) and a mean's
(Student t), at the run's confidence level."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

LEVEL = 0.95


def wilson(successes: int, trials: int, level: float = LEVEL) -> dict:
    """A proportion with its Wilson score interval."""
    ci = stats.binomtest(successes, trials).proportion_ci(confidence_level=level, method="wilson")
    return {"estimate": successes / trials, "low": ci.low, "high": ci.high}


def mean_interval(values: np.ndarray, level: float = LEVEL) -> dict:
    """The mean with its Student t interval; null bounds with fewer than two values."""
    n = len(values)
    if n == 0:
        return {"estimate": None, "low": None, "high": None}
    mean = float(values.mean())
    if n < 2:
        return {"estimate": mean, "low": None, "high": None}
    half = stats.t.ppf(0.5 + level / 2, n - 1) * values.std(ddof=1) / math.sqrt(n)
    return {"estimate": mean, "low": mean - half, "high": mean + half}
