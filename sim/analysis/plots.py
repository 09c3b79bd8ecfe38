"""The report's figures, drawn from result tables and the summary, returned as PNG bytes.

Figures are plain `matplotlib.figure.Figure` objects on an Agg canvas: no pyplot, so no global
figure registry to leak into and no GUI backend, whatever the caller's matplotlib settings.
Movements are grouped as the summary groups them: by `flow` (a one-off movement is its own flow;
a regular flow pools all its departures).
"""

from __future__ import annotations

import io
import textwrap
from datetime import datetime, timedelta

import numpy as np
from matplotlib import dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, PercentFormatter

from sim.results.records import Table

DPI = 100
DELIVERED = "#2b6cb0"
OTHER_TRAFFIC = "#718096"
# Outcomes other than delivered, in the order they are stacked at the horizon: label, colour.
NOT_DELIVERED = {
    "not_delivered": ("not delivered by horizon", "#ed8936"),
    "turned_back": ("turned back", "#805ad5"),
    "refused": ("refused", "#c53030"),
}
# The timeline's activities: label, colour.
TRAVEL = ("on the road", "#cbd5e0")
WAIT = ("waiting at a place (approval hold)", "#f6ad55")
AT_CHECKPOINT = ("at a checkpoint (queue and inspection)", "#4299e1")
QUEUE = ("queueing for a lane", "#90cdf4")
INSPECTION = ("inspection", DELIVERED)
CONVOY = ("cleared, waiting for the rest of the movement", "#faf089")
# How each way of ending is marked at the end of a timeline bar: label, marker, colour.
ENDS = {
    "delivered": ("delivered", "D", "#2f855a"),
    "refused": ("refused", "X", "#c53030"),
    "turned_back": ("turned back", "<", "#805ad5"),
    "not_delivered": ("not delivered by horizon", ">", "#ed8936"),
}
MAX_TRUCK_PANELS = 8  # the timeline shows the trucks of at most this many movements


def outcome_label(outcome: str) -> str:
    """How an outcome is named in figures and tables: "not_delivered" -> "not delivered by horizon"."""
    return NOT_DELIVERED[outcome][0] if outcome in NOT_DELIVERED else outcome.replace("_", " ")


# --- Delivery times ------------------------------------------------------------------------------


