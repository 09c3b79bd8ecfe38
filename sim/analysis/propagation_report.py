"""The facts of an uncertainty-propagation report (`python -m sim.uncertainty`), from study.json
and intervals.csv: per result, the estimate at the scenario's values with its Monte-Carlo-only
interval, the total interval over the declared ranges, and the shares of variance, formatted; and
per metric, a figure of its intervals for every movement."""

from __future__ import annotations

import math

from sim.analysis import formatting
from sim.analysis.sensitivity_figures import propagation_figure
from sim.analysis.sensitivity_metrics import METRICS


def propagated(study: dict, table: dict) -> list[dict]:
    """One entry per result that has intervals (in the order of study.json)."""
    rows = {(table["metric"][i], table["movement"][i]): i for i in range(len(table["metric"]))}
    out = []
    for fact in study["results"]:
        i = rows.get((fact["metric"], fact["movement"]))
        entry = {**fact, "analysed": i is not None}
        if i is not None:
            form = _form(fact["unit"])
            cell = {c: float(table[c][i]) for c in ("estimate", "mc_low", "mc_high", "total_low", "total_high")}
            if fact["unit"] == "share":  # a chance's normal-approximation interval stays within 0..1
                cell["mc_low"], cell["mc_high"] = max(0.0, cell["mc_low"]), min(1.0, cell["mc_high"])
            entry |= {
                "cell": cell,
                "estimate": form(cell["estimate"]),
                "mc": _between(cell["mc_low"], cell["mc_high"], form),
                "total": _between(cell["total_low"], cell["total_high"], form),
                "parameter_share": _share(float(table["parameter_share"][i])),
                "mc_share": _share(float(table["mc_share"][i])),
            }
        out.append(entry)
    return out


def metric_figures(results: list[dict]) -> list[dict]:
    """Per metric with an interval for some movement: its figure (PNG bytes and file name)."""
    figures = []
    for n, (metric, (label, unit)) in enumerate(METRICS.items(), 1):
        rows = [{"name": r["name"], **r["cell"]} for r in results if r["metric"] == metric and r["analysed"]]
        if rows:
            image = propagation_figure(rows, label[0].upper() + label[1:], unit)
            file = f"uncertainty_{n:02d}_{metric}.png"
            figures.append({"metric": metric, "label": label, "file": file, "png": image})
    return figures


def _form(unit: str):
    if unit == "share":
        return formatting.percent
    if unit == "person-days":
        return lambda x: f"{x:,.0f} person-days"
    return lambda x: f"{x:,.1f} {unit}"


def _between(low: float, high: float, form) -> str | None:
    if math.isnan(low) or math.isnan(high):
        return None
    return f"{form(low)} – {form(high)}"


def _share(x: float) -> str | None:
    return None if math.isnan(x) else formatting.percent(x)
