"""How a run was made, as the report states it: the method (replications, clock and horizon, what
`replications=auto` achieved, the outcomes) and the provenance that lets it be made again."""

from __future__ import annotations

from sim.analysis import plots
from sim.analysis.formatting import Clock, percent
from sim.analysis.report_figures import TIMELINE_REPLICATION
from sim.results.records import OUTCOMES


def method(summary: dict, clock: Clock) -> dict:
    """The facts of the Method section; `outcomes` as {key, label} (report_prose.j2 says what each means)."""
    return {
        "replications": summary["replications"],
        "seed": summary["seed"],
        "start": clock.at(0),
        "horizon_days": f"{summary['horizon_h'] / 24:g}",
        "horizon_date": clock.at(summary["horizon_h"]),
        "precision": _precision(summary.get("precision")),
        "outcomes": [{"key": o, "label": plots.outcome_label(o)} for o in OUTCOMES],
        "timeline_replication": TIMELINE_REPLICATION,
    }


def _precision(p: dict | None) -> dict | None:
    """What `replications=auto` aimed at and achieved; None for a fixed number of replications."""
    if not p:
        return None
    form = percent if p["relative"] else (lambda x: f"±{x:.3f}")
    achieved = p["achieved_half_width"]
    return {
        "metric": "mean delivery time" if p["relative"] else "chance of delivery by the horizon",
        "measure": "half-width over the estimate" if p["relative"] else "half-width",
        "target": form(p["target_half_width"]),
        "achieved": "unknown (no interval)" if achieved is None else form(achieved),
        "met": "yes" if p["met"] else "no",
        "replications": p["replications"],
        "batch": p["batch"],
        "max_replications": p["max_replications"],
    }


def provenance(p: dict) -> dict:
    """The Provenance section from provenance.json, "unknown" for what it does not record."""
    git = p.get("git") or {}
    run_time = p.get("run_time_s")
    commit = git.get("commit")
    return {
        "command": p.get("command") or "unknown",
        "seed": p.get("seed"),
        "commit": commit or "unknown",
        "dirty": {True: "yes", False: "no", None: "unknown"}[git.get("dirty")],
        "dirty_warning": git.get("dirty") is True,
        "started": p.get("started") or "unknown",
        "ended": p.get("ended") or "unknown",
        "run_time": "unknown" if run_time is None else f"{run_time:.3g} s",
        "platform": p.get("platform") or "unknown",
        "versions": {k: v or "not installed" for k, v in (p.get("versions") or {}).items()},
        "validation": "docs/validation.md",
        "validation_command": f"git show {commit}:docs/validation.md" if commit else None,
    }
