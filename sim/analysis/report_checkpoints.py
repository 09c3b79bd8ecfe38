"""The checkpoints of a run as the report's table shows them: traffic, waits, lane utilisation and
opening per checkpoint, formatted."""

from __future__ import annotations


def checkpoint_results(key: str, c: dict, places: dict) -> dict:
    """One checkpoint's row; `c`: its entry of summary.json, `places`: place names by key."""
    other, other_wait = c.get("other_vehicles_per_replication") or 0.0, c.get("other_mean_wait_h")
    parts = c.get("mean_wait_parts_h") or {}
    return {
        "name": places.get(key, key),
        "key": key,
        "lanes": c["lanes"],
        "trucks": f"{c['trucks_per_replication']:.1f}",
        "wait": "no trucks" if c["mean_wait_h"] is None else _wait(c["mean_wait_h"]),
        "wait_parts": {part: _wait(hours) for part, hours in parts.items()},
        "other": f"{other:.1f}" if other else "none",
        "other_wait": "n/a" if other_wait is None else _wait(other_wait),
        "utilisation": _small_percent(c["utilisation"]),
        "open": _small_percent(c["open_share"]) if c.get("open_share") is not None else "n/a",
    }


def convoy_queues(scenario: dict, places: dict) -> list[dict]:
    """The checkpoints where a movement brings more trucks than there are lanes, so that its own
    trucks queue behind one another whatever other traffic there is: {name, movement, trucks,
    lanes}, the largest such movement of each (scenario: scenario.json's scenario)."""
    found = []
    for key, c in scenario["checkpoints"].items():
        through = [
            m
            for m in [*scenario["movements"].values(), *scenario["flows"].values()]
            if m.get("enabled", True) and key in (m.get("route") or [])
        ]
        big = max(through, key=lambda m: m["trucks"], default=None)
        if big is not None and big["trucks"] > c["lanes"]:
            found.append(
                {"name": places.get(key, key), "movement": big["name"], "trucks": big["trucks"], "lanes": c["lanes"]}
            )
    return found


def _wait(hours: float) -> str:
    """A wait in minutes below an hour, else in hours."""
    return f"{hours * 60:.2g} min" if hours < 1 else f"{hours:.2f} h"


def _small_percent(share: float) -> str:
    """A share with two significant digits below 10% (a lane busy 0.3% of the time is not "0%")."""
    return f"{share * 100:.2g}%" if share < 0.1 else f"{share:.0%}"


def warmup_check(found: dict[str, dict], places: dict, warmup_h: float) -> list[dict]:
    """The MSER-5 suggestion of each checkpoint with other traffic, beside the warm-up set; `found`:
    `sim.analysis.warmup.suggestions`, `warmup_h`: the scenario's warm-up in hours."""
    rows = []
    for key, s in found.items():
        suggested_h = s["warmup_h"]
        rows.append(
            {
                "name": places.get(key, key),
                "key": key,
                "vehicles": s["vehicles"],
                "vehicles_text": f"{s['vehicles']:,}",
                "suggested": None if suggested_h is None else _hours_and_days(suggested_h),
                "exceeds": suggested_h is not None and suggested_h > warmup_h,
                "at_limit": s["at_limit"],
            }
        )
    return rows


def _hours_and_days(hours: float) -> str:
    """A duration in hours, and in days from a day up."""
    if hours == 0:
        return "0 h (nothing to cut)"
    return f"{hours:.3g} h" if hours < 24 else f"{hours:.4g} h ({hours / 24:.3g} days)"
