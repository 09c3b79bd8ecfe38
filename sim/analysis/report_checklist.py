"""The STRESS-DES checklist of a run's report. The items and their answers are data
(`data/stress_des.yaml`); this fills in the few answers that depend on the run and checks that
every report section an item points to exists."""

from __future__ import annotations

from pathlib import Path

import yaml

from sim.analysis.report_sections import section

CHECKLIST = Path(__file__).resolve().parent / "data" / "stress_des.yaml"
SOFTWARE = ("python", "simpy", "numpy", "scipy")  # the versions item 5.1 names


def stress_checklist(summary: dict, provenance: dict) -> list[dict]:
    """The STRESS-DES groups ({title, entries}) with their items, answers filled in for this run,
    and each item's report sections as {id, title}; ValueError if an item names a section the
    report lacks."""
    checklist = yaml.safe_load(CHECKLIST.read_text(encoding="utf-8"))
    phrases = checklist["phrases"]
    versions = provenance.get("versions") or {}
    software = ", ".join(f"{k} {v}" for k, v in versions.items() if k in SOFTWARE and v)
    facts = {
        "days": f"{summary['horizon_h'] / 24:g}",
        "replications": summary["replications"],
        "software": software or phrases["software_unknown"],
        "auto": phrases["auto"] if "precision" in summary else "",
        "warmup": phrases["warmup"].format(warmup_days=f"{summary['warmup_h'] / 24:g}")
        if summary["warmup_h"]
        else phrases["no_warmup"],
    }
    return [
        {"title": group["title"], "entries": [_entry(e, facts) for e in group["entries"]]}
        for group in checklist["groups"]
    ]


def _entry(entry: dict, facts: dict) -> dict:
    try:
        sections = [section(heading) for heading in entry.get("sections") or []]
    except ValueError as error:
        raise ValueError(f"STRESS-DES item {entry['number']}: {error}") from None
    return {
        "number": entry["number"],
        "name": entry["name"],
        "answer": entry["answer"].format_map(facts),
        "sections": sections,
        "files": list(entry.get("files") or []),
    }
