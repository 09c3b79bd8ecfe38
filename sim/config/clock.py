"""Time as scenarios write it: local ISO datetimes, and daily opening hours as "HH:MM-HH:MM"."""

from __future__ import annotations

import re
from datetime import datetime

_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


def parse_hours(hours: str) -> tuple[float, float] | None:
    """Opening and closing hour of day for "HH:MM-HH:MM"; None for "24h".

    Raises ValueError for anything else, including a window that opens and closes at once.
    """
    if hours == "24h":
        return None
    match = _HOURS.match(hours)
    if not match:
        raise ValueError(f"'{hours}' is not '24h' or 'HH:MM-HH:MM'")
    oh, om, ch, cm = (int(g) for g in match.groups())
    opens, closes = oh + om / 60, ch + cm / 60
    if closes > 24:
        raise ValueError(f"'{hours}' closes after 24:00")
    if opens == closes % 24:
        raise ValueError(f"'{hours}' opens and closes at the same time (write '24h' for always open)")
    return opens, closes


def local_datetime(text: str) -> datetime | None:
    """A local datetime; None if the text is not one (a time zone makes it not local)."""
    try:
        when = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo is None else None


def clock_h(start: str, when: str) -> float:
    """Hours from the local ISO datetime `start` (clock hour 0) to the local ISO datetime `when`."""
    delta = datetime.fromisoformat(when) - datetime.fromisoformat(start)
    return delta.total_seconds() / 3600.0
