"""The report's figures, drawn from result tables and the summary, returned as PNG bytes.

Figures are plain `matplotlib.figure.Figure` objects on an Agg canvas: no pyplot, so no global
figure registry to leak into and no GUI backend, whatever the caller's matplotlib settings.
"""

from __future__ import annotations

import io
import textwrap

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim.records import Table

DPI = 100
DELIVERED, ON_THE_WAY, REFUSED = "#2b6cb0", "#ed8936", "#c53030"


def delivery_times(movements: Table, summary: dict) -> bytes:
    """Per movement: a histogram of delivery times (delivered replications) and the empirical CDF over
    all replications, with what was not delivered by the horizon shown as a stacked bar there."""
    keys = list(summary["movements"])
    fig = Figure(figsize=(11, 2.9 * len(keys) + 0.4), dpi=DPI, layout="constrained")
    axes = fig.subplots(len(keys), 2, squeeze=False)
    for (hist, cdf), key in zip(axes, keys):
        rows = movements["movement"] == key
        n = int(rows.sum())
        days = movements["delivery_time_h"][rows] / 24
        delivered = np.sort(days[~np.isnan(days)])
        outcome = movements["outcome"][rows]
        refused, on_the_way = int((outcome == "refused").sum()), int((outcome == "not_delivered").sum())
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
        cdf.step(np.r_[0, delivered, horizon_d], np.r_[0, share, end], where="post", color=DELIVERED,
                 label=f"delivered: {end:.1%}")  # fmt: skip
        width = horizon_d * 0.025
        cdf.bar(horizon_d, on_the_way / n, width, bottom=end, align="edge", color=ON_THE_WAY,
                label=f"not delivered by horizon: {on_the_way / n:.1%}")  # fmt: skip
        cdf.bar(horizon_d, refused / n, width, bottom=end + on_the_way / n, align="edge", color=REFUSED,
                label=f"refused: {refused / n:.1%}")  # fmt: skip
        cdf.axvline(horizon_d, color="grey", linestyle="--", linewidth=1)
        cdf.text(horizon_d, 0.02, "horizon ", ha="right", va="bottom", color="grey", fontsize="small")
        cdf.set(
            title=f"share of all {n} replications delivered within a time",
            xlabel="days from departure",
            ylabel="cumulative share",
            xlim=(0, horizon_d * 1.06),
            ylim=(0, 1.02),
        )
        cdf.yaxis.set_major_formatter(PercentFormatter(1.0))
        cdf.legend(loc="upper left", fontsize="small")
    return _png(fig)


def checkpoints(table: Table, summary: dict) -> bytes:
    """Per checkpoint: mean wait per truck and lane utilisation, each with the 5-95% range of its
    per-replication values."""
    keys = list(summary["checkpoints"])
    labels = [
        _wrap(f"{summary['places'].get(k, k)} ({summary['checkpoints'][k]['lanes']} lanes)", 30) for k in keys
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
    ax.errorbar((low + high) / 2, y, xerr=(high - low) / 2, fmt="none", color="black", capsize=4,
                label="5-95% of replications")  # fmt: skip
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
