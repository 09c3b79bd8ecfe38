"""Value rules for a run's configuration, checked before any simulation starts.

Hydra's typed composition already refuses unknown keys and wrong types. What it cannot see (missing
values, negative durations, routes through unknown places...) is checked here, and every problem is
reported at once, each naming its full key: `scenario.checkpoints.hakari.lanes=0: must be >= 1`.
The rules shared by many parts (delays, datetimes, probabilities, closures) are in `sim.config.rules`.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Iterator
from datetime import datetime

from sim.config.bounds import range_problems
from sim.config.clock import local_datetime, parse_hours
from sim.config.convoy_rules import convoy_problems, decision_problems
from sim.config.memory import memory_problems
from sim.config.observations import observation_problems
from sim.config.rules import (
    KEY,
    closure_problems,
    delay_problems,
    find_leg,
    has_path,
    names,
    positive,
    probability_problems,
    rate_problems,
    time_problems,
)
from sim.config.scenario import RunConfig, Scenario, TableFormat
from sim.config.schema import CargoType, Checkpoint, Needs
from sim.config.uncertainty import uncertainty_problems

__all__ = ["ConfigError", "check", "delay_problems", "find_leg", "scenario_problems"]


class ConfigError(Exception):
    """A configuration that cannot be run; the message lists every problem found.

    A plain exception (the configuration layer needs no Hydra for it): the command line catches it
    by name and prints the message alone, without a traceback.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Invalid configuration:\n  " + "\n  ".join(problems))


def check(run: RunConfig) -> None:
    """Raise ConfigError listing every rule the run breaks."""
    problems = list(_run_problems(run))
    if problems:
        raise ConfigError(problems)


def _run_problems(run: RunConfig) -> Iterator[str]:
    """Rules of the run settings (replications, workers, seed, precision), then of its scenario."""
    if isinstance(run.replications, str):
        if run.replications != "auto":
            yield f"replications={run.replications}: must be a whole number >= 1 or 'auto'"
    elif run.replications < 1:
        yield f"replications={run.replications}: must be >= 1"
    if isinstance(run.workers, str):
        if run.workers != "auto":
            yield f"workers={run.workers}: must be a whole number >= 1 or 'auto'"
    elif run.workers < 1:
        yield f"workers={run.workers}: must be >= 1"
    if run.seed < 0:
        yield f"seed={run.seed}: must be >= 0"
    # Looked for, not imported: pyarrow is imported only where the tables are written and read.
    if run.tables.format is TableFormat.parquet and importlib.util.find_spec("pyarrow") is None:
        yield 'tables.format=parquet: needs pyarrow, which is not installed: pip install -e ".[parquet]"'
    reference = run.sweep_report.reference_job
    if reference is not None and reference < 0:
        yield f"sweep_report.reference_job={reference}: must be a job number (0, 1, ...) or null"
    p = run.precision
    if not positive(p.half_width) or p.half_width >= 0.5:
        yield f"precision.half_width={p.half_width}: must be a number > 0 and < 0.5 (a probability's half-width)"
    if not positive(p.relative_half_width):
        yield f"precision.relative_half_width={p.relative_half_width}: must be a finite number > 0"
    if p.batch < 2:
        yield f"precision.batch={p.batch}: must be >= 2"
    if p.max_replications < p.batch:
        yield f"precision.max_replications={p.max_replications}: must be >= precision.batch={p.batch}"
    enabled = [k for k, m in [*run.scenario.movements.items(), *run.scenario.flows.items()] if m.enabled]
    for key in p.movements:
        if key not in enabled:
            yield f"precision.movements: '{key}' is not an enabled movement or flow ({', '.join(enabled)})"
    yield from scenario_problems(run.scenario, "scenario")
    out_of_range = list(range_problems(run))  # sizes and physical ranges (sim.config.bounds)
    yield from out_of_range
    if not out_of_range:  # memory is judged on sane numbers only (sim.config.memory)
        yield from memory_problems(run)


def scenario_problems(s: Scenario, at: str) -> Iterator[str]:
    """Every rule a scenario breaks; `at` is the key the scenario sits under."""
    yield from time_problems(s.start, f"{at}.start", None)
    if not positive(s.horizon_days):
        yield f"{at}.horizon_days={s.horizon_days}: must be a finite number > 0"
    elif not (math.isfinite(s.warmup_days) and 0.0 <= s.warmup_days < s.horizon_days):
        yield f"{at}.warmup_days={s.warmup_days}: must be >= 0 and below horizon_days ({s.horizon_days:g})"
    yield from _place_problems(s, at)
    yield from _leg_problems(s, at)
    for key, cp in s.checkpoints.items():
        yield from _checkpoint_problems(s, key, cp, f"{at}.checkpoints.{key}")
    yield from convoy_problems(s, at)
    yield from decision_problems(s, at)
    for key, pool in s.escorts.items():
        if pool.size < 1:
            yield f"{at}.escorts.{key}.size={pool.size}: must be >= 1"
        yield from delay_problems(pool.turnaround, f"{at}.escorts.{key}.turnaround")
    for key, cargo in s.cargo_types.items():
        yield from _cargo_type_problems(cargo, f"{at}.cargo_types.{key}")
    if s.needs is not None:
        yield from _needs_problems(s.needs, f"{at}.needs")
    for path in s.sources:
        if not has_path(s, path.split(".")):
            yield f"{at}.sources.{path}: names no parameter of this scenario"
    yield from uncertainty_problems(s, at)
    yield from observation_problems(s, at)


