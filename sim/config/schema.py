"""Typed shape of a scenario's parts: delays, places, roads, checkpoints, movements, flows,
holds and decisions, needs, sources and declared uncertainty (`sim.config.scenario` puts them
together into a scenario and a run).

These dataclasses are registered with Hydra so that composition rejects misspelt keys and wrong
types. Value rules (positive means, known places...) live in `sim.config.validate`, not here: Hydra builds
these classes with placeholder values while it composes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

# A required value not yet given: OmegaConf's marker for missing values, written out so that
# the schema (imported by the model's compiler) needs no OmegaConf.
MISSING = "???"


class Distribution(Enum):
    """Shapes a random duration can take."""

    fixed = "fixed"
    exponential = "exponential"
    lognormal = "lognormal"
    gamma = "gamma"
    triangular = "triangular"
    uniform = "uniform"
    empirical = "empirical"


class Confidence(Enum):
    """How far a source can be trusted, as graded in the calibration reference."""

    H = "H"  # several independent sources agree
    M = "M"  # one credible source, or sources that differ somewhat
    L = "L"  # one partisan or low-quality source, or an anecdote
    A = "A"  # an assumption


@dataclass
class Delay:
    """A random duration, in hours. Which fields are needed depends on `dist`:

    fixed: value_h; exponential: mean_h; lognormal: mean_h and sd_h, or median_h and p90_h;
    gamma: mean_h and sd_h; triangular: low_h, mode_h, high_h; uniform: low_h, high_h;
    empirical: values_h (observed durations, resampled with equal weight).
    """

    dist: Distribution = MISSING
    value_h: float | None = None
    mean_h: float | None = None
    sd_h: float | None = None
    median_h: float | None = None
    p90_h: float | None = None
    low_h: float | None = None
    mode_h: float | None = None
    high_h: float | None = None
    values_h: list[float] | None = None


class BreakdownPolicy(Enum):
    """What the rest of a movement does when one of its trucks breaks down on a leg."""

    wait = "wait"  # all wait until the truck is repaired, then go on together
    go_on = "go_on"  # the others go on; the repaired truck follows on its own


@dataclass
class ClosureWindow:
    """A scheduled closure: from a local datetime, for a duration or (duration_h null) for good."""

    start: str = MISSING
    duration_h: float | None = None


@dataclass
class RandomClosures:
    """Closures that start at random and last a random time (an alternating renewal process).

    Onsets come at `rate_per_day` on the clock, whatever the opening hours, but a new random closure
    cannot start during one: the next onset is drawn from the moment it ends.
    """

    rate_per_day: float = MISSING
    duration: Delay = MISSING
    # Periods with other onset rates, in time order; before the first, `rate_per_day` applies.
    schedule: dict[str, ClosureRatePeriod] = field(default_factory=dict)


@dataclass
class ClosureRatePeriod:
    """From a local datetime until the next period starts: random closures start at this rate."""

    start: str = MISSING
    rate_per_day: float = MISSING  # >= 0: 0, no onsets in the period


@dataclass
class TrafficPeriod:
    """From a local datetime until the next period starts: other traffic arrives at this rate."""

    start: str = MISSING
    rate_per_h: float = MISSING  # >= 0: 0, no arrivals in the period


@dataclass
class DeparturePeriod:
    """From a local datetime until the next period starts: a flow leaves every `every_h` from the
    period's start (null: no departures in the period)."""

    start: str = MISSING
    every_h: float | None = MISSING


@dataclass
class Place:
    """A named point on the road network: a town, a border post, a bridge."""

    name: str = MISSING  # display name; contested places carry both names


@dataclass
class Leg:
    """A stretch of road between two places: one road, both ways, each way with its own travel
    time if `travel_back` is given (uphill loaded, downhill empty; a one-way convoy rule)."""

    start: str = MISSING
    end: str = MISSING
    travel: Delay = MISSING  # from `start` to `end`, and back too unless `travel_back` is given
    travel_back: Delay | None = None  # from `end` to `start`
    distance_km: float | None = None
    closures: dict[str, ClosureWindow] = field(default_factory=dict)
    random_closures: RandomClosures | None = None
    # Chance that a truck breaks down on this leg: per leg, or per 100 km (needs distance_km).
    breakdown_probability: float | None = None
    breakdown_per_100km: float | None = None
    repair: Delay | None = None
    # A truck driving the leg again meets a breakdown drawn anew, unless this says it meets the
    # same one as the first time (a fault the road, not the trip, brings out).
    repeat_breakdown: bool = False
    escort: str | None = None  # key of an escort pool this leg may only be driven with


@dataclass
class OtherTraffic:
    """Other vehicles arriving at random that compete for a checkpoint's lanes."""

    rate_per_h: float = MISSING
    inspection: Delay = MISSING
    only_when_open: bool = False  # arrivals only within the opening hours
    # Periods with other rates, in time order; before the first, `rate_per_h` applies.
    schedule: dict[str, TrafficPeriod] = field(default_factory=dict)


