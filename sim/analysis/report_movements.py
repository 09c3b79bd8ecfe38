"""The results per movement as the report states them: probabilities, delivery times and dates
with their intervals, outcomes, trucks and cargo, all formatted, and the facts of each movement's
answer in brief (report_prose.j2 says it)."""

from __future__ import annotations

from sim.analysis import plots
from sim.analysis.formatting import Clock, between, between_with_unit, duration, percent
from sim.analysis.intervals import wilson
from sim.analysis.movement_facts import MovementFacts
from sim.results.records import OUTCOMES

QUANTILES = ("median", "p90", "p95")
Bound = float | str | None  # an interval's end in hours, or words for one that is missing


def hours_between(low: float | None, high: float | None) -> str:
    """An interval of hours, "1.2 – 3.4 h"; two decimals when narrower than half an hour, so that a
    narrow interval keeps its width visible."""
    digits = 2 if low is not None and high is not None and high - low < 0.5 else 1
    return between_with_unit(low, high, lambda h: f"{h:.{digits}f}", " h")


def movement_results(key: str, m: dict, movements: MovementFacts, clock: Clock, horizon_h: float, level: float) -> dict:
    """One movement's (or flow's) row of every results table, and the facts of its answer.
    `m`: its entry of summary.json; `movements`: the movements table's facts; `level`: of the
    intervals."""
    departures_h = movements.departures_h[key]
    single = len(departures_h) == 1
    n = movements.rows[key]
    censored = m["delivered_count"] < n  # something was not delivered by the horizon
    p, mean = m["delivery_probability"], m["mean_delivery_time_h"]
    return {
        "key": key,
        "name": m["name"],
        "flow": not single,
        "departures": m["departures"],
        "departure": {
            "first": clock.at(departures_h[0]),
            "last": clock.at(departures_h[-1]),
            "every_h": None if single else f"{departures_h[1] - departures_h[0]:g}",
        },
        "trucks": m["trucks"],
        "tonnes": f"{m['tonnes']:g}",
        "probability": percent(p["estimate"]),
        "probability_ci": between(p["low"], p["high"], percent),
        "outcomes": [
            {"label": plots.outcome_label(o), "count": m["outcomes"][o], "share": percent(m["outcomes"][o] / n)}
            for o in OUTCOMES
        ],
        "trucks_by_outcome": _shares(m["trucks_by_outcome"]),
        "delivered_t": f"{m['tonnes_by_outcome']['delivered'] / m['replications']:,.1f} t",
        "mean": "no delivery" if mean["estimate"] is None else duration(mean["estimate"]),
        "mean_ci": hours_between(mean["low"], mean["high"]),
        "quantiles": {
            q: {
                "value": duration(m[f"{q}_delivery_time_h"]["estimate"]),
                "ci": _quantile_interval(m[f"{q}_delivery_time_h"], censored),
            }
            for q in QUANTILES
        },
        # A flow pools its departures, so its delivery times have no single date.
        "dates": None
        if not single
        else {q: _quantile_dates(m[f"{q}_delivery_time_h"], departures_h[0], clock, censored) for q in QUANTILES},
        "closure_wait": _closure_wait(m["mean_closure_wait_h"]),
        "rerouted": percent(m["rerouted_share"]),
        "deadline": _deadline(m, departures_h, clock),
        "answer": _answer(m, clock, horizon_h, departures_h[0], level),
    }


def _deadline(m: dict, departures_h: list[float], clock: Clock) -> dict | None:
    """The chance of delivery by the deadline; its date (None for a flow: hours after each departure)."""
    if m.get("deadline_h") is None or not m.get("on_time_probability"):
        return None
    on_time = m["on_time_probability"]
    single = len(departures_h) == 1
    return {
        "date": clock.at(departures_h[0] + m["deadline_h"]) if single else None,
        "after_h": f"{m['deadline_h']:g}",
        "probability": percent(on_time["estimate"]),
        "probability_ci": between(on_time["low"], on_time["high"], percent),
    }


