"""The benchmarks' reference model, in every implementation, and the check that they agree.

The model: `TRUCKS` trucks released one every `INTERVAL_H` hours at the origin, each moving on its
own (one truck per movement), through four checkpoints in series with `LANES` first-come-first-served
lanes each, to the destination. Inspection times and the travel times of the five legs (origin ->
cp1 -> cp2 -> cp3 -> cp4 -> destination) are lognormal, drawn independently per truck. No closures,
posts open 24 h, and a horizon long enough that every truck is delivered. The statistic compared is
each truck's delivery time: from its release to its arrival at the destination.

Implementations, each with its own independent random numbers:

- `run_simulator`: the project's simulator (`sim.simulate.replications.simulate` or
  `sim.simulate.workers.simulate_many`)
  on the reference built as a `sim.config.scenario.Scenario`;
- `run_plain_simpy`: a straightforward process-per-truck SimPy model with a `simpy.Resource` per
  checkpoint;
- `recursion_python` and `recursion_numpy`: the exact multi-server tandem recursion (a truck starts
  at a checkpoint at max(arrival, earliest free lane), trucks taken in their order of arrival at
  that checkpoint), in plain Python per replication and vectorised in NumPy across replications.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import simpy
from scipy import stats

from sim.config.scenario import Scenario
from sim.config.schema import Checkpoint, Delay, Distribution, Leg, Movement, Place
from sim.simulate.replications import simulate
from sim.simulate.workers import simulate_many

TRUCKS = 35
INTERVAL_H = 0.5  # one truck released every half hour
CHECKPOINTS = ("cp1", "cp2", "cp3", "cp4")
PLACES = ("origin", *CHECKPOINTS, "destination")
LANES = 2
INSPECTION_H = (0.8, 0.4)  # lognormal (mean, sd): 2 lanes at 2 trucks/h are 80% busy
TRAVEL_H = ((1.5, 0.4), (2.0, 0.5), (1.0, 0.3), (2.5, 0.6), (1.5, 0.4))  # lognormal (mean, sd) of each leg
START = "2024-01-01T00:00"
HORIZON_DAYS = 10.0  # far beyond the last delivery (about a day after the start)

# Independent random numbers for each implementation: different spawn keys of the same seed.
SIMULATOR, PLAIN_SIMPY, RECURSION = 0, 1, 2


def lognormal_parameters(mean_h: float, sd_h: float) -> tuple[float, float]:
    """(mu, sigma) of the underlying normal for a lognormal of this mean and standard deviation."""
    sigma = math.sqrt(math.log1p((sd_h / mean_h) ** 2))
    return math.log(mean_h) - sigma**2 / 2, sigma


TRAVEL_MU, TRAVEL_SIGMA = (np.array(p) for p in zip(*(lognormal_parameters(*leg) for leg in TRAVEL_H)))
INSPECTION_MU, INSPECTION_SIGMA = lognormal_parameters(*INSPECTION_H)
RELEASE_H = np.arange(TRUCKS) * INTERVAL_H


def rng(seed: int, implementation: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(implementation,)))


# --- the project's simulator -------------------------------------------------------------------


def truck_key(i: int) -> str:
    return f"truck{i:02d}"


def scenario() -> Scenario:
    """The reference as a scenario of the project's simulator: one movement of one truck each."""

    def lognormal(mean_h: float, sd_h: float) -> Delay:
        return Delay(dist=Distribution.lognormal, mean_h=mean_h, sd_h=sd_h)

    start = datetime.fromisoformat(START)
    return Scenario(
        title="Benchmark reference",
        description=f"{TRUCKS} single trucks through {len(CHECKPOINTS)} checkpoints of {LANES} lanes in series",
        start=START,
        horizon_days=HORIZON_DAYS,
        places={p: Place(name=p) for p in PLACES},
        legs={
            f"{a}_{b}": Leg(start=a, end=b, travel=lognormal(*travel))
            for a, b, travel in zip(PLACES, PLACES[1:], TRAVEL_H)
        },
        checkpoints={cp: Checkpoint(inspection=lognormal(*INSPECTION_H), lanes=LANES) for cp in CHECKPOINTS},
        movements={
            truck_key(i): Movement(
                name=f"truck {i}",
                trucks=1,
                cargo_t={"food": 20.0},
                route=list(PLACES),
                departure=(start + timedelta(hours=float(RELEASE_H[i]))).isoformat(timespec="minutes"),
            )
            for i in range(TRUCKS)
        },
    )