@dataclass
class Checkpoint:
    """Inspection lanes at a place, each clearing one truck at a time while the post is open."""

    inspection: Delay = MISSING
    lanes: int = 1
    hours: str = "24h"  # "24h" or "HH:MM-HH:MM" in local time; may wrap past midnight
    turn_back_probability: float = 0.0  # chance an inspection sends a truck back
    closures: dict[str, ClosureWindow] = field(default_factory=dict)
    random_closures: RandomClosures | None = None
    other_traffic: OtherTraffic | None = None
    aid_priority: bool = False  # aid trucks go before queued other traffic


@dataclass
class Hold:
    """Waiting for permission at a place before going on; permission may be refused.

    The wait is the movement's own (`delay`, required then) or a shared `decision`'s (a key of
    `Scenario.decisions`; no `delay` then). With a decision, `refusal_probability` is this
    movement's own chance of refusal when the decision permits."""

    place: str = MISSING
    delay: Delay | None = None
    refusal_probability: float = 0.0
    decision: str | None = None


@dataclass
class Decision:
    """A permission decision that several movements' holds wait on: one answer, at one moment, for
    every one of them (drawn once per replication)."""

    delay: Delay = MISSING
    refusal_probability: float = 0.0
    starts: str = "first_arrival"  # or a local datetime: when the decision's clock starts


@dataclass
class Movement:
    """A convoy or shipment: trucks that travel together along a route of places."""

    name: str = MISSING
    trucks: int = MISSING
    cargo_t: dict[str, float] = MISSING  # tonnes by cargo type, for the whole movement
    enabled: bool = True  # false leaves it out (a scenario extending another cannot delete it)
    route: list[str] = MISSING  # place keys; the first is the origin, the last the destination
    departure: str = MISSING  # local datetime, ISO 8601: "2023-07-26T08:00"
    sender: str = ""
    hold: Hold | None = None
    priority: bool = False  # goes before other traffic at every checkpoint
    breakdown_policy: BreakdownPolicy = BreakdownPolicy.wait
    # Other routes (from the origin) to switch to after waiting `reroute_after_h` at a closure.
    alternative_routes: dict[str, list[str]] = field(default_factory=dict)
    reroute_after_h: float | None = None
    deadline: str | None = None  # local datetime by which delivery is wanted


@dataclass
class Flow:
    """A regular supply: a departure of the same trucks and cargo every `every_h` hours."""

    name: str = MISSING
    trucks: int = MISSING  # per departure
    enabled: bool = True
    cargo_t: dict[str, float] = MISSING  # tonnes by cargo type, per departure
    route: list[str] = MISSING
    first_departure: str = MISSING
    every_h: float = 24.0
    last_departure: str | None = None  # default: until the horizon
    sender: str = ""
    priority: bool = False
    breakdown_policy: BreakdownPolicy = BreakdownPolicy.wait
    # Periods with other intervals, in time order; before the first, `every_h` applies.
    schedule: dict[str, DeparturePeriod] = field(default_factory=dict)


@dataclass
class EscortPool:
    """Escorts (e.g. peacekeeper vehicles) that some legs may only be driven with."""

    size: int = MISSING
    turnaround: Delay = MISSING  # from the end of the escorted leg until the escort is free again


@dataclass
class CargoType:
    """How a kind of cargo (fresh food, some medicines) loses value between loading, at its
    movement's departure, and delivery: not at all unless stated."""

    shelf_life_days: float | None = None  # a tonne delivered later than this after loading is lost
    loss_per_day: float = 0.0  # the share of what is left that is lost each day after loading


@dataclass
class PopulationChange:
    """People leaving (or arriving) over a period: from local datetime `start` to `end` the
    population moves linearly from what it was at `start` to `population`."""

    start: str = MISSING
    end: str = MISSING
    population: int = MISSING


@dataclass
class Needs:
    """The population served and its daily need per cargo type; the population is `population`
    until the first of its `changes` (periods in time order, not overlapping)."""

    population: int = MISSING
    kg_per_person_day: dict[str, float] = MISSING
    changes: dict[str, PopulationChange] = field(default_factory=dict)


@dataclass
class Source:
    """Where a parameter's value comes from: a URL, or the word ASSUMPTION."""

    source: str = MISSING
    confidence: Confidence = Confidence.A
    note: str = ""


class UncertaintyShape(Enum):
    """How likely each value of a declared range is, for a sensitivity study."""

    uniform = "uniform"  # every value between low and high alike
    triangular = "triangular"  # most likely at `mode`, falling off linearly to low and high
    truncated_normal = "truncated_normal"  # a normal (`mean`, `sd`) cut to low..high


@dataclass
class Uncertainty:
    """What is not known about one number of the scenario: the range it may take, how likely each
    value in it is, and why. Keyed, under the scenario's `uncertainty`, by the parameter's dotted
    path as in `sources` (e.g. "movements.armenia_convoy.hold.refusal_probability")."""

    low: float = MISSING
    high: float = MISSING
    dist: UncertaintyShape = UncertaintyShape.uniform
    mode: float | None = None  # triangular only
    mean: float | None = None  # truncated_normal only
    sd: float | None = None  # truncated_normal only
    reason: str = MISSING  # one sentence: why the value is this uncertain
    source: str = "ASSUMPTION"  # a URL, or ASSUMPTION