def delivery_times(movements: Table, summary: dict) -> bytes:
    """Per movement or flow: a histogram of delivery times (what was delivered) and the empirical
    CDF over everything sent, with what was not delivered by the horizon stacked at its right end.
    When every delivery came early in a long horizon the time axis is cut after the last delivery
    (the CDF is flat from there to the horizon), so that the curve stays readable."""
    keys = list(summary["movements"])
    horizon = _datetime(summary, summary["horizon_h"]).strftime("%Y-%m-%d")
    fig = Figure(figsize=(11, 3.0 * len(keys) + 0.4), dpi=DPI, layout="constrained")
    axes = fig.subplots(len(keys), 2, squeeze=False)
    for (hist, cdf), key in zip(axes, keys):
        m = summary["movements"][key]
        rows = movements["flow"] == key
        n = int(rows.sum())
        times_h = movements["delivery_time_h"][rows]
        delivered_h = np.sort(times_h[~np.isnan(times_h)])
        outcome = movements["outcome"][rows]
        left_h = summary["horizon_h"] - movements["departure_h"][rows]  # time from departure to the horizon
        cut = len(delivered_h) > 0 and delivered_h[-1] < 0.5 * left_h.max()
        end_h = delivered_h[-1] * 1.15 if cut else left_h.max()
        unit, per = ("hours", 1.0) if end_h <= 72 else ("days", 24.0)
        delivered = delivered_h / per
        end = max(end_h / per, 1e-9)
        name = _wrap(m["name"], 60)
        counted = "departures" if m["departures"] > 1 else "replications"
        sent = f"{n:,} {counted}" + (
            f" ({m['departures']} × {m['replications']} replications)" if m["departures"] > 1 else ""
        )

        if len(delivered):
            hist.hist(delivered, bins=min(40, max(8, int(np.sqrt(len(delivered))))), color=DELIVERED)
        else:
            hist.text(0.5, 0.5, f"no {counted[:-1]} delivered", ha="center", va="center", transform=hist.transAxes)
        hist.set(
            title=f"{name}\n{_wrap(f'delivery time: {len(delivered):,} of {sent} delivered', 60)}",
            xlabel=f"{unit} from departure to delivery",
            ylabel=counted,
        )

        share = np.arange(1, len(delivered) + 1) / n
        top = share[-1] if len(share) else 0.0
        cdf.step(
            np.r_[0, delivered, end], np.r_[0, share, top], where="post", color=DELIVERED, label=f"delivered: {top:.1%}"
        )
        width = end * 0.025
        for value in [o for o in NOT_DELIVERED if (outcome == o).any()] + sorted(
            {o for o in outcome.tolist() if o != "delivered" and o not in NOT_DELIVERED}
        ):  # stacked above the delivered share
            part = (outcome == value).sum() / n
            colour = NOT_DELIVERED.get(value, ("", "grey"))[1]
            cdf.bar(end, part, width, top, align="edge", color=colour, label=f"{outcome_label(value)}: {part:.1%}")
            top += part
        deadline_h = m.get("deadline_h")
        if deadline_h is not None and m.get("on_time_probability") and deadline_h / per <= end:
            on_time = m["on_time_probability"]["estimate"]
            due = _datetime(summary, movements["departure_h"][rows].min() + deadline_h)
            cdf.axvline(
                deadline_h / per,
                color="#2f855a",
                linestyle=":",
                linewidth=1.5,
                label=f"deadline, {due:%Y-%m-%d %H:%M}: {on_time:.1%} on time",
            )
        if cut:
            cdf.text(
                end * 0.98,
                0.03,
                f"axis cut after the last delivery;\nthe horizon ({horizon}) is "
                f"{left_h.max() / per:.3g} {unit} after departure",
                ha="right",
                va="bottom",
                fontsize="small",
                color="dimgrey",
            )
        else:
            label = f"horizon, {horizon}" + (" (first departure)" if m["departures"] > 1 else "")
            cdf.axvline(end, color="grey", linestyle="--", linewidth=1, label=label)
        cdf.set(
            title=f"share of all {counted} delivered within a time",
            xlabel=f"{unit} from departure",
            ylabel=f"cumulative share of {counted}",
            xlim=(0, end * 1.06),
            ylim=(0, 1.02),
        )
        cdf.yaxis.set_major_formatter(PercentFormatter(1.0))
        cdf.legend(loc="best", fontsize="small")
    return _png(fig)


# --- Checkpoints ---------------------------------------------------------------------------------


