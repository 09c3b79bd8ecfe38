"""Markdown escaping for the report's Markdown rendering, and the Jinja environment that applies it.

Every template expression is escaped (`finalize`), so scenario text with "|", "<", "*" or a line
break cannot break a table, a paragraph or the page; `Markdown` marks text that is Markdown on
purpose (code spans, autolinks, fenced blocks, the report's own anchors and file names).
"""

from __future__ import annotations

import re

from jinja2 import Environment

from sim.analysis import formatting

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<|~&$])")
_MD_BLOCK_START = re.compile(r"^(?:[#>]|[-+=](?=[\s=+-]|$)|\d{1,9}[.)](?=\s|$))")


class Markdown(str):
    """Text that is already Markdown: passed through `finalize` as it is."""


def md_escape(text: object) -> str:
    """Plain text as Markdown inline text: each run of whitespace (line breaks included) made one
    space, so it cannot end a table row or a paragraph; characters that could start emphasis,
    code, links, HTML, entities, table cells or (on GitHub) math backslash-escaped; and a leading
    list, quote or heading marker escaped."""
    text = re.sub(r"\s+", " ", str(text))
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_BLOCK_START.sub(lambda m: m.group()[:-1] + "\\" + m.group()[-1], text, count=1)


def md_code(text: object) -> Markdown:
    """Inline code: a backtick fence longer than any run inside; "|" escaped for tables (GFM
    removes that backslash before it reads the code span)."""
    text = " ".join(str(text).split()).replace("|", r"\|")
    fence = "`" * (max((len(r) for r in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return Markdown(f"{fence}{pad}{text}{pad}{fence}")


def md_linked(parts: list[dict]) -> Markdown:
    """Text parts escaped and URL parts (see `report_card.linked`) as autolinks; the URL
    pattern already keeps spaces, quotes and angle brackets out of a URL."""
    return Markdown(
        "".join("<" + p["href"].replace("|", "%7C") + ">" if p["href"] else md_escape(p["text"]) for p in parts)
    )


def md_fenced(text: str, language: str = "") -> Markdown:
    """A fenced code block whose fence no line inside can close."""
    fence = "`" * max(3, max((len(r) for r in re.findall("`+", text)), default=0) + 1)
    return Markdown(f"{fence}{language}\n{text.rstrip(chr(10))}\n{fence}")


def md_finalize(value: object) -> str:
    """What a template expression writes: `Markdown` as it is, anything else escaped."""
    return value if isinstance(value, Markdown) else md_escape(value)


def environment() -> Environment:
    """The Jinja environment of Markdown pages: every expression escaped, and the filters `code`,
    `linked`, `fenced` and `raw` (text that is Markdown already, such as a rendered macro)."""
    env = formatting.environment(html=False, finalize=md_finalize)
    env.filters.update(code=md_code, linked=md_linked, fenced=md_fenced, raw=Markdown)
    return env
