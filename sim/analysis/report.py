"""The report of a run, rebuilt from the files of its results folder alone.

`write_report(folder)` draws the figures (PNG files) and writes two renderings of one content:
`report.html`, a self-contained page (figures embedded as data URIs) that opens offline, and
`report.md`, Markdown beside the PNG files. `content(folder)` assembles what the report says, once,
as plain text and numbers already formatted; the two templates only lay it out. The same files
give the same bytes: nothing in the report depends on when or where it was built.

Escaping: scenario text (titles, names, sources, notes) reaches the report only through template
expressions. HTML autoescapes them; Markdown escapes them in `finalize` (every expression), so a
name with "|", "<", "*" or a line break cannot break a table, a paragraph or the page.
"""

from __future__ import annotations

import base64
import csv
import re
from datetime import datetime, timedelta
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from sim.analysis import plots
from sim.results import layout
from sim.results.files import read_json, read_table, write_bytes, write_text
from sim.results.records import OUTCOMES

INPUTS = (
    layout.SUMMARY,
    layout.TABLES["movements"],
    layout.TABLES["passages"],
    layout.TABLES["checkpoints"],
    layout.TABLES["deliveries"],
    layout.TIMELINE,
    layout.CARD,
    layout.PROVENANCE,
    layout.CONFIG,
)
TEMPLATES = Path(__file__).resolve().parent / "templates"
QUESTION = (
    "When will each movement deliver, with what spread, and what is the chance it arrives by the horizon "
    "(and by its deadline, where one is set)?"
)
TIMELINE_REPLICATION = 0  # the replication timeline.csv traces (sim.app.run)
_URL = re.compile(r"https?://[^\s<>\"']+")
_NOT_SOURCED = {"assumption", "not given"}
MEANINGS = {
    "delivered": "every truck still on its way reached the destination strictly before the horizon (the delivery "
    "time is that of the last truck delivered)",
    "refused": "permission to go on was denied at the end of an approval hold",
    "turned_back": "every truck was sent back by an inspection at a checkpoint",
    "not_delivered": "still held, queueing or on the road when the simulated period ends: it may arrive later, "
    "but the run cannot say when",
}
# The report's sections: (id, heading). Ids are the anchors GitHub derives from the headings, so
# the same links work in report.html and report.md.
SECTIONS = (
    "The question",
    "Answers in brief",
    "The scenario",
    "Method",
    "Results per movement",
    "Checkpoints",
    "Deliveries and needs",
    "Figures",
    "Limitations",
    "Assumptions",
    "Scenario card",
    "Provenance",
    "STRESS-DES checklist",
)


def _slug(heading: str) -> str:
    return re.sub(r"[^a-z0-9 -]", "", heading.lower()).replace(" ", "-")


# --- Writing -------------------------------------------------------------------------------------


def write_report(folder: Path) -> None:
    """Write the figures (PNG), report.html and report.md into `folder`."""
    report = content(folder)
    for figure in report["figures"]:
        write_bytes(folder / figure["file"], figure["png"])
    write_text(folder / layout.REPORT_HTML, render_html(report))
    write_text(folder / layout.REPORT_MD, render_markdown(report))


def render_html(report: dict) -> str:
    return _environment(html=True).get_template("report.html.j2").render(**report)


def render_markdown(report: dict) -> str:
    return _environment(html=False).get_template("report.md.j2").render(**report)


def _environment(html: bool) -> Environment:
    options = {"trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True}
    if html:
        return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined, **options)
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=False,
        undefined=StrictUndefined,
        finalize=_md_finalize,
        **options,
    )
    environment.filters.update(code=md_code, linked=md_linked, fenced=md_fenced, raw=Markdown)
    return environment


# --- Markdown escaping ---------------------------------------------------------------------------


class Markdown(str):
    """Text that is already Markdown: passed through `finalize` as it is."""


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<|~&$])")
_MD_BLOCK_START = re.compile(r"^(?:[#>]|[-+=](?=[\s=+-]|$)|\d{1,9}[.)](?=\s|$))")


def md_escape(text: object) -> str:
    """Plain text as Markdown inline text: each run of whitespace (line breaks included) made one
    space, so it cannot end a table row or a paragraph; characters that could start emphasis,
    code, links, HTML, entities, table cells or (on GitHub) math backslash-escaped; and a leading
    list, quote or heading marker escaped."""
    text = re.sub(r"\s+", " ", str(text))
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_BLOCK_START.sub(lambda m: m.group()[:-1] + "\\" + m.group()[-1], text, count=1)


def _md_finalize(value: object) -> str:
    return value if isinstance(value, Markdown) else md_escape(value)