def _cargo_type_problems(cargo: CargoType, where: str) -> Iterator[str]:
    """A shelf life, if given, is a positive number of days; a daily loss a share below 1."""
    if cargo.shelf_life_days is not None and not positive(cargo.shelf_life_days):
        yield f"{where}.shelf_life_days={cargo.shelf_life_days}: must be a finite number > 0, or null"
    if not (math.isfinite(cargo.loss_per_day) and 0.0 <= cargo.loss_per_day < 1.0):
        yield f"{where}.loss_per_day={cargo.loss_per_day}: must be >= 0 and < 1 (a share lost each day)"


def _needs_problems(needs: Needs, where: str) -> Iterator[str]:
    """The population, its rations, and its changes: each a period with its end not before its
    start, in time order and not overlapping the one before."""
    if needs.population < 1:
        yield f"{where}.population={needs.population}: must be >= 1"
    for cargo, kg in needs.kg_per_person_day.items():
        if not positive(kg):
            yield f"{where}.kg_per_person_day.{cargo}={kg}: must be a finite number > 0"
    previous: tuple[str, datetime] | None = None
    for key, change in needs.changes.items():
        at = f"{where}.changes.{key}"
        if change.population < 0:
            yield f"{at}.population={change.population}: must be >= 0"
        bad = [*time_problems(change.start, f"{at}.start", None), *time_problems(change.end, f"{at}.end", None)]
        yield from bad
        if bad:
            previous = None
            continue
        start, end = local_datetime(change.start), local_datetime(change.end)
        if end < start:
            yield f"{at}.end={change.end}: must not be before its start {change.start}"
        if previous is not None and start < previous[1]:
            yield (
                f"{at}.start={change.start}: must not be before the end of {previous[0]} "
                f"({previous[1].isoformat()}): changes are listed in time order and do not overlap"
            )
        previous = (key, end)


def _place_problems(s: Scenario, at: str) -> Iterator[str]:
    """The places (towns, crossings, warehouses): at least one, each with a key and a name."""
    if not s.places:
        yield f"{at}.places: must name at least one place"
    for key, place in s.places.items():
        if not KEY.match(key):
            yield f"{at}.places.{key}: keys must be lowercase ASCII letters, digits and _, starting with a letter"
        if not place.name.strip():
            yield f"{at}.places.{key}.name: must not be empty"


def _checkpoint_problems(s: Scenario, key: str, cp: Checkpoint, where: str) -> Iterator[str]:
    """A checkpoint: at a known place, its lanes, opening hours, inspections and other traffic."""
    if key not in s.places:
        yield f"{where}: '{key}' is not a place; checkpoints are keyed by place ({names(s.places)})"
    if cp.lanes < 1:
        yield f"{where}.lanes={cp.lanes}: must be >= 1"
    try:
        parse_hours(cp.hours)
    except ValueError as error:
        yield f"{where}.hours={cp.hours}: {error}"
    yield from delay_problems(cp.inspection, f"{where}.inspection")
    yield from probability_problems(cp.turn_back_probability, f"{where}.turn_back_probability")
    yield from closure_problems(cp, where)
    if cp.other_traffic is not None:
        yield from rate_problems(cp.other_traffic, "rate_per_h", f"{where}.other_traffic")
        yield from delay_problems(cp.other_traffic.inspection, f"{where}.other_traffic.inspection")


def _leg_problems(s: Scenario, at: str) -> Iterator[str]:
    """The road legs: between two known places, one leg a pair, travel, closures and breakdowns."""
    seen: dict[frozenset, str] = {}
    for key, leg in s.legs.items():
        where = f"{at}.legs.{key}"
        for end in ("start", "end"):
            place = getattr(leg, end)
            if place not in s.places:
                yield f"{where}.{end}={place}: unknown place; known places: {names(s.places)}"
        if leg.start == leg.end:
            yield f"{where}: starts and ends at the same place '{leg.start}'"
        pair = frozenset((leg.start, leg.end))
        if pair in seen:
            yield f"{where}: joins the same places as legs.{seen[pair]}"
        seen[pair] = key
        if leg.distance_km is not None and not positive(leg.distance_km):
            yield f"{where}.distance_km={leg.distance_km}: must be a finite number > 0"
        yield from delay_problems(leg.travel, f"{where}.travel")
        if leg.travel_back is not None:
            yield from delay_problems(leg.travel_back, f"{where}.travel_back")
        yield from closure_problems(leg, where)
        for name in ("breakdown_probability", "breakdown_per_100km"):
            yield from probability_problems(getattr(leg, name), f"{where}.{name}")
        if leg.breakdown_probability is not None and leg.breakdown_per_100km is not None:
            yield f"{where}: give breakdown_probability or breakdown_per_100km, not both"
        if leg.breakdown_per_100km is not None and leg.distance_km is None:
            yield f"{where}.breakdown_per_100km: needs distance_km"
        if (leg.breakdown_probability or leg.breakdown_per_100km) and leg.repair is None:
            yield f"{where}.repair: is required when trucks can break down on this leg"
        if leg.repair is not None:
            yield from delay_problems(leg.repair, f"{where}.repair")
        if leg.escort is not None and leg.escort not in s.escorts:
            yield f"{where}.escort={leg.escort}: unknown escort pool; known pools: {names(s.escorts)}"
