"""A scenario as plain data (dicts, lists, strings, numbers): what a run writes to
`scenario.json`, so that analysis reads the resolved scenario without the schema or OmegaConf."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from enum import Enum
from typing import Any

from sim.config.scenario import Scenario


def scenario_data(scenario: Scenario) -> dict:
    """Every field of the scenario, nested as in its YAML file; enums as their values."""
    return _plain(scenario)


def _plain(value: Any) -> Any:
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    return value
