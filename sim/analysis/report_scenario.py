"""The scenario of a run as the report describes it: its movements, checkpoints and roads, read from
`scenario.json` (the resolved scenario as plain data), as facts for the templates to say.

What a row adds beyond its table columns ("extras") is a list of facts, each a dict with a `kind`
(report_prose.j2 says each kind in words). Values are shown as the scenario card writes them (`str`
of the value), so that the description and the card agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_DELAY_WORDS = {"value": "", "low": "min", "high": "max"}  # a delay's field (less "_h") as the report says it


def delay(d: dict | None) -> str:
    """A delay (`{"dist": "lognormal", "median_h": 720, "p90_h": 2160, ...}`) as the report writes
    it: "lognormal, median 720 h, p90 2160 h"; "?" if there is none."""
    if not d:
        return "?"
    if d["dist"] == "empirical":
        return f"resampled from observed values {d['values_h']} h"
    given = []
    for name, value in d.items():
        if name != "dist" and value is not None:
            word = name.removesuffix("_h")
            given.append(f"{_DELAY_WORDS.get(word, word)} {value} h".strip())
    return f"{d['dist']}, {', '.join(given)}"


def when(text: str) -> str:
    """A scenario's local datetime ("2023-07-26T06:00") as the report writes times."""
    return text.replace("T", " ") if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?", text) else text


def shown(value: object, missing: str | None = "?") -> str | None:
    """A value as the scenario card writes it; `missing` for none."""
    return missing if value is None else str(value)


def movement_of(scenario: dict, key: str) -> tuple[str, dict]:
    """A movement or flow of the scenario: its card prefix ("flows.daily", "movements.x") and its data."""
    if key in scenario["flows"]:
        return f"flows.{key}", scenario["flows"][key]
    return f"movements.{key}", scenario["movements"][key]


def routes_of(movement: dict) -> list[list[str]]:
    """A movement's route and its alternative routes, as lists of place keys."""
    return [movement["route"], *(movement.get("alternative_routes") or {}).values()]


def breaks_down(node: dict) -> bool:
    """Whether trucks break down on a road (given per road or per 100 km)."""
    return node.get("breakdown_probability") is not None or node.get("breakdown_per_100km") is not None


def describe(summary: dict, scenario: dict) -> dict:
    """The scenario's movements (those that ran), checkpoints and roads, one row each."""
    places = summary["places"]

    def place(key: str) -> str:
        return places.get(key, key)

    return {
        "movements": [_movement(key, m, scenario, place) for key, m in summary["movements"].items()],
        "checkpoints": [_checkpoint(key, scenario["checkpoints"][key], place) for key in summary["checkpoints"]],
        "legs": [_leg(key, leg, place) for key, leg in scenario["legs"].items()],
    }


def _route(stops: list[str], place: Callable[[str], str]) -> str:
    return " → ".join(place(p) for p in stops) if stops else "?"


def _movement(key: str, m: dict, scenario: dict, place: Callable[[str], str]) -> dict:
    at, data = movement_of(scenario, key)
    flow = at.startswith("flows.")
    hold = data.get("hold")
    extras = []
    if data.get("alternative_routes"):
        routes = [_route(r, place) for r in data["alternative_routes"].values()]
        extras.append({"kind": "reroute", "after_h": shown(data.get("reroute_after_h")), "routes": routes})
    if data.get("priority"):
        extras.append({"kind": "priority"})
    if data.get("deadline"):
        extras.append({"kind": "deadline", "at": when(data["deadline"])})
    return {
        "key": key,
        "name": m["name"],
        "route": _route(data["route"], place),
        "flow": flow,
        "departure": None if flow else when(data["departure"]),
        "every_h": f"{data['every_h']:g}" if flow else None,
        "first": when(data["first_departure"]) if flow else None,
        "last": when(data["last_departure"]) if flow and data.get("last_departure") else None,
        "trucks": m["trucks"],
        "tonnes": f"{m['tonnes']:g}",
        "cargo": [{"cargo": c, "tonnes": f"{t:g}"} for c, t in (data.get("cargo_t") or {}).items()],
        "hold": None if not hold else _hold(hold, scenario.get("decisions") or {}, place),
        "extras": extras,
    }


def _hold(hold: dict, decisions: dict, place: Callable[[str], str]) -> dict:
    """A hold of the movement's own, or one waiting on a shared decision (whose delay and refusal
    it then shows, with the movement's own refusal after a permission)."""
    facts = {"place": place(hold["place"]), "refusal": shown(hold["refusal_probability"]), "decision": None}
    key = hold.get("decision")
    if not key:
        return facts | {"delay": delay(hold["delay"])}
    decided = decisions.get(key) or {}
    starts = decided.get("starts", "first_arrival")
    return facts | {
        "decision": key,
        "delay": delay(decided.get("delay")),
        "decision_refusal": shown(decided.get("refusal_probability")),
        "own_refusal": shown(hold["refusal_probability"]) if hold["refusal_probability"] else None,
        "starts": None if starts == "first_arrival" else when(starts),
    }


def _checkpoint(key: str, c: dict, place: Callable[[str], str]) -> dict:
    extras = []
    if c.get("turn_back_probability"):
        extras.append({"kind": "turn_back", "probability": shown(c["turn_back_probability"])})
    if c.get("other_traffic"):
        other = c["other_traffic"]
        extras.append(
            {"kind": "other_traffic", "rate": shown(other["rate_per_h"]), "inspection": delay(other["inspection"])}
        )
    if c.get("aid_priority"):
        extras.append({"kind": "aid_priority"})
    return {
        "key": key,
        "name": place(key),
        "lanes": shown(c.get("lanes")),
        "hours": shown(c.get("hours")),
        "inspection": delay(c.get("inspection")),
        "extras": extras + _closures(c),
    }


def _leg(key: str, leg: dict, place: Callable[[str], str]) -> dict:
    extras = _closures(leg)
    if breaks_down(leg):
        extras.append(
            {
                "kind": "breakdowns",
                "probability": shown(leg.get("breakdown_probability"), None),  # None: given per 100 km
                "per_100km": shown(leg.get("breakdown_per_100km")),
                "repair": delay(leg.get("repair")),
            }
        )
    if leg.get("escort"):
        extras.append({"kind": "escort", "pool": leg["escort"]})
    return {
        "key": key,
        "ends": f"{place(leg['start'])} – {place(leg['end'])}",
        "km": shown(leg.get("distance_km"), ""),
        "travel": delay(leg.get("travel")),
        "extras": extras,
    }


def _closures(node: dict) -> list[dict]:
    """A leg's or checkpoint's scheduled closures (`hours` None: for good) and random closures."""
    found = [
        {
            "kind": "closure",
            "start": when(c["start"]),
            "hours": None if c.get("duration_h") is None else shown(c["duration_h"]),
        }
        for c in (node.get("closures") or {}).values()
    ]
    random = node.get("random_closures")
    if random:
        found.append(
            {"kind": "random_closures", "rate": shown(random["rate_per_day"]), "duration": delay(random["duration"])}
        )
    return found
