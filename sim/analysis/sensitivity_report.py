"""The report of a sensitivity study: `write_sensitivity_report(folder)` writes its figures (PNG),
report.html (self-contained, figures embedded) and report.md from study.json and indices.csv.

Python gathers the facts: per result, the parameters ranked (by mu* for Morris, by ST for
Sobol'), which dominate, which cannot be told from zero, the Monte-Carlo noise, and the warnings
that call for more samples; the sentences are macros in `templates/sensitivity_prose.j2`, said
once for both pages. Nothing is simulated: the same files give the same report.
"""

from __future__ import annotations

import base64
import math
from pathlib import Path

from sim.analysis import formatting, markdown
from sim.analysis.propagation_report import metric_figures, propagated
from sim.analysis.sensitivity import morris_step
from sim.analysis.sensitivity_figures import morris_figure, sobol_figure
from sim.results import layout
from sim.results.files import read_json, read_table, write_bytes, write_text

INPUTS = (layout.STUDY, layout.DESIGNS, layout.CONFIG)  # and indices.csv or intervals.csv
WIDE = 0.1  # Sobol': an interval's half-width above this (a tenth of the variance) is too wide
RELATIVE = 0.25  # Morris: mu*'s half-width above this share of the largest mu* is too wide
NEGLIGIBLE = 0.05  # an index whose whole interval is below this (Morris: share of the largest mu*)
DOMINANT = 0.5  # a parameter with half of the total (mu* or ST) or more dominates


def write_sensitivity_report(folder: Path) -> None:
    """Write the figures, report.html and report.md of a study folder."""
    page = content(folder)
    for image in page["figures"]:
        write_bytes(folder / image["file"], image["png"])
    html = formatting.environment(html=True)
    html.filters["raw"] = lambda text: text
    write_text(folder / layout.REPORT_HTML, html.get_template("sensitivity_report.html.j2").render(**page))
    md = markdown.environment().get_template("sensitivity_report.md.j2").render(**page)
    write_text(folder / layout.REPORT_MD, md)


def content(folder: Path) -> dict:
    """Everything the report states, from the study's files."""
    study = read_json(folder / layout.STUDY)
    short = short_names(study)
    if study["propagation"]:
        results = propagated(study, read_table(folder / layout.INTERVALS))
        figures = metric_figures(results)
    else:
        table = read_table(folder / layout.INDICES)
        results = [_result(study, fact, table, short, n) for n, fact in enumerate(study["results"], 1)]
        figures = [r["figure"] for r in results if r["figure"]]
    for image in figures:
        image["base64"] = base64.b64encode(image["png"]).decode("ascii")
    headline = [r for r in results if r["metric"] in ("delivery_probability", "person_days") and r["analysed"]]
    headline = headline or [r for r in results if r["metric"] == "delivery_probability"]
    return {
        "title": f"{'Uncertainty' if study['propagation'] else 'Sensitivity'} of {study['title']}",
        "study": study,
        "morris": study["method"] == "morris",
        "propagation": study["propagation"],
        "figures": figures,
        "step": morris_step(study["settings"]["levels"]),
        "parameters": [{**p, "short": short[p["key"]]} for p in study["parameters"]],
        "results": results,
        "headline": headline,
        "warnings": [w for r in results for w in r.get("warnings", [])],
    }


def _result(study: dict, fact: dict, table: dict, short: dict, number: int) -> dict:
    """One result: its ranking, statement, noise, warnings and figure."""
    out = ranked(study, fact, table, short)
    if not fact["analysed"]:
        return out
    title = f"{fact['label']}: {fact['name']}"
    file = f"sensitivity_{number:02d}_{fact['metric']}_{fact['movement']}.png".replace("/", "_")
    if study["method"] == "morris":
        image = morris_figure(out["ranking"], title, out["noise"])
        out["warnings"] = _morris_warnings(study, fact, out["ranking"])
    else:
        image = sobol_figure(out["ranking"], title)
        out["warnings"] = _sobol_warnings(study, fact, out["ranking"])
    out["figure"] = {"file": file, "png": image}
    return out


