"""Numbers as a reader sees them in reports and figures, said once for every page.

Shares as percentages, durations in hours and days, intervals as "low – high", values of
parameters as written, text safe as a matplotlib label, clock hours as local times, and the Jinja
environment every page is rendered with.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).resolve().parent / "templates"


def environment(html: bool = True, **options: object) -> Environment:
    """The Jinja environment of the report templates: HTML autoescaped, undefined names an error."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        **options,
    )


def percent(share: float) -> str:
    """A share as a percentage with one decimal: 0.354 as "35.4%"."""
    return f"{share:.1%}"


def points(difference: float) -> str:
    """A difference of two shares in percentage points, signed."""
    return f"{difference * 100:+.1f} pp"


def hours_days(hours: float) -> str:
    """A duration in hours and days: "36.0 h (1.5 d)"."""
    return f"{hours:.1f} h ({hours / 24:.1f} d)"


def duration(hours: float | None) -> str:
    """`hours_days`, or "beyond horizon" for a quantile the run did not reach."""
    return "beyond horizon" if hours is None else hours_days(hours)


def between(low: float | None, high: float | None, form: Callable[[float], str]) -> str:
    """An interval "low – high" with each end formatted by `form`; "n/a" if an end is unknown."""
    return "n/a" if low is None or high is None else f"{form(low)} – {form(high)}"


def between_with_unit(low: float | None, high: float | None, form: Callable[[float], str], unit: str) -> str:
    """`between` with the unit written once, after the high end: "1.5 – 2.0 h"; "n/a" if an end is unknown."""
    text = between(low, high, form)
    return text if low is None or high is None else text + unit


def label(value: object) -> str:
    """A parameter value as written: 2.0 as "2", None as ""."""
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)


def plural(n: int) -> str:
    """The plural ending for a count: "" for one, "s" otherwise."""
    return "" if n == 1 else "s"


def wrapped(text: str, width: int) -> str:
    """Text as a literal matplotlib label: wrapped, with "$" kept from starting mathtext."""
    return "\n".join(textwrap.wrap(text, width)).replace("$", r"\$")


class Clock:
    """The clock hours of a run (hours from its start) as local calendar times."""

    def __init__(self, start: str):
        self.start = datetime.fromisoformat(start)

    def at(self, hours: float) -> str:
        """The local time `hours` after the start: "2023-09-18 06:00"."""
        return (self.start + timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M")
