"""The run report's figures, drawn from result tables and the summary, returned as PNG bytes:
delivery times, checkpoints (drawn in `checkpoints_figure`), the timeline of one replication
(drawn in `timeline_figure`) and deliveries over time.

Movements are grouped as the summary groups them: by `flow` (a one-off movement is its own flow;
a regular flow pools all its departures).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, PercentFormatter

from sim.analysis.checkpoints_figure import checkpoints
from sim.analysis.figures import DELIVERED, date_axis, figure, moment, png
from sim.analysis.formatting import wrapped
from sim.analysis.timeline_figure import MAX_TRUCK_PANELS, timeline
from sim.results.records import Table

__all__ = ["MAX_TRUCK_PANELS", "checkpoints", "deliveries", "delivery_times", "outcome_label", "timeline"]

# Outcomes other than delivered, in the order they are stacked at the horizon: label, colour.
NOT_DELIVERED = {
    "not_delivered": ("not delivered by horizon", "#ed8936"),
    "turned_back": ("turned back", "#805ad5"),
    "refused": ("refused", "#c53030"),
}


def outcome_label(outcome: str) -> str:
    """How an outcome is named in figures and tables: "not_delivered" -> "not delivered by horizon"."""
    return NOT_DELIVERED[outcome][0] if outcome in NOT_DELIVERED else outcome.replace("_", " ")


CDF_POINTS = 4096  # steps of a delivery-time CDF drawn at most

# --- Delivery times ------------------------------------------------------------------------------


def delivery_times(movements: Iterable[Table], summary: dict) -> bytes:
    """Per movement or flow: a histogram of delivery times (what was delivered) and the empirical
    CDF over everything sent, with what was not delivered by the horizon stacked at its right end.
    When every delivery came early in a long horizon the time axis is cut after the last delivery
    (the CDF is flat from there to the horizon), so that the curve stays readable. `movements`:
    the movements table in blocks of rows, each read once (a whole table is one block)."""
    keys = list(summary["movements"])
    fig = figure(3.0 * len(keys) + 0.4)
    axes = fig.subplots(len(keys), 2, squeeze=False)
    for (hist, cdf), sent in zip(axes, _sent(movements, summary)):
        _histogram(hist, sent)
        _cdf(cdf, sent, summary)
    return png(fig)


@dataclass
class _Sent:
    """What one movement or flow sent, as its delivery-time panels show it (times in `unit`)."""

    movement: dict  # its entry in the summary
    n: int  # departures over all replications
    outcomes: dict[str, int]  # how many ended in each way
    delivered: np.ndarray  # the delivery times, sorted
    unit: str  # "hours" or "days"
    per: float  # hours in a unit
    end: float  # where the time axis ends
    left_h: float  # the longest time from a departure to the horizon
    cut: bool  # the time axis ends after the last delivery, well before the horizon
    first_departure_h: float
    counted: str  # "departures" (a flow) or "replications"


def _sent(movements: Iterable[Table], summary: dict) -> list[_Sent]:
    """Each movement or flow of the summary, and the time axis it is drawn on, from the blocks."""
    keys = list(summary["movements"])
    times: dict[str, list[np.ndarray]] = {k: [np.empty(0)] for k in keys}
    outcomes: dict[str, Counter] = {k: Counter() for k in keys}
    first_h = dict.fromkeys(keys, np.inf)
    for block in movements:
        for key in keys:
            rows = block["flow"] == key
            times_h = block["delivery_time_h"][rows]
            times[key].append(times_h[~np.isnan(times_h)])
            outcomes[key].update(block["outcome"][rows].tolist())
            first_h[key] = min(first_h[key], block["departure_h"][rows].min(initial=np.inf))
    return [_axis(summary, key, np.sort(np.concatenate(times[key])), dict(outcomes[key]), first_h[key]) for key in keys]


def _axis(summary: dict, key: str, delivered_h: np.ndarray, outcomes: dict[str, int], first_h: float) -> _Sent:
    """Movement or flow `key` drawn with its sorted delivery times, outcomes and first departure."""
    m = summary["movements"][key]
    left_h = summary["horizon_h"] - first_h  # the longest time from a departure to the horizon
    cut = len(delivered_h) > 0 and delivered_h[-1] < 0.5 * left_h
    end_h = delivered_h[-1] * 1.15 if cut else left_h
    unit, per = ("hours", 1.0) if end_h <= 72 else ("days", 24.0)
    return _Sent(
        movement=m,
        n=sum(outcomes.values()),
        outcomes=outcomes,
        delivered=delivered_h / per,
        unit=unit,
        per=per,
        end=max(end_h / per, 1e-9),
        left_h=left_h,
        cut=cut,
        first_departure_h=first_h,
        counted="departures" if m["departures"] > 1 else "replications",
    )


def _histogram(ax: Axes, s: _Sent) -> None:
    """The histogram of the delivery times of what was delivered."""
    m = s.movement
    sent = f"{s.n:,} {s.counted}" + (
        f" ({m['departures']} × {m['replications']} replications)" if m["departures"] > 1 else ""
    )
    if len(s.delivered):
        ax.hist(s.delivered, bins=min(40, max(8, int(np.sqrt(len(s.delivered))))), color=DELIVERED)
    else:
        ax.text(0.5, 0.5, f"no {s.counted[:-1]} delivered", ha="center", va="center", transform=ax.transAxes)
    ax.set(
        title=f"{wrapped(m['name'], 60)}\n{wrapped(f'delivery time: {len(s.delivered):,} of {sent} delivered', 60)}",
        xlabel=f"{s.unit} from departure to delivery",
        ylabel=s.counted,
    )


def _cdf(ax: Axes, s: _Sent, summary: dict) -> None:
    """The share delivered within a time, the other outcomes stacked at the end, the deadline and horizon."""
    m, end, unit = s.movement, s.end, s.unit
    share = np.arange(1, len(s.delivered) + 1) / s.n
    top = share[-1] if len(share) else 0.0
    # At most CDF_POINTS steps, evenly spaced in rank, and the last: finer than the figure's
    # pixels, and drawn in a moment where a million steps took 20 s.
    steps = np.arange(len(share))
    if len(share) > CDF_POINTS:
        steps = np.unique(np.linspace(0, len(share) - 1, CDF_POINTS).astype(int))  # the last included
    ax.step(
        np.r_[0, s.delivered[steps], end],
        np.r_[0, share[steps], top],
        where="post",
        color=DELIVERED,
        label=f"delivered: {top:.1%}",
    )
    width = end * 0.025
    for value in [o for o in NOT_DELIVERED if s.outcomes.get(o)] + sorted(
        o for o in s.outcomes if o != "delivered" and o not in NOT_DELIVERED
    ):  # stacked above the delivered share
        part = s.outcomes[value] / s.n
        colour = NOT_DELIVERED.get(value, ("", "grey"))[1]
        ax.bar(end, part, width, top, align="edge", color=colour, label=f"{outcome_label(value)}: {part:.1%}")
        top += part
    deadline_h = m.get("deadline_h")
    if deadline_h is not None and m.get("on_time_probability") and deadline_h / s.per <= end:
        on_time = m["on_time_probability"]["estimate"]
        due = moment(summary, s.first_departure_h + deadline_h)
        label = f"deadline, {due:%Y-%m-%d %H:%M}: {on_time:.1%} on time"
        ax.axvline(deadline_h / s.per, color="#2f855a", linestyle=":", linewidth=1.5, label=label)
    horizon = moment(summary, summary["horizon_h"]).strftime("%Y-%m-%d")
    if s.cut:
        ax.text(
            end * 0.98,
            0.03,
            f"axis cut after the last delivery;\nthe horizon ({horizon}) is {s.left_h / s.per:.3g} {unit} "
            "after departure",
            ha="right",
            va="bottom",
            fontsize="small",
            color="dimgrey",
        )
    else:
        label = f"horizon, {horizon}" + (" (first departure)" if m["departures"] > 1 else "")
        ax.axvline(end, color="grey", linestyle="--", linewidth=1, label=label)
    ax.set(
        title=f"share of all {s.counted} delivered within a time",
        xlabel=f"{unit} from departure",
        ylabel=f"cumulative share of {s.counted}",
        xlim=(0, end * 1.06),
        ylim=(0, 1.02),
    )
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.legend(loc="best", fontsize="small")


# --- Deliveries over time ------------------------------------------------------------------------


def deliveries(table: Iterable[Table], summary: dict, first_replication: int) -> bytes:
    """Cumulative tonnes delivered over the horizon and, where needs are stated, person-days of
    need covered per cargo type with a need: per replication from the deliveries table (in blocks
    of rows, each read once), drawn as a fan of quantiles across replications (median, 25-75% and
    10-90%), not a mean, because a movement that is all or nothing makes the outcome two-peaked."""
    d = summary["deliveries"]
    daily = d["cumulative_tonnes_by_day"]
    needed = [c for c, kg in d["kg_per_person_day"].items() if kg and d["population"]]
    by_day = _by_day(table, max(len(daily), 1), first_replication, [None, *needed])
    fig = figure(3.4 * (1 + bool(needed)) + 0.3)
    axes = fig.subplots(1 + bool(needed), 1, squeeze=False)[:, 0]
    days = [moment(summary, 0)] + [moment(summary, 24 * row["day"]) for row in daily]
    horizon = moment(summary, summary["horizon_h"])
    days[-1] = min(days[-1], horizon)
    ax = axes[0]
    _fan(ax, days, _cumulative(by_day.pop(None), summary["replications"], 1.0), DELIVERED, "all cargo")
    ax.set(title="Cumulative tonnes delivered", ylabel="tonnes delivered to date", xlabel="local date")
    if needed:
        _needs(axes[1], by_day, summary, days)
    for ax in axes:
        ax.axvline(
            mdates.date2num(horizon), color="grey", linestyle="--", linewidth=1, label=f"horizon, {horizon:%Y-%m-%d}"
        )
        ax.set_xlim(mdates.date2num(days[0]), mdates.date2num(horizon) + 0.5)
        ax.set_ylim(bottom=0)
        date_axis(ax)
        ax.legend(loc="upper left", fontsize="small")
    return png(fig)


# Per day of the horizon: pieces of (replication, tonnes) of the deliveries that day, in the order
# of the table (the last day takes any later delivery).
ByDay = list[list[tuple[np.ndarray, np.ndarray]]]


def _by_day(blocks: Iterable[Table], n_days: int, first_replication: int, cargos: list[str | None]) -> dict:
    """Cargo type (None: all) -> its deliveries by day (`ByDay`), gathered a block of rows at a
    time: a few bytes a delivery, not the table."""
    found: dict[str | None, ByDay] = {c: [[] for _ in range(n_days)] for c in cargos}
    for block in blocks:
        for cargo, pieces in found.items():
            rows = slice(None) if cargo is None else block["cargo"] == cargo
            rep = (block["replication"][rows] - first_replication).astype(np.int32)
            day = np.minimum((block["time_h"][rows] // 24).astype(int), n_days - 1)
            order = np.argsort(day, kind="stable")
            rep, day, tonnes = rep[order], day[order], block["tonnes"][rows][order]
            bounds = np.searchsorted(day, np.arange(n_days + 1))
            for d in np.flatnonzero(np.diff(bounds)):
                pieces[d].append((rep[bounds[d] : bounds[d + 1]], tonnes[bounds[d] : bounds[d + 1]]))
    return found


def _cumulative(by_day: ByDay, replications: int, scale: float) -> dict:
    """Percentile (each of the fan's and 50) -> per day: that percentile across replications of
    the amount delivered by the end of the day, tonnes times `scale`. A day at a time over one
    running total per replication, so that memory does not grow with replications times days."""
    wanted = sorted({50, *(p for band in FAN for p in band[:2])})
    total = np.zeros(replications)
    found = {p: np.zeros(len(by_day)) for p in wanted}
    for d, pieces in enumerate(by_day):
        for rep, tonnes in pieces:
            np.add.at(total, rep, tonnes * scale)
        for p, value in zip(wanted, np.percentile(total, wanted)):
            found[p][d] = value
    return found


FAN = ((10, 90, 0.15), (25, 75, 0.3))  # bands of the fan: from and to percentile, opacity


def _fan(ax: Axes, days: list[datetime], cumulative: dict[int, np.ndarray], colour: str, label: str) -> None:
    """A cumulative amount at the end of each day (linear within the day) across replications:
    its median and the 25-75% and 10-90% bands."""
    x = mdates.date2num(days)
    for low, high, alpha in FAN:
        ax.fill_between(
            x,
            np.r_[0, cumulative[low]],
            np.r_[0, cumulative[high]],
            color=colour,
            alpha=alpha,
            linewidth=0,
            label=f"{label}: {low}-{high}% of replications",
        )
    ax.plot(x, np.r_[0, cumulative[50]], color=colour, label=f"{label}: median replication")


def _needs(ax: Axes, by_day: dict[str, ByDay], summary: dict, days: list[datetime]) -> None:
    """Person-days of need covered per cargo type with a need (`by_day`: its deliveries by day),
    as a fan across replications, with days of need of the whole population on the right axis."""
    d = summary["deliveries"]
    for i, (cargo, deliveries) in enumerate(by_day.items()):
        cumulative = _cumulative(deliveries, summary["replications"], 1000.0 / d["kg_per_person_day"][cargo])
        _fan(ax, days, cumulative, [DELIVERED, "#2f855a", "#805ad5", "#dd6b20"][i % 4], wrapped(cargo, 30))
    population = d["mean_population"]  # the population over the horizon, where it changes
    changing = "mean " if d["population_changes_h"] else ""
    ax.set(
        title=f"Person-days of need covered ({changing}population {population:,.0f}, ration as stated per cargo type)",
        ylabel="person-days covered to date",
        xlabel="local date",
    )
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    days_axis = ax.secondary_yaxis("right", functions=(lambda v: v / population, lambda v: v * population))
    days_axis.set_ylabel("days of need of the whole population")
