"""The report of a run, rebuilt from the files of its results folder alone.

`write_report(folder)` draws the figures (PNG files) and writes two renderings of one content:
`report.html`, a self-contained page (figures embedded as data URIs) that opens offline, and
`report.md`, Markdown beside the PNG files. `content(folder)` gathers what the report states, once,
as facts and numbers already formatted (the report_* modules, one per part); the templates say them
in words (report_prose.j2) and lay them out. The same files give the same bytes: nothing in the
report depends on when or where it was built.

Escaping: scenario text (titles, names, sources, notes) reaches the report only through template
expressions. HTML autoescapes them; Markdown escapes them in `finalize` (every expression, see
`sim.analysis.markdown`), so a name with "|", "<", "*" or a line break cannot break a table, a
paragraph or the page.
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

from sim.analysis import formatting, markdown, plots, precision
from sim.analysis.formatting import Clock
from sim.analysis.movement_facts import movement_facts
from sim.analysis.report_assumptions import assumptions, limitations
from sim.analysis.report_card import read_card
from sim.analysis.report_checklist import stress_checklist
from sim.analysis.report_checkpoints import checkpoint_results, convoy_queues, warmup_check
from sim.analysis.report_deliveries import deliveries_results
from sim.analysis.report_figures import Drawing, figures_drawn
from sim.analysis.report_method import method, provenance
from sim.analysis.report_movements import brief_outcomes, movement_results
from sim.analysis.report_scenario import describe
from sim.analysis.report_sections import sections
from sim.analysis.report_studies import what_drives
from sim.analysis.report_validation import against_record
from sim.analysis.warmup import suggestions
from sim.results import layout
from sim.results.files import read_json, write_bytes, write_text
from sim.results.records import OUTCOMES

INPUTS = (
    layout.SUMMARY,
    layout.SCENARIO,
    layout.TABLES["movements"],
    layout.TABLES["checkpoints"],
    layout.TABLES["deliveries"],
    layout.TIMELINE,
    layout.CARD,
    layout.PROVENANCE,
    layout.CONFIG,
)


def write_report(folder: Path, processes: int = 1, drawing: Drawing | None = None) -> None:
    """Write the figures (PNG), report.html and report.md into `folder`; `processes`: how many
    may draw the figures meanwhile, or `drawing`: the figures being drawn already
    (`report_figures.figures_drawn`)."""
    report = content(folder, processes, drawing)
    for figure in report["figures"]:
        write_bytes(folder / figure["file"], figure["png"])
    write_text(folder / layout.REPORT_HTML, render_html(report))
    write_text(folder / layout.REPORT_MD, render_markdown(report))


def render_html(report: dict) -> str:
    """report.html from `content()`."""
    environment = formatting.environment(html=True)
    # A macro's output is escaped HTML already (Markup), so `raw` keeps it; plain text is still escaped.
    environment.filters["raw"] = lambda text: text
    return environment.get_template("report.html.j2").render(**report)


def render_markdown(report: dict) -> str:
    """report.md from `content()`."""
    return markdown.environment().get_template("report.md.j2").render(**report)


def content(folder: Path, processes: int = 1, drawing: Drawing | None = None) -> dict:
    """Everything the report states, from the files of `folder`: facts and numbers already
    formatted, figures as PNG bytes (and base64 for embedding), drawn by up to `processes`
    processes while the text is gathered (or taken from `drawing`, under way already)."""
    summary = read_json(folder / layout.SUMMARY)
    validation = read_json(folder / layout.VALIDATION) if (folder / layout.VALIDATION).is_file() else None
    with nullcontext(drawing) if drawing else figures_drawn(folder, summary, processes) as drawn:
        report = _text(folder, summary)
        report["figures"] = drawn.figures(validation)
    return report


def _text(folder: Path, summary: dict) -> dict:
    """What the report says besides its figures."""
    scenario = read_json(folder / layout.SCENARIO)["scenario"]
    movements = movement_facts(layout.table_path(folder, "movements"), summary["replications"])
    run = read_json(folder / layout.PROVENANCE)
    clock = Clock(summary["start"])
    card = read_card(folder / layout.CARD)
    described = describe(summary, scenario)
    horizon_h, level = summary["horizon_h"], summary["confidence_level"]
    rows = [movement_results(k, m, movements, clock, horizon_h, level) for k, m in summary["movements"].items()]
    checkpoints = summary["checkpoints"]
    return {
        "title": summary["title"],
        "description": summary["description"],
        "scenario_name": summary["scenario"],
        "level": f"{summary['confidence_level']:.0%}",
        "precision": precision.statement(summary),
        "sections": sections(),
        "scenario": described,
        # Whether any movement, checkpoint or road has facts beyond its table's columns ("Other").
        "other": {kind: any(row["extras"] for row in described[kind]) for kind in ("movements", "checkpoints", "legs")},
        "method": method(summary, clock),
        "movements": rows,
        "outcome_labels": [plots.outcome_label(o) for o in OUTCOMES],
        "has_deadlines": any(r["deadline"] for r in rows),
        "brief_outcomes": brief_outcomes(rows),
        "checkpoints": [checkpoint_results(k, c, summary["places"]) for k, c in checkpoints.items()],
        "convoy_queues": convoy_queues(scenario, summary["places"]),
        "other_traffic": any(c.get("other_vehicles_per_replication") for c in checkpoints.values()),
        "warmup_days": f"{summary['warmup_h'] / 24:g}" if summary["warmup_h"] else None,
        "warmup_check": warmup_check(suggestions(folder), summary["places"], summary["warmup_h"]),
        "deliveries": deliveries_results(summary["deliveries"], summary["horizon_h"], movements),
        "drivers": what_drives(folder, summary["scenario"], read_json(folder / layout.SCENARIO)["overridden"]),
        "record": against_record(folder),
        "limitations": limitations(summary, scenario, described["legs"]),
        "assumptions": assumptions(card, summary, scenario),
        "card": card,
        "provenance": provenance(run),
        "config": (folder / layout.CONFIG).read_text(encoding="utf-8"),  # shown in report.html; report.md links it
        "stress": stress_checklist(summary, run),
    }
