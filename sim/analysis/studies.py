"""Studies attached to a run: what drives its results (a sensitivity study) and how wide they are
once the assumptions are uncertain (an uncertainty study), for the run report's "What drives this
result".

`python -m sim.report <run folder> --study <study folder>` digests each study into the run's
studies.json, so that the report is still rebuilt from the run's folder alone: per result, the
parameters that dominate it and those that are negligible (sensitivity), or its Monte-Carlo and
total intervals and the share of the variance the parameters explain (uncertainty).
"""

from __future__ import annotations

from pathlib import Path

from sim.analysis.propagation_report import propagated
from sim.analysis.sensitivity_report import ranked, short_names
from sim.results import layout
from sim.results.files import read_json, read_table, write_json
from sim.results.status import folder_problem

STUDY_FILES = (layout.STUDY, layout.PROVENANCE)


def attach(run: Path, studies: list[Path]) -> list[str]:
    """Write the digests of `studies` into `run`'s studies.json (replacing any before); the
    problems that stop it (nothing is written then), one line each."""
    scenario = read_json(run / layout.SUMMARY)["scenario"]
    problems, digests = [], []
    for folder in studies:
        problem = folder_problem(folder, STUDY_FILES)
        if problem:
            problems.append(f"{folder}: {problem}; not a complete sensitivity or uncertainty study")
            continue
        study = read_json(folder / layout.STUDY)
        if study["scenario"] != scenario:
            problems.append(f"{folder}: a study of scenario {study['scenario']}, not of this run's {scenario}")
            continue
        digests.append(digest(folder))
    kinds = [d["kind"] for d in digests]
    for kind in set(kinds):
        if kinds.count(kind) > 1:
            problems.append(f"more than one {kind} study given: attach one of each kind")
    if not problems:
        write_json(run / layout.STUDIES, {"studies": digests})
    return problems


def digest(folder: Path) -> dict:
    """What the run report states of one study folder."""
    study = read_json(folder / layout.STUDY)
    provenance = read_json(folder / layout.PROVENANCE)
    kind = "uncertainty" if study["propagation"] else "sensitivity"
    facts = {
        "kind": kind,
        "method": study["method"],
        "scenario": study["scenario"],
        "command": provenance.get("command") or "unknown",
        "started": provenance.get("started"),
        "seed": study["seed"],
        "points": study["points"],
        "replications": study["replications"],
        "parameters": [p["key"] for p in study["parameters"]],
    }
    if kind == "uncertainty":
        results = propagated(study, read_table(folder / layout.INTERVALS))
        keep = ("metric", "movement", "name", "label", "unit", "analysed", "estimate", "mc", "total")
        shares = ("parameter_share", "mc_share")
        facts["results"] = [{**{k: r.get(k) for k in keep}, **{k: r.get(k) for k in shares}} for r in results]
    else:
        table, short = read_table(folder / layout.INDICES), short_names(study)
        results = [ranked(study, fact, table, short) for fact in study["results"]]
        keep = ("metric", "movement", "name", "label", "unit", "analysed", "top", "negligible")
        facts["results"] = [{k: r[k] for k in keep} for r in results]
    return facts


def attached(run: Path) -> dict[str, dict]:
    """The studies attached to `run`, by kind ("sensitivity", "uncertainty"); empty if none."""
    path = run / layout.STUDIES
    return {d["kind"]: d for d in read_json(path)["studies"]} if path.is_file() else {}
