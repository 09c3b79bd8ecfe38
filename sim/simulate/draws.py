"""A plan's random values for a range of replications: the per-movement draws, laid out in rows,
and each checkpoint's and road's closures and other traffic.

Every value comes from a stream named for what it is for (`sim.simulate.randomness`), so that
changing one part of a scenario never reshuffles the draws of another (common random numbers).
"""

from __future__ import annotations

import bisect
import math

import numpy as np

from sim.model.plan import Plan, Transform
from sim.simulate.randomness import BATCH, replication_stream, stream


def draw_rows(plan: Plan, seed: int, batch: int, start: int, stop: int) -> list[np.ndarray]:
    """Every movement's random values for rows start .. stop - 1 of one batch of replications:
    one array per movement, a row per replication (row 0 is the batch's row `start`), its draws
    side by side (see `MovementPlan.offset`); then one array per shared decision (its delay and
    the uniform of its answer, `DecisionPlan.draws`)."""
    tables = []
    for m in (*plan.movements, *plan.decisions):
        blocks = []
        for d in m.draws:
            u = _uniforms(stream(seed, batch, d.name), d.width, start, stop)
            blocks.append(u if d.transform is None else d.transform.from_uniform(u))
        tables.append(np.concatenate(blocks, axis=1) if blocks else np.empty((stop - start, 0)))
    return tables


def _uniforms(generator: np.random.Generator, width: int, start: int, stop: int) -> np.ndarray:
    """Rows start .. stop - 1 of a stream's batch of `width` columns. The stream is laid out column
    by column, a whole batch (`BATCH` rows) each, one 64-bit output per uniform: truck k of a
    movement always reads column k, so adding trucks never changes another truck's draws. The
    rows outside start .. stop - 1 are skipped, not drawn, so a piece of a batch costs its own rows."""
    n = stop - start
    u = np.empty((n, width))
    generator.bit_generator.advance(start)
    for k in range(width):
        if k:
            generator.bit_generator.advance(BATCH - n)
        u[:, k] = generator.random(n)
    return u


def draw_points(plan: Plan, seed: int, replication: int) -> dict[str, dict]:
    """Closure windows and other traffic of every checkpoint and road in one replication, each from
    its own stream."""
    result: dict[str, dict] = {}
    for kind, points in (("checkpoint", plan.checkpoints), ("road", plan.roads)):
        for p in points:
            drawn: dict = {"closures": list(p.windows), "arrivals": [], "inspections": []}
            if p.random_closures is not None:
                rng = replication_stream(seed, replication, f"closures/{kind}/{p.key}")
                if p.closure_steps is None:
                    drawn["closures"] += random_windows(rng, *p.random_closures, plan.horizon_h)
                else:  # onset rates that change over time, from the same stream
                    drawn["closures"] += scheduled_windows(rng, p.closure_steps, p.random_closures[1], plan.horizon_h)
            if p.other_traffic is not None:
                rate, inspection, window = p.other_traffic
                rng = replication_stream(seed, replication, f"other_traffic/{p.key}")
                if p.traffic_steps is None:
                    drawn["arrivals"], drawn["inspections"] = other_arrivals(
                        rng, rate, inspection, plan.horizon_h, window, plan.start_hour_of_day
                    )
                else:  # arrival rates that change over time, from the same stream
                    drawn["arrivals"], drawn["inspections"] = scheduled_arrivals(
                        rng, p.traffic_steps, inspection, plan.horizon_h, window, plan.start_hour_of_day
                    )
            result[f"{kind}/{p.key}"] = drawn
    return result


def random_windows(rng: np.random.Generator, rate_per_h: float, duration: Transform, horizon_h: float) -> list:
    """Closures over [0, horizon): open spells exponential with the onset rate, then a closure."""
    windows, t = [], 0.0
    while True:
        t += rng.exponential(1.0 / rate_per_h)
        if t >= horizon_h:
            return windows
        end = t + float(duration.from_uniform(rng.random()))
        windows.append((t, end))
        t = end


