"""The timeline figure of one replication: where each movement was over the horizon, and the
trucks of each movement at the checkpoints, drawn from passages.csv and timeline.csv, with what
each truck waited for (timeline.csv's `waiting_for`) and, behind the trucks, the times each
checkpoint was closed (closed.csv)."""

from __future__ import annotations

import numpy as np
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.analysis.figures import date_axis, figure, moment, png
from sim.analysis.formatting import wrapped
from sim.analysis.timeline_style import (
    AT_CHECKPOINT,
    CLOSED,
    CONVOY,
    ENDS,
    INSPECTION,
    OUTCOME_ORDER,
    TRAVEL,
    UNRECORDED,
    WAIT,
    WAITS,
    Boxes,
)
from sim.analysis.timeline_trucks import truck_panel
from sim.results.records import Table

MAX_TRUCK_PANELS = 8  # the timeline shows the trucks of at most this many movements


def timeline(
    movements: Table, passages: Table, trace: Table, summary: dict, replication: int = 0, closed: Table | None = None
) -> bytes:
    """One replication, drawn from its passages (every movement at every place), its trace
    (every truck at every checkpoint) and when each checkpoint was closed (`closed`, if known).

    Top: each movement or flow on one line over the whole horizon: on the road, waiting at a place
    (an approval hold), at a checkpoint, and how it ended. Below, for each movement (a flow's first
    departure that reached a checkpoint), its trucks one per line, zoomed on the checkpoints:
    waiting (coloured by what for, over the closed times shaded), inspection, and waiting for the
    rest of the movement to be cleared."""
    keys = list(summary["movements"])
    mine = movements["replication"] == replication
    flow_of = dict(zip(movements["movement"][mine].tolist(), movements["flow"][mine].tolist()))
    ended = {
        key: (outcome, end_h)
        for key, outcome, end_h in zip(
            movements["movement"][mine].tolist(), movements["outcome"][mine].tolist(), movements["end_h"][mine].tolist()
        )
    }
    stops = _stops(passages, replication)
    trucks = _trucks(trace)
    panels = []
    for key in keys:
        candidates = [m for m, f in flow_of.items() if f == key and m in trucks]
        if candidates:
            panels.append((key, candidates[0]))
    shown = panels[:MAX_TRUCK_PANELS]
    heights = [0.45 * len(keys) + 1.4] + [0.16 * len(trucks[m]) + 1.5 for _, m in shown]
    fig = figure(sum(heights) + 0.7)
    axes = fig.subplots(len(heights), 1, squeeze=False, height_ratios=heights)[:, 0]
    endings = _overview(axes[0], keys, flow_of, stops, trucks, ended, summary, replication)
    windows = _closed(closed)
    for ax, (key, movement) in zip(axes[1:], shown):
        truck_panel(ax, summary, key, movement, stops.get(movement, []), trucks[movement], ended[movement], windows)
    reasons = {v[4] for by_truck in trucks.values() for visits in by_truck.values() for v in visits}
    waits = [WAITS.get(r, UNRECORDED) for r in (*WAITS, None) if r in reasons]
    shaded = [CLOSED[k] for k in CLOSED if shown and any(k == kind for w in windows.values() for kind, _, _ in w)]
    activities = [TRAVEL, WAIT, AT_CHECKPOINT, *waits] + ([INSPECTION, CONVOY] if shown else [])
    handles = [Patch(color=colour, label=label) for label, colour in activities + shaded]
    for outcome in OUTCOME_ORDER:
        if outcome in endings:
            label, marker, colour = ENDS[outcome]
            handles.append(Line2D([], [], marker=marker, color=colour, linestyle="none", label=label))
    if shown:
        handles.append(Line2D([], [], color=ENDS["delivered"][2], label="delivery (trucks panels)"))
    fig.legend(handles=handles, loc="outside lower center", ncols=4, fontsize="small", frameon=False)
    return png(fig)


def _stops(passages: Table, replication: int) -> dict[str, list[tuple[str, float, float]]]:
    """Per movement: (place, arrival_h, release_h) in order of arrival; release NaN if it never left."""
    result: dict[str, list] = {}
    if not len(passages["replication"]):
        return result
    rows = passages["replication"] == replication
    for key, place, arrival, release in zip(
        passages["movement"][rows].tolist(),
        passages["place"][rows].tolist(),
        passages["arrival_h"][rows].tolist(),
        passages["release_h"][rows].tolist(),
    ):
        result.setdefault(key, []).append((place, arrival, release))
    for stop in result.values():
        stop.sort(key=lambda s: s[1])
    return result


def _trucks(trace: Table) -> dict[str, dict[int, list[tuple[str, float, float, float, str | None]]]]:
    """Per movement and truck: (place, arrival_h, start_h, clear_h, waiting_for) at each checkpoint,
    in order; waiting_for None where the trace does not record it."""
    result: dict[str, dict[int, list]] = {}
    if not len(trace["movement"]):
        return result
    times = (trace[c].tolist() for c in ("movement", "truck", "place", "arrival_h", "start_h", "clear_h"))
    reasons = trace["waiting_for"].tolist() if "waiting_for" in trace else [None] * len(trace["movement"])
    for (key, truck, place, arrival, start, clear), why in zip(zip(*times), reasons):
        result.setdefault(key, {}).setdefault(int(truck), []).append((place, arrival, start, clear, why))
    for by_truck in result.values():
        for visits in by_truck.values():
            visits.sort(key=lambda v: v[1])
    return {key: dict(sorted(by_truck.items())) for key, by_truck in result.items()}


