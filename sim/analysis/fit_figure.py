"""The figure of `python -m sim.fit`: the observed durations (Kaplan-Meier estimate, censored
ones marked) against the CDF of every fitted family, the chosen one in bold."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from sim.analysis.figures import DELIVERED, DPI, png
from sim.analysis.fit_ranking import FitReport, kaplan_meier
from sim.analysis.fit_report import HOURS_PER_UNIT, UNIT_NAMES

_OTHERS = ("#c05621", "#2f855a", "#805ad5")  # the families not chosen, in AIC order


def fit_figure(report: FitReport, unit: str) -> bytes:
    """PNG bytes: the data's CDF and the fitted ones, on a log time axis in `unit` ("h" or "d")."""
    scale = HOURS_PER_UNIT[unit]
    d = report.durations
    times, _, after = kaplan_meier(d)
    fig = Figure(figsize=(7.5, 4.5), dpi=DPI, layout="constrained")
    ax = fig.subplots()
    grid = np.geomspace(d.hours.min() / 3, d.hours.max() * 3, 400)
    others = iter(_OTHERS)
    for c in report.candidates:
        chosen = c is report.chosen
        ax.plot(
            grid / scale,
            c.fit.cdf(grid),
            color=DELIVERED if chosen else next(others),
            linewidth=2.4 if chosen else 1.2,
            linestyle="-" if chosen else "--",
            label=f"{c.fit.family}{' (chosen)' if chosen else ''}: AIC {c.fit.aic:.1f}, GoF p {c.p_value:.2f}",
        )
    observed = "observed (Kaplan-Meier)"
    ax.step(np.r_[times[0], times] / scale, np.r_[0.0, after], where="post", color="black", label=observed)
    if d.censored.any():
        at = np.searchsorted(times, d.hours[d.censored])
        ax.plot(times[at] / scale, after[at], "k+", markersize=11, markeredgewidth=1.6, label="right-censored")
    ax.set_xscale("log")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(f"duration ({UNIT_NAMES[unit]}, log scale)")
    ax.set_ylabel("share ended by then")
    ax.set_title(f"{len(d)} observed durations and the fitted distributions", fontsize=11)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    return png(fig)