def _answer(m: dict, clock: Clock, horizon_h: float, departure_h: float, level: float) -> dict:
    """What the answer in brief says besides the row: how every run ended (each outcome's share
    with its Wilson interval), the time it had (departure to horizon), the median and p90 as
    durations (a flow) or as days and dates (one departure), and for a quantile beyond the horizon
    what kept it there (refused, turned back, still under way)."""
    median, p90 = m["median_delivery_time_h"]["estimate"], m["p90_delivery_time_h"]["estimate"]
    counts = m["outcomes"]
    n = sum(counts.values())
    ended = {o: _share(counts[o], n, level) for o in OUTCOMES}
    return {
        "horizon": clock.at(horizon_h),
        "had_days": f"{max(horizon_h - departure_h, 0.0) / 24:.1f}",
        "ended": ended,
        "not_delivered": percent(1 - m["delivery_probability"]["estimate"]),
        "missing": [{"label": OUTCOME_WORDS[o], "share": ended[o]["share"]} for o in OUTCOMES[1:] if counts[o]],
        "median": None if median is None else duration(median),
        "median_days": None if median is None else f"{median / 24:.1f}",
        "median_date": None if median is None else clock.at(departure_h + median),
        "p90": None if p90 is None else duration(p90),
        "p90_date": None if p90 is None else clock.at(departure_h + p90),
    }


def brief_outcomes(rows: list[dict]) -> list[dict]:
    """The columns of the answers' table: delivered, and each other way of ending that some
    movement met ({key, label})."""
    met = [o for o in OUTCOMES[1:] if any(r["answer"]["ended"][o]["count"] for r in rows)]
    return [{"key": "delivered", "label": "Delivered by the horizon"}] + [
        {"key": o, "label": OUTCOME_WORDS[o].capitalize()} for o in met
    ]


# How the answer in brief names the ways a run ends without a delivery by the horizon.
OUTCOME_WORDS = {"refused": "refused", "turned_back": "turned back", "not_delivered": "still under way at the horizon"}


def _share(count: int, n: int, level: float) -> dict:
    """A count's share of `n`, with its Wilson interval, formatted."""
    p = wilson(count, n, level)
    return {"count": count, "share": percent(p["estimate"]), "ci": between(p["low"], p["high"], percent)}


def _shares(counts: dict) -> list[dict]:
    total = sum(counts.values())
    return [
        {"label": plots.outcome_label(o), "count": counts[o], "share": percent(counts[o] / total) if total else "n/a"}
        for o in OUTCOMES
    ]


def _quantile_interval(q: dict, censored: bool) -> str:
    """A quantile's interval ("" when all of it lies beyond the horizon); a missing upper bound lies
    beyond the horizon when anything was not delivered, else too few replications bound it."""
    low, high = _quantile_bounds(q, censored)
    if low is None and high is None:
        return ""
    if isinstance(low, float) and isinstance(high, float):
        return hours_between(low, high)
    return between(low, high, lambda bound: bound if isinstance(bound, str) else f"{bound:.1f} h")


def _quantile_bounds(q: dict, censored: bool) -> tuple[Bound, Bound]:
    """The bounds as hours, or words for missing ones; (None, None) when both lie beyond the horizon."""
    if q["estimate"] is None and q["low"] is None and (q["high"] is None and censored):
        return None, None
    low = q["low"] if q["low"] is not None else ("beyond horizon" if q["estimate"] is None else "n/a")
    high = q["high"] if q["high"] is not None else ("beyond horizon" if censored else "n/a")
    return low, high


def _quantile_dates(q: dict, departure_h: float, clock: Clock, censored: bool) -> dict:
    low, high = _quantile_bounds(q, censored)

    def date(bound: float | str) -> str:
        return bound if isinstance(bound, str) else clock.at(departure_h + bound)

    return {
        "value": "beyond horizon" if q["estimate"] is None else clock.at(departure_h + q["estimate"]),
        "ci": "" if low is None else between(low, high, date),
    }


def _closure_wait(wait: dict) -> dict:
    if wait["estimate"] is None:
        return {"value": "n/a", "ci": "n/a"}
    if not wait["estimate"] and not wait["high"]:
        return {"value": "none", "ci": ""}
    return {"value": duration(wait["estimate"]), "ci": hours_between(wait["low"], wait["high"])}