def checkpoints(table: Table, summary: dict) -> bytes:
    """Per checkpoint: mean wait per aid truck (and per other vehicle, where other traffic is
    configured) and lane utilisation, each with the 5-95% range of its per-replication values."""
    keys = list(summary["checkpoints"])
    info = summary["checkpoints"]
    labels = [
        f"{_wrap(summary['places'].get(k, k), 28)}\n({info[k]['lanes']} lane{'' if info[k]['lanes'] == 1 else 's'})"
        for k in keys
    ]
    others = any(info[k].get("other_vehicles_per_replication") for k in keys)
    fig = Figure(figsize=(11, (1.1 if others else 0.8) * len(keys) + 1.7), dpi=DPI, layout="constrained")
    wait_ax, use_ax = fig.subplots(1, 2, sharey=True)
    y = np.arange(len(keys), dtype=float)
    aid, other, use = [], [], []
    for k in keys:
        rows = table["checkpoint"] == k
        aid.append(_per_vehicle(table["wait_h"][rows], table["trucks"][rows]))
        other.append(_per_vehicle(table["other_wait_h"][rows], table["other_trucks"][rows]))
        use.append(table["busy_h"][rows] / (table["lanes"][rows] * summary["horizon_h"]))
    means = [info[k]["mean_wait_h"] for k in keys]
    other_means = [info[k].get("other_mean_wait_h") for k in keys]
    spreads = [np.percentile(v, 95) for v in aid + other if len(v)]
    largest = max(spreads + [m for m in means + other_means if m], default=0)
    unit, per = ("minutes", 1 / 60) if largest < 1 else ("hours", 1.0)
    aid, other = [v / per for v in aid], [v / per for v in other]
    means = [None if m is None else m / per for m in means]
    other_means = [None if m is None else m / per for m in other_means]
    height = 0.38 if others else 0.75
    shift = height / 2 if others else 0.0
    _bars(wait_ax, y - shift, _values(means), aid, "aid trucks: mean wait", DELIVERED, height)
    if others:
        _bars(wait_ax, y + shift, _values(other_means), other, "other vehicles: mean wait", OTHER_TRAFFIC, height, None)
        for i, m in enumerate(other_means):
            if m is None:
                wait_ax.text(0, y[i] + shift, " no other vehicles", va="center", fontsize="small")
    for i, m in enumerate(means):
        if m is None:
            wait_ax.text(0, y[i] - shift, " no aid trucks", va="center", fontsize="small")
    wait_ax.legend(loc="lower right", fontsize="small")
    wait_ax.set(
        title="Waiting time before inspection, per vehicle",
        xlabel=f"{unit} from arrival to the start of inspection",
        yticks=y,
        yticklabels=labels,
    )
    wait_ax.invert_yaxis()
    _bars(use_ax, y, [info[k]["utilisation"] for k in keys], use, "mean utilisation", DELIVERED, 0.75)
    use_ax.legend(loc="lower right", fontsize="small")
    use_ax.set(title="Lane utilisation over the horizon", xlabel="share of lane time spent inspecting")
    use_ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))
    return _png(fig)


def _per_vehicle(wait_h: np.ndarray, vehicles: np.ndarray) -> np.ndarray:
    """Per replication with any vehicle: total wait over vehicles."""
    some = vehicles > 0
    return wait_h[some] / vehicles[some]


def _values(means: list[float | None]) -> list[float]:
    return [np.nan if m is None else m for m in means]


def _bars(
    ax,
    y: np.ndarray,
    heights: list[float],
    per_replication: list[np.ndarray],
    label: str,
    colour: str,
    height: float,
    whiskers: str | None = "5-95% of replications",
) -> None:
    ax.barh(y, heights, height=height, color=colour, alpha=0.85, label=label)
    spread = [np.percentile(v, [5, 95]) if len(v) else [np.nan, np.nan] for v in per_replication]
    low, high = np.array(spread).T
    ax.errorbar((low + high) / 2, y, xerr=(high - low) / 2, fmt="none", color="black", capsize=4, label=whiskers)
    ax.set_xlim(left=0)


# --- Timeline of one replication -----------------------------------------------------------------


def timeline(movements: Table, passages: Table, trace: Table, summary: dict, replication: int = 0) -> bytes:
    """One replication, drawn from its passages (every movement at every place) and its trace
    (every truck at every checkpoint).

    Top: each movement or flow on one line over the whole horizon: on the road, waiting at a place
    (an approval hold), at a checkpoint, and how it ended. Below, for each movement (a flow's first
    departure that reached a checkpoint), its trucks one per line, zoomed on the checkpoints:
    queueing, inspection, and waiting for the rest of the movement to be cleared."""
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
    fig = Figure(figsize=(11, sum(heights) + 0.7), dpi=DPI, layout="constrained")
    axes = fig.subplots(len(heights), 1, squeeze=False, height_ratios=heights)[:, 0]
    endings = _overview(axes[0], keys, flow_of, stops, trucks, ended, summary, replication)
    for ax, (key, movement) in zip(axes[1:], shown):
        _truck_panel(ax, summary, key, movement, stops.get(movement, []), trucks[movement], ended[movement])
    activities = (TRAVEL, WAIT, AT_CHECKPOINT) + ((QUEUE, INSPECTION, CONVOY) if shown else ())
    handles = [Patch(color=colour, label=label) for label, colour in activities]
    for outcome in OUTCOME_ORDER:
        if outcome in endings:
            label, marker, colour = ENDS[outcome]
            handles.append(Line2D([], [], marker=marker, color=colour, linestyle="none", label=label))
    if shown:
        handles.append(Line2D([], [], color=ENDS["delivered"][2], label="delivery (trucks panels)"))
    fig.legend(handles=handles, loc="outside lower center", ncols=4, fontsize="small", frameon=False)
    return _png(fig)


