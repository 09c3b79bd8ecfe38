"""Typed shape of a whole run: the scenario (the world, made of the parts in `sim.config.schema`)
and the run settings (how many replications, the seed, workers, the precision to reach).

These dataclasses are registered with Hydra so that composition rejects misspelt keys and wrong
types; value rules live in `sim.config.validate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from sim.config.record import ObservationUse
from sim.config.schema import (
    MISSING,
    CargoType,
    Checkpoint,
    Decision,
    EscortPool,
    Flow,
    Leg,
    Movement,
    Needs,
    Place,
    Source,
    Uncertainty,
)


@dataclass
class Scenario:
    """A situation to simulate: the network, its checkpoints, and the movements through it."""

    title: str = MISSING
    description: str = MISSING
    start: str = MISSING  # local datetime at clock hour 0, ISO 8601
    horizon_days: float = MISSING
    # Checkpoint statistics count vehicles arriving from this many days on (0: from the start), so
    # steady-state waits of recurring flows and other traffic are not biased by the empty start.
    warmup_days: float = 0.0
    places: dict[str, Place] = field(default_factory=dict)
    legs: dict[str, Leg] = field(default_factory=dict)
    checkpoints: dict[str, Checkpoint] = field(default_factory=dict)
    movements: dict[str, Movement] = field(default_factory=dict)
    flows: dict[str, Flow] = field(default_factory=dict)
    escorts: dict[str, EscortPool] = field(default_factory=dict)
    decisions: dict[str, Decision] = field(default_factory=dict)  # shared by movements' holds
    cargo_types: dict[str, CargoType] = field(default_factory=dict)  # cargo that loses value, by name
    needs: Needs | None = None
    # Parameter path inside the scenario (e.g. "checkpoints.hakari.lanes") -> its source.
    sources: dict[str, Source] = field(default_factory=dict)
    # Parameter path -> the range of values it may take, for `python -m sim.sensitivity`.
    uncertainty: dict[str, Uncertainty] = field(default_factory=dict)
    # What happened in the real period (a record in scenarios/records/), and which of its
    # observations a run of this scenario checks itself against (sim.config.record).
    record: str | None = None
    observations: dict[str, ObservationUse] = field(default_factory=dict)


class PrecisionMetric(Enum):
    """The statistic whose confidence interval `replications=auto` narrows."""

    mean_delivery_time_h = "mean_delivery_time_h"
    delivery_probability = "delivery_probability"


@dataclass
class Precision:
    """For `replications=auto` (the default): replicate in batches until the interval is narrow
    enough. A chance of delivery by its half-width (0.02: within 2 points either way); a mean
    delivery time by its half-width over the estimate (0.05: within 5%)."""

    metric: PrecisionMetric = PrecisionMetric.delivery_probability
    half_width: float = 0.02  # delivery_probability: the 95% interval's half-width, in probability
    relative_half_width: float = 0.05  # mean_delivery_time_h: the half-width over the estimate
    movements: list[str] = field(default_factory=list)  # which must meet it; empty: all
    batch: int = 256
    max_replications: int = 20000


@dataclass
class SweepReport:
    """How a sweep's report reads its jobs: which job is the reference each paired comparison is
    against (within each group of jobs, the one sharing this job's value of the key compared;
    None: the group's first job), and whether mean delivery times are plotted on a log axis."""

    reference_job: int | None = None
    log_time_axis: bool = False


class TableFormat(Enum):
    """The file format of a run's tables: CSV (text, any tool) or Parquet (columnar, typed, smaller;
    needs pyarrow: the `parquet` extra)."""

    csv = "csv"
    parquet = "parquet"


@dataclass
class Tables:
    """How a run writes its tables, and which of the optional ones. passages is most of a long
    run's bytes and of the time spent writing them (a row per replication, movement and place
    reached); without it the report's timeline shows the trucks at the checkpoints (timeline.csv)
    alone."""

    format: TableFormat = TableFormat.csv
    passages: bool = True


@dataclass
class RunConfig:
    """One run: a scenario and how to replicate it."""

    scenario: Scenario = MISSING
    replications: int | str = "auto"  # a number, or "auto": as many as `precision` needs
    seed: int = 20230726
    workers: int | str = "auto"  # processes; "auto": all cores for a large run, 1 or its SLURM CPUs in a sweep job
    precision: Precision = field(default_factory=Precision)
    sweep_report: SweepReport = field(default_factory=SweepReport)
    tables: Tables = field(default_factory=Tables)
