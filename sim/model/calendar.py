"""When a checkpoint or road can be used: daily opening hours on the scenario's local clock,
minus closures (scheduled, or drawn at random for each replication)."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right

NEVER = math.inf


class OpeningHours:
    """A post's daily working window. Clock hour 0 is `start_hour_of_day` o'clock local time."""

    __slots__ = ("opens", "closes", "offset_h", "always")

    def __init__(self, window: tuple[float, float] | None, start_hour_of_day: float) -> None:
        """`window`: the opening and closing hour of day (closing may be past midnight, smaller than
        opening); None for open around the clock."""
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

    def open_h(self, a_h: float, b_h: float) -> float:
        """Hours within [a_h, b_h] inside the daily window."""
        return self._open_until(b_h) - self._open_until(a_h) if b_h > a_h else 0.0

    def _open_until(self, t_h: float) -> float:
        # Open hours from local midnight before clock hour 0 up to t_h: whole days, then the
        # part of the last day.
        if self.always:
            return t_h
        days, day_h = divmod(t_h + self.offset_h, 24.0)
        return days * self._within_day(24.0) + self._within_day(day_h)

    def _within_day(self, day_h: float) -> float:
        opens, closes = self.opens, self.closes
        if opens < closes:
            return min(max(day_h, opens), closes) - opens
        return min(day_h, closes) + max(0.0, day_h - opens)


def merge(windows: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Closure windows sorted, with overlapping or touching ones joined."""
    merged: list[tuple[float, float]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class Availability:
    """A checkpoint's or road's usable time: opening hours minus closure windows [start, end)."""

    __slots__ = ("hours", "starts", "ends", "always")

    def __init__(self, hours: OpeningHours, closures: list[tuple[float, float]]) -> None:
        windows = merge(closures)
        self.hours = hours
        self.starts = [s for s, _ in windows]
        self.ends = [e for _, e in windows]
        self.always = hours.always and not windows  # the common case, answered at once

    def next_open(self, t_h: float) -> float:
        """The earliest time at or after `t_h` when it can be used; NEVER if closed for good."""
        if self.always:
            return t_h
        while t_h < NEVER:
            t_h = self.hours.next_open(t_h)
            i = bisect_right(self.starts, t_h) - 1
            if i < 0 or t_h >= self.ends[i]:
                return t_h
            t_h = self.ends[i]
        return NEVER

    def closed_until(self, t_h: float) -> float:
        """The end of the closure under way at `t_h` (opening hours aside), or `t_h` if none."""
        i = bisect_right(self.starts, t_h) - 1
        return self.ends[i] if i >= 0 and t_h < self.ends[i] else t_h

    def closure_starting(self, a_h: float, b_h: float, longer_than_h: float) -> float | None:
        """The start of the first closure that starts after `a_h` and before `b_h` and lasts
        longer than `longer_than_h`, or None."""
        for i in range(bisect_right(self.starts, a_h), bisect_left(self.starts, b_h)):
            if self.ends[i] - self.starts[i] > longer_than_h:
                return self.starts[i]
        return None

    def closed_h(self, a_h: float, b_h: float) -> float:
        """Hours of closure (not counting opening hours) within [a_h, b_h]."""
        if not self.starts:
            return 0.0
        return sum(max(0.0, min(e, b_h) - max(s, a_h)) for s, e in zip(self.starts, self.ends) if s < b_h)

    def open_h(self, a_h: float, b_h: float) -> float:
        """Hours within [a_h, b_h] when it can be used."""
        hours = self.hours.open_h
        closed = sum(hours(max(s, a_h), min(e, b_h)) for s, e in zip(self.starts, self.ends) if s < b_h and e > a_h)
        return hours(a_h, b_h) - closed
