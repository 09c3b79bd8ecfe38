"""The scenario card: every parameter of a scenario with its value, unit, source and confidence,
so a reviewer sees at a glance what rests on evidence and what on judgement."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from enum import Enum
from typing import Any

from sim.config.scenario import Scenario
from sim.config.schema import Delay

CARD_COLUMNS = ("parameter", "value", "unit", "source", "confidence", "note", "overridden")
_NOT_PARAMETERS = {"title", "description", "sources", "uncertainty"}  # at the top level
_LABELS = {"name", "sender"}  # descriptive text, not parameters
_UNITS = {"_h": "h", "_km": "km", "_t": "t", "_days": "days", "lanes": "lanes", "trucks": "trucks"}


def scenario_card(scenario: Scenario, overridden: list[str] = ()) -> list[dict[str, str]]:
    """One row per parameter. `overridden` lists dotted scenario paths set on the command line."""
    rows = []
    for path, value in _leaves(scenario, ""):
        source = _source_of(scenario, path)
        rows.append(
            {
                "parameter": path,
                "value": _show(value),
                "unit": _unit(path, value),
                "source": source.source if source else "not given",
                "confidence": source.confidence.value if source else "",
                "note": source.note if source else "",
                "overridden": "yes" if any(_related(path, o) for o in overridden) else "",
            }
        )
    return rows


def _leaves(node: Any, at: str) -> Iterator[tuple[str, Any]]:
    if isinstance(node, Delay) or not (is_dataclass(node) or isinstance(node, dict)):
        yield at, node
        return
    items = node.items() if isinstance(node, dict) else ((f.name, getattr(node, f.name)) for f in fields(node))
    for key, value in items:
        if not at and key in _NOT_PARAMETERS:
            continue
        if value is None or key in _LABELS:
            continue
        yield from _leaves(value, f"{at}.{key}" if at else str(key))


def _source_of(scenario: Scenario, path: str):
    """The source given for this parameter or the nearest enclosing one."""
    parts = path.split(".")
    for n in range(len(parts), 0, -1):
        source = scenario.sources.get(".".join(parts[:n]))
        if source is not None:
            return source
    return None


def _show(value: Any) -> str:
    if isinstance(value, Delay):
        given = [f"{f.name}={getattr(value, f.name)}" for f in fields(Delay)[1:] if getattr(value, f.name) is not None]
        return f"{value.dist.value}({', '.join(given)})"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, list):
        return " > ".join(map(str, value)) if all(isinstance(v, str) for v in value) else str(value)
    return str(value)


def _unit(path: str, value: Any) -> str:
    if isinstance(value, Delay):
        return "h"
    parts = path.split(".")
    for part in reversed(parts[-2:]):
        for suffix, unit in _UNITS.items():
            if part.endswith(suffix):
                return unit
    if path == "start" or parts[-1] == "departure" or (parts[-1] == "starts" and value != "first_arrival"):
        return "local datetime"
    return "local time" if parts[-1] == "hours" else ""


def _related(path: str, override: str) -> bool:
    return path == override or path.startswith(override + ".") or override.startswith(path + ".")
