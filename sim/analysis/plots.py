"""The report's figures, drawn from result tables and the summary, returned as PNG bytes.

Figures are plain `matplotlib.figure.Figure` objects on an Agg canvas: no pyplot, so no global
figure registry to leak into and no GUI backend, whatever the caller's matplotlib settings.
"""

from __future__ import annotations

import io
import textwrap
from datetime import datetime, timedelta

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim.records import Table

DPI = 100
DELIVERED = "#2b6cb0"
# Outcomes other than delivered, in the order they are stacked at the horizon: label, colour.
NOT_DELIVERED = {
    "not_delivered": ("not delivered by horizon", "#ed8936"),
    "turned_back": ("turned back", "#805ad5"),
    "refused": ("refused", "#c53030"),
}


def outcome_label(outcome: str) -> str:
    """How an outcome is named in figures and tables: "not_delivered" -> "not delivered by horizon"."""
    return NOT_DELIVERED[outcome][0] if outcome in NOT_DELIVERED else outcome.replace("_", " ")


def delivery_times(movements: Table, summary: dict) -> bytes:
    """Per movement: a histogram of delivery times (delivered replications) and the empirical CDF over
    all replications, with what was not delivered by the horizon shown as a stacked bar there."""
    keys = list(summary["movements"])
    horizon = (datetime.fromisoformat(summary["start"]) + timedelta(hours=summary["horizon_h"])).strftime("%Y-%m-%d")
    fig = Figure(figsize=(11, 2.9 * len(keys) + 0.4), dpi=DPI, layout="constrained")
    axes = fig.subplots(len(keys), 2, squeeze=False)
    for (hist, cdf), key in zip(axes, keys):
        rows = movements["movement"] == key
        n = int(rows.sum())
        days = movements["delivery_time_h"][rows] / 24
        delivered = np.sort(days[~np.isnan(days)])
        outcome = movements["outcome"][rows]
        horizon_d = (summary["horizon_h"] - movements["departure_h"][rows][0]) / 24
        name = _wrap(summary["movements"][key]["name"], 60)

        if len(delivered):
            hist.hist(delivered, bins=min(40, max(8, int(np.sqrt(len(delivered))))), color=DELIVERED)
        else:
            hist.text(0.5, 0.5, "no replication delivered", ha="center", va="center", transform=hist.transAxes)
        hist.set(
            title=f"{name}\ndelivery time, {len(delivered)} of {n} replications delivered",
            xlabel="days from departure to delivery",
            ylabel="replications",
        )

        share = np.arange(1, len(delivered) + 1) / n
        end = share[-1] if len(share) else 0.0
        cdf.step(
            np.r_[0, delivered, horizon_d],
            np.r_[0, share, end],
            where="post",
            color=DELIVERED,
            label=f"delivered: {end:.1%}",
        )
        outcomes = summary["movements"][key]["outcomes"]
        unknown = [o for o in outcomes if o != "delivered" and o not in NOT_DELIVERED]
        for value in [o for o in NOT_DELIVERED if o in outcomes] + unknown:  # stacked above the delivered share
            part = (outcome == value).sum() / n
            colour = NOT_DELIVERED.get(value, ("", "grey"))[1]
            label = f"{outcome_label(value)}: {part:.1%}"
            cdf.bar(horizon_d, part, horizon_d * 0.025, end, align="edge", color=colour, label=label)
            end += part
        cdf.axvline(horizon_d, color="grey", linestyle="--", linewidth=1, label=f"horizon, {horizon}")
        cdf.set(
            title=f"share delivered within a time, all {n} replications",
            xlabel="days from departure",
            ylabel="cumulative share",
            xlim=(0, horizon_d * 1.06),
            ylim=(0, 1.02),
        )
        cdf.yaxis.set_major_formatter(PercentFormatter(1.0))
        cdf.legend(loc="best", fontsize="small")
    return _png(fig)


def checkpoints(table: Table, summary: dict) -> bytes:
    """Per checkpoint: mean wait per truck and lane utilisation, each with the 5-95% range of its
    per-replication values."""
    keys = list(summary["checkpoints"])
    lanes = [summary["checkpoints"][k]["lanes"] for k in keys]
    labels = [
        f"{_wrap(summary['places'].get(k, k), 28)}\n({n} lane{'' if n == 1 else 's'})" for k, n in zip(keys, lanes)
    ]
    fig = Figure(figsize=(11, 0.8 * len(keys) + 1.6), dpi=DPI, layout="constrained")
    wait_ax, use_ax = fig.subplots(1, 2, sharey=True)
    y = np.arange(len(keys))
    wait, use = [], []
    for k in keys:
        rows = table["checkpoint"] == k
        trucks = table["trucks"][rows]
        wait.append(table["wait_h"][rows][trucks > 0] / trucks[trucks > 0])
        use.append(table["busy_h"][rows] / (table["lanes"][rows] * summary["horizon_h"]))
    means = [summary["checkpoints"][k]["mean_wait_h"] for k in keys]
    _bars(wait_ax, y, [np.nan if m is None else m for m in means], wait, "mean wait per truck")
    _bars(use_ax, y, [summary["checkpoints"][k]["utilisation"] for k in keys], use, "mean utilisation")
    for i, m in enumerate(means):
        if m is None:
            wait_ax.text(0, i, " no trucks", va="center", fontsize="small")
    wait_ax.set(title="Waiting time before inspection, per truck", xlabel="hours", yticks=y, yticklabels=labels)
    wait_ax.invert_yaxis()
    use_ax.set(title="Lane utilisation over the horizon", xlabel="share of lane time spent inspecting")
    use_ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    return _png(fig)


def _bars(ax, y: np.ndarray, heights: list[float], per_replication: list[np.ndarray], label: str) -> None:
    ax.barh(y, heights, color=DELIVERED, alpha=0.8, label=label)
    spread = [np.percentile(v, [5, 95]) if len(v) else [np.nan, np.nan] for v in per_replication]
    low, high = np.array(spread).T
    ax.errorbar(
        (low + high) / 2, y, xerr=(high - low) / 2, fmt="none", color="black", capsize=4, label="5-95% of replications"
    )
    ax.set_xlim(left=0)
    ax.legend(loc="lower right", fontsize="small")


def _wrap(text: str, width: int) -> str:
    """Scenario text as a literal label: wrapped, with "$" kept from starting mathtext."""
    return "\n".join(textwrap.wrap(text, width)).replace("$", r"\$")


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    out = io.BytesIO()
    fig.savefig(out, format="png", metadata={"Software": None})
    fig.clear()
    return out.getvalue()
