"""Shared helpers: tiny scenarios built in Python, and comparisons of record tables.

Tests import the builders directly (`from conftest import scenario, movement, ...`) so that each
test spells out its whole world in a few lines:

    s = scenario(
        legs=[("a", "b", 1.0), ("b", "c", 2.0)],          # fixed travel hours, or a Delay
        checkpoints={"b": checkpoint(fixed(0.5), lanes=2)},
        movements={"m": movement(["a", "b", "c"], trucks=3)},
    )

Clock hour 0 is `START` (midnight) unless the scenario says otherwise, so a departure of
`at(6)` leaves at 06:00 on the first day.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.config.compose import load_run
from sim.config.scenario import RunConfig, Scenario
from sim.config.schema import Checkpoint, Delay, Distribution, Hold, Leg, Movement, Place
from sim.config.validate import ConfigError, check, scenario_problems

START = "2024-01-01T00:00"
# The checkout whose `sim` the tests import; subprocesses run the same code.
REPOSITORY = Path(sim.__file__).resolve().parents[1]


def at(hours: float, start: str = START) -> str:
    """The local ISO datetime `hours` after `start`."""
    return (datetime.fromisoformat(start) + timedelta(hours=hours)).isoformat(timespec="minutes")


def delay(dist: str, **params: object) -> Delay:
    """A delay spec, e.g. delay("lognormal", median_h=1, p90_h=3)."""
    return Delay(dist=Distribution(dist), **params)


def fixed(hours: float) -> Delay:
    return Delay(dist=Distribution.fixed, value_h=hours)


def checkpoint(inspection: Delay | float, lanes: int = 1, hours: str = "24h") -> Checkpoint:
    if not isinstance(inspection, Delay):
        inspection = fixed(inspection)
    return Checkpoint(inspection=inspection, lanes=lanes, hours=hours)


def hold(place: str, delay_h: Delay | float, refusal_probability: float = 0.0) -> Hold:
    if not isinstance(delay_h, Delay):
        delay_h = fixed(delay_h)
    return Hold(place=place, delay=delay_h, refusal_probability=refusal_probability)


def movement(
    route: list[str],
    trucks: int = 1,
    departure: str = START,
    tonnes: float | None = None,
    hold: Hold | None = None,
) -> Movement:
    """A movement; its cargo is 10 t of food per truck unless `tonnes` says otherwise."""
    return Movement(
        name=f"movement via {', '.join(route)}",
        trucks=trucks,
        cargo_t={"food": 10.0 * trucks if tonnes is None else tonnes},
        route=list(route),
        departure=departure,
        hold=hold,
    )


def scenario(
    legs: list[tuple[str, str, Delay | float]],
    movements: dict[str, Movement],
    checkpoints: dict[str, Checkpoint] | None = None,
    start: str = START,
    horizon_days: float = 10.0,
) -> Scenario:
    """A scenario whose places are the legs' ends; leg (a, b) is keyed "a_b". Fails the test at once
    if the scenario does not validate, so a typo in a test never passes for a model result."""
    places = {p: Place(name=p.title()) for a, b, _ in legs for p in (a, b)}
    s = Scenario(
        title="test scenario",
        description="built by a test",
        start=start,
        horizon_days=horizon_days,
        places=places,
        legs={
            f"{a}_{b}": Leg(start=a, end=b, travel=travel if isinstance(travel, Delay) else fixed(travel))
            for a, b, travel in legs
        },
        checkpoints=dict(checkpoints or {}),
        movements=dict(movements),
    )
    problems = list(scenario_problems(s, "scenario"))
    assert not problems, problems
    return s


def run_config(s: Scenario, replications: int = 10, seed: int = 1) -> RunConfig:
    run = RunConfig(scenario=s, replications=replications, seed=seed)
    check(run)
    return run


def rows(table: dict[str, np.ndarray], **where: object) -> dict[str, np.ndarray]:
    """The rows of a column table whose columns equal the given values."""
    keep = np.ones(len(next(iter(table.values()))), dtype=bool)
    for column, value in where.items():
        keep &= table[column] == value
    return {c: v[keep] for c, v in table.items()}


def tables_equal(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    """Same columns, same values in the same order; NaN equals NaN in float columns."""
    if list(a) != list(b):
        return False
    for column in a:
        x, y = a[column], b[column]
        if x.dtype.kind == "f" and y.dtype.kind == "f":
            if not np.array_equal(x, y, equal_nan=True):
                return False
        elif not np.array_equal(x, y):
            return False
    return True


@pytest.fixture(scope="session")
def baseline():
    """The shipped baseline scenario, composed and validated once per session."""
    from sim.config.compose import load_scenario

    return load_scenario("baseline")


def run_sim(
    *args: str, cwd: Path, env: dict[str, str] | None = None, module: str = "sim"
) -> subprocess.CompletedProcess:
    """`python -m sim <args>` (or another `module`, such as `sim.sensitivity`) in a fresh process,
    as a user would type it, from `cwd`."""
    environment = {k: v for k, v in os.environ.items() if k not in ("HYDRA_FULL_ERROR", "SIM_SCENARIO_PATH")}
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")]))
    environment["MPLBACKEND"] = "Agg"
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=300
    )


def problems_of(overrides: list[str]) -> list[str]:
    """The problems a composed run with `overrides` is refused for (it must be refused)."""
    with pytest.raises(ConfigError) as caught:
        load_run(overrides)
    return caught.value.problems
