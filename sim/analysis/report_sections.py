"""The sections of a run's report, in order, and their anchors.

Both pages loop over this list: a section is a heading and a template block of the same name in
report.html.j2 and report.md.j2 ("Against the record" -> block `against_the_record`), so a new
section is an entry here and a block in each template. Ids are the anchors GitHub derives from the
headings, so the same links work in report.html and report.md.
"""

from __future__ import annotations

import re

SECTIONS = (
    "The question",
    "Answers in brief",
    "The scenario",
    "Method",
    "Results per movement",
    "Checkpoints",
    "Deliveries and needs",
    "What drives this result",
    "Against the record",
    "Figures",
    "Limitations",
    "Assumptions",
    "Scenario card",
    "Provenance",
    "STRESS-DES checklist",
)


def slug(heading: str) -> str:
    """The anchor of a heading, as GitHub makes it: "Results per movement" -> "results-per-movement"."""
    return re.sub(r"[^a-z0-9 -]", "", heading.lower()).replace(" ", "-")


def section(heading: str) -> dict:
    """A section as the templates link it: {id, title, block}, `block` naming the template block of
    its body in report.html.j2 and report.md.j2; ValueError if the report has no such section."""
    if heading not in SECTIONS:
        raise ValueError(f"no report section {heading!r}")
    return {"id": slug(heading), "title": heading, "block": slug(heading).replace("-", "_")}


def sections() -> dict[str, dict]:
    """Every section by its id."""
    return {slug(h): section(h) for h in SECTIONS}
