"""The sweep report's figures: one per swept parameter, each key metric against it, one line per
movement and one row of panels per combination of the other swept values."""

from __future__ import annotations

import base64

import numpy as np
from matplotlib.ticker import PercentFormatter

from sim.analysis.figures import figure, png
from sim.analysis.formatting import label, wrapped

MAX_PANELS = 12  # rows of panels per parameter figure (one per combination of the other swept values)
METRICS = {
    "delivery_probability": "P(delivered by horizon)",
    "mean_delivery_time_h": "mean delivery time (delivered only)",
}


def parameter_figures(rows: list[dict], varied: list[str], log_time_axis: bool = False) -> list[dict]:
    """One figure per swept parameter: each key metric against it, one line per movement; mean
    times on a log axis if asked (sweep_report.log_time_axis), else linear."""
    figures = []
    for parameter in varied:
        others = [p for p in varied if p != parameter]
        groups: dict[tuple, list[dict]] = {}
        for row in rows:
            groups.setdefault(tuple(label(row[p]) for p in others), []).append(row)
        shown = list(groups.items())[:MAX_PANELS]
        caption = (
            f"Each metric against {parameter}, one line per movement; bars are 95% intervals (Wilson for the "
            "probability, Student t for the mean)."
        )
        if others:
            caption += f" One row of panels per combination of the other swept values ({', '.join(others)})."
        if len(groups) > len(shown):
            caption += f" The first {len(shown)} of {len(groups)} combinations are shown."
        image = _parameter_figure(parameter, others, shown, log_time_axis)
        figures.append({"parameter": parameter, "png": base64.b64encode(image).decode("ascii"), "caption": caption})
    return figures


def _parameter_figure(
    parameter: str, others: list[str], groups: list[tuple[tuple, list[dict]]], log_time_axis: bool
) -> bytes:
    """The figure of one parameter: a row of panels (probability, mean time) per group of rows."""
    values = [row[parameter] for _, group in groups for row in group]
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)  # None: not set
    categories = list(dict.fromkeys(_value(v) for v in values))
    ticks = sorted(set(values)) if numeric else list(range(len(categories)))
    span = (ticks[-1] - ticks[0]) / max(1, len(ticks) - 1) if numeric and len(ticks) > 1 else 1.0
    movements = list(dict.fromkeys(row["movement"] for _, group in groups for row in group))
    fig = figure(3.3 * len(groups) + 0.5)
    axes = fig.subplots(len(groups), 2, squeeze=False)
    colours = [f"C{i % 10}" for i in range(len(movements))]
    for (group_key, group), (p_ax, t_ax) in zip(groups, axes):
        where = ", ".join(f"{p}={v or '(not set)'}" for p, v in zip(others, group_key))
        for i, (movement, colour) in enumerate(zip(movements, colours)):  # the same colour in every panel
            rows = [r for r in group if r["movement"] == movement]
            if not rows:
                continue
            # side by side at each x, so that the intervals of movements do not hide each other
            dodge = (i - (len(movements) - 1) / 2) * min(0.05, 0.4 / len(movements)) * span
            if numeric:
                rows.sort(key=lambda r: r[parameter])
                x = np.array([r[parameter] for r in rows], dtype=float) + dodge
            else:
                x = np.array([categories.index(_value(r[parameter])) for r in rows], dtype=float) + dodge
            for ax, metric, scale in ((p_ax, "delivery_probability", 1.0), (t_ax, "mean_delivery_time_h", 1 / 24)):
                y = _column(rows, metric) * scale
                low = _column(rows, f"{metric}_low") * scale
                high = _column(rows, f"{metric}_high") * scale
                err = np.nan_to_num(np.vstack([y - low, high - y]), nan=0.0).clip(min=0)
                ax.errorbar(x, y, yerr=err, color=colour, marker="o", capsize=3, label=wrapped(movement, 30))
        for ax, metric in ((p_ax, "delivery_probability"), (t_ax, "mean_delivery_time_h")):
            title = METRICS[metric] + (f"\n{wrapped(where, 70)}" if where else "")
            ax.set(title=title, xlabel=wrapped(parameter, 70))
            ax.set_xlim(ticks[0] - span / 2, ticks[-1] + span / 2)  # the same in every panel
            if not numeric:
                ax.set_xticks(ticks, [wrapped(c, 20) for c in categories])
            elif len(ticks) <= 12:
                ax.set_xticks(ticks, [label(v) for v in ticks])
        p_ax.set(ylabel="share of replications", ylim=(-0.03, 1.05))
        p_ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        # Linear unless asked, and scaled to the values: an effect of hours on a mean of weeks stays visible.
        t_ax.set(ylabel="days from departure" + (" (log scale)" if log_time_axis else ""))
        if log_time_axis:
            t_ax.set_yscale("log")
        p_ax.legend(loc="best", fontsize="small")
    return png(fig)


def _column(rows: list[dict], name: str) -> np.ndarray:
    """A column of rows as floats, NaN where a row has none."""
    return np.array([np.nan if r[name] is None else r[name] for r in rows], dtype=float)


def _value(value: object) -> str:
    """A parameter value as shown: "(not set)" for a job that did not override it."""
    return label(value) or "(not set)"