OUTCOME_ORDER = ("delivered", "refused", "turned_back", "not_delivered")


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


def _trucks(trace: Table) -> dict[str, dict[int, list[tuple[str, float, float, float]]]]:
    """Per movement and truck: (place, arrival_h, start_h, clear_h) at each checkpoint, in order."""
    result: dict[str, dict[int, list]] = {}
    if not len(trace["movement"]):
        return result
    for key, truck, place, arrival, start, clear in zip(
        *(trace[c].tolist() for c in ("movement", "truck", "place", "arrival_h", "start_h", "clear_h"))
    ):
        result.setdefault(key, {}).setdefault(int(truck), []).append((place, arrival, start, clear))
    for by_truck in result.values():
        for visits in by_truck.values():
            visits.sort(key=lambda v: v[1])
    return {key: dict(sorted(by_truck.items())) for key, by_truck in result.items()}


class _Boxes:
    """Rectangles (y, from hour, to hour) gathered per colour and drawn as one collection each:
    a timeline has thousands of them."""

    def __init__(self, x0: float):
        self.x0 = x0
        self.boxes: dict[str, list] = {}

    def add(self, colour: str, y: float, start_h: float, end_h: float, height: float) -> None:
        if end_h > start_h:
            a, b = self.x0 + start_h / 24, self.x0 + end_h / 24
            self.boxes.setdefault(colour, []).append(
                [(a, y - height / 2), (b, y - height / 2), (b, y + height / 2), (a, y + height / 2)]
            )

    def draw(self, ax) -> None:
        for colour, boxes in self.boxes.items():
            ax.add_collection(PolyCollection(boxes, facecolors=colour, edgecolors="none"))


def _overview(ax, keys, flow_of, stops, trucks, ended, summary, replication) -> set[str]:
    """The whole horizon, one line per movement or flow; returns the outcomes shown."""
    horizon_h = summary["horizon_h"]
    x0 = mdates.date2num(_datetime(summary, 0))
    y_of = {key: i for i, key in enumerate(keys)}
    boxes = _Boxes(x0)
    labels = []
    for key in keys:
        m = summary["movements"][key]
        extra = f"\n({m['departures']} departures)" if m["departures"] > 1 else ""
        labels.append(_wrap(m["name"], 34) + extra)
    ends: dict[str, tuple[list, list, bool]] = {}
    for movement, flow in flow_of.items():
        y = y_of.get(flow)
        if y is None:
            continue
        many = summary["movements"][flow]["departures"] > 1
        outcome, end_h = ended[movement]
        finish_h = horizon_h if np.isnan(end_h) else end_h
        inspected: dict[str, list[float]] = {}
        for visits in trucks.get(movement, {}).values():
            for place, arrival, _, _ in visits:
                inspected.setdefault(place, []).append(arrival)
        route = stops.get(movement, [])
        for i, (place, arrival, release) in enumerate(route):
            leave = release if not np.isnan(release) else finish_h
            checks = [a for a in inspected.get(place, []) if arrival <= a <= leave]
            queue_from = min(checks) if checks else leave
            boxes.add(WAIT[1], y, arrival, queue_from, 0.5)
            if not many and (queue_from - arrival) > 0.08 * horizon_h:
                ax.text(
                    x0 + (arrival + queue_from) / 48,
                    y,
                    f"{_wrap(summary['places'].get(place, place), 40)}, {(queue_from - arrival) / 24:.1f} d",
                    ha="center",
                    va="center",
                    fontsize="small",
                )
            if checks:
                boxes.add(AT_CHECKPOINT[1], y, queue_from, leave, 0.5)
            if not np.isnan(release):
                going = route[i + 1][1] if i + 1 < len(route) else finish_h
                boxes.add(TRAVEL[1], y, release, going, 0.2)
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
        yticklabels=labels,
        xlabel="local date",
    )
    _date_axis(ax)
    return set(ends)


