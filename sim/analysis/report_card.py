"""The scenario card of a run (`scenario_card.csv`) as the report shows it: every parameter with its
value as written, its source and note cut into text and links, and whether it rests on judgement."""

from __future__ import annotations

import csv
import re
from pathlib import Path

_URL = re.compile(r"https?://[^\s<>\"']+")
_NOT_SOURCED = {"assumption", "not given"}


def read_card(path: Path) -> list[dict]:
    """Scenario card rows as text (read as text: values such as "2023-07-26T00:00" or "1" must stay
    exactly as written), with `unsourced` and `overridden` as booleans and sources and notes split
    into text and links (`source_parts`, `note_parts`)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row.get("parameter")]
    for row in rows:
        row["unsourced"] = row["source"].strip().lower() in _NOT_SOURCED
        row["overridden"] = row["overridden"].strip().lower() == "yes"
        row["source_parts"] = linked(row["source"])
        row["note_parts"] = linked(row["note"])
    return rows


def linked(text: str) -> list[dict]:
    """Text cut into plain parts and http(s) URLs ({text, href}, href None for plain text), for the
    template to escape and link; a URL's trailing punctuation stays text."""
    parts, at = [], 0
    for match in _URL.finditer(text):
        url = match.group().rstrip(".,;:)")
        parts.append({"text": text[at : match.start()], "href": None})
        parts.append({"text": url, "href": url})
        at = match.start() + len(url)
    parts.append({"text": text[at:], "href": None})
    return [p for p in parts if p["text"]]