def ranked(study: dict, fact: dict, table: dict, short: dict) -> dict:
    """One result's parameters ranked, those that dominate it (`top`), those whose whole interval
    is negligible, and the Monte-Carlo noise; `table`: indices.csv."""
    out = {**fact, "ranking": [], "figure": None, "warnings": [], "top": [], "negligible": [], "noise": None}
    if not fact["analysed"]:
        return out
    ranking = _ranking(table, fact, short, study["method"])
    out["ranking"] = ranking
    key = "mu_star" if study["method"] == "morris" else "ST"
    total = sum(max(p[key], 0.0) for p in ranking) or 1.0
    out["top"] = _dominant(ranking, key, total)
    if study["method"] == "morris":
        out["noise"] = _morris_noise(study, fact)
        largest = ranking[0]["mu_star"]
        out["negligible"] = [p["short"] for p in ranking if p["mu_star_high"] < NEGLIGIBLE * largest]
    else:
        out["noise"] = _sobol_noise(fact)
        out["negligible"] = [p["short"] for p in ranking if p["ST_high"] < NEGLIGIBLE]
    return out


def _ranking(table: dict, fact: dict, short: dict, method: str) -> list[dict]:
    """Every parameter's indices for one result, the most influential first."""
    rows: dict[str, dict] = {}
    for i in range(len(table["parameter"])):
        if table["metric"][i] != fact["metric"] or table["movement"][i] != fact["movement"]:
            continue
        name, index = table["parameter"][i], table["index"][i]
        p = rows.setdefault(name, {"key": name, "short": short.get(name, name)})
        p[index], p[f"{index}_low"], p[f"{index}_high"] = (
            float(table[c][i]) for c in ("value", "conf_low", "conf_high")
        )
    key = "mu_star" if method == "morris" else "ST"
    return sorted(rows.values(), key=lambda p: -p[key])


def _dominant(ranking: list[dict], key: str, total: float) -> list[dict]:
    """The parameters that together make half the total or more, largest first (at most three)."""
    top, share = [], 0.0
    for p in ranking[:3]:
        top.append({"short": p["short"], "share": formatting.percent(max(p[key], 0.0) / total), "value": p[key]})
        share += max(p[key], 0.0) / total
        if share >= DOMINANT:
            break
    return top


def _morris_noise(study: dict, fact: dict) -> float | None:
    """mu*'s Monte-Carlo noise floor: the difference of two independent point estimates over one
    step, sqrt(2) x se / step. Common random numbers make the real noise smaller."""
    if fact["mc_se"] is None:
        return None
    return math.sqrt(2.0) * fact["mc_se"] / morris_step(study["settings"]["levels"])


def _sobol_noise(fact: dict) -> float | None:
    """The share of the result's variance across points that Monte-Carlo noise makes."""
    if fact["mc_se"] is None or not fact["sd_across_points"]:
        return None
    return min(1.0, (fact["mc_se"] / fact["sd_across_points"]) ** 2)


def _morris_warnings(study: dict, fact: dict, ranking: list[dict]) -> list[dict]:
    """Too wide an interval on mu*: how many trajectories would narrow it enough."""
    largest = max(p["mu_star"] for p in ranking)
    if largest <= 0:
        return []
    widest = max((p["mu_star_high"] - p["mu_star"]) / largest for p in ranking)
    if widest <= RELATIVE:
        return []
    trajectories = study["settings"]["trajectories"]
    needed = math.ceil(trajectories * (widest / RELATIVE) ** 2)
    return [{"kind": "trajectories", "result": fact, "widest": f"{widest:.0%}", "have": trajectories, "need": needed}]


def _sobol_warnings(study: dict, fact: dict, ranking: list[dict]) -> list[dict]:
    """Negative first-order indices, and intervals wider than WIDE: how many samples would do."""
    warnings = []
    negative = [p["short"] for p in ranking if p["S1_high"] < 0]
    half = max(max(p["S1_high"] - p["S1"], p["ST_high"] - p["ST"]) for p in ranking)
    samples = study["settings"]["samples"]
    need = 2 ** math.ceil(math.log2(samples * max(1.0, (half / WIDE) ** 2)))
    if negative:
        warnings.append({"kind": "negative", "result": fact, "parameters": negative, "have": samples, "need": need})
    if half > WIDE:
        warnings.append({"kind": "wide", "result": fact, "widest": f"{half:.2f}", "have": samples, "need": need})
    return warnings


def short_names(study: dict) -> dict[str, str]:
    """Each varied parameter's key -> its short name."""
    return {p["key"]: _short(p["key"]) for p in study["parameters"]}


def _short(key: str) -> str:
    """A parameter's path without its group: `armenia_convoy.hold.refusal_probability`."""
    parts = key.split(".")
    return ".".join(parts[1:]) if len(parts) > 2 else key
