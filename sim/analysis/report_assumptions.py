"""What a run's results rest on besides the data: the model's limitations, said for this
scenario, and the parameters that rest on ASSUMPTION (or no source), with the results that
depend on them. Structure from `scenario.json`; sources from the scenario card."""

from __future__ import annotations

from collections.abc import Callable

from sim.analysis.report_scenario import breaks_down, movement_of, routes_of

# Card parameter groups: the first part of a parameter's name, as the report names its kind.
_KINDS = {
    "movements": "Movement",
    "flows": "Flow",
    "checkpoints": "Checkpoint",
    "legs": "Road",
    "places": "Place",
    "escorts": "Escort pool",
    "decisions": "Decision",
    "needs": "Needs",
}


def limitations(summary: dict, scenario: dict, legs: list[dict]) -> dict:
    """The facts the limitations are said with: where the scenario configures closures,
    breakdowns and other traffic (names, or "" for nowhere), how many priority settings, whether
    inspections turn trucks back, and the population (None: no needs). `legs`: the described roads."""
    names = {
        **{f"checkpoints.{k}": summary["places"].get(k, k) for k in summary["checkpoints"]},
        **{f"legs.{leg['key']}": f"the road {leg['ends']}" for leg in legs},
    }
    places = {f"legs.{k}": v for k, v in scenario["legs"].items()}
    places |= {f"checkpoints.{k}": v for k, v in scenario["checkpoints"].items()}

    def where(test: Callable[[dict], object]) -> list[str]:
        return [p for p, node in places.items() if test(node)]

    def at(prefixes: list[str]) -> str:
        return ", ".join(names.get(p, p) for p in prefixes)

    scheduled = where(lambda node: node.get("closures"))
    closures = scheduled + [p for p in where(lambda node: node.get("random_closures")) if p not in scheduled]

    movements = [*scenario["movements"].values(), *scenario["flows"].values()]
    population = summary["deliveries"]["population"]
    changes = (scenario.get("needs") or {}).get("changes") or {}
    return {
        "closures": at(closures),
        "breakdowns": at(where(breaks_down)),
        "other_traffic": at(where(lambda node: node.get("other_traffic"))),
        "priority": sum(bool(m.get("priority")) for m in movements)
        + sum(bool(c.get("aid_priority")) for c in scenario["checkpoints"].values()),
        "turn_back": any(c.get("turn_back_probability") for c in scenario["checkpoints"].values()),
        "decisions": ", ".join(scenario.get("decisions") or {}),
        "population": f"{population:,}" if population else None,
        "population_changes": [  # those under way within the horizon
            {"start": _moment(c["start"]), "end": _moment(c["end"]), "population": f"{c['population']:,}"}
            for c, (start_h, end_h, _) in zip(changes.values(), summary["deliveries"]["population_changes_h"])
            if start_h < summary["horizon_h"] and end_h > 0
        ],
        "perishable": "; ".join(_perishable(name, c) for name, c in summary["deliveries"]["cargo_types"].items()),
        "mean_population": f"{summary['deliveries']['mean_population']:,.0f}" if population else None,
    }


def _perishable(name: str, cargo_type: dict) -> str:
    """How a cargo type loses value, in words: "food: 0.5% a day, none usable after 30 days"."""
    said = [f"{cargo_type['loss_per_day']:.2%} a day"] if cargo_type["loss_per_day"] else []
    if cargo_type["shelf_life_days"] is not None:
        said.append(f"none usable after {cargo_type['shelf_life_days']:g} days")
    return f"{name}: {', '.join(said) or 'no loss'}"


def _moment(text: str) -> str:
    """A local ISO datetime as the report writes moments: "2023-09-24 00:00"."""
    return text.replace("T", " ")


# Card rows with no source that describe the scenario's structure or a switch, not a quantity of
# the world: route ends, routes, where a hold is, on/off flags, the record's references.
_STRUCTURAL_NAMES = {"start", "end", "route", "place", "enabled", "movement", "calibrates"}
_STRUCTURAL_GROUPS = {"record", "observations"}


def structural(row: dict) -> bool:
    """Whether a card row without a source is structure (not counted as an assumption)."""
    parts = row["parameter"].split(".")
    if row["source"].strip().lower() == "assumption":
        return False
    named = len(parts) > 1 and parts[-1] in _STRUCTURAL_NAMES
    return named or parts[0] in _STRUCTURAL_GROUPS or row["value"].strip().lower() in ("true", "false")


