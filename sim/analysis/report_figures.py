"""The figures of a run's report: which the run calls for, drawn (`sim.analysis.plots`) as PNG bytes
and base64 for embedding, and numbered. Their titles and captions are in report_prose.j2, by name."""

from __future__ import annotations

import base64

from sim.analysis import plots
from sim.analysis.report_method import TIMELINE_REPLICATION
from sim.analysis.validation_figure import against_record
from sim.results.records import Table


def figures(
    summary: dict,
    movements: Table,
    passages: Table,
    checkpoints: Table,
    deliveries: Table,
    trace: Table,
    closed: Table | None = None,
    validation: dict | None = None,
) -> list[dict]:
    """Each figure as {name, file, number, png, base64} and the facts its caption states.
    `closed`: when each checkpoint was closed in the timeline's replication (None if not recorded);
    `validation` (validation.json, if the run has one) adds the observations against the runs."""
    found = [_figure("delivery_times", plots.delivery_times(movements, summary))]
    if summary["checkpoints"]:
        found.append(_figure("checkpoints", plots.checkpoints(checkpoints, summary)))
    if len(trace["movement"]) or len(passages["movement"]):
        png = plots.timeline(movements, passages, trace, summary, TIMELINE_REPLICATION, closed)
        found.append(_figure("timeline", png, replication=TIMELINE_REPLICATION, panels=plots.MAX_TRUCK_PANELS))
    if summary["deliveries"]["cumulative_tonnes_by_day"]:
        first_replication = int(movements["replication"].min()) if len(movements["replication"]) else 0
        png = plots.deliveries(deliveries, summary, first_replication)
        found.append(_figure("deliveries", png, needs=bool(summary["deliveries"]["population"])))
    if validation and any(o["runs"] for o in validation["observations"]):
        found.append(_figure("against_record", against_record(validation)))
    for number, figure in enumerate(found, 1):
        figure["number"] = number
    return found


def _figure(name: str, png: bytes, **facts: object) -> dict:
    return {"name": name, "file": f"{name}.png", "png": png, "base64": base64.b64encode(png).decode("ascii"), **facts}
