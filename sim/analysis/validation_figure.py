"""The figure of "Against the record": each observation as a marker on its simulated distribution.

One panel per observation, held-out ones first: the runs' distribution as a cumulative curve
(from the quantiles validation.json keeps, so the figure costs the same for any number of
runs), the observed value (or range) as a line (or band), and the share of runs known only as
beyond the horizon stated; an observed outcome, as the share of runs ending each way.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from matplotlib import dates as mdates
from matplotlib.axes import Axes

from sim.analysis.figures import DELIVERED, date_axis, figure, png
from sim.analysis.formatting import wrapped
from sim.analysis.validation import OUTCOMES, QUANTILES

OBSERVED = "#c53030"
USES = {"validation": "held out", "calibration": "calibration target"}


def against_record(validation: dict) -> bytes:
    """The figure's PNG bytes: one panel per observation of `validation` (validation.json)."""
    checked = [o for o in validation["observations"] if o["runs"]]
    observations = sorted(checked, key=lambda o: o["use"] != "validation")
    fig = figure(1.9 * len(observations) + 0.3)
    for ax, o in zip(fig.subplots(len(observations), 1, squeeze=False)[:, 0], observations):
        if o["kind"] == "outcome":
            _outcome(ax, o)
        else:
            _distribution(ax, o)
        title = wrapped(f"[{USES[o['use']]}] {o['name']}: {o['description']}", 150)
        ax.set_title(title, loc="left", fontsize=9, color="#1a202c" if o["use"] == "validation" else "#4a5568")
    return png(fig)


def _distribution(ax: Axes, o: dict) -> None:
    quantiles = np.array([np.nan if q is None else q for q in o["distribution"]["quantiles"]], dtype=float)
    low, high = o["observed_range"]
    dated = o["scale"].startswith("days from ")
    origin = datetime.fromisoformat(o["scale"].removeprefix("days from ")) if dated else None

    def x(values: np.ndarray | float) -> object:
        if not dated:
            return values
        return [origin + timedelta(days=float(v)) for v in np.atleast_1d(values)]

    known = ~np.isnan(quantiles)
    if known.any():
        ax.step(x(quantiles[known]), QUANTILES[known], where="post", color=DELIVERED, label="runs (cumulative share)")
    if high > low:
        ax.axvspan(*(x(np.array([low, high])) if dated else (low, high)), color=OBSERVED, alpha=0.25, lw=0)
    at = (low + high) / 2 if dated or o.get("value") is None else float(o["value"])
    ax.axvline(x(np.array([at]))[0] if dated else at, color=OBSERVED, lw=2, label="observed")
    median = quantiles[50]
    if not np.isnan(median):  # a marker too, so that runs that all give one value stay visible
        ax.plot(x(np.array([median])) if dated else [median], [0.5], "o", color=DELIVERED, label="median of runs")
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("share of runs")
    censored = o["distribution"]["share_censored"] or 0.0
    if censored:
        beyond = "after the horizon or never" if o["kind"] == "delivery_date" else "beyond the horizon"
        ax.text(0.99, 0.05, f"{censored:.1%} of runs {beyond}", transform=ax.transAxes, ha="right", fontsize=8)
    if dated:
        date_axis(ax)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    else:
        ax.set_xlabel(o["scale"])
    ax.legend(loc="upper left", fontsize=8, frameon=False)


def _outcome(ax: Axes, o: dict) -> None:
    shares = [o["shares"][k] or 0.0 for k in OUTCOMES]
    colours = [OBSERVED if k == o["value"] else DELIVERED for k in OUTCOMES]
    ax.barh([k.replace("_", " ") for k in OUTCOMES], shares, color=colours)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of runs ending so (red: the observed outcome)")
    ax.invert_yaxis()
