"""The HTML report of a run, rebuilt from the files of its results folder alone.

`write_report(folder)` writes the figures as PNG files and `report.html`, one self-contained page
(figures embedded as data URIs) that opens offline. The same files give the same bytes: nothing in
the report depends on when or where it was built.
"""

from __future__ import annotations

import base64
import csv
import re
from datetime import datetime, timedelta
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from sim.analysis import plots
from sim.results import read_json, read_table, write_bytes, write_text

INPUTS = ("summary.json", "movements.csv", "checkpoints.csv", "scenario_card.csv", "provenance.json", "config.yaml")
TEMPLATES = Path(__file__).resolve().parent / "templates"
QUESTION = "When will each movement deliver, with what spread, and what is the chance it arrives by the horizon?"
_URL = re.compile(r"https?://[^\s<>\"']+")
_NOT_SOURCED = {"assumption", "not given"}
MEANINGS = {
    "refused": "permission to go on was denied at a hold",
    "turned_back": "the trucks were sent back by an inspection at a checkpoint",
    "not_delivered": "still waiting or on the road when the simulated period ends",
}


def write_report(folder: Path) -> None:
    """Write delivery_times.png, checkpoints.png (if there are checkpoints) and report.html."""
    summary = read_json(folder / "summary.json")
    movements = read_table(folder / "movements.csv")
    checkpoints = read_table(folder / "checkpoints.csv")
    figures = {"delivery_times.png": plots.delivery_times(movements, summary)}
    if summary["checkpoints"]:
        figures["checkpoints.png"] = plots.checkpoints(checkpoints, summary)
    for name, png in figures.items():
        write_bytes(folder / name, png)
    write_text(folder / "report.html", render(folder, summary, movements, figures))


def render(folder: Path, summary: dict, movements: dict, figures: dict[str, bytes]) -> str:
    """report.html as text, figures given as PNG bytes by file name."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    clock = _Clock(summary["start"])
    horizon_h = summary["horizon_h"]
    level = f"{summary['confidence_level']:.0%}"
    return environment.get_template("report.html.j2").render(
        summary=summary,
        question=QUESTION,
        level=level,
        movements=[_movement(key, m, movements, clock, horizon_h, level) for key, m in summary["movements"].items()],
        checkpoints=[_checkpoint(key, c, summary["places"]) for key, c in summary["checkpoints"].items()],
        method={
            "start": clock.at(0),
            "horizon_days": f"{horizon_h / 24:g}",
            "horizon_date": clock.at(horizon_h),
        },
        outcomes=[
            {"label": plots.outcome_label(o), "meaning": MEANINGS.get(o, "")}
            for o in dict.fromkeys(o for m in summary["movements"].values() for o in m["outcomes"])
            if o != "delivered"
        ],
        figures={name: base64.b64encode(png).decode("ascii") for name, png in figures.items()},
        card=_card(folder / "scenario_card.csv"),
        provenance=_provenance(read_json(folder / "provenance.json")),
        config=(folder / "config.yaml").read_text(encoding="utf-8"),
    )


class _Clock:
    """Clock hours of the run as local calendar times."""

    def __init__(self, start: str):
        self.start = datetime.fromisoformat(start)

    def at(self, hours: float) -> str:
        return (self.start + timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M")


def _movement(key: str, m: dict, movements: dict, clock: _Clock, horizon_h: float, level: str) -> dict:
    departure_h = float(movements["departure_h"][movements["movement"] == key][0])
    p, mean = m["delivery_probability"], m["mean_delivery_time_h"]
    median = m["median_delivery_time_h"]["estimate"]
    row = {
        "key": key,
        "name": m["name"],
        "trucks": m["trucks"],
        "tonnes": f"{m['tonnes']:g}",
        "departure": clock.at(departure_h),
        "probability": _percent(p["estimate"]),
        "probability_ci": f"{_percent(p['low'])} – {_percent(p['high'])}",
        "outcomes": {plots.outcome_label(o): count for o, count in m["outcomes"].items()},
        "mean": "no delivery" if mean["estimate"] is None else _duration(mean["estimate"]),
        "mean_ci": _interval(mean["low"], mean["high"]),
        "quantiles": {q: _duration(m[f"{q}_delivery_time_h"]["estimate"]) for q in ("median", "p90", "p95")},
        "median_date": "beyond horizon" if median is None else clock.at(departure_h + median),
    }
    horizon = clock.at(horizon_h)
    arrives = f"arrives by {horizon} in {row['probability']} of replications ({level} CI {row['probability_ci']})"
    if median is None:
        when = f"in {_percent(1 - p['estimate'])} it has not delivered by then, so the median lies beyond the horizon"
    else:
        when = f"the median delivery is {median / 24:.1f} days after departure, on {row['median_date']}"
        p90 = m["p90_delivery_time_h"]["estimate"]
        if p90 is not None:
            when += f"; 90% of replications have delivered by {clock.at(departure_h + p90)}"
    row["answer"] = f"{arrives}; {when}."
    return row


def _checkpoint(key: str, c: dict, places: dict) -> dict:
    return {
        "name": places.get(key, key),
        "key": key,
        "lanes": c["lanes"],
        "trucks": f"{c['trucks_per_replication']:.1f}",
        "wait": "no trucks" if c["mean_wait_h"] is None else f"{c['mean_wait_h']:.2f} h",
        "utilisation": f"{c['utilisation'] * 100:.2g}%",
    }


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


def _provenance(p: dict) -> dict:
    git = p.get("git") or {}
    dirty = {True: "yes", False: "no", None: "unknown"}[git.get("dirty")]
    run_time = p.get("run_time_s")
    return {
        "command": p.get("command") or "unknown",
        "seed": p.get("seed"),
        "commit": git.get("commit") or "unknown",
        "dirty": dirty,
        "started": p.get("started") or "unknown",
        "ended": p.get("ended") or "unknown",
        "run_time": "unknown" if run_time is None else f"{run_time:.3g} s",
        "platform": p.get("platform") or "unknown",
        "versions": {k: v or "not installed" for k, v in (p.get("versions") or {}).items()},
    }


def _percent(share: float) -> str:
    return f"{share:.1%}"


def _duration(hours: float | None) -> str:
    return "beyond horizon" if hours is None else f"{hours:.1f} h ({hours / 24:.1f} d)"


def _interval(low: float | None, high: float | None) -> str:
    return "n/a" if low is None or high is None else f"{low:.1f} – {high:.1f} h ({low / 24:.1f} – {high / 24:.1f} d)"