def delivery_times(movements: dict[str, np.ndarray], replications: int) -> np.ndarray:
    """(replications, TRUCKS) delivery times from a simulator's movements table."""
    keys = movements["movement"].tolist()
    if keys[:TRUCKS] != [truck_key(i) for i in range(TRUCKS)] or len(keys) != replications * TRUCKS:
        raise AssertionError("the simulator's movements table is not one row per replication and truck, in order")
    return movements["delivery_time_h"].astype(float).reshape(replications, TRUCKS)


def run_simulator(seed: int, replications: int, workers: int = 1, s: Scenario | None = None) -> np.ndarray:
    """Delivery times (replications, TRUCKS) from the project's simulator."""
    s = s or scenario()
    seed = int(np.random.SeedSequence(seed, spawn_key=(SIMULATOR,)).generate_state(1)[0])
    records = simulate(s, seed, replications) if workers == 1 else simulate_many(s, seed, replications, workers)
    return delivery_times(records.movements, replications)


# --- a plain process-per-truck SimPy model -----------------------------------------------------


def plain_simpy_replication(travel_h: list[list[float]], inspection_h: list[list[float]]) -> list[float]:
    """One replication: each truck a process, each checkpoint a `simpy.Resource` of LANES lanes.
    `travel_h[i][leg]` and `inspection_h[i][k]` are truck i's draws."""
    env = simpy.Environment()
    lanes = [simpy.Resource(env, capacity=LANES) for _ in CHECKPOINTS]
    delivered = [math.nan] * TRUCKS

    def truck(i: int, release_h: float):
        yield env.timeout(release_h)
        travel, inspection = travel_h[i], inspection_h[i]
        for k, checkpoint in enumerate(lanes):
            yield env.timeout(travel[k])
            with checkpoint.request() as lane:
                yield lane
                yield env.timeout(inspection[k])
        yield env.timeout(travel[-1])
        delivered[i] = env.now - release_h

    for i, release_h in enumerate(RELEASE_H.tolist()):
        env.process(truck(i, release_h))
    env.run(until=HORIZON_DAYS * 24.0)
    return delivered


def run_plain_simpy(seed: int, replications: int) -> np.ndarray:
    """Delivery times (replications, TRUCKS) from the plain SimPy model."""
    generator = rng(seed, PLAIN_SIMPY)
    out = np.empty((replications, TRUCKS))
    for r in range(replications):
        travel = generator.lognormal(TRAVEL_MU, TRAVEL_SIGMA, (TRUCKS, len(TRAVEL_H))).tolist()
        inspection = generator.lognormal(INSPECTION_MU, INSPECTION_SIGMA, (TRUCKS, len(CHECKPOINTS))).tolist()
        out[r] = plain_simpy_replication(travel, inspection)
    return out


# --- the exact recursion -----------------------------------------------------------------------


def draw_block(generator: np.random.Generator, replications: int) -> tuple[np.ndarray, np.ndarray]:
    """Travel (replications, TRUCKS, legs) and inspection (replications, TRUCKS, checkpoints) times."""
    travel = generator.lognormal(TRAVEL_MU, TRAVEL_SIGMA, (replications, TRUCKS, len(TRAVEL_H)))
    inspection = generator.lognormal(INSPECTION_MU, INSPECTION_SIGMA, (replications, TRUCKS, len(CHECKPOINTS)))
    return travel, inspection


def recursion_replication(release_h: list[float], travel_h: list[list[float]], inspection_h: list[list[float]]):
    """Delivery times of one replication by the FIFO multi-server tandem recursion, in plain Python."""
    n = len(release_h)
    t = [release_h[i] + travel_h[i][0] for i in range(n)]  # arrival at the next checkpoint
    for k in range(len(CHECKPOINTS)):
        free = [0.0] * LANES  # a heap: when each lane is next free
        for i in sorted(range(n), key=t.__getitem__):  # in order of arrival at this checkpoint
            earliest = free[0]
            start = t[i] if t[i] > earliest else earliest
            clear = start + inspection_h[i][k]
            heapq.heapreplace(free, clear)
            t[i] = clear + travel_h[i][k + 1]
    return [t[i] - release_h[i] for i in range(n)]


def recursion_python(travel: np.ndarray, inspection: np.ndarray) -> np.ndarray:
    """Delivery times (replications, TRUCKS) by the recursion, one replication at a time."""
    release = RELEASE_H.tolist()
    return np.array(
        [recursion_replication(release, tr, ins) for tr, ins in zip(travel.tolist(), inspection.tolist())]
    ).reshape(len(travel), TRUCKS)