def _truck_panel(ax, summary, key, movement, route, trucks, ended) -> None:
    x0 = mdates.date2num(_datetime(summary, 0))
    horizon_h = summary["horizon_h"]
    outcome, end_h = ended
    visits = [v for vs in trucks.values() for v in vs]
    begin = min(a for _, a, _, _ in visits)
    before = [r for _, a, r in route if not np.isnan(r) and r <= begin]
    begin = max(before) if before else begin  # from leaving the place before the first checkpoint
    cleared = [c for _, _, _, c in visits if not np.isnan(c)]
    finish = max(cleared) if cleared else begin
    if not np.isnan(end_h):
        finish = max(finish, end_h)
    finish = min(max(finish, begin + 1.0), horizon_h)
    pad = 0.03 * (finish - begin)
    n = len(trucks)
    boxes = _Boxes(x0)
    for i, (_, _, release) in enumerate(route):  # the road, behind every truck
        if not np.isnan(release):
            going = route[i + 1][1] if i + 1 < len(route) else (horizon_h if np.isnan(end_h) else end_h)
            boxes.add(TRAVEL[1], (n - 1) / 2, release, going, n)
    release_at = {(p, a): r for p, a, r in route}
    names_at: dict[str, float] = {}
    for y, truck_visits in enumerate(trucks.values()):
        for place, arrival, start, clear in truck_visits:
            names_at.setdefault(place, arrival)
            start = horizon_h if np.isnan(start) else start  # still queueing at the horizon
            done = horizon_h if np.isnan(clear) else clear
            boxes.add(QUEUE[1], y, arrival, start, 0.7)
            boxes.add(INSPECTION[1], y, start, done, 0.7)
            leave = _release(release_at, place, arrival)
            if leave is not None:
                boxes.add(CONVOY[1], y, done, leave, 0.7)
    boxes.draw(ax)
    top = ax.secondary_xaxis("top")  # the checkpoints, named where the trucks reach them
    top.set_xticks(
        [x0 + a / 24 for a in names_at.values()],
        [_wrap(summary["places"].get(p, p), 36) for p in names_at],
        fontsize="small",
    )
    label, _, colour = ENDS.get(outcome, (outcome, "o", "grey"))
    if not np.isnan(end_h):
        ax.axvline(x0 + end_h / 24, color=colour, linewidth=1.5)
        how = f"{label} {_datetime(summary, end_h):%Y-%m-%d %H:%M}"
    else:
        how = label
    m = summary["movements"][key]
    which = f", departure {movement.rsplit('/', 1)[-1]}" if m["departures"] > 1 else ""
    ax.set_title(f"{_wrap(m['name'] + which, 90)}\nits trucks at the checkpoints; {how}")
    ax.set(
        xlim=(x0 + (begin - pad) / 24, x0 + (finish + pad) / 24),
        ylim=(n - 0.5, -0.5),
        ylabel="truck",
        xlabel="local date and time",
    )
    ax.set_yticks(range(0, n, 1 if n <= 20 else 5))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{int(v) + 1}"))
    _date_axis(ax)


def _release(release_at: dict, place: str, arrival: float) -> float | None:
    """When the group that started inspection at `place` at `arrival` left it (after a hold there,
    the passage began earlier)."""
    earlier = [(a, r) for (p, a), r in release_at.items() if p == place and a <= arrival and not np.isnan(r)]
    return max(earlier)[1] if earlier else None


# --- Deliveries over time ------------------------------------------------------------------------


