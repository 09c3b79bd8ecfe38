"""When a post is open: daily opening hours on the scenario's local clock."""

from __future__ import annotations

import re

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


class OpeningHours:
    """A post's daily working window. Clock hour 0 is `start_hour_of_day` o'clock local time."""

    __slots__ = ("opens", "closes", "offset_h", "always")

    def __init__(self, hours: str, start_hour_of_day: float) -> None:
        window = parse_hours(hours)
        self.always = window is None
        self.opens, self.closes = window or (0.0, 24.0)
        self.offset_h = start_hour_of_day

    def next_open(self, t_h: float) -> float:
        """The earliest clock time at or after `t_h` when the post is open."""
        if self.always:
            return t_h
        day_h = (t_h + self.offset_h) % 24.0
        opens, closes = self.opens, self.closes
        if opens < closes:  # a daytime window
            if opens <= day_h < closes:
                return t_h
            return t_h + (opens - day_h) % 24.0
        if day_h >= opens or day_h < closes:  # a window across midnight
            return t_h
        return t_h + opens - day_h

    def is_open(self, t_h: float) -> bool:
        return self.next_open(t_h) == t_h
