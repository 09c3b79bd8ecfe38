"""Runs side by side on one page: the rows of its results and paired-differences tables, and the
page itself (`sweep_report.html.j2`), shared by the sweep report and the comparison of run folders."""

from __future__ import annotations

from sim.analysis.formatting import between, duration, environment, hours_days, percent, points
from sim.analysis.intervals import LEVEL
from sim.analysis.paired import paired_differences, paired_totals
from sim.analysis.runs import Run


def render(**context: object) -> str:
    """The page of runs side by side (`kind`: "sweep" or "comparison"), from its context."""
    context.setdefault("left_out", [])
    context.setdefault("warnings", [])  # what differs between runs besides their settings (comparisons)
    for name in ("how", "reference", "paired_note", "reference_note"):  # how a sweep ran; a comparison's one reference
        context.setdefault(name, None)
    context.setdefault("jobs", [])  # a sweep's jobs
    context.setdefault("effects", [])  # a sweep's paired differences, per swept key and group
    context.setdefault("paired", [])
    context.setdefault("totals", [])  # a comparison's whole-run paired differences
    return environment().get_template("sweep_report.html.j2").render(level=f"{LEVEL:.0%}", **context)


def paired_rows(runs: dict[object, Run], settings: dict[object, str]) -> tuple[str | None, list[dict], str]:
    """The reference's label, and one table row per other run and movement (or per run that
    cannot be paired), against the first run of `runs`."""
    if not runs:
        return None, [], "No complete run: nothing to compare."
    ids = list(runs)
    reference = runs[ids[0]]
    if len(ids) == 1:
        return reference.label, [], "Only one complete run: there is nothing to compare it with."
    rows = []
    for i in ids[1:]:
        run = runs[i]
        pairing = paired_differences(reference, run)
        base = {"label": run.label, "settings": settings[i]}
        if pairing["problem"]:
            rows.append({**base, "problem": f"not paired: {pairing['problem']} (no common random numbers)"})
            continue
        if not pairing["movements"]:
            rows.append({**base, "problem": "no movement in common with the reference"})
        for key, d in pairing["movements"].items():
            ours, theirs = reference.summary["movements"][key], run.summary["movements"][key]
            rows.append({**base, "problem": None, **_paired_cells(key, theirs["name"], d, ours, theirs)})
    return reference.label, rows, ""


def _paired_cells(key: str, name: str, d: dict, ours: dict, theirs: dict) -> dict:
    """The cells of a paired-differences row: the differences of movement `key` of `name`, as shown;
    `ours`, `theirs`: its summary.json entries in the reference and in this run, for the quantiles.
    Each difference's `..._effect` says whether its interval shows it better or worse (a higher
    chance of delivery is better, a longer time worse), for the page's colours."""
    p, t = d["probability"], d["time"]
    method = "Newcombe paired" if d["probability_method"] == "Newcombe" else "t, per-replication shares"
    return {
        "key": key,
        "name": name,
        "replications": d["replications"],
        "probability": points(p["estimate"]),
        "probability_ci": "n/a" if p["low"] is None else f"{points(p['low'])} to {points(p['high'])}",
        "probability_method": method,
        "probability_effect": {"up": "better", "down": "worse"}.get(_shift(p), ""),
        "same_outcomes": d["same_outcomes"],
        "same_times": d["same_times"] and d["time_replications"] > 0,
        "probabilities": f"{percent(d['reference_probability'])} → {percent(d['other_probability'])}",
        "time": "n/a" if t["estimate"] is None else f"{t['estimate']:+.1f} h",
        "time_ci": "n/a" if t["low"] is None else f"{t['low']:+.1f} to {t['high']:+.1f} h",
        "time_effect": {"up": "worse", "down": "better"}.get(_shift(t), ""),
        **{q: _quantile_difference(ours[f"{q}_delivery_time_h"], theirs[f"{q}_delivery_time_h"]) for q in QUANTILES},
        "time_replications": d["time_replications"],
        "unmatched": d["unmatched_departures"],
    }


def total_rows(runs: dict[object, Run], settings: dict[object, str]) -> list[dict]:
    """One row per other run, paired with the first of `runs` over the whole run: tonnes
    delivered and days without any delivery, each with its interval and whether it is better or
    worse (more tonnes, fewer idle days are better). Runs that cannot be paired are left out (the
    movement table says why)."""
    ids = list(runs)
    rows = []
    for i in ids[1:]:
        totals = paired_totals(runs[ids[0]], runs[i])
        if totals is None:
            continue
        row = {"label": runs[i].label, "settings": settings[i], "replications": totals["replications"]}
        for name, unit, better in (("tonnes", "t", "up"), ("days_without_delivery", "days", "down")):
            if name in totals:
                t = totals[name]
                d = t["difference"]
                shift = _shift(d)
                row[name] = {
                    "means": f"{t['reference']:,.1f} → {t['other']:,.1f} {unit}",
                    "difference": f"{d['estimate']:+,.1f} {unit}",
                    "ci": "n/a" if d["low"] is None else f"{d['low']:+,.1f} to {d['high']:+,.1f} {unit}",
                    "effect": "" if not shift else "better" if shift == better else "worse",
                }
        rows.append(row)
    return rows


QUANTILES = ("median", "p90")  # whose differences the paired tables show


def _quantile_difference(ours: dict, theirs: dict) -> str:
    """This run's quantile minus the reference's, as estimated in each (no paired interval), or
    where it cannot be said because one of them lies beyond the horizon."""
    a, b = ours["estimate"], theirs["estimate"]
    if a is None and b is None:
        return "both beyond horizon"
    if a is None or b is None:
        return "reference beyond horizon" if a is None else "beyond horizon here"
    return f"{b - a:+.1f} h"


def _shift(interval: dict) -> str:
    """'up' or 'down' when the interval excludes zero, else ''."""
    if interval["low"] is None or interval["high"] is None:
        return ""
    if interval["low"] > 0:
        return "up"
    return "down" if interval["high"] < 0 else ""


def result_row(row: dict) -> dict:
    """A row of the results table: a movement of a run, or a run that did not complete."""
    out = {"label": row["label"], "settings": row["settings"], "status": row["status"]}
    if row["status"] != "complete":
        return {**out, "failed": True, "error": row["error"] or f"status: {row['status']}"}
    p, mean = row["delivery_probability"], row["mean_delivery_time_h"]
    return {
        **out,
        "failed": False,
        "key": row["movement"],
        "name": row.get("name", ""),
        "replications": "" if row["replications"] is None else f"{row['replications']:g}",
        "probability": "n/a" if p is None else percent(p),
        "probability_ci": between(row["delivery_probability_low"], row["delivery_probability_high"], percent),
        "mean": "no delivery" if mean is None else hours_days(mean),
        "mean_ci": between(row["mean_delivery_time_h_low"], row["mean_delivery_time_h_high"], hours_days),
        "median": duration(row["median_delivery_time_h"]),
        "p90": duration(row["p90_delivery_time_h"]),
        "p95": duration(row["p95_delivery_time_h"]),
        "closure_wait": "n/a" if row["mean_closure_wait_h"] is None else hours_days(row["mean_closure_wait_h"]),
    }
