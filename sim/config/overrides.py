"""Command-line overrides read against the schema: keys added with `+` that the schema does not
know, and entries removed with `~` whose sources must go with them.

Hydra's typed composition refuses a misspelt key, but not one added with `+`: without these rules
`+scenario.checkpoints.hakari.lane=3` (for `lanes`) would run and silently change nothing.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from typing import Any

from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import DictConfig

from sim.config.scenario import RunConfig


def addition_problems(overrides: list[str]) -> list[str]:
    """A message for every key added with `+` that no field of the schema has, naming the key and
    the closest known one. Hydra's own settings (`hydra.*`) are not the schema's to judge."""
    problems = []
    for o in OverridesParser.create().parse_overrides(overrides):
        key = o.key_or_group
        if o.is_add() and not key.startswith("hydra.") and key != "hydra":
            problem = _unknown_field(key)
            if problem:
                problems.append(f"+{key}: {problem}")
    return problems


def _unknown_field(key: str) -> str | None:
    """Why no field of the schema is at the dotted `key` (None if one is): dataclass fields must
    exist; entries of a mapping may be new, and what is below them is checked against the
    mapping's value type."""
    node: Any = RunConfig
    at = ""
    for part in key.split("."):
        node = _unwrapped(node)
        if dataclasses.is_dataclass(node):
            hints = typing.get_type_hints(node)
            if part not in hints:
                near = difflib.get_close_matches(part, list(hints), n=1)
                hint = f"; did you mean {at}{near[0]}?" if near else f"; known: {', '.join(hints)}"
                return f"'{part}' is not a field of {at.rstrip('.') or 'the run settings'}{hint}"
            node = hints[part]
        elif typing.get_origin(node) is dict:
            node = typing.get_args(node)[1]
        else:
            return f"{at.rstrip('.')} is a single value; it has no field '{part}'"
        at += part + "."
    return None


def _unwrapped(hint: Any) -> Any:
    """The type inside `X | None`."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(inner) == 1:
            return inner[0]
    return hint


def removed_scenario_keys(overrides: list[str]) -> list[str]:
    """Keys inside the scenario removed with `~` (e.g. `movements.armenia_convoy`)."""
    parsed = OverridesParser.create().parse_overrides(overrides)
    return [
        o.key_or_group.removeprefix("scenario.")
        for o in parsed
        if o.is_delete() and o.key_or_group.startswith("scenario.")
    ]


def drop_sources_of(cfg: DictConfig, removed: list[str]) -> None:
    """Forget the sources, declared ranges (`uncertainty`) and observations of removed entries:
    removing an entry is a natural what-if, and they would otherwise name what is no longer there."""
    scenario = cfg.get("scenario", {})
    for block in ("sources", "uncertainty"):
        entries = scenario.get(block)
        if not entries or not removed:
            continue
        for path in list(entries):
            if any(path == key or path.startswith(key + ".") for key in removed):
                del entries[path]
    # ... and the observations about them: a removed movement or checkpoint has none to check.
    observations = scenario.get("observations")
    for name in list(observations or []):
        use = observations[name]
        about = [
            f"movements.{use.get('movement')}",
            f"flows.{use.get('movement')}",
            f"checkpoints.{use.get('checkpoint')}",
        ]
        if any(key in about for key in removed):
            del observations[name]
