"""The figures of a study. Sensitivity: the ranking of one result, Morris's mu*-sigma plane or
Sobol' first-order and total indices as bars, each with its bootstrap interval. Propagation: one
metric's intervals, Monte-Carlo only beside total, one row per movement."""

from __future__ import annotations

from sim.analysis.figures import DELIVERED, figure, png
from sim.analysis.formatting import wrapped

LABELLED = 0.05  # Morris: label the parameters whose mu* is at least this share of the largest
TOTAL = "#c05621"  # Sobol' total indices and propagation's total intervals, beside DELIVERED


def morris_figure(ranking: list[dict], title: str, noise: float | None) -> bytes:
    """mu* (x, with its interval) against sigma (y), one point per parameter, labelled where mu*
    is at least LABELLED of the largest (the others crowd zero and are named in the table); a
    dashed line at the Monte-Carlo noise floor of mu*, if known."""
    fig = figure(4.2)
    ax = fig.add_subplot()
    largest = max(p["mu_star"] for p in ranking) or 1.0
    quiet = 0
    for p in ranking:
        low, high = p["mu_star"] - p["mu_star_low"], p["mu_star_high"] - p["mu_star"]
        ax.errorbar(p["mu_star"], p["sigma"], xerr=[[low], [high]], fmt="o", color=DELIVERED, capsize=3)
        if p["mu_star"] >= LABELLED * largest:
            ax.annotate(p["short"], (p["mu_star"], p["sigma"]), textcoords="offset points", xytext=(5, 4), fontsize=8)
        else:
            quiet += 1
    right = max([p["mu_star_high"] for p in ranking] + [noise or 0.0]) * 1.05 or 1.0
    top = max(p["sigma"] for p in ranking) * 1.3 or 1.0
    ax.plot([0, right], [0, right], color="#a0aec0", linewidth=0.8, linestyle=":", label="sigma = mu*")
    if noise:
        ax.axvline(noise, color="#c53030", linewidth=0.8, linestyle="--", label="Monte-Carlo noise floor")
    if quiet:
        ax.plot([], [], " ", label=f"{quiet} near zero, unlabelled (see the table)")
    ax.set_xlim(0, right)
    ax.set_ylim(0, top)
    ax.set_xlabel("mu* (mean absolute elementary effect)")
    ax.set_ylabel("sigma (spread of the effects)")
    ax.set_title(wrapped(title, 110), fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    return png(fig)


def sobol_figure(ranking: list[dict], title: str) -> bytes:
    """S1 and ST of every parameter as horizontal bars with their intervals, largest ST on top."""
    fig = figure(0.9 + 0.32 * len(ranking))
    ax = fig.add_subplot()
    at = list(range(len(ranking)))[::-1]
    for offset, index, colour in ((0.18, "ST", TOTAL), (-0.18, "S1", DELIVERED)):
        values = [p[index] for p in ranking]
        errors = [[p[index] - p[f"{index}_low"] for p in ranking], [p[f"{index}_high"] - p[index] for p in ranking]]
        ax.barh([y + offset for y in at], values, height=0.34, xerr=errors, color=colour, capsize=2, label=index)
    ax.set_yticks(at, [p["short"] for p in ranking], fontsize=8)
    ax.axvline(0, color="#4a5568", linewidth=0.8)
    ax.set_xlabel("share of the result's variance (S1: the parameter alone; ST: with its interactions)")
    ax.set_title(wrapped(title, 110), fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    return png(fig)


def propagation_figure(rows: list[dict], title: str, unit: str) -> bytes:
    """One metric over the declared ranges: per row (a movement), the total 95% interval as a
    wide bar, the Monte-Carlo-only interval as a narrow one inside it, and the estimate at the
    scenario's own values as a dot. `rows`: {"name", "estimate", "mc_low", "mc_high",
    "total_low", "total_high"}, in the order to show, top first."""
    scale = 100.0 if unit == "share" else 1.0
    fig = figure(1.2 + 0.42 * len(rows))
    ax = fig.add_subplot()
    at = list(range(len(rows)))[::-1]
    for y, r in zip(at, rows):
        low, high = r["total_low"] * scale, r["total_high"] * scale
        ax.barh(y, high - low, left=low, height=0.6, color=TOTAL, alpha=0.35, label="total (parameters and noise)")
        if r["mc_low"] == r["mc_low"]:  # not NaN: the nominal point has a standard error
            mc_low, mc_high = r["mc_low"] * scale, r["mc_high"] * scale
            ax.barh(y, mc_high - mc_low, left=mc_low, height=0.22, color=DELIVERED, label="Monte-Carlo only")
        ax.plot(r["estimate"] * scale, y, "o", color="#1a202c", markersize=4, label="at the scenario's values")
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    fig.legend(unique.values(), unique.keys(), fontsize=8, loc="outside lower center", ncols=3)
    if unit == "share":
        ax.set_xlim(0, 100)
    ax.set_yticks(at, [wrapped(r["name"], 40) for r in rows], fontsize=8)
    ax.set_xlabel("%" if unit == "share" else unit)
    ax.set_title(wrapped(title, 110), fontsize=10)
    return png(fig)
