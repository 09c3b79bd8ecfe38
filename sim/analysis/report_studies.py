"""The report's "What drives this result": the sensitivity and uncertainty studies attached to the
run (`python -m sim.report <run> --study <study>`, digested in studies.json by
`sim.analysis.studies`), per result the assumptions that dominate it and its total interval; or,
with none attached, the commands that give them."""

from __future__ import annotations

from pathlib import Path

from sim.analysis.studies import attached

# How each study's method is named on the page, by kind and method.
METHODS = {
    ("sensitivity", "morris"): "Morris elementary effects (mu*)",
    ("sensitivity", "sobol"): "Sobol' total-effect indices (ST)",
    ("uncertainty", "latin"): "parameter sets in a Latin hypercube",
    ("uncertainty", "sobol"): "parameter sets along a Sobol' sequence",
}


def what_drives(folder: Path, scenario_name: str, overridden: list[str]) -> dict:
    """The section's facts: each attached study with its rows, and the run's overridden keys (the
    study varied the scenario as its own command gave it, so these may not match)."""
    studies = attached(folder)
    return {
        "scenario": scenario_name,
        "overridden": list(overridden),
        "sensitivity": _sensitivity(studies["sensitivity"]) if "sensitivity" in studies else None,
        "uncertainty": _uncertainty(studies["uncertainty"]) if "uncertainty" in studies else None,
    }


def _about(study: dict) -> dict:
    about = {k: study[k] for k in ("command", "started", "points", "replications")}
    return about | {"method": METHODS[study["kind"], study["method"]], "parameters": len(study["parameters"])}


def _sensitivity(study: dict) -> dict:
    rows = [
        {
            "name": r["name"],
            "label": r["label"],
            "top": ", ".join(f"{t['short']} ({t['share']})" for t in r["top"]),
            "negligible": len(r["negligible"]),
        }
        for r in study["results"]
        if r["analysed"] and r["top"]
    ]
    return {**_about(study), "rows": rows}


def _uncertainty(study: dict) -> dict:
    keep = ("name", "label", "estimate", "mc", "total", "parameter_share")
    rows = [{k: "–" if r[k] is None else r[k] for k in keep} for r in study["results"] if r["analysed"]]
    return {**_about(study), "rows": rows}
