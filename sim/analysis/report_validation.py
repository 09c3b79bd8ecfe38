"""The report's "Against the record": each observation the scenario names, where it falls among the
runs, and whether it is evidence (held out) or a calibration target (agreement built in).

Read from validation.json (`sim.analysis.validation`); a folder written before runs checked
themselves has none, and the section says so.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from sim.analysis.validation import CALIBRATION_NOTE, in_scale
from sim.results import layout
from sim.results.files import read_json

GROUPS = (
    ("validation", "Held out for validation", "No parameter was set from these: they are evidence about the model."),
    (
        "calibration",
        "Calibration targets",
        "Parameters were set from these: agreement is built in and is not evidence.",
    ),
)


def against_record(folder: Path) -> dict:
    """The section's facts: the record, the observations in two groups, those not applicable here."""
    path = folder / layout.VALIDATION
    if not path.is_file():
        return {"available": False, "record": None, "groups": [], "not_applicable": [], "checked": 0}
    validation = read_json(path)
    rows = [_row(o) for o in validation["observations"]]
    groups = [
        {"use": use, "title": title, "meaning": meaning, "rows": [r for r in rows if r["use"] == use]}
        for use, title, meaning in GROUPS
    ]
    return {
        "available": True,
        "record": validation["record"],
        "checked": len(rows),
        "groups": [g for g in groups if g["rows"]],
        "not_applicable": validation["not_applicable"],
        "central": f"{validation['central_share']:.0%}",
        "outside": sum(1 for r in rows if r["outside"]),
        "tails": sum(1 for r in rows if not r["inside"]),
    }


def _row(o: dict) -> dict:
    about = o.get("movement") or o.get("checkpoint") or o.get("cargo") or "the whole scenario"
    row = {
        "name": o["name"],
        "use": o["use"],
        "description": o["description"],
        "about": about,
        "source": o["source"],
        "confidence": o["confidence"],
        "calibrates": o["calibrates"],
        "period": o["date"] if o.get("date") else f"{o['start']} to {o['end']}",
        "runs": f"{o['runs']:,}",
        "inside": bool(o.get("inside_central")),
        "outside": bool(o.get("outside_all_runs")),
        "verdict": o["verdict"].removesuffix(CALIBRATION_NOTE),  # the group's heading says it
        "source_site": urlparse(o["source"]).netloc or o["source"],
        "extreme": _share(o.get("probability_at_least_as_extreme")),
        "percentile": f"{o['percentile']:.0f}" if o.get("percentile") is not None else "–",
    }
    if o["kind"] == "outcome":
        shares = ", ".join(f"{k.replace('_', ' ')} {v:.1%}" for k, v in o["shares"].items() if v)
        return {**row, "observed": str(o["value"]).replace("_", " "), "simulated": shares or "–"}
    return {**row, "observed": _observed(o), "simulated": _simulated(o)}


def _observed(o: dict) -> str:
    if o["kind"] == "delivery_date":
        return str(o["value"])
    unit = o["scale"]
    value = in_scale(float(o["value"]), unit) if o.get("value") is not None else ""
    if o.get("low") is not None and o.get("high") is not None:
        return f"{value} ({in_scale(float(o['low']), unit)} – {in_scale(float(o['high']), unit)})".strip()
    return value


def _simulated(o: dict) -> str:
    """The runs' 5th, 50th and 95th percentiles, and the share known only as beyond the horizon."""
    quantiles, scale = o["distribution"]["quantiles"], o["scale"]
    if not quantiles:
        return "–"
    beyond = "after the horizon or never" if o["kind"] == "delivery_date" else "beyond the horizon"
    shown = [in_scale(quantiles[p], scale) if quantiles[p] is not None else beyond for p in (5, 50, 95)]
    text = f"{shown[1]} (5–95%: {shown[0]} to {shown[2]})"
    censored = o["distribution"]["share_censored"]
    return text + (f"; {censored:.1%} of runs {beyond}" if censored else "")


def _share(p: float | None) -> str:
    return "–" if p is None else f"{p:.2f}" if p >= 0.01 else "< 0.01"