def deliveries(table: Table, summary: dict, first_replication: int) -> bytes:
    """Cumulative tonnes delivered over the horizon (mean and 5-95% band across replications, from
    the summary) and, where needs are stated, person-days of need covered per cargo type with a
    need (from the deliveries table, the same way)."""
    d = summary["deliveries"]
    daily = d["cumulative_tonnes_by_day"]
    needed = [c for c, kg in d["kg_per_person_day"].items() if kg and d["population"]]
    fig = Figure(figsize=(11, 3.4 * (1 + bool(needed)) + 0.3), dpi=DPI, layout="constrained")
    axes = fig.subplots(1 + bool(needed), 1, squeeze=False)[:, 0]
    days = [_datetime(summary, 0)] + [_datetime(summary, 24 * row["day"]) for row in daily]
    horizon = _datetime(summary, summary["horizon_h"])
    days[-1] = min(days[-1], horizon)
    ax = axes[0]
    _band(
        ax,
        days,
        [row["mean"] for row in daily],
        [row["p5"] for row in daily],
        [row["p95"] for row in daily],
        DELIVERED,
        "all cargo",
    )
    ax.set(title="Cumulative tonnes delivered", ylabel="tonnes delivered to date", xlabel="local date")
    if needed:
        ax = axes[1]
        reps = summary["replications"]
        n_days = len(daily)
        for i, cargo in enumerate(needed):
            rows = table["cargo"] == cargo if len(table["cargo"]) else np.zeros(0, bool)
            per_day = np.zeros((reps, n_days))
            rep = table["replication"][rows].astype(int) - first_replication
            day = np.minimum((table["time_h"][rows] // 24).astype(int), n_days - 1)
            np.add.at(per_day, (rep, day), table["tonnes"][rows] * 1000.0 / d["kg_per_person_day"][cargo])
            cumulative = per_day.cumsum(axis=1)
            colour = [DELIVERED, "#2f855a", "#805ad5", "#dd6b20"][i % 4]
            _band(
                ax,
                days,
                cumulative.mean(axis=0),
                np.percentile(cumulative, 5, axis=0),
                np.percentile(cumulative, 95, axis=0),
                colour,
                _wrap(cargo, 30),
            )
        population = d["population"]
        ax.set(
            title=f"Person-days of need covered (population {population:,}, ration as stated per cargo type)",
            ylabel="person-days covered to date",
            xlabel="local date",
        )
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        days_axis = ax.secondary_yaxis("right", functions=(lambda v: v / population, lambda v: v * population))
        days_axis.set_ylabel("days of need of the whole population")
    for ax in axes:
        ax.axvline(
            mdates.date2num(horizon), color="grey", linestyle="--", linewidth=1, label=f"horizon, {horizon:%Y-%m-%d}"
        )
        ax.set_xlim(mdates.date2num(days[0]), mdates.date2num(horizon) + 0.5)
        ax.set_ylim(bottom=0)
        _date_axis(ax)
        ax.legend(loc="upper left", fontsize="small")
    return _png(fig)


def _band(ax, days, mean, low, high, colour, label) -> None:
    """A cumulative amount at the end of each day (linear within the day), its mean and 5-95% band."""
    x = mdates.date2num(days)
    ax.fill_between(
        x, np.r_[0, low], np.r_[0, high], color=colour, alpha=0.2, linewidth=0, label=f"{label}: 5-95% of replications"
    )
    ax.plot(x, np.r_[0, mean], color=colour, label=f"{label}: mean over replications")


# --- Helpers -------------------------------------------------------------------------------------


def _datetime(summary: dict, hours: float) -> datetime:
    return datetime.fromisoformat(summary["start"]) + timedelta(hours=hours)


def _date_axis(ax) -> None:
    locator = mdates.AutoDateLocator(minticks=4, maxticks=12)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=True))


def _wrap(text: str, width: int) -> str:
    """Scenario text as a literal label: wrapped, with "$" kept from starting mathtext."""
    return "\n".join(textwrap.wrap(text, width)).replace("$", r"\$")


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    out = io.BytesIO()
    fig.savefig(out, format="png", metadata={"Software": None})
    fig.clear()
    return out.getvalue()