def recursion_numpy(travel: np.ndarray, inspection: np.ndarray) -> np.ndarray:
    """Delivery times (replications, TRUCKS) by the recursion, vectorised across replications."""
    reps = len(travel)
    rows = np.arange(reps)
    arrival = RELEASE_H + travel[:, :, 0]
    for k in range(len(CHECKPOINTS)):
        order = np.argsort(arrival, axis=1)
        arriving = np.take_along_axis(arrival, order, axis=1)
        service = np.take_along_axis(inspection[:, :, k], order, axis=1)
        clear = np.empty_like(arriving)
        if LANES == 2:  # the two lanes' free times kept in order: first <= second
            first, second = np.zeros(reps), np.zeros(reps)
            for j in range(TRUCKS):
                done = np.maximum(arriving[:, j], first) + service[:, j]
                clear[:, j] = done
                first = np.minimum(done, second)
                second = np.maximum(done, second)
        else:
            free = np.zeros((reps, LANES))  # when each lane is next free, per replication
            for j in range(TRUCKS):
                lane = free.argmin(axis=1)
                clear[:, j] = free[rows, lane] = np.maximum(arriving[:, j], free[rows, lane]) + service[:, j]
        cleared = np.empty_like(clear)
        np.put_along_axis(cleared, order, clear, axis=1)
        arrival = cleared + travel[:, :, k + 1]
    return arrival - RELEASE_H


def run_recursion(seed: int, replications: int, vectorised: bool = True) -> np.ndarray:
    travel, inspection = draw_block(rng(seed, RECURSION), replications)
    return (recursion_numpy if vectorised else recursion_python)(travel, inspection)


# --- agreement -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Two implementations' per-replication mean delivery times compared."""

    a: str
    b: str
    mean_a: float
    mean_b: float
    half_width: float  # of the 99% interval of the difference of the means
    ks_p: float

    @property
    def agree(self) -> bool:
        return abs(self.mean_a - self.mean_b) <= self.half_width and self.ks_p >= ALPHA

    def __str__(self) -> str:
        verdict = "agree" if self.agree else "DISAGREE"
        return (
            f"{self.a:>16} {self.mean_a:8.4f} h vs {self.b:<16} {self.mean_b:8.4f} h: difference "
            f"{self.mean_a - self.mean_b:+.4f} h (99% interval +-{self.half_width:.4f}), "
            f"KS p={self.ks_p:.3f}  {verdict}"
        )


ALPHA = 0.01


def compare(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> Comparison:
    """Compare the per-replication means over trucks (independent across replications, unlike
    single trucks of one replication): Welch's interval for the difference of the means at 99%,
    and a two-sample Kolmogorov-Smirnov test at 1%."""
    x, y = np.nanmean(a, axis=1), np.nanmean(b, axis=1)
    se = math.sqrt(x.var(ddof=1) / len(x) + y.var(ddof=1) / len(y))
    return Comparison(
        name_a,
        name_b,
        float(x.mean()),
        float(y.mean()),
        float(stats.norm.ppf(1 - ALPHA / 2) * se),
        float(stats.ks_2samp(x, y).pvalue),
    )


def agreement(seed: int, replications: int) -> tuple[list[Comparison], list[str]]:
    """Run every implementation on `replications` replications of independent random numbers and
    compare them pairwise. Returns the comparisons and a list of problems (empty if all agree)."""
    travel, inspection = draw_block(rng(seed, RECURSION), replications)
    results = {
        "simulator": run_simulator(seed, replications),
        "plain SimPy": run_plain_simpy(seed, replications),
        "recursion": recursion_python(travel, inspection),
    }
    problems = []
    for name, times in results.items():
        if np.isnan(times).any():
            problems.append(f"{name}: {int(np.isnan(times).sum())} trucks not delivered by the horizon")
    vectorised = recursion_numpy(travel, inspection)
    gap = float(np.max(np.abs(vectorised - results["recursion"])))
    if gap > 1e-9:
        problems.append(f"NumPy recursion differs from the plain-Python recursion on the same draws by {gap:g} h")
    names = list(results)
    comparisons = [compare(a, results[a], b, results[b]) for i, a in enumerate(names) for b in names[i + 1 :]]
    problems += [f"{c.a} and {c.b} disagree: {c}" for c in comparisons if not c.agree]
    return comparisons, problems
