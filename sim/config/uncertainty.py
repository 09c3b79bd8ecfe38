"""Declared uncertainty: the ranges a scenario gives for the numbers it does not know, their rules,
and scenarios with some of those numbers set to other values (the points of a sensitivity study).

A scenario's `uncertainty` maps a parameter's dotted path, as in `sources`, to an `Uncertainty`:
`movements.armenia_convoy.hold.refusal_probability: {low: 0.3, high: 0.9, reason: "..."}`. The
rules, checked for every run: the path names a number of the scenario, and the range is a proper
one with the fields its shape needs. For a study, also: the scenario's own value lies in its
range, and both ends give a valid scenario (a probability stays within 0..1, a duration
non-negative, a median below its p90...); a normal run may set a value outside a range. A
parameter that is null in the composed scenario (a hold an extending scenario switched off) or
belongs to a disabled movement or flow is not applicable there: it is left out of a study, and
the study says so.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator
from dataclasses import fields, is_dataclass
from enum import Enum
from typing import Any

from sim.config.scenario import Scenario
from sim.config.schema import Uncertainty, UncertaintyShape

# The fields each shape takes besides low and high.
SHAPE_FIELDS = {
    UncertaintyShape.uniform: (),
    UncertaintyShape.triangular: ("mode",),
    UncertaintyShape.truncated_normal: ("mean", "sd"),
}
Rules = Callable[[Scenario, str], Iterator[str]]
_NOT_VARIED = ("uncertainty", "sources", "title", "description")  # top-level blocks that are no parameters


def uncertainty_problems(s: Scenario, at: str) -> Iterator[str]:
    """The rules of the scenario's declared ranges themselves, checked for every run: each path
    names a number of the scenario, each range is a proper one with the fields its shape takes and
    a reason. `at` is the key the scenario sits under."""
    for key, u in s.uncertainty.items():
        where = f"{at}.uncertainty.{key}"
        problem = _parameter_problem(s, key)
        if problem:
            yield f"{where}: {problem}"
        else:
            yield from _range_problems(u, where)


def range_problems(s: Scenario, at: str, scenario_problems: Rules) -> Iterator[str]:
    """The rules between the declared ranges and the scenario, checked for a study (a normal run
    may set a value outside a range): the scenario's own value lies within its range, and both
    ends give a valid scenario by its own rules (`scenario_problems`, from `sim.config.validate`)."""
    plain = without_uncertainty(s)
    before = None  # the scenario's own problems, computed once if a range needs them
    for key, u in varied(s).items():
        where = f"{at}.uncertainty.{key}"
        if _parameter_problem(s, key) or any(_range_problems(u, where)):
            continue  # reported by uncertainty_problems
        value = _value(s, key.split("."))
        if not u.low <= value <= u.high:
            yield (
                f"{where}: the scenario's value {value} lies outside low..high ({u.low}..{u.high}); "
                "declare a range around it"
            )
        if before is None:
            before = set(scenario_problems(plain, at))
        for end in ("low", "high"):
            bound = getattr(u, end)
            for p in scenario_problems(with_values(plain, {key: bound}), at):
                if p not in before:
                    yield f"{where}.{end}={bound}: would make the scenario invalid: {p}"


def _range_problems(u: Uncertainty, where: str) -> Iterator[str]:
    """A range: finite ends, low below high, the fields its shape takes (and no others)."""
    if not (_finite(u.low) and _finite(u.high)):
        yield f"{where}: low={u.low} and high={u.high} must be finite numbers"
        return
    if u.low >= u.high:
        yield f"{where}.low={u.low}: must be below high={u.high}"
        return
    takes = SHAPE_FIELDS[u.dist]
    for name in ("mode", "mean", "sd"):
        value = getattr(u, name)
        if name in takes and value is None:
            yield f"{where}.{name}: is required by dist={u.dist.value}"
        elif name not in takes and value is not None:
            uses = ", ".join(("low", "high", *takes))
            yield f"{where}.{name}: is not used by dist={u.dist.value} (it takes {uses})"
    if u.dist is UncertaintyShape.triangular and u.mode is not None and not u.low <= u.mode < u.high:
        yield f"{where}.mode={u.mode}: must lie within low <= mode < high ({u.low}..{u.high})"
    if u.dist is UncertaintyShape.truncated_normal:
        if u.mean is not None and not u.low <= u.mean <= u.high:
            yield f"{where}.mean={u.mean}: must lie within low..high ({u.low}..{u.high})"
        if u.sd is not None and not (_finite(u.sd) and u.sd > 0):
            yield f"{where}.sd={u.sd}: must be a finite number > 0"
    if not u.reason.strip():
        yield f"{where}.reason: must say in a sentence why the value is uncertain"
    if not u.source.strip():
        yield f"{where}.source: must be a URL or ASSUMPTION"


def _parameter_problem(s: Scenario, key: str) -> str | None:
    """Why `key` names no number of the scenario that could be varied, or None."""
    parts = key.split(".")
    if parts[0] in _NOT_VARIED:
        return f"'{parts[0]}' holds no parameter that a study could vary"
    node: Any = s
    for i, part in enumerate(parts):
        if node is None:
            return None  # below a block that is null here: not applicable, not unknown
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif is_dataclass(node) and part in {f.name for f in fields(node)}:
            node = getattr(node, part)
        else:
            return f"names no parameter of this scenario ('{part}' is not in {'.'.join(parts[:i]) or 'the scenario'})"
    if node is None or (isinstance(node, int | float) and not isinstance(node, bool)):
        return None
    if is_dataclass(node) or isinstance(node, dict | list):
        return "names a block, not a number: give the path of one of its numbers"
    shown = node.value if isinstance(node, Enum) else node
    return f"is not a number (it is {shown!r}): only numbers can be varied"


def why_not_applicable(s: Scenario, key: str) -> str | None:
    """Why a declared parameter is not varied in this scenario (null here, or in a disabled
    movement or flow), or None if it is."""
    parts = key.split(".")
    if parts[0] in ("movements", "flows") and len(parts) > 1:
        entry = getattr(s, parts[0]).get(parts[1])
        if entry is not None and not entry.enabled:
            return f"{parts[0][:-1]} {parts[1]} is disabled in this scenario"
    if _value(s, parts) is None:
        return "it is null in this scenario"
    return None


def varied(s: Scenario) -> dict[str, Uncertainty]:
    """The declared parameters a study of this scenario varies, in the order declared."""
    return {key: u for key, u in s.uncertainty.items() if why_not_applicable(s, key) is None}


def with_values(s: Scenario, values: dict[str, float]) -> Scenario:
    """A copy of the scenario with parameters (dotted paths) set to `values`; whole-number
    parameters (lanes, trucks) take the nearest whole number."""
    out = copy.deepcopy(s)
    for key, value in values.items():
        *path, last = key.split(".")
        node = _value(out, path)
        old = node[last] if isinstance(node, dict) else getattr(node, last)
        new = round(value) if isinstance(old, int) and not isinstance(old, bool) else float(value)
        if isinstance(node, dict):
            node[last] = new
        else:
            setattr(node, last, new)
    return out


def without_uncertainty(s: Scenario) -> Scenario:
    """The scenario without its declared ranges (a shallow copy): what a design point runs."""
    out = copy.copy(s)
    out.uncertainty = {}
    return out


def _value(node: Any, parts: list[str]) -> Any:
    """The value at a dotted path (split in parts); None below a null block or off the schema
    (an unknown path is reported by `uncertainty_problems`)."""
    for part in parts:
        if node is None:
            return None
        node = node.get(part) if isinstance(node, dict) else getattr(node, part, None)
    return node


def _finite(x: float) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)
