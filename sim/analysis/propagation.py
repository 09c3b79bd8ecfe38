"""Uncertainty propagation: how wide a result becomes when the declared parameters are uncertain,
beside the Monte-Carlo interval of a run at the scenario's own values.

The design's first point is the scenario as written (the nominal point); the others are parameter
sets drawn over the declared ranges (Latin hypercube or Sobol' sequence), each run with a seed of
its own, so that their Monte-Carlo noise is independent. For each result: the Monte-Carlo-only
interval is the nominal point's (estimate +- 1.96 standard errors, as a run reports it, in the
normal approximation); the total interval is
the 2.5-97.5% range of the result over the parameter sets, which holds both the parameters'
uncertainty and each set's Monte-Carlo noise. The variance of the result across sets splits into
the mean squared standard error (Monte-Carlo) and the rest (the parameters).
"""

from __future__ import annotations

import numpy as np

from sim.analysis.sensitivity_metrics import Z

INTERVAL_COLUMNS = (
    "metric", "movement", "estimate", "mc_low", "mc_high", "total_low", "total_high", "parameter_share", "mc_share",
)  # fmt: skip


def interval_row(values: np.ndarray, errors: list[float | None]) -> dict:
    """One result's intervals and shares of variance. `values[0]` and `errors[0]` are the
    nominal point's; the rest, one per parameter set."""
    nominal, sets = float(values[0]), np.asarray(values[1:], dtype=float)
    se = errors[0]
    row = {
        "estimate": nominal,
        "mc_low": nominal - Z * se if se is not None else np.nan,
        "mc_high": nominal + Z * se if se is not None else np.nan,
        "total_low": float(np.quantile(sets, 0.025)),
        "total_high": float(np.quantile(sets, 0.975)),
        "parameter_share": np.nan,
        "mc_share": np.nan,
    }
    known = [e for e in errors[1:] if e is not None]
    variance = float(np.var(sets, ddof=1)) if len(sets) > 1 else 0.0
    if known and len(known) == len(sets) and variance > 0:
        noise = min(1.0, float(np.mean(np.square(known))) / variance)
        row["mc_share"], row["parameter_share"] = noise, 1.0 - noise
    return row
