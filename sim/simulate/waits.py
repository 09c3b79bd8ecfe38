"""What each truck of the traced replication waited for at a checkpoint, and when each checkpoint
was closed: read from the replication's lanes after it ran, so the model's hot path pays nothing.

A truck's wait, from arrival to the start of its inspection, is split into hours that the
checkpoint was closed (`closure`), outside its opening hours (`opening_hours`), and open but with
every lane busy: busy with its own movement's trucks that arrived with it (`convoy`: the part
after the first of them started) or with other vehicles and movements (`lane`). The wait is named
by the part with the most hours (`none` if it did not wait).
"""

from __future__ import annotations

from collections.abc import Iterator

from sim.model.calendar import Availability

WAITS = ("none", "lane", "convoy", "opening_hours", "closure")  # the values of timeline.csv's waiting_for


def waiting_for(rows: list[tuple], availability: dict[str, Availability]) -> list[str]:
    """The reason of each wait in `rows` (movement, truck, place, arrival_h, start_h, clear_h):
    the rows of one movement, trucks that arrived together at a place next to each other."""
    first_start: dict[tuple[str, float], float] = {}  # (place, arrival) -> first start of that group
    for _, _, place, arrival_h, start_h, _ in rows:
        group = (place, arrival_h)
        first_start[group] = min(first_start.get(group, start_h), start_h)
    return [
        _reason(availability[place], arrival_h, first_start[place, arrival_h], start_h)
        for _, _, place, arrival_h, start_h, _ in rows
    ]


def _reason(available: Availability, arrival_h: float, first_h: float, start_h: float) -> str:
    """What a wait from `arrival_h` to `start_h` was mostly for; `first_h`: when the first truck of
    its group started (its own movement's trucks are ahead of it only after then)."""
    if start_h <= arrival_h:
        return "none"
    parts = wait_parts(available, arrival_h, first_h, start_h)
    return max(parts, key=parts.__getitem__)


def wait_parts(available: Availability, arrival_h: float, first_h: float, start_h: float) -> dict[str, float]:
    """The hours of a wait from `arrival_h` to `start_h` by what they were for (the WAITS but
    `none`); `first_h`: when the first truck of its group started. The checkpoints table sums the
    same parts over every truck (`Lanes`: convoy_wait_h, and closed_wait_h for both kinds of closed)."""
    usable_h = available.open_h(arrival_h, start_h)
    closure_h = available.closed_h(arrival_h, start_h)
    own_h = available.open_h(first_h, start_h) if first_h < start_h else 0.0
    return {
        "lane": usable_h - own_h,
        "convoy": own_h,
        "opening_hours": max(0.0, start_h - arrival_h - usable_h - closure_h),
        "closure": closure_h,
    }


def closed_windows(key: str, available: Availability, horizon_h: float) -> Iterator[tuple[str, str, float, float]]:
    """(checkpoint, kind, start_h, end_h) of every time before the horizon that the checkpoint
    was closed: `closure` windows, then the hours outside its opening hours (`opening_hours`)."""
    for start_h, end_h in zip(available.starts, available.ends):
        if start_h < horizon_h:
            yield key, "closure", start_h, min(end_h, horizon_h)
    hours = available.hours
    if hours.always:
        return
    t_h = 0.0
    while t_h < horizon_h:
        closes_h = _next_closing(hours, t_h)
        if closes_h >= horizon_h:
            return
        opens_h = hours.next_open(closes_h)
        yield key, "opening_hours", closes_h, min(opens_h, horizon_h)
        t_h = opens_h


def _next_closing(hours, t_h: float) -> float:
    """The first moment at or after `t_h` outside the daily window (`t_h` itself if it is)."""
    if hours.next_open(t_h) > t_h:
        return t_h
    day_h = (t_h + hours.offset_h) % 24.0
    return t_h + (hours.closes - day_h) % 24.0