def _closed(closed: Table | None) -> dict[str, list[tuple[str, float, float]]]:
    """Per checkpoint: (kind, start_h, end_h) of each time it was closed."""
    result: dict[str, list] = {}
    if closed is None or not len(closed["checkpoint"]):
        return result
    for key, kind, start, end in zip(*(closed[c].tolist() for c in ("checkpoint", "kind", "start_h", "end_h"))):
        result.setdefault(key, []).append((kind, start, end))
    return result


def _overview(ax: Axes, keys, flow_of, stops, trucks, ended, summary, replication) -> set[str]:
    """The whole horizon, one line per movement or flow; returns the outcomes shown."""
    horizon_h = summary["horizon_h"]
    x0 = mdates.date2num(moment(summary, 0))
    y_of = {key: i for i, key in enumerate(keys)}
    boxes = Boxes(x0)
    ends: dict[str, tuple[list, list, bool]] = {}
    for movement, flow in flow_of.items():
        y = y_of.get(flow)
        if y is None:
            continue
        many = summary["movements"][flow]["departures"] > 1
        outcome, end_h = ended[movement]
        finish_h = horizon_h if np.isnan(end_h) else end_h
        _movement_line(ax, boxes, y, summary, stops.get(movement, []), trucks.get(movement, {}), finish_h, not many)
        if many and outcome == "delivered":
            continue  # a flow's deliveries would hide its departures; other endings are marked
        xs, ys, _ = ends.setdefault(outcome, ([], [], many))
        xs.append(x0 + finish_h / 24)
        ys.append(y)
    boxes.draw(ax)
    for outcome, (xs, ys, many) in ends.items():
        _, marker, colour = ENDS.get(outcome, (outcome, "o", "grey"))
        ax.plot(xs, ys, marker=marker, color=colour, markersize=5 if many else 8, linestyle="none")
    ax.axvline(x0 + horizon_h / 24, color="grey", linestyle="--", linewidth=1)
    ax.text(
        x0 + horizon_h / 24, len(keys) - 0.45, "horizon ", va="bottom", ha="right", fontsize="small", color="dimgrey"
    )
    ax.set(
        title=f"Replication {replication}: where each movement was, over the whole horizon",
        xlim=(x0 - horizon_h / 24 * 0.01, x0 + horizon_h / 24 * 1.01),
        ylim=(len(keys) - 0.4, -0.6),
        yticks=range(len(keys)),
        yticklabels=[_overview_label(summary["movements"][key]) for key in keys],
        xlabel="local date",
    )
    date_axis(ax)
    return set(ends)


def _overview_label(m: dict) -> str:
    """A movement or flow of the summary as named on the overview's y axis."""
    extra = f"\n({m['departures']} departures)" if m["departures"] > 1 else ""
    return wrapped(m["name"], 34) + extra


def _movement_line(
    ax: Axes, boxes: Boxes, y: float, summary: dict, route, trucks, finish_h: float, named: bool
) -> None:
    """One movement on its overview line: its holds at places (`named`: with the place and how
    long, where the hold is long), its time at checkpoints and on the road, up to `finish_h`."""
    horizon_h = summary["horizon_h"]
    inspected: dict[str, list[tuple[float, float, str | None]]] = {}
    for visits in trucks.values():
        for place, arrival, start, _, why in visits:
            inspected.setdefault(place, []).append((arrival, start, why))
    for i, (place, arrival, release) in enumerate(route):
        leave = release if not np.isnan(release) else finish_h
        checks = sorted(v for v in inspected.get(place, []) if arrival <= v[0] <= leave)
        queue_from = checks[0][0] if checks else leave
        boxes.add(WAIT[1], y, arrival, queue_from, 0.5)
        if named and (queue_from - arrival) > 0.08 * horizon_h:
            ax.text(
                boxes.x0 + (arrival + queue_from) / 48,
                y,
                f"{wrapped(summary['places'].get(place, place), 40)}, {(queue_from - arrival) / 24:.1f} d",
                ha="center",
                va="center",
                fontsize="small",
            )
        if checks:  # the first truck's wait, coloured by what for, then the rest at the checkpoint
            _, first_start, why = min(checks, key=lambda v: (v[1], v[0]))
            started = min(first_start, leave)
            if why != "none":
                boxes.add(WAITS.get(why, UNRECORDED)[1], y, queue_from, started, 0.5)
            boxes.add(AT_CHECKPOINT[1], y, started if why != "none" else queue_from, leave, 0.5)
        if not np.isnan(release):
            going = route[i + 1][1] if i + 1 < len(route) else finish_h
            boxes.add(TRAVEL[1], y, release, going, 0.2)