def assumptions(card: list[dict], summary: dict, scenario: dict) -> dict:
    """Parameters resting on ASSUMPTION (or on no source), grouped by what they describe and ranked:
    the groups that more movements' results rest on first, and within a group ASSUMPTION before
    no source; structure (`structural`) is left out. And which results depend on them."""
    judged = [row for row in card if row["unsourced"] and not structural(row)]
    source_of = {row["parameter"]: row["source"].strip().lower() for row in judged}
    by_movement = [_movement(key, m, scenario, source_of) for key, m in summary["movements"].items()]
    groups: dict[str, dict] = {}
    for row in sorted(judged, key=lambda r: r["source"].strip().lower() != "assumption"):
        g = _group_of(row["parameter"])
        entry = groups.setdefault(g, {"id": g or "scenario", "label": _label(g, summary, scenario), "rows": []})
        entry["rows"].append(
            {
                "parameter": row["parameter"],
                "value": row["value"],
                "unit": row["unit"],
                "source": row["source"] or "not given",
                "note": row["note"],
                "overridden": row["overridden"],
            }
        )
    resting = {g: sum(g in m["resting_on"] for m in by_movement) for g in groups}
    ranked = sorted(groups, key=lambda g: -resting[g])  # stable: the card's order among equals
    for m in by_movement:
        assumed = m.pop("assumed_in")
        m["groups"] = [{"label": groups[g]["label"], "parameters": assumed[g]} for g in ranked if g in assumed]
        del m["resting_on"]
    return {
        "groups": [groups[g] for g in ranked],
        "assumed": sum(v == "assumption" for v in source_of.values()),
        "not_given": sum(v != "assumption" for v in source_of.values()),
        "structural": sum(row["unsourced"] and structural(row) for row in card),
        "partly": [
            {"parameter": r["parameter"], "value": r["value"], "note": r["note"]}
            for r in card
            if not r["unsourced"] and "assumption" in r["note"].lower()
        ],
        "overridden": [{"parameter": r["parameter"], "value": r["value"]} for r in card if r["overridden"]],
        "by_movement": by_movement,
    }


def _group_of(parameter: str) -> str:
    """The group a card parameter belongs to: "legs.x", "needs", or "" for the scenario as a whole."""
    parts = parameter.split(".")
    if parts[0] == "needs":
        return "needs"
    return ".".join(parts[:2]) if parts[0] in _KINDS and len(parts) > 1 else ""


def _label(group: str, summary: dict, scenario: dict) -> str:
    places = summary["places"]
    if not group:
        return "The scenario as a whole"
    kind, _, key = group.partition(".")
    if kind == "legs":
        leg = scenario["legs"].get(key) or {}
        return f"Road {places.get(leg.get('start', ''), '?')} – {places.get(leg.get('end', ''), '?')}"
    if kind == "needs":
        return "Needs"
    names = {f"{kinds}.{k}": m["name"] for kinds in ("movements", "flows") for k, m in summary["movements"].items()}
    return f"{_KINDS[kind]} {names.get(group, places.get(key, key))}"


def _movement(key: str, m: dict, scenario: dict, source_of: dict[str, str]) -> dict:
    """The unsourced parameters one movement's results rest on: its own, the scenario's as a whole,
    and those of the checkpoints, roads and escorts on any of its routes (`assumed_in`: the
    ASSUMPTION ones by group; `resting_on`: every group of them)."""
    at, data = movement_of(scenario, key)
    routes = routes_of(data)
    stops = {p for r in routes for p in r}
    pairs = {frozenset(pair) for r in routes for pair in zip(r, r[1:])}
    legs = {k for k, leg in scenario["legs"].items() if frozenset((leg["start"], leg["end"])) in pairs}
    escorts = {scenario["legs"][k].get("escort") for k in legs} - {None, ""}
    relevant = [at, *(f"checkpoints.{p}" for p in stops), *(f"legs.{k}" for k in legs)]
    relevant += [f"escorts.{e}" for e in escorts]
    decision = (data.get("hold") or {}).get("decision")
    relevant += [f"decisions.{decision}"] if decision else []
    used = [p for p in source_of if _group_of(p) == "" or any(p == r or p.startswith(r + ".") for r in relevant)]
    assumed: dict[str, list[str]] = {}
    for p in used:
        if source_of[p] == "assumption":
            g = _group_of(p)
            assumed.setdefault(g, []).append(p.removeprefix(g + ".") if g else p)
    return {
        "key": key,
        "name": m["name"],
        "assumed": sum(len(names) for names in assumed.values()),
        "not_given": sum(source_of[p] != "assumption" for p in used),
        "assumed_in": assumed,
        "resting_on": {_group_of(p) for p in used},
    }
