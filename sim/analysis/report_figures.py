"""The figures of a run's report: which the run calls for, drawn (`sim.analysis.plots`) as PNG bytes
and base64 for embedding, and numbered. Their titles and captions are in report_prose.j2, by name."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable

from sim.analysis import plots
from sim.analysis.report_method import TIMELINE_REPLICATION
from sim.analysis.validation_figure import against_record
from sim.results.records import Table

FIRST_REPLICATION = 0  # a run's tables start at replication 0


def figures(
    summary: dict,
    read: Callable[[str], Table],
    blocks: Callable[[str], Iterable[Table]],
    trace: Table,
    closed: Table | None = None,
    validation: dict | None = None,
) -> list[dict]:
    """Each figure as {name, file, number, png, base64} and the facts its caption states.
    `read(name)` gives a results table (passages of the timeline's replication, the timeline's
    movements), `blocks(name)` one a block of rows at a time (movements, checkpoints,
    deliveries); each is read when its figure is drawn and let go after, so that a long run's
    tables are never in memory together. `closed`: when each checkpoint was closed in
    the timeline's replication (None if not recorded); `validation` (validation.json, if the run
    has one) adds the observations against the runs."""
    found = [_figure("delivery_times", plots.delivery_times(blocks("movements"), summary))]
    if summary["checkpoints"]:
        found.append(_figure("checkpoints", plots.checkpoints(blocks("checkpoints"), summary)))
    passages = read("passages")
    if len(trace["movement"]) or len(passages["movement"]):
        png = plots.timeline(read("timeline_movements"), passages, trace, summary, TIMELINE_REPLICATION, closed)
        found.append(_figure("timeline", png, replication=TIMELINE_REPLICATION, panels=plots.MAX_TRUCK_PANELS))
    if summary["deliveries"]["cumulative_tonnes_by_day"]:
        png = plots.deliveries(blocks("deliveries"), summary, FIRST_REPLICATION)
        found.append(_figure("deliveries", png, needs=bool(summary["deliveries"]["population"])))
    if validation and any(o["runs"] for o in validation["observations"]):
        found.append(_figure("against_record", against_record(validation)))
    for number, figure in enumerate(found, 1):
        figure["number"] = number
    return found


def _figure(name: str, png: bytes, **facts: object) -> dict:
    return {"name": name, "file": f"{name}.png", "png": png, "base64": base64.b64encode(png).decode("ascii"), **facts}