def other_arrivals(
    rng: np.random.Generator,
    rate_per_h: float,
    inspection: Transform,
    horizon_h: float,
    window: tuple[float, float] | None,
    start_hour_of_day: float,
) -> tuple[list[float], list[float]]:
    """Poisson arrivals before the horizon (kept only inside the daily window, if one is given)
    and their inspection times."""
    expected = rate_per_h * horizon_h
    gaps = rng.exponential(1.0 / rate_per_h, int(expected + 6 * math.sqrt(expected) + 20))
    arrivals = np.cumsum(gaps)
    while arrivals[-1] < horizon_h:  # rare: draw more
        arrivals = np.concatenate([arrivals, arrivals[-1] + np.cumsum(rng.exponential(1.0 / rate_per_h, 100))])
    arrivals = arrivals[arrivals < horizon_h]
    inspections = inspection.from_uniform(rng.random(len(arrivals)))
    return _within(arrivals, inspections, window, start_hour_of_day)


def _within(
    arrivals: np.ndarray, inspections: np.ndarray, window: tuple[float, float] | None, start_hour_of_day: float
) -> tuple[list[float], list[float]]:
    """The arrivals (and their inspections) inside the daily window, if one is given."""
    if window is not None:
        opens, closes = window
        day_h = (arrivals + start_hour_of_day) % 24.0
        inside = (day_h >= opens) & (day_h < closes) if opens < closes else (day_h >= opens) | (day_h < closes)
        arrivals, inspections = arrivals[inside], inspections[inside]
    return arrivals.tolist(), inspections.tolist()


class RateClock:
    """A rate that changes in steps ((from clock hour, rate per hour), ...; the first from hour 0)
    and its integral `load(t)`, the expected events by hour t. A Poisson process at that rate is a
    unit-rate one in `load` (time-rescaling): its events are `at(s)` of unit-rate events s."""

    def __init__(self, steps: tuple[tuple[float, float], ...]) -> None:
        self.hours = [h for h, _ in steps]
        self.rates = [r for _, r in steps]
        self.loads = [0.0]  # load at each step's start
        for (h0, r0), (h1, _) in zip(steps, steps[1:]):
            self.loads.append(self.loads[-1] + r0 * (h1 - h0))

    def load(self, t: float) -> float:
        """The rate's integral from hour 0 to `t`: the expected count by then."""
        i = bisect.bisect_right(self.hours, t) - 1
        return self.loads[i] + self.rates[i] * (t - self.hours[i])

    def at(self, s: np.ndarray) -> np.ndarray:
        """The clock hours where the load reaches each s > 0 (inf beyond a last rate of 0)."""
        i = np.maximum(np.searchsorted(self.loads, s, side="left") - 1, 0)  # last step with load < s
        rates = np.asarray(self.rates)[i]
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.asarray(self.hours)[i] + (s - np.asarray(self.loads)[i]) / rates
        return np.where(rates > 0, t, math.inf)


def scheduled_windows(
    rng: np.random.Generator, steps: tuple[tuple[float, float], ...], duration: Transform, horizon_h: float
) -> list:
    """`random_windows` with an onset rate that changes over time: each open spell ends at the first
    onset of a Poisson process at that rate from the end of the last closure (a unit exponential in
    its load), then a closure; the same draws in the same order."""
    clock, windows, t = RateClock(steps), [], 0.0
    total = clock.load(horizon_h)
    while True:
        s = clock.load(t) + rng.exponential(1.0)
        if s >= total:
            return windows
        t = float(clock.at(np.array([s]))[0])
        end = t + float(duration.from_uniform(rng.random()))
        windows.append((t, end))
        t = end


def scheduled_arrivals(
    rng: np.random.Generator,
    steps: tuple[tuple[float, float], ...],
    inspection: Transform,
    horizon_h: float,
    window: tuple[float, float] | None,
    start_hour_of_day: float,
) -> tuple[list[float], list[float]]:
    """`other_arrivals` at a rate that changes over time: unit-rate Poisson events in the rate's
    load up to the horizon's, mapped back to clock hours (time-rescaling), then their inspections."""
    clock = RateClock(steps)
    expected = clock.load(horizon_h)
    if expected <= 0.0:
        return [], []
    loads = np.cumsum(rng.exponential(1.0, int(expected + 6 * math.sqrt(expected) + 20)))
    while loads[-1] < expected:  # rare: draw more
        loads = np.concatenate([loads, loads[-1] + np.cumsum(rng.exponential(1.0, 100))])
    arrivals = np.maximum.accumulate(clock.at(loads[loads < expected]))  # in order despite rounding
    arrivals = arrivals[arrivals < horizon_h]
    inspections = inspection.from_uniform(rng.random(len(arrivals)))
    return _within(arrivals, inspections, window, start_hour_of_day)
