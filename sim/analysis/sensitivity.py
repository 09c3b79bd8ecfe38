"""Global sensitivity analysis with SALib, on plain data: the design (which parameter values each
point of a study runs) and the indices computed from the points' results.

Morris (elementary effects, `SALib.sample.morris` / `SALib.analyze.morris`): mu* (the mean of
the absolute effects of a step across a parameter's range: how much it matters), sigma (their
spread: interactions or non-linearity) and mu*'s bootstrap interval. Sobol' (Saltelli's scheme,
`SALib.sample.sobol` / `SALib.analyze.sobol`, without second-order indices): S1 (the share of
the result's variance a parameter explains alone) and ST (with all its interactions), with
bootstrap intervals. Parameter sets for uncertainty propagation (`sim.analysis.propagation`) are
a Latin hypercube (`SALib.sample.latin`) or a scrambled Sobol' sequence (`scipy.stats.qmc.Sobol`),
mapped to the parameters' shapes by SALib's `scale_samples`. Parameters are given as dicts of an
`Uncertainty`'s fields, so this module needs neither the configuration nor the model.
"""

from __future__ import annotations

import math

import numpy as np
from SALib.analyze import morris as morris_analysis
from SALib.analyze import sobol as sobol_analysis
from SALib.sample import latin as latin_sample
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from SALib.util import scale_samples
from scipy.stats import qmc

INDEX_COLUMNS = ("method", "metric", "movement", "parameter", "index", "value", "conf_low", "conf_high")
CONFIDENCE = 0.95


def problem(parameters: dict[str, dict]) -> dict:
    """SALib's problem of the parameters (key -> low, high, dist and its mode, mean, sd)."""
    bounds, dists = [], []
    for p in parameters.values():
        low, high = p["low"], p["high"]
        if p["dist"] == "triangular":
            bounds.append([low, high, (p["mode"] - low) / (high - low)])
            dists.append("triang")
        elif p["dist"] == "truncated_normal":
            bounds.append([low, high, p["mean"], p["sd"]])
            dists.append("truncnorm")
        else:
            bounds.append([low, high])
            dists.append("unif")
    return {"num_vars": len(parameters), "names": list(parameters), "bounds": bounds, "dists": dists}


def design(spec: dict, method: str, settings: dict, seed: int) -> np.ndarray:
    """A sensitivity study's design points (one row each, one column per parameter, in SALib's order)."""
    if method == "morris":
        return morris_sample.sample(spec, settings["trajectories"], num_levels=settings["levels"], seed=seed)
    return sobol_sample.sample(spec, settings["samples"], calc_second_order=False, seed=seed)


def parameter_sets(spec: dict, method: str, samples: int, seed: int) -> np.ndarray:
    """`samples` parameter sets drawn over the ranges for propagation: a Latin hypercube
    (method "latin") or the first points of a scrambled Sobol' sequence ("sobol"; `samples` a
    power of 2, where the sequence is balanced)."""
    if method == "latin":
        return latin_sample.sample(spec, samples, seed=seed)
    unit = qmc.Sobol(spec["num_vars"], scramble=True, seed=seed).random(samples)
    return scale_samples(unit, spec)


def indices(spec: dict, method: str, settings: dict, points: np.ndarray, results: np.ndarray, seed: int) -> list[dict]:
    """The indices of one result (one value per design point), one row per parameter and index:
    (parameter, index, value, conf_low, conf_high); intervals from SALib's bootstrap."""
    y = np.asarray(results, dtype=float)
    rows = []
    if method == "morris":
        found = morris_analysis.analyze(
            spec,
            points,
            y,
            num_resamples=settings["resamples"],
            conf_level=CONFIDENCE,
            num_levels=settings["levels"],
            seed=seed,
        )
        for i, name in enumerate(spec["names"]):
            mu_star, half = float(found["mu_star"][i]), float(found["mu_star_conf"][i])
            rows.append(_row(name, "mu_star", mu_star, max(0.0, mu_star - half), mu_star + half))
            rows.append(_row(name, "sigma", float(found["sigma"][i]), math.nan, math.nan))
        return rows
    found = sobol_analysis.analyze(
        spec, y, calc_second_order=False, num_resamples=settings["resamples"], conf_level=CONFIDENCE, seed=seed
    )
    for i, name in enumerate(spec["names"]):
        for index in ("S1", "ST"):
            value, half = float(found[index][i]), float(found[f"{index}_conf"][i])
            rows.append(_row(name, index, value, value - half, value + half))
    return rows


def _row(parameter: str, index: str, value: float, low: float, high: float) -> dict:
    return {"parameter": parameter, "index": index, "value": value, "conf_low": low, "conf_high": high}


def morris_step(levels: int) -> float:
    """The step of a Morris trajectory, as a share of a parameter's range (SALib's delta)."""
    return levels / (2.0 * (levels - 1))
