"""The checkpoints figure of the run report: per checkpoint, the wait before inspection (aid trucks,
split by what they waited for, and other vehicles) and lane utilisation, with the spread across
replications."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from sim.analysis.figures import DELIVERED, figure, png
from sim.analysis.formatting import plural, wrapped
from sim.analysis.timeline_style import WAITS
from sim.results.records import Table

OTHER_TRAFFIC = "#718096"
# The parts of an aid truck's mean wait (summary.json's mean_wait_parts_h), drawn end to end in
# the timeline's colours for the same waits: label, colour.
WAIT_PARTS = {
    "behind_own_movement_h": ("aid trucks: behind their own movement", WAITS["convoy"][1]),
    "behind_other_vehicles_h": ("aid trucks: behind other vehicles", WAITS["lane"][1]),
    "while_closed_h": ("aid trucks: checkpoint closed", "#a0aec0"),
}


def checkpoints(table: Iterable[Table], summary: dict) -> bytes:
    """Per checkpoint: mean wait per aid truck (and per other vehicle, where other traffic is
    configured) and lane utilisation, each with the 5-95% range of its per-replication values.
    `table`: the checkpoints table in blocks of rows (a whole table is one block)."""
    keys = list(summary["checkpoints"])
    info = summary["checkpoints"]
    labels = [
        f"{wrapped(summary['places'].get(k, k), 28)}\n({info[k]['lanes']} lane{plural(info[k]['lanes'])})" for k in keys
    ]
    others = any(info[k].get("other_vehicles_per_replication") for k in keys)
    fig = figure((1.1 if others else 0.8) * len(keys) + 1.7)
    wait_ax, use_ax = fig.subplots(1, 2, sharey=True)
    y = np.arange(len(keys), dtype=float)
    aid, other, use = _per_replication(table, keys, summary["horizon_h"])
    means = [info[k]["mean_wait_h"] for k in keys]
    other_means = [info[k].get("other_mean_wait_h") for k in keys]
    spreads = [np.percentile(v, 95) for v in aid + other if len(v)]
    largest = max(spreads + [m for m in means + other_means if m], default=0)
    unit, per = ("minutes", 1 / 60) if largest < 1 else ("hours", 1.0)
    aid, other = [v / per for v in aid], [v / per for v in other]
    means = [None if m is None else m / per for m in means]
    other_means = [None if m is None else m / per for m in other_means]
    height = 0.38 if others else 0.75
    shift = height / 2 if others else 0.0
    parts = [info[k].get("mean_wait_parts_h") for k in keys]
    if any(parts):  # a summary written before the split has none
        left = np.zeros(len(keys))
        for part, (label, colour) in WAIT_PARTS.items():
            widths = np.array([p[part] / per if p else np.nan for p in parts])
            wait_ax.barh(y - shift, widths, left=left, height=height, color=colour, alpha=0.85, label=label)
            left += np.nan_to_num(widths)
        _whiskers(wait_ax, y - shift, aid)
    else:
        _bars(wait_ax, y - shift, _values(means), aid, "aid trucks: mean wait", DELIVERED, height)
    if others:
        _bars(wait_ax, y + shift, _values(other_means), other, "other vehicles: mean wait", OTHER_TRAFFIC, height, None)
        for i, m in enumerate(other_means):
            if m is None:
                wait_ax.text(0, y[i] + shift, " no other vehicles", va="center", fontsize="small")
    for i, m in enumerate(means):
        if m is None:
            wait_ax.text(0, y[i] - shift, " no aid trucks", va="center", fontsize="small")
    wait_ax.legend(loc="lower right", fontsize="small")
    wait_ax.set(
        title="Waiting time before inspection, per vehicle",
        xlabel=f"{unit} from arrival to the start of inspection",
        yticks=y,
        yticklabels=labels,
    )
    wait_ax.invert_yaxis()
    _bars(use_ax, y, [info[k]["utilisation"] for k in keys], use, "mean utilisation", DELIVERED, 0.75)
    use_ax.legend(loc="lower right", fontsize="small")
    use_ax.set(title="Lane utilisation over the horizon", xlabel="share of lane time spent inspecting")
    use_ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))
    return png(fig)


def _per_replication(blocks: Iterable[Table], keys: list[str], horizon_h: float) -> tuple[list, list, list]:
    """Per checkpoint, the per-replication values the whiskers span: wait per aid truck, wait
    per other vehicle (replications with any) and lane utilisation."""
    found: dict[str, tuple[list, ...]] = {k: ([np.empty(0)], [np.empty(0)], [np.empty(0)]) for k in keys}
    for block in blocks:
        for k, (aid, other, use) in found.items():
            rows = block["checkpoint"] == k
            aid.append(_per_vehicle(block["wait_h"][rows], block["trucks"][rows]))
            other.append(_per_vehicle(block["other_wait_h"][rows], block["other_trucks"][rows]))
            use.append(block["busy_h"][rows] / (block["lanes"][rows] * horizon_h))
    joined = [[np.concatenate(found[k][i]) for k in keys] for i in range(3)]
    return joined[0], joined[1], joined[2]


def _per_vehicle(wait_h: np.ndarray, vehicles: np.ndarray) -> np.ndarray:
    """Per replication with any vehicle: total wait over vehicles."""
    some = vehicles > 0
    return wait_h[some] / vehicles[some]


def _values(means: list[float | None]) -> list[float]:
    """The means as bar lengths: NaN (no bar) where there is none."""
    return [np.nan if m is None else m for m in means]


def _bars(
    ax: Axes,
    y: np.ndarray,
    heights: list[float],
    per_replication: list[np.ndarray],
    label: str,
    colour: str,
    height: float,
    whiskers: str | None = "5-95% of replications",
) -> None:
    """Horizontal bars of `heights`, with whiskers over the 5-95% range of each bar's per-replication values."""
    ax.barh(y, heights, height=height, color=colour, alpha=0.85, label=label)
    _whiskers(ax, y, per_replication, whiskers)


def _whiskers(ax: Axes, y: np.ndarray, per_replication: list[np.ndarray], label: str | None = "5-95% of replications"):
    """Whiskers over the 5-95% range of each bar's per-replication values."""
    spread = [np.percentile(v, [5, 95]) if len(v) else [np.nan, np.nan] for v in per_replication]
    low, high = np.array(spread).T
    ax.errorbar((low + high) / 2, y, xerr=(high - low) / 2, fmt="none", color="black", capsize=4, label=label)
    ax.set_xlim(left=0)
