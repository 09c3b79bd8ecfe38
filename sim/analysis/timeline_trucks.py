"""The timeline figure's panel of one movement's trucks at the checkpoints: one line per truck,
zoomed on its time there, waiting (coloured by what for), inspected, and waiting for the rest of
its movement, over the times each checkpoint was closed."""

from __future__ import annotations

import numpy as np
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from sim.analysis.figures import date_axis, moment
from sim.analysis.formatting import wrapped
from sim.analysis.timeline_style import CLOSED, CONVOY, ENDS, INSPECTION, TRAVEL, UNRECORDED, WAITS, Boxes


def truck_panel(ax: Axes, summary, key, movement, route, trucks, ended, windows) -> None:
    """The trucks of one movement, one per line, zoomed on its time at the checkpoints, with the
    times each checkpoint was closed (`windows`) shaded while its trucks were there."""
    x0 = mdates.date2num(moment(summary, 0))
    horizon_h = summary["horizon_h"]
    outcome, end_h = ended
    visits = [v for vs in trucks.values() for v in vs]
    begin = min(v[1] for v in visits)
    before = [r for _, a, r in route if not np.isnan(r) and r <= begin]
    begin = max(before) if before else begin  # from leaving the place before the first checkpoint
    cleared = [v[3] for v in visits if not np.isnan(v[3])]
    finish = max(cleared) if cleared else begin
    if not np.isnan(end_h):
        finish = max(finish, end_h)
    finish = min(max(finish, begin + 1.0), horizon_h)
    pad = 0.03 * (finish - begin)
    n = len(trucks)
    boxes = Boxes(x0)
    for i, (_, _, release) in enumerate(route):  # the road, behind every truck
        if not np.isnan(release):
            going = route[i + 1][1] if i + 1 < len(route) else (horizon_h if np.isnan(end_h) else end_h)
            boxes.add(TRAVEL[1], (n - 1) / 2, release, going, n)
    _shade_closed(boxes, visits, windows, n, horizon_h)
    release_at = {(p, a): r for p, a, r in route}
    names_at: dict[str, float] = {}
    for y, truck_visits in enumerate(trucks.values()):
        for place, arrival, start, clear, why in truck_visits:
            names_at.setdefault(place, arrival)
            start = horizon_h if np.isnan(start) else start  # still queueing at the horizon
            done = horizon_h if np.isnan(clear) else clear
            boxes.add(WAITS.get(why, UNRECORDED)[1], y, arrival, start, 0.7)
            boxes.add(INSPECTION[1], y, start, done, 0.7)
            leave = _release(release_at, place, arrival)
            if leave is not None:
                boxes.add(CONVOY[1], y, done, leave, 0.7)
    boxes.draw(ax)
    top = ax.secondary_xaxis("top")  # the checkpoints, named where the trucks reach them
    top.set_xticks(
        [x0 + a / 24 for a in names_at.values()],
        [wrapped(summary["places"].get(p, p), 36) for p in names_at],
        fontsize="small",
    )
    label, _, colour = ENDS.get(outcome, (outcome, "o", "grey"))
    if not np.isnan(end_h):
        ax.axvline(x0 + end_h / 24, color=colour, linewidth=1.5)
        how = f"{label} {moment(summary, end_h):%Y-%m-%d %H:%M}"
    else:
        how = label
    m = summary["movements"][key]
    which = f", departure {movement.rsplit('/', 1)[-1]}" if m["departures"] > 1 else ""
    ax.set_title(f"{wrapped(m['name'] + which, 90)}\nits trucks at the checkpoints; {how}")
    ax.set(
        xlim=(x0 + (begin - pad) / 24, x0 + (finish + pad) / 24),
        ylim=(n - 0.5, -0.5),
        ylabel="truck",
        xlabel="local date and time",
    )
    ax.set_yticks(range(0, n, 1 if n <= 20 else 5))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{int(v) + 1}"))
    date_axis(ax)


def _shade_closed(boxes: Boxes, visits: list, windows: dict, n: int, horizon_h: float) -> None:
    """Behind every truck: the times each checkpoint was closed while the movement was there (from
    its first truck's arrival to its last clearance there)."""
    spans: dict[str, list[float]] = {}
    for place, arrival, _, clear, _ in visits:
        done = horizon_h if np.isnan(clear) else clear
        span = spans.setdefault(place, [arrival, done])
        span[0], span[1] = min(span[0], arrival), max(span[1], done)
    for place, (first, last) in spans.items():
        for kind, start, end in windows.get(place, []):
            if start < last and end > first:
                boxes.add(CLOSED[kind][1], (n - 1) / 2, max(start, first), min(end, last), n + 0.2)


def _release(release_at: dict, place: str, arrival: float) -> float | None:
    """When the group that started inspection at `place` at `arrival` left it (after a hold there,
    the passage began earlier)."""
    earlier = [(a, r) for (p, a), r in release_at.items() if p == place and a <= arrival and not np.isnan(r)]
    return max(earlier)[1] if earlier else None