def md_code(text: object) -> Markdown:
    """Inline code: a backtick fence longer than any run inside; "|" escaped for tables (GFM
    removes that backslash before it reads the code span)."""
    text = " ".join(str(text).split()).replace("|", r"\|")
    fence = "`" * (max((len(r) for r in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return Markdown(f"{fence}{pad}{text}{pad}{fence}")


def md_linked(parts: list[dict]) -> Markdown:
    """Text parts escaped and URL parts (`_linked`) as autolinks; `_URL` already keeps spaces,
    quotes and angle brackets out of a URL."""
    return Markdown(
        "".join("<" + p["href"].replace("|", "%7C") + ">" if p["href"] else md_escape(p["text"]) for p in parts)
    )


def md_fenced(text: str, language: str = "") -> Markdown:
    """A fenced code block whose fence no line inside can close."""
    fence = "`" * max(3, max((len(r) for r in re.findall("`+", text)), default=0) + 1)
    return Markdown(f"{fence}{language}\n{text.rstrip(chr(10))}\n{fence}")


# --- Content -------------------------------------------------------------------------------------


def content(folder: Path) -> dict:
    """Everything the report says, from the files of `folder`: text and numbers already formatted,
    figures as PNG bytes (and base64 for embedding)."""
    summary = read_json(folder / layout.SUMMARY)
    movements = read_table(folder / layout.TABLES["movements"])
    passages = read_table(folder / layout.TABLES["passages"], replication=TIMELINE_REPLICATION)  # all it draws
    checkpoints = read_table(folder / layout.TABLES["checkpoints"])
    deliveries = read_table(folder / layout.TABLES["deliveries"])
    trace = read_table(folder / layout.TIMELINE)
    card = _card(folder / layout.CARD)
    provenance = read_json(folder / layout.PROVENANCE)
    clock = _Clock(summary["start"])
    params = {row["parameter"]: row["value"] for row in card}
    level = f"{summary['confidence_level']:.0%}"
    rows = [_movement(key, m, movements, clock, summary, level) for key, m in summary["movements"].items()]
    first_replication = int(movements["replication"].min()) if len(movements["replication"]) else 0

    scenario = _scenario(summary, params)
    report = {
        "title": summary["title"],
        "description": summary["description"],
        "scenario_name": summary["scenario"],
        "question": QUESTION,
        "level": level,
        "sections": {_slug(h): {"id": _slug(h), "title": h} for h in SECTIONS},
        "answers": [{"name": r["name"], "text": r["answer"]} for r in rows],
        "scenario": scenario,
        "method": _method(summary, clock, level),
        "movements": rows,
        "outcome_labels": [plots.outcome_label(o) for o in OUTCOMES],
        "has_deadlines": any(r["deadline"] for r in rows),
        "checkpoints": [_checkpoint(key, c, summary["places"]) for key, c in summary["checkpoints"].items()],
        "other_traffic": any(c.get("other_vehicles_per_replication") for c in summary["checkpoints"].values()),
        "deliveries": _deliveries(summary["deliveries"], summary["horizon_h"]),
        "limitations": _limitations(params, summary, scenario),
        "assumptions": _assumptions(card, summary, params),
        "card": card,
        "provenance": _provenance(provenance),
        "config": (folder / layout.CONFIG).read_text(encoding="utf-8"),
        "stress": _stress(summary, provenance),
    }
    # The figures last: the slowest part, and only once the text has found everything it needs.
    figures = [
        _figure(
            "delivery_times.png",
            "Delivery times per movement",
            plots.delivery_times(movements, summary),
            "Left: delivery times of what was delivered. Right: the share of everything sent that was delivered "
            "within a given time from departure; the stacked bar at the right end is the share not delivered, by "
            "outcome. A flow pools all its departures.",
        ),
    ]
    if summary["checkpoints"]:
        figures.append(
            _figure(
                "checkpoints.png",
                "Waiting and lane utilisation per checkpoint",
                plots.checkpoints(checkpoints, summary),
                "Mean wait from arrival to the start of inspection, per aid truck and (where other traffic is "
                "configured) per other vehicle, and the share of lane time spent inspecting; whiskers span the 5th to "
                "95th percentile of the per-replication values.",
            )
        )
    if len(trace["movement"]) or len(passages["movement"]):
        figures.append(
            _figure(
                "timeline.png",
                f"Timeline of one replication (replication {TIMELINE_REPLICATION})",
                plots.timeline(movements, passages, trace, summary, TIMELINE_REPLICATION),
                f"Replication {TIMELINE_REPLICATION}, drawn from passages.csv and timeline.csv. "
                "Top: each movement over the whole horizon. Below: each movement's trucks at the checkpoints "
                f"(a flow: its first departure that reached one; at most {plots.MAX_TRUCK_PANELS} movements). "
                "Replications are exchangeable, so this one is as typical as any other, but it is a single draw: "
                "the spread is in the delivery-time figure.",
            )
        )
    if summary["deliveries"]["cumulative_tonnes_by_day"]:
        figures.append(
            _figure(
                "deliveries.png",
                "Tonnes delivered over time"
                + (" and person-days of need covered" if summary["deliveries"]["population"] else ""),
                plots.deliveries(deliveries, summary, first_replication),
                "Cumulative amounts at the end of each day: the mean over replications and the band "
                "from the 5th to the 95th percentile across replications.",
            )
        )
    for i, figure in enumerate(figures, 1):
        figure["number"] = i
    report["figures"] = figures
    return report


def _figure(file: str, title: str, png: bytes, caption: str) -> dict:
    return {
        "file": file,
        "title": title,
        "caption": caption,
        "png": png,
        "base64": base64.b64encode(png).decode("ascii"),
    }


class _Clock:
    """Clock hours of the run as local calendar times."""

    def __init__(self, start: str):
        self.start = datetime.fromisoformat(start)

    def at(self, hours: float) -> str:
        return (self.start + timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M")


# --- Results per movement ------------------------------------------------------------------------


def _movement(key: str, m: dict, movements: dict, clock: _Clock, summary: dict, level: str) -> dict:
    rows = movements["flow"] == key
    departures_h = sorted(set(movements["departure_h"][rows].tolist()))
    single = len(departures_h) == 1
    n = int(rows.sum())
    censored = m["delivered_count"] < n
    p, mean = m["delivery_probability"], m["mean_delivery_time_h"]
    if single:
        departure = clock.at(departures_h[0])
    else:
        every = departures_h[1] - departures_h[0]
        departure = (
            f"{m['departures']} departures, every {every:g} h from {clock.at(departures_h[0])} to "
            f"{clock.at(departures_h[-1])}"
        )
    row = {
        "key": key,
        "name": m["name"],
        "flow": not single,
        "departures": m["departures"],
        "departure": departure,
        "trucks": m["trucks"],
        "tonnes": f"{m['tonnes']:g}",
        "counted": "replications" if single else "departures",
        "sent": n,
        "probability": _percent(p["estimate"]),
        "probability_ci": _percent_interval(p),
        "outcomes": [
            {"label": plots.outcome_label(o), "count": m["outcomes"][o], "share": _percent(m["outcomes"][o] / n)}
            for o in OUTCOMES
        ],
        "trucks_by_outcome": _shares(m["trucks_by_outcome"]),
        "delivered_t": f"{m['tonnes_by_outcome']['delivered'] / m['replications']:,.1f} t",
        "mean": "no delivery" if mean["estimate"] is None else _duration(mean["estimate"]),
        "mean_ci": _interval(mean["low"], mean["high"]),
        "quantiles": {
            q: {
                "value": _duration(m[f"{q}_delivery_time_h"]["estimate"]),
                "ci": _quantile_interval(m[f"{q}_delivery_time_h"], censored),
            }
            for q in ("median", "p90", "p95")
        },
        "dates": None,
        "closure_wait": _closure_wait(m["mean_closure_wait_h"]),
        "rerouted": _percent(m["rerouted_share"]),
        "deadline": None,
    }
    if single:
        row["dates"] = {
            q: _quantile_dates(m[f"{q}_delivery_time_h"], departures_h[0], clock, censored)
            for q in ("median", "p90", "p95")
        }
    if m.get("deadline_h") is not None and m.get("on_time_probability"):
        on_time = m["on_time_probability"]
        row["deadline"] = {
            "date": clock.at(departures_h[0] + m["deadline_h"]) if single else f"{m['deadline_h']:g} h after departure",
            "after": _duration(m["deadline_h"]),
            "probability": _percent(on_time["estimate"]),
            "probability_ci": _percent_interval(on_time),
        }
    row["answer"] = _answer(row, m, clock, summary, level, departures_h[0])
    return row


def _answer(row: dict, m: dict, clock: _Clock, summary: dict, level: str, departure_h: float) -> str:
    horizon = clock.at(summary["horizon_h"])
    if row["flow"]:
        parts = [
            f"{row['probability']} of its departures ({m['departures']} per replication) deliver by {horizon} "
            f"({level} CI {row['probability_ci']})"
        ]
    else:
        parts = [
            f"it arrives by {horizon} in {row['probability']} of replications ({level} CI {row['probability_ci']})"
        ]
    if row["deadline"]:
        d = row["deadline"]
        parts.append(f"by its deadline, {d['date']}, in {d['probability']} ({level} CI {d['probability_ci']})")
    median, p90 = m["median_delivery_time_h"]["estimate"], m["p90_delivery_time_h"]["estimate"]
    if median is None:
        parts.append(
            f"in {_percent(1 - m['delivery_probability']['estimate'])} it has not delivered by then, so the "
            "median lies beyond the horizon"
        )
    elif row["flow"]:
        parts.append(
            f"the median trip takes {_duration(median)}" + (f", 90% within {_duration(p90)}" if p90 is not None else "")
        )
    else:
        parts.append(
            f"the median delivery is {median / 24:.1f} days after departure, on "
            f"{clock.at(departure_h + median)}"
            + (f"; 90% of replications have delivered by {clock.at(departure_h + p90)}" if p90 is not None else "")
        )
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def _shares(counts: dict) -> list[dict]:
    total = sum(counts.values())
    return [
        {"label": plots.outcome_label(o), "count": counts[o], "share": _percent(counts[o] / total) if total else "n/a"}
        for o in OUTCOMES
    ]


def _quantile_interval(q: dict, censored: bool) -> str:
    """A quantile's interval ("" when all of it lies beyond the horizon); a missing upper bound lies
    beyond the horizon when anything was not delivered, else too few replications bound it."""
    low, high = _quantile_bounds(q, censored)
    if low is None and high is None:
        return ""
    if isinstance(low, float) and isinstance(high, float):
        return _interval(low, high)
    return f"{low if isinstance(low, str) else f'{low:.1f} h'} – {high if isinstance(high, str) else f'{high:.1f} h'}"


def _quantile_bounds(q: dict, censored: bool) -> tuple[float | str | None, float | str | None]:
    """The bounds as hours, or words for missing ones; (None, None) when both lie beyond the horizon."""
    if q["estimate"] is None and q["low"] is None and (q["high"] is None and censored):
        return None, None
    low = q["low"] if q["low"] is not None else ("beyond horizon" if q["estimate"] is None else "n/a")
    high = q["high"] if q["high"] is not None else ("beyond horizon" if censored else "n/a")
    return low, high


def _quantile_dates(q: dict, departure_h: float, clock: _Clock, censored: bool) -> dict:
    low, high = _quantile_bounds(q, censored)

    def date(bound: float | str) -> str:
        return bound if isinstance(bound, str) else clock.at(departure_h + bound)

    return {
        "value": "beyond horizon" if q["estimate"] is None else clock.at(departure_h + q["estimate"]),
        "ci": "" if low is None else f"{date(low)} – {date(high)}",
    }


def _closure_wait(wait: dict) -> dict:
    if wait["estimate"] is None:
        return {"value": "n/a", "ci": "n/a"}
    if not wait["estimate"] and not wait["high"]:
        return {"value": "none", "ci": ""}
    return {"value": _duration(wait["estimate"]), "ci": _interval(wait["low"], wait["high"])}


# --- Checkpoints and deliveries ------------------------------------------------------------------


def _checkpoint(key: str, c: dict, places: dict) -> dict:
    other, other_wait = c.get("other_vehicles_per_replication") or 0.0, c.get("other_mean_wait_h")
    return {
        "name": places.get(key, key),
        "key": key,
        "lanes": c["lanes"],
        "trucks": f"{c['trucks_per_replication']:.1f}",
        "wait": "no trucks" if c["mean_wait_h"] is None else _wait(c["mean_wait_h"]),
        "other": f"{other:.1f}" if other else "none",
        "other_wait": "n/a" if other_wait is None else _wait(other_wait),
        "utilisation": _small_percent(c["utilisation"]),
        "open": _small_percent(c["open_share"]) if c.get("open_share") is not None else "n/a",
    }


def _deliveries(d: dict, horizon_h: float) -> dict:
    population = d["population"]
    rows = []
    for cargo, c in d["by_cargo"].items():
        kg = d["kg_per_person_day"].get(cargo)
        row = {
            "cargo": cargo,
            "tonnes": _amount(c["tonnes"]["estimate"], " t", 1),
            "tonnes_ci": _amount_interval(c["tonnes"], " t", 1),
            "ration": f"{kg:g} kg" if kg else "no need stated",
            "person_days": "n/a",
            "person_days_ci": "",
            "days": "n/a",
            "share": "n/a",
            "share_ci": "",
        }
        if "person_days" in c:
            row.update(
                person_days=_amount(c["person_days"]["estimate"], "", 0),
                person_days_ci=_amount_interval(c["person_days"], "", 0),
                days=f"{c['person_days']['estimate'] / population:.1f} d" if population else "n/a",
                share=_percent(c["share_of_need_met"]["estimate"]),
                share_ci=_percent_interval(c["share_of_need_met"]),
            )
        rows.append(row)
    daily = d["cumulative_tonnes_by_day"]
    gap = d["longest_gap_days"]
    return {
        "population": f"{population:,}" if population else None,
        "horizon_days": f"{horizon_h / 24:g}",
        "rows": rows,
        "total": None
        if not daily
        else {"mean": f"{daily[-1]['mean']:,.1f} t", "band": f"{daily[-1]['p5']:,.1f} – {daily[-1]['p95']:,.1f} t"},
        "gap": {"value": _amount(gap["estimate"], " d", 1), "ci": _amount_interval(gap, " d", 1)},
    }


# --- The scenario in plain words -----------------------------------------------------------------


def _scenario(summary: dict, params: dict) -> dict:
    places = summary["places"]

    def place(key: str) -> str:
        return places.get(key, key)

    def route(text: str) -> str:
        return " → ".join(place(p) for p in text.split(" > ")) if text else "?"

    movements = []
    for key, m in summary["movements"].items():
        at = f"flows.{key}" if f"flows.{key}.route" in params else f"movements.{key}"
        cargo = {p.rsplit(".", 1)[-1]: v for p, v in params.items() if p.startswith(f"{at}.cargo_t.")}
        if at.startswith("flows."):
            leaves = (
                f"every {_number(params.get(f'{at}.every_h', '')):g} h from "
                f"{_when(params.get(f'{at}.first_departure', '?'))}"
            )
            if params.get(f"{at}.last_departure"):
                leaves += f" to {_when(params[f'{at}.last_departure'])}"
        else:
            leaves = _when(params.get(f"{at}.departure", "?"))
        hold = None
        if f"{at}.hold.place" in params:
            hold = (
                f"at {place(params[f'{at}.hold.place'])}: {_delay(params.get(f'{at}.hold.delay', ''))}; "
                f"refused with probability {params.get(f'{at}.hold.refusal_probability', '0')}"
            )
        extras = []
        alternatives = [v for p, v in params.items() if p.startswith(f"{at}.alternative_routes.")]
        if alternatives:
            extras.append(
                f"after waiting {params.get(f'{at}.reroute_after_h', '?')} h at a closure, turns to "
                + "; then ".join(route(a) for a in alternatives)
            )
        if params.get(f"{at}.priority") == "True":
            extras.append("goes before other traffic at checkpoints")
        if params.get(f"{at}.deadline"):
            extras.append(f"deadline {_when(params[f'{at}.deadline'])}")
        movements.append(
            {
                "key": key,
                "name": m["name"],
                "route": route(params.get(f"{at}.route", "")),
                "leaves": leaves,
                "load": f"{_count(m['trucks'], 'truck')}, {m['tonnes']:g} t"
                + (f" ({', '.join(f'{c} {_number(v):g} t' for c, v in cargo.items())})" if cargo else "")
                + (" per departure" if at.startswith("flows.") else ""),
                "hold": hold or "none",
                "extras": "; ".join(extras) or "",
            }
        )
    checkpoints = []
    for key in summary["checkpoints"]:
        at = f"checkpoints.{key}"
        extras = []
        turn_back = params.get(f"{at}.turn_back_probability", "0")
        if _number(turn_back):
            extras.append(f"turns a truck back with probability {turn_back}")
        if f"{at}.other_traffic.rate_per_h" in params:
            extras.append(
                f"other traffic {params[f'{at}.other_traffic.rate_per_h']} vehicles/h, inspected in "
                f"{_delay(params.get(f'{at}.other_traffic.inspection', ''))}"
            )
        if params.get(f"{at}.aid_priority") == "True":
            extras.append("aid trucks go first")
        extras += _closures(params, at)
        checkpoints.append(
            {
                "key": key,
                "name": place(key),
                "lanes": params.get(f"{at}.lanes", "?"),
                "hours": params.get(f"{at}.hours", "?"),
                "inspection": _delay(params.get(f"{at}.inspection", "")),
                "extras": "; ".join(extras),
            }
        )
    legs = []
    for key in dict.fromkeys(p.split(".")[1] for p in params if p.startswith("legs.")):
        at = f"legs.{key}"
        extras = _closures(params, at)
        if f"{at}.breakdown_probability" in params or f"{at}.breakdown_per_100km" in params:
            per_100km = f"{params.get(f'{at}.breakdown_per_100km')} per 100 km"
            chance = params.get(f"{at}.breakdown_probability") or per_100km
            extras.append(f"breakdowns (chance {chance} a truck; repair {_delay(params.get(f'{at}.repair', ''))})")
        if params.get(f"{at}.escort"):
            extras.append(f"only with an escort ({params[f'{at}.escort']})")
        legs.append(
            {
                "key": key,
                "ends": f"{place(params.get(f'{at}.start', '?'))} – {place(params.get(f'{at}.end', '?'))}",
                "km": params.get(f"{at}.distance_km", ""),
                "travel": _delay(params.get(f"{at}.travel", "")),
                "extras": "; ".join(extras),
            }
        )
    return {"movements": movements, "checkpoints": checkpoints, "legs": legs}


def _closures(params: dict, at: str) -> list[str]:
    found = []
    scheduled = dict.fromkeys(p.split(".")[3] for p in params if p.startswith(f"{at}.closures."))
    for name in scheduled:
        start = params.get(f"{at}.closures.{name}.start", "?")
        hours = params.get(f"{at}.closures.{name}.duration_h")
        found.append(f"closed from {_when(start)} " + (f"for {hours} h" if hours else "for good"))
    if f"{at}.random_closures.rate_per_day" in params:
        found.append(
            f"random closures {params[f'{at}.random_closures.rate_per_day']} a day, lasting "
            f"{_delay(params.get(f'{at}.random_closures.duration', ''))}"
        )
    return found


_DELAY = re.compile(r"^(\w+)\((.*)\)$")
_DELAY_WORDS = {
    "value_h": "",
    "mean_h": "mean",
    "sd_h": "sd",
    "median_h": "median",
    "p90_h": "p90",
    "low_h": "min",
    "mode_h": "mode",
    "high_h": "max",
    "values_h": "values",
}


def _delay(text: str) -> str:
    """A card's delay ("lognormal(median_h=720, p90_h=2160)") in words: "lognormal, median 720 h, p90 2160 h"."""
    match = _DELAY.match(text)
    if not match:
        return text or "?"
    dist, given = match.groups()
    if dist == "empirical":
        return f"resampled from observed values {given.split('=', 1)[-1]} h"
    words = []
    for part in re.split(r", (?=\w+=)", given):
        name, _, value = part.partition("=")
        words.append(f"{_DELAY_WORDS.get(name, name)} {value} h".strip())
    return f"{dist}, {', '.join(words)}" if dist != "fixed" else f"fixed, {', '.join(words)}"


def _when(text: str) -> str:
    """A card's local datetime ("2023-07-26T06:00") as the report writes times."""
    return text.replace("T", " ") if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?", text) else text


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'' if n == 1 else 's'}"


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


# --- Method, limitations, assumptions ------------------------------------------------------------


def _method(summary: dict, clock: _Clock, level: str) -> dict:
    precision = summary.get("precision")
    if precision:
        achieved = precision["achieved_relative_half_width"]
        precision = {
            "metric": precision["metric"].replace("_h", "").replace("_", " "),
            "target": _percent(precision["target_relative_half_width"]),
            "achieved": "unknown (no interval)" if achieved is None else _percent(achieved),
            "met": "yes" if precision["met"] else "no",
            "replications": precision["replications"],
            "batch": precision["batch"],
            "max_replications": precision["max_replications"],
        }
    return {
        "replications": summary["replications"],
        "seed": summary["seed"],
        "start": clock.at(0),
        "horizon_days": f"{summary['horizon_h'] / 24:g}",
        "horizon_date": clock.at(summary["horizon_h"]),
        "precision": precision,
        "outcomes": [{"label": plots.outcome_label(o), "meaning": MEANINGS[o]} for o in OUTCOMES],
        "timeline_replication": TIMELINE_REPLICATION,
    }


def _features(params: dict) -> dict[str, list[str]]:
    """Which optional mechanisms the scenario uses, and where (parameter prefixes)."""

    def where(pattern: str) -> list[str]:
        found = (re.match(pattern, p) for p in params)
        return list(dict.fromkeys(m.group(1) for m in found if m))

    return {
        "closures": where(r"^((?:legs|checkpoints)\.[^.]+)\.closures\."),
        "random_closures": where(r"^((?:legs|checkpoints)\.[^.]+)\.random_closures\."),
        "other_traffic": where(r"^(checkpoints\.[^.]+)\.other_traffic\."),
        "breakdowns": where(r"^(legs\.[^.]+)\.breakdown_(?:probability|per_100km)$"),
        "escorts": where(r"^(legs\.[^.]+)\.escort$"),
        "turn_back": [
            p.rsplit(".", 1)[0] for p, v in params.items() if p.endswith(".turn_back_probability") and _number(v)
        ],
        "rerouting": where(r"^((?:movements|flows)\.[^.]+)\.alternative_routes\."),
        "priority": [
            p.rsplit(".", 1)[0] for p, v in params.items() if p.endswith((".priority", ".aid_priority")) and v == "True"
        ],
    }


def _limitations(params: dict, summary: dict, scenario: dict) -> list[str]:
    """What the model leaves out, in plain words, said for this scenario."""
    f = _features(params)
    names = {
        **{f"checkpoints.{k}": summary["places"].get(k, k) for k in summary["checkpoints"]},
        **{f"legs.{leg['key']}": f"the road {leg['ends']}" for leg in scenario["legs"]},
    }

    def at(prefixes: list[str]) -> str:
        return ", ".join(names.get(p, p) for p in prefixes)

    closures = [*f["closures"], *(p for p in f["random_closures"] if p not in f["closures"])]
    d = summary["deliveries"]
    return [
        "Weather, road damage, fuel shortages, security incidents and driver rest are not modelled as such: they "
        "enter only as closures of a road or checkpoint, and "
        + (f"this scenario configures closures at {at(closures)}." if closures else "this scenario configures none."),
        "Political decisions are random holds: a delay drawn from a distribution and a fixed chance of refusal, "
        "drawn independently for each movement and replication. Negotiations, reactions to events, and one decision "
        "stopping several movements at once are not represented.",
        "The trucks of a movement travel together: one travel time per movement and leg, and a movement leaves a "
        "checkpoint only when its last truck is cleared. "
        + (
            f"Breakdowns are configured on {at(f['breakdowns'])}."
            if f["breakdowns"]
            else "No truck breaks down in this scenario."
        ),
        "Cargo is not lost, spoiled, stolen or damaged: every tonne that arrives counts as delivered, and "
        "distribution inside the destination is not modelled.",
        "Roads have no capacity limit or congestion, and travel time does not depend on the load. Other traffic "
        "(private cars, commercial trucks, vehicles in the opposite direction) competes for checkpoint lanes only "
        + (
            f"where configured: {at(f['other_traffic'])}."
            if f["other_traffic"]
            else "where configured, and this scenario configures none."
        ),
        "Inspection times do not depend on the cargo, the sender or the staff; lanes are identical and serve first "
        "come, first served"
        + (f", with priority where configured ({len(f['priority'])} setting(s))." if f["priority"] else "."),
        "Trucks turned back by an inspection are not sent again."
        if f["turn_back"]
        else "No inspection turns trucks back in this scenario.",
        (
            f"Needs are a constant population of {d['population']:,} with a fixed daily ration per cargo type; stocks, "
            "local production and supplies outside the modelled movements are not counted, so the share of need met "
            "covers these deliveries only."
        )
        if d["population"]
        else "The scenario states no needs, so no person-days or share of need met are computed.",
        "Nothing after the horizon is known: a movement not delivered by then may still arrive later.",
        "The intervals reflect only the randomness simulated with the parameters as given. Uncertainty in the "
        "parameters themselves (see Assumptions) is not propagated: compare scenarios, or sweep the assumed values, "
        "to see how far the conclusions move with them.",
    ]


def _assumptions(card: list[dict], summary: dict, params: dict) -> dict:
    """Parameters resting on ASSUMPTION (or on no source), grouped by what they describe, and which
    results depend on them."""
    places = summary["places"]
    names = {f"movements.{k}": m["name"] for k, m in summary["movements"].items()}
    names |= {f"flows.{k}": m["name"] for k, m in summary["movements"].items()}
    kinds = {
        "movements": "Movement",
        "flows": "Flow",
        "checkpoints": "Checkpoint",
        "legs": "Road",
        "places": "Place",
        "escorts": "Escort pool",
        "needs": "Needs",
    }

    def group_of(parameter: str) -> str:
        parts = parameter.split(".")
        return (
            ".".join(parts[:2])
            if parts[0] in kinds and parts[0] != "needs" and len(parts) > 1
            else ("needs" if parts[0] == "needs" else "")
        )

    def label(group: str) -> str:
        if not group:
            return "The scenario as a whole"
        kind, _, key = group.partition(".")
        if kind == "legs":
            start, end = params.get(f"{group}.start", ""), params.get(f"{group}.end", "")
            return f"Road {places.get(start, '?')} – {places.get(end, '?')}"
        if kind == "needs":
            return "Needs"
        return f"{kinds[kind]} {names.get(group, places.get(key, key))}"

    groups: dict[str, dict] = {}
    for row in card:
        if not row["unsourced"]:
            continue
        g = group_of(row["parameter"])
        entry = groups.setdefault(g, {"id": g or "scenario", "label": label(g), "rows": []})
        entry["rows"].append(
            {
                "parameter": row["parameter"],
                "value": row["value"],
                "unit": row["unit"],
                "source": row["source"] or "not given",
                "note": row["note"],
                "overridden": row["overridden"],
            }
        )
    partly = [
        {"parameter": r["parameter"], "value": r["value"], "note": r["note"]}
        for r in card
        if not r["unsourced"] and "assumption" in r["note"].lower()
    ]
    overridden = [{"parameter": r["parameter"], "value": r["value"]} for r in card if r["overridden"]]

    source_of = {row["parameter"]: row["source"].strip().lower() for row in card if row["unsourced"]}
    by_movement = []
    for key, m in summary["movements"].items():
        at = f"flows.{key}" if f"flows.{key}.route" in params else f"movements.{key}"
        routes = [params.get(f"{at}.route", "")] + [
            v for p, v in params.items() if p.startswith(f"{at}.alternative_routes.")
        ]
        stops = {p for r in routes for p in r.split(" > ") if p}
        pairs = {frozenset(pair) for r in routes for pair in zip(r.split(" > "), r.split(" > ")[1:])}
        legs = {
            k
            for k in dict.fromkeys(p.split(".")[1] for p in params if p.startswith("legs."))
            if frozenset((params.get(f"legs.{k}.start"), params.get(f"legs.{k}.end"))) in pairs
        }
        escorts = {params.get(f"legs.{k}.escort") for k in legs} - {None, ""}
        relevant = (
            [at] + [f"checkpoints.{p}" for p in stops] + [f"legs.{k}" for k in legs] + [f"escorts.{e}" for e in escorts]
        )
        used = [p for p in source_of if group_of(p) == "" or any(p == r or p.startswith(r + ".") for r in relevant)]
        assumed: dict[str, list[str]] = {}
        for p in used:
            if source_of[p] == "assumption":
                g = group_of(p)
                assumed.setdefault(g, []).append(p.removeprefix(g + ".") if g else p)
        by_movement.append(
            {
                "key": key,
                "name": m["name"],
                "assumed": sum(len(names) for names in assumed.values()),
                "not_given": sum(source_of[p] != "assumption" for p in used),
                "groups": [{"label": groups[g]["label"], "parameters": names} for g, names in assumed.items()],
            }
        )
    return {
        "groups": list(groups.values()),
        "assumed": sum(v == "assumption" for v in source_of.values()),
        "not_given": sum(v != "assumption" for v in source_of.values()),
        "partly": partly,
        "overridden": overridden,
        "by_movement": by_movement,
    }


# --- Provenance and the STRESS-DES checklist -----------------------------------------------------


def _provenance(p: dict) -> dict:
    git = p.get("git") or {}
    dirty = {True: "yes", False: "no", None: "unknown"}[git.get("dirty")]
    run_time = p.get("run_time_s")
    commit = git.get("commit")
    return {
        "command": p.get("command") or "unknown",
        "seed": p.get("seed"),
        "commit": commit or "unknown",
        "dirty": dirty,
        "dirty_warning": git.get("dirty") is True,
        "started": p.get("started") or "unknown",
        "ended": p.get("ended") or "unknown",
        "run_time": "unknown" if run_time is None else f"{run_time:.3g} s",
        "platform": p.get("platform") or "unknown",
        "versions": {k: v or "not installed" for k, v in (p.get("versions") or {}).items()},
        "validation": "docs/validation.md",
        "validation_command": f"git show {commit}:docs/validation.md" if commit else None,
    }


def _stress(summary: dict, provenance: dict) -> list[dict]:
    """The STRESS-DES items (Monks et al. 2019) with where the report, or the repository, answers
    each. `see` names report sections (by heading) and repository files."""
    versions = provenance.get("versions") or {}
    software = ", ".join(f"{k} {v}" for k, v in versions.items() if k in ("python", "simpy", "numpy", "scipy") and v)
    auto = "precision" in summary

    def item(number, name, answer, sections=(), files=()):
        missing = [s for s in sections if s not in SECTIONS]
        if missing:
            raise ValueError(f"no report section {missing}")
        return {
            "number": number,
            "name": name,
            "answer": answer,
            "sections": [{"id": _slug(s), "title": s} for s in sections],
            "files": list(files),
        }

    return [
        {
            "title": "Objectives",
            "entries": [
                item(
                    "1.1",
                    "Purpose of the model",
                    "The planner's question this run answers, and the scenario's background.",
                    ["The question", "The scenario"],
                    ["README.md"],
                ),
                item(
                    "1.2",
                    "Model outputs",
                    "Delivery probability by the horizon (and deadline), mean, median, p90 and "
                    "p95 delivery time, outcomes, checkpoint waits and utilisation, tonnes and need "
                    "covered; how each is computed and its interval.",
                    ["Method", "Results per movement", "Checkpoints", "Deliveries and needs"],
                    ["sim/analysis/statistics.py"],
                ),
                item(
                    "1.3",
                    "Experimentation aims",
                    "One scenario, replicated; other scenarios and parameter sweeps "
                    "answer the researcher's question (what changes the outcome).",
                    ["The question", "The scenario"],
                    ["README.md (Change parameters)"],
                ),
            ],
        },
        {
            "title": "Logic",
            "entries": [
                item(
                    "2.1",
                    "Base model overview diagram",
                    "No process diagram: the routes of every movement are listed, "
                    "and the timeline figure shows one replication moving through them.",
                    ["The scenario", "Figures"],
                    ["docs/design.md (Data flow)"],
                ),
                item(
                    "2.2",
                    "Base model logic",
                    "Movements travel their routes place by place: approval hold, inspection "
                    "at checkpoints, travel on legs; the exact semantics are in the design notes.",
                    ["Method"],
                    ["docs/design.md (Model semantics)"],
                ),
                item(
                    "2.3",
                    "Scenario logic",
                    "What this scenario sets, with values changed on the command line marked.",
                    ["The scenario", "Scenario card", "Assumptions"],
                ),
                item(
                    "2.4",
                    "Algorithms",
                    "Delays by inverse transform from one uniform each (lognormal given by median "
                    "and p90, triangular, gamma, ...); lanes committed on arrival (exact first-come-first-served "
                    "multi-lane queueing).",
                    [],
                    ["docs/design.md (Lanes are committed on arrival, Randomness)", "sim/distributions.py"],
                ),
                item(
                    "2.5.1",
                    "Entities",
                    "Movements (convoys, shipments, departures of a flow) made of trucks; other "
                    "vehicles where other traffic is configured.",
                    ["The scenario"],
                ),
                item(
                    "2.5.2",
                    "Activities",
                    "Travel on legs, approval holds, inspections; closures and breakdowns where configured.",
                    ["The scenario", "Scenario card"],
                ),
                item(
                    "2.5.3",
                    "Resources",
                    "Checkpoint lanes (open hours, closures); escort pools where configured.",
                    ["The scenario", "Checkpoints"],
                ),
                item(
                    "2.5.4",
                    "Queues",
                    "One queue per checkpoint, first come first served across movements, in truck "
                    "order; priority where configured.",
                    ["Checkpoints"],
                    ["docs/design.md (Checkpoints)"],
                ),
                item(
                    "2.5.5",
                    "Entry and exit points",
                    "A movement enters at its origin at its departure time and leaves "
                    "when delivered, refused, turned back, or at the horizon.",
                    ["Method"],
                ),
            ],
        },
        {
            "title": "Data",
            "entries": [
                item(
                    "3.1",
                    "Data sources",
                    "A source URL (or ASSUMPTION) and a confidence grade for every parameter.",
                    ["Scenario card"],
                ),
                item(
                    "3.2",
                    "Pre-processing",
                    "Values are taken from the sources as noted on each card row (ranges, "
                    "conversions, splits); a delay given as a median and a 90th percentile defines a lognormal.",
                    ["Scenario card"],
                    ["sim/distributions.py"],
                ),
                item(
                    "3.3",
                    "Input parameters",
                    "Every parameter with value, unit, source and confidence.",
                    ["Scenario card", "The scenario"],
                ),
                item(
                    "3.4",
                    "Assumptions",
                    "What the model leaves out, and the values that rest on assumption.",
                    ["Limitations", "Assumptions"],
                ),
            ],
        },
        {
            "title": "Experimentation",
            "entries": [
                item(
                    "4.1",
                    "Initialisation",
                    "A terminating simulation: every replication starts empty at the scenario "
                    "start (no queues, no vehicles on the road), so there is no warm-up period.",
                    ["Method"],
                ),
                item(
                    "4.2",
                    "Run length",
                    f"{summary['horizon_h'] / 24:g} days from the start; {summary['replications']} replications.",
                    ["Method"],
                ),
                item(
                    "4.3",
                    "Estimation approach",
                    "Independent replications; Wilson intervals for probabilities, Student "
                    "t for means, binomial order statistics for quantiles"
                    + (
                        "; replications added in batches until the precision target was met or the maximum reached"
                        if auto
                        else ""
                    )
                    + ".",
                    ["Method"],
                ),
            ],
        },
        {
            "title": "Implementation",
            "entries": [
                item(
                    "5.1",
                    "Software or programming language",
                    f"Python with SimPy ({software or 'versions unknown'}).",
                    ["Provenance"],
                    ["pyproject.toml"],
                ),
                item(
                    "5.2",
                    "Random sampling",
                    "NumPy generators seeded from the run seed per named stream "
                    "(common random numbers across scenarios), in fixed batches of replications.",
                    ["Method"],
                    ["docs/design.md (Randomness)", "sim/randomness.py"],
                ),
                item(
                    "5.3",
                    "Model execution",
                    "SimPy's event list; simultaneous events in scheduling order; the "
                    "horizon excludes events due exactly then; results identical for any number of worker processes.",
                    [],
                    ["docs/design.md (Model semantics)"],
                ),
                item(
                    "5.4",
                    "System specification",
                    "Platform, package versions and run time of this run.",
                    ["Provenance"],
                ),
            ],
        },
        {
            "title": "Code access",
            "entries": [
                item(
                    "6.1",
                    "Computer model sharing statement",
                    "The git commit (and whether the working tree had "
                    "uncommitted changes), the exact command and the resolved configuration reproduce this run; the "
                    "licence is in pyproject.toml.",
                    ["Provenance"],
                    ["README.md", "pyproject.toml"],
                ),
            ],
        },
    ]


# --- Scenario card -------------------------------------------------------------------------------


def _card(path: Path) -> list[dict]:
    """Scenario card rows as text (read as text: values such as "2023-07-26T00:00" or "1" must stay
    exactly as written), with sources and notes split into text and links."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row.get("parameter")]
    for row in rows:
        row["unsourced"] = row["source"].strip().lower() in _NOT_SOURCED
        row["overridden"] = row["overridden"].strip().lower() == "yes"
        row["source_parts"] = _linked(row["source"])
        row["note_parts"] = _linked(row["note"])
    return rows


def _linked(text: str) -> list[dict]:
    """Text cut into plain parts and http(s) URLs, for the template to escape and link; a URL's
    trailing punctuation stays text."""
    parts, at = [], 0
    for match in _URL.finditer(text):
        url = match.group().rstrip(".,;:)")
        parts.append({"text": text[at : match.start()], "href": None})
        parts.append({"text": url, "href": url})
        at = match.start() + len(url)
    parts.append({"text": text[at:], "href": None})
    return [p for p in parts if p["text"]]


# --- Numbers as text -----------------------------------------------------------------------------


def _percent(share: float) -> str:
    return f"{share:.1%}"


def _wait(hours: float) -> str:
    return f"{hours * 60:.2g} min" if hours < 1 else f"{hours:.2f} h"


def _small_percent(share: float) -> str:
    return f"{share * 100:.2g}%" if share < 0.1 else f"{share:.0%}"


def _percent_interval(p: dict) -> str:
    if p["low"] is None or p["high"] is None:
        return "n/a"
    return f"{_percent(p['low'])} – {_percent(p['high'])}"


def _duration(hours: float | None) -> str:
    return "beyond horizon" if hours is None else f"{hours:.1f} h ({hours / 24:.1f} d)"


def _interval(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "n/a"
    digits = 2 if high - low < 0.5 else 1  # a narrow interval keeps its width visible
    return f"{low:.{digits}f} – {high:.{digits}f} h"


def _amount(value: float | None, unit: str, digits: int) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}{unit}"


def _amount_interval(x: dict, unit: str, digits: int) -> str:
    if x["low"] is None or x["high"] is None:
        return "n/a"
    return f"{x['low']:,.{digits}f} – {x['high']:,.{digits}f}{unit}"
