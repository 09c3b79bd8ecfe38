"""Validation against theory: the model reproduces what queueing and renewal theory say, and the
exact recursions of a tandem of multi-server queues.

- One checkpoint fed by Poisson other traffic with exponential inspections on c lanes is an
  M/M/c queue: the mean wait in queue Wq, the time-average queue length Lq, the chance of waiting
  and the lane utilisation match Erlang C within the simulation's own confidence interval (batch
  means after a warm-up, pooled over independent replications, 99 %).
- Poisson aid trucks with priority over Poisson other traffic (the movement's `priority` or the
  checkpoint's `aid_priority`): the non-preemptive priority M/M/c formula (Cobham); without
  priority both classes wait as in one FCFS M/M/c queue.
- Little's law at every checkpoint, from recorded times and the model's own counters.
- A chain of checkpoints with every truck present at the start: the exact multi-server FCFS
  tandem recursion, computed here from the random draws, to 1e-9 h.
- A movement leaves a checkpoint when its last truck is cleared, over random scenarios.
- Opening hours and closures: the open share of a checkpoint matches its schedule exactly and its
  random closure process (alternating renewal) within a confidence interval.

How Lq is measured. The model does not keep per-vehicle times of other traffic (only counts and
total waits), so these tests replace the `Lanes` class that `run_replication` builds by a subclass
that logs (kind, arrival, start, clearance) of every vehicle committed to a lane; the queueing
itself is the model's. Lq is then the time integral of the number queued, Nq(t) = #{vehicles with
arrival <= t < start}, over each batch window divided by its length: a time average taken from the
queue's sample path, not lambda x Wq (which would assume Little's law). Wq is the mean wait of
the vehicles that arrived in the window (a customer average). Little's law is tested separately.

Every statistical test uses fixed seeds, so it gives the same figures on every run; the run
lengths make the 99 % intervals narrow (a few per cent) but they cover the theory at these seeds.
Run `python -m pytest tests/test_validation_theory.py -m slow -s` to print the measured figures.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pytest
from conftest import START, at, checkpoint, delay, fixed, movement, rows, scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats
from test_properties import scenarios

import sim.model.replication as replication
from sim.config.scenario import Scenario
from sim.config.schema import ClosureWindow, Delay, Flow, Hold, OtherTraffic, RandomClosures
from sim.model.checkpoint import Lanes
from sim.simulate.compile import compile_scenario
from sim.simulate.distributions import sampler
from sim.simulate.draws import draw_points, draw_rows
from sim.simulate.randomness import BATCH
from sim.simulate.replications import simulate, trace_replication

LEVEL = 0.99  # confidence level of every interval below


# --- Helpers ---------------------------------------------------------------------------------------


class RecordingLanes(Lanes):
    """The model's lanes, logging every vehicle committed: (is_aid, arrival, start, clearance)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.log: list[tuple[bool, float, float, float]] = []
        self.aid = True

    def admit_others(self, until_h: float, started_before_h: float = math.inf) -> None:
        self.aid = False
        try:
            super().admit_others(until_h, started_before_h)
        finally:
            self.aid = True

    def _commit(self, waiting) -> None:
        aid, self.aid = self.aid, True  # an aid truck that waited, committed among other traffic
        try:
            super()._commit(waiting)
        finally:
            self.aid = aid

    def _serve(self, arrival_h: float, inspection_h: float) -> float:
        start_h = super()._serve(arrival_h, inspection_h)
        self.log.append((self.aid, arrival_h, start_h, start_h + inspection_h))
        return start_h

    def times(self, aid: bool | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Arrival, start and clearance arrays of the aid trucks (True), other traffic (False) or all."""
        log = [r for r in self.log if aid is None or r[0] == aid]
        if not log:
            return np.array([]), np.array([]), np.array([])
        _, a, s, c = (np.array(x, dtype=float) for x in zip(*log))
        return a, s, c


@pytest.fixture
def recording(monkeypatch):
    """Make `run_replication` build RecordingLanes (only for the test using this fixture)."""
    monkeypatch.setattr(replication, "Lanes", RecordingLanes)


def one_replication(s: Scenario, seed: int, r: int = 0):
    """Replication r < BATCH (the same as `simulate`'s replication r for this seed): the journeys and
    the world."""
    plan = compile_scenario(s)
    return replication.run_replication(plan, draw_rows(plan, seed, 0, r, r + 1), 0, draw_points(plan, seed, r))


def interval(x: np.ndarray) -> tuple[float, float]:
    """Mean and half-width of the Student t interval at LEVEL over independent values."""
    x = np.asarray(x, dtype=float)
    return float(x.mean()), float(stats.t.ppf(0.5 + LEVEL / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))


def covers(x: np.ndarray, theory: float) -> tuple[bool, str]:
    mean, half = interval(x)
    return abs(mean - theory) <= half, f"{mean:.4f} +/- {half:.4f} (theory {theory:.4f})"


def time_in(a: np.ndarray, b: np.ndarray, t0: float, t1: float) -> float:
    """Total time the intervals [a_i, b_i) spend inside [t0, t1)."""
    return float(np.clip(np.minimum(b, t1) - np.maximum(a, t0), 0.0, None).sum())


def time_integral(a: np.ndarray, b: np.ndarray, t0: float, t1: float) -> float:
    """The integral over [t0, t1] of N(t) = #{i: a_i <= t < b_i}, by sweeping the step function."""
    events = np.concatenate([np.clip(a, t0, t1), np.clip(b, t0, t1)])
    steps = np.concatenate([np.ones(len(a)), -np.ones(len(b))])
    order = np.argsort(events, kind="stable")
    events, count = events[order], np.cumsum(steps[order])
    return float(np.sum(count[:-1] * np.diff(events))) if len(events) else 0.0


def erlang_c(c: int, offered: float) -> float:
    """Chance that an arrival waits in an M/M/c queue with offered load `offered` = lambda / mu."""
    rho = offered / c
    top = offered**c / math.factorial(c) / (1 - rho)
    return top / (sum(offered**k / math.factorial(k) for k in range(c)) + top)


def mmc(c: int, lam: float, mu: float = 1.0) -> dict[str, float]:
    """Steady-state M/M/c figures: P(wait), Wq, Lq and utilisation."""
    p_wait = erlang_c(c, lam / mu)
    wq = p_wait / (c * mu - lam)
    return {"p_wait": p_wait, "wq": wq, "lq": lam * wq, "util": lam / (c * mu)}


def queue_scenario(c: int, lam: float, horizon_h: float, mean_h: float = 1.0) -> Scenario:
    """Checkpoint k with c lanes fed only by Poisson other traffic (rate lam, exponential
    inspections); the one aid movement (needed for a valid scenario) drives x -> y elsewhere."""
    cp = checkpoint(delay("exponential", mean_h=mean_h), lanes=c)
    cp.other_traffic = OtherTraffic(rate_per_h=lam, inspection=delay("exponential", mean_h=mean_h))
    return scenario(
        legs=[("x", "y", 1.0), ("k", "z", 1.0)],
        checkpoints={"k": cp},
        movements={"m": movement(["x", "y"])},
        horizon_days=horizon_h / 24.0,
    )


@dataclass
class Batches:
    """Per-batch steady-state estimates, pooled over replications."""

    wq: list
    lq: list
    p_wait: list
    util: list
    little: list  # Lq - lambda * Wq per batch

    @classmethod
    def empty(cls) -> Batches:
        return cls([], [], [], [], [])


def add_batches(out: Batches, a, s, c, lanes: int, lam: float, t0: float, t1: float, k: int) -> None:
    """Split [t0, t1) into k equal batches and add each one's estimates to `out`."""
    edges = np.linspace(t0, t1, k + 1)
    for b0, b1 in zip(edges, edges[1:]):
        inside = (a >= b0) & (a < b1)
        wq = float(np.mean(s[inside] - a[inside]))
        lq = time_in(a, s, b0, b1) / (b1 - b0)
        out.wq.append(wq)
        out.lq.append(lq)
        out.p_wait.append(float(np.mean(s[inside] > a[inside])))
        out.util.append(time_in(s, c, b0, b1) / (lanes * (b1 - b0)))
        out.little.append(lq - lam * wq)


def check_counters(lane: RecordingLanes, horizon_h: float) -> None:
    """The model's own counters agree with the vehicles it committed."""
    for aid, count, total in ((True, lane.trucks, lane.wait_h), (False, lane.other_trucks, lane.other_wait_h)):
        a, s, _ = lane.times(aid)
        started = s < horizon_h
        assert count == int(started.sum())
        assert total == pytest.approx(float(np.sum(s[started] - a[started])), rel=1e-9, abs=1e-9)
    a, s, c = lane.times()
    assert lane.busy_h == pytest.approx(time_in(s, c, 0.0, horizon_h), rel=1e-9, abs=1e-9)


def steady_state_window(lane: RecordingLanes, horizon_h: float) -> tuple[float, float]:
    """[5 %, 95 %) of the horizon: warm-up removed at the start; at the end, a margin so that every
    vehicle arriving in the window started before the horizon (checked)."""
    t0, t1 = 0.05 * horizon_h, 0.95 * horizon_h
    arrivals = np.asarray(lane.other_arrival_h)
    a, _, _ = lane.times(False)
    assert np.sum(a < t1) == np.sum(arrivals < t1), "a vehicle of the window was not served by the horizon"
    return t0, t1


# --- M/M/1 and M/M/c ---------------------------------------------------------------------------------

# (lanes, utilisation, expected arrivals per replication, replications, batches per replication)
MMC_FAST = [(1, 0.5, 30_000, 1, 20), (2, 0.8, 100_000, 1, 20), (1, 0.9, 200_000, 1, 20)]
MMC_SLOW = [
    (1, 0.5, 300_000, 2, 20),
    (1, 0.8, 500_000, 2, 20),
    (1, 0.9, 600_000, 4, 10),
    (2, 0.5, 300_000, 2, 20),
    (2, 0.9, 600_000, 3, 10),
    (3, 0.9, 600_000, 3, 10),
    (5, 0.9, 500_000, 2, 20),
]


def run_mmc(lanes: int, rho: float, arrivals: int, replications: int, k: int) -> Batches:
    lam = rho * lanes  # inspections take 1 h on average
    horizon_h = arrivals / lam
    out = Batches.empty()
    for seed in range(1, replications + 1):
        _, world = one_replication(queue_scenario(lanes, lam, horizon_h), seed)
        lane = world.lanes["k"]
        check_counters(lane, horizon_h)
        t0, t1 = steady_state_window(lane, horizon_h)
        a, s, c = lane.times(False)
        add_batches(out, a, s, c, lanes, lam, t0, t1, k)
    return out


def check_mmc(lanes: int, rho: float, arrivals: int, replications: int, k: int) -> None:
    theory = mmc(lanes, rho * lanes)
    b = run_mmc(lanes, rho, arrivals, replications, k)
    results = {
        "Wq": covers(b.wq, theory["wq"]),
        "Lq": covers(b.lq, theory["lq"]),
        "P(wait)": covers(b.p_wait, theory["p_wait"]),
        "utilisation": covers(b.util, theory["util"]),
        "Lq - lambda Wq": covers(b.little, 0.0),
    }
    print(f"\nM/M/{lanes} rho={rho} ({replications} x {arrivals} arrivals, {len(b.wq)} batches):")
    for name, (_, text) in results.items():
        print(f"  {name}: {text}")
    assert all(ok for ok, _ in results.values()), results


@pytest.mark.parametrize("case", MMC_FAST, ids=[f"mm{c}-rho{r}" for c, r, *_ in MMC_FAST])
def test_mmc_queue_matches_erlang_c(case, recording):
    check_mmc(*case)


@pytest.mark.slow
@pytest.mark.parametrize("case", MMC_SLOW, ids=[f"mm{c}-rho{r}" for c, r, *_ in MMC_SLOW])
def test_mmc_queue_matches_erlang_c_precisely(case, recording):
    check_mmc(*case)


# --- Priority: aid trucks before other traffic (non-preemptive) ---------------------------------------


def priority_scenario(lanes: int, lam_aid: float, lam_other: float, horizon_h: float, priority: str, seed: int):
    """Poisson aid trucks: one-truck movements departing from checkpoint k at Poisson times (drawn
    here with a fixed seed), with exponential inspections; Poisson other traffic at k. `priority`:
    "movement" (each movement's priority), "checkpoint" (the checkpoint's aid_priority) or "none"."""
    rng = np.random.default_rng(seed)
    times = np.cumsum(rng.exponential(1 / lam_aid, int(lam_aid * horizon_h * 1.2 + 100)))
    times = times[times < horizon_h - 1]
    start = datetime.fromisoformat(START)
    movements = {}
    for i, t in enumerate(times):
        m = movement(["k", "z"], departure=(start + timedelta(hours=float(t))).isoformat())
        m.priority = priority == "movement"
        movements[f"aid{i}"] = m
    cp = checkpoint(delay("exponential", mean_h=1.0), lanes=lanes)
    cp.other_traffic = OtherTraffic(rate_per_h=lam_other, inspection=delay("exponential", mean_h=1.0))
    cp.aid_priority = priority == "checkpoint"
    return scenario(legs=[("k", "z", 1.0)], checkpoints={"k": cp}, movements=movements, horizon_days=horizon_h / 24)


def priority_theory(lanes: int, lam_aid: float, lam_other: float, priority: str) -> tuple[float, float]:
    """Mean waits of aid and other traffic: non-preemptive priority M/M/c with equal service rates
    (W_k = W0 / ((1 - s_{k-1})(1 - s_k)), W0 = C(c, a) / (c mu)), or FCFS M/M/c for both."""
    lam = lam_aid + lam_other
    if priority == "none":
        wq = mmc(lanes, lam)["wq"]
        return wq, wq
    w0 = erlang_c(lanes, lam) / lanes
    s1, s2 = lam_aid / lanes, lam / lanes
    return w0 / (1 - s1), w0 / ((1 - s1) * (1 - s2))


# (lanes, aid trucks per hour, other vehicles per hour, horizon, priority, replications)
PRIORITY_FAST = [(1, 0.2, 0.4, 15_000.0, "movement", 1), (1, 0.2, 0.4, 15_000.0, "none", 1)]
PRIORITY_SLOW = [
    (1, 0.3, 0.5, 60_000.0, "movement", 3),
    (1, 0.3, 0.5, 60_000.0, "none", 3),
    (2, 0.6, 1.0, 40_000.0, "checkpoint", 3),
]


def check_priority(lanes, lam_aid, lam_other, horizon_h, priority, replications, k=10) -> None:
    theory_aid, theory_other = priority_theory(lanes, lam_aid, lam_other, priority)
    aid_waits, other_waits = [], []
    for seed in range(1, replications + 1):
        _, world = one_replication(priority_scenario(lanes, lam_aid, lam_other, horizon_h, priority, seed), seed)
        lane = world.lanes["k"]
        check_counters(lane, horizon_h)
        t0, t1 = steady_state_window(lane, horizon_h)
        edges = np.linspace(t0, t1, k + 1)
        for waits, aid in ((aid_waits, True), (other_waits, False)):
            a, s, _ = lane.times(aid)
            for b0, b1 in zip(edges, edges[1:]):
                inside = (a >= b0) & (a < b1)
                waits.append(float(np.mean(s[inside] - a[inside])))
    ok_aid, text_aid = covers(aid_waits, theory_aid)
    ok_other, text_other = covers(other_waits, theory_other)
    label = {"movement": "movement priority", "checkpoint": "checkpoint aid_priority", "none": "FCFS"}[priority]
    print(f"\n{label} M/M/{lanes} aid {lam_aid}/h other {lam_other}/h:")
    print(f"  aid Wq {text_aid}\n  other Wq {text_other}")
    assert ok_aid and ok_other, (text_aid, text_other)


@pytest.mark.parametrize("case", PRIORITY_FAST, ids=["movement-priority", "fcfs"])
def test_aid_priority_matches_the_non_preemptive_priority_queue(case, recording):
    check_priority(*case)


@pytest.mark.slow
@pytest.mark.parametrize("case", PRIORITY_SLOW, ids=["mm1-movement-priority", "mm1-fcfs", "mm2-checkpoint-priority"])
def test_aid_priority_matches_the_non_preemptive_priority_queue_precisely(case, recording):
    check_priority(*case)


def aid_start(checkpoint_priority: bool, movement_priority: bool) -> float:
    """When the aid truck reaching k at 0.5 h starts, behind other traffic at 10 an hour (1 h each)."""
    cp = checkpoint(1.0)
    cp.aid_priority = checkpoint_priority
    cp.other_traffic = OtherTraffic(rate_per_h=10.0, inspection=fixed(1.0))
    m = movement(["a", "k", "z"])
    m.priority = movement_priority
    s = scenario(legs=[("a", "k", 0.5), ("k", "z", 1.0)], checkpoints={"k": cp}, movements={"m": m}, horizon_days=1)
    return float(trace_replication(s, 1, 0)["start_h"][0])


def test_checkpoint_aid_priority_lets_aid_trucks_pass_queued_other_traffic():
    with_movement_priority, fcfs = aid_start(False, True), aid_start(False, False)
    assert with_movement_priority < fcfs  # other vehicles are queued when the aid truck arrives
    assert aid_start(True, False) == with_movement_priority


# --- Little's law at every checkpoint ------------------------------------------------------------------


def busy_network(horizon_days: float = 45) -> Scenario:
    """a - b - c - d - e with a checkpoint at b, c and d, each with other traffic; flows both ways
    (one with priority), a movement with a hold, random and scheduled closures, opening hours."""
    b = checkpoint(delay("exponential", mean_h=0.5), lanes=2)
    b.other_traffic = OtherTraffic(rate_per_h=1.5, inspection=delay("exponential", mean_h=0.6))
    c = checkpoint(delay("lognormal", median_h=0.5, p90_h=1.5), lanes=2, hours="06:00-22:00")
    c.other_traffic = OtherTraffic(rate_per_h=0.6, inspection=delay("gamma", mean_h=0.8, sd_h=0.5), only_when_open=True)
    d = checkpoint(delay("uniform", low_h=0.5, high_h=2.5), lanes=3)
    d.other_traffic = OtherTraffic(rate_per_h=0.6, inspection=delay("triangular", low_h=0.5, mode_h=1, high_h=3))
    d.random_closures = RandomClosures(rate_per_day=0.3, duration=delay("exponential", mean_h=8.0))
    d.closures = {"strike": ClosureWindow(start=at(24 * 10), duration_h=36.0)}
    s = scenario(
        legs=[("a", "b", delay("lognormal", median_h=3, p90_h=5)), ("b", "c", 2.0), ("c", "d", 4.0), ("d", "e", 1.0)],
        checkpoints={"b": b, "c": c, "d": d},
        movements={"held": movement(["a", "b", "c", "d", "e"], trucks=12, hold=Hold(place="c", delay=fixed(30.0)))},
        horizon_days=horizon_days,
    )
    s.flows = {
        "north": Flow(
            name="north",
            trucks=8,
            cargo_t={"food": 80.0},
            route=["a", "b", "c", "d", "e"],
            first_departure=at(0),
            every_h=12.0,
        ),
        "south": Flow(
            name="south",
            trucks=3,
            cargo_t={"fuel": 30.0},
            route=["e", "d", "c", "b", "a"],
            first_departure=at(5),
            every_h=24.0,
            priority=True,
        ),
    }
    return s


def test_littles_law_holds_at_every_checkpoint(recording):
    """Over [0, T], for the queue, the lanes and the whole checkpoint: the time-average number
    present (integral of N(t) by sweeping the step function built from the recorded times) equals
    arrival rate x mean time spent in [0, T] (from the model's counters wait_h, other_wait_h,
    busy_h, plus the part of the stay of vehicles still there at T). On a finite window this is
    Little's law in its exact sample-path form."""
    s = busy_network()
    seed = 4
    horizon_h = s.horizon_days * 24
    _, world = one_replication(s, seed)
    table = rows(simulate(s, seed, 1).checkpoints, replication=0)
    for i, place in enumerate(table["checkpoint"].tolist()):
        lane = world.lanes[place]
        check_counters(lane, horizon_h)
        assert (table["trucks"][i], table["other_trucks"][i]) == (lane.trucks, lane.other_trucks)
        assert table["busy_h"][i] == lane.busy_h
        a, st, cl = lane.times()
        never = np.asarray(lane.other_arrival_h[lane.next_other :])  # others never admitted
        never = never[never < horizon_h]
        a_all = np.concatenate([a, never])
        st_all = np.concatenate([st, np.full(len(never), np.inf)])
        cl_all = np.concatenate([cl, np.full(len(never), np.inf)])
        arrived = a_all < horizon_h
        rate = arrived.sum() / horizon_h  # arrivals per hour over [0, T)
        assert arrived.sum() > 1000 and lane.trucks > 200
        # Time spent in [0, T] by the vehicles still queued or in inspection at T.
        late = arrived & (st_all >= horizon_h)
        queued_at_end = float(np.sum(horizon_h - a_all[late]))
        mean_wait = (table["wait_h"][i] + table["other_wait_h"][i] + queued_at_end) / arrived.sum()
        mean_inspection = table["busy_h"][i] / arrived.sum()
        lq = time_integral(a_all, st_all, 0.0, horizon_h) / horizon_h
        ls = time_integral(st_all, cl_all, 0.0, horizon_h) / horizon_h
        lsys = time_integral(a_all, cl_all, 0.0, horizon_h) / horizon_h
        print(
            f"\n{place}: {arrived.sum()} arrivals, Lq {lq:.6f} = {rate * mean_wait:.6f}, "
            f"L in inspection {ls:.6f} = {rate * mean_inspection:.6f}, "
            f"L present {lsys:.6f} = {rate * (mean_wait + mean_inspection):.6f}"
        )
        assert lq == pytest.approx(rate * mean_wait, rel=1e-9)
        assert ls == pytest.approx(rate * mean_inspection, rel=1e-9)
        assert lsys == pytest.approx(rate * (mean_wait + mean_inspection), rel=1e-9)
        assert ls <= table["lanes"][i] + 1e-12


# --- A tandem of multi-server queues, everyone present at the start ------------------------------------

CHAIN = ["o", "k1", "k2", "k3", "z"]
CHAIN_LANES = {"k1": 2, "k2": 1, "k3": 3}


def tandem_scenario(sizes: list[int], first_leg_fixed: bool, hours: str = "24h", start: str = START) -> Scenario:
    """o -> k1 (2 lanes) -> k2 (1 lane) -> k3 (3 lanes) -> z; movements of the given sizes all
    depart from o at clock hour 0."""
    first = fixed(2.0) if first_leg_fixed else delay("exponential", mean_h=2.0)
    inspections = {
        "k1": delay("exponential", mean_h=0.7),
        "k2": delay("lognormal", median_h=0.4, p90_h=1.0),
        "k3": delay("gamma", mean_h=1.5, sd_h=1.0),
    }
    return scenario(
        legs=[
            ("o", "k1", first),
            ("k1", "k2", delay("uniform", low_h=0.5, high_h=3.0)),
            ("k2", "k3", delay("exponential", mean_h=1.0)),
            ("k3", "z", 1.0),
        ],
        checkpoints={
            k: checkpoint(inspections[k], lanes=n, hours=hours if k == "k2" else "24h") for k, n in CHAIN_LANES.items()
        },
        movements={f"m{i}": movement(CHAIN, trucks=n, departure=start) for i, n in enumerate(sizes)},
        start=start,
        horizon_days=30,
    )


def daytime_next_open(t: float, opens: float, closes: float, offset: float) -> float:
    """First moment >= t inside the daily window [opens, closes) (opens < closes), local hour =
    clock hour + offset. Written independently of the model's calendar."""
    local = t + offset
    day = math.floor(local / 24.0) * 24.0
    if local < day + opens:
        return day + opens - offset
    if local < day + closes:
        return t
    return day + 24.0 + opens - offset


def tandem_recursion(s: Scenario, seed: int, r: int, hours: tuple[float, float] | None, offset: float):
    """Exact FCFS multi-server tandem times from the draws: the i-th truck to arrive at a
    checkpoint with c lanes starts at max(its arrival, the previous truck's start, the c-th latest
    clearance among the trucks before it), moved to the next opening time; a movement leaves with
    its last truck and reaches the next checkpoint after its own travel draw."""
    plan = compile_scenario(s)
    draws = draw_rows(plan, seed, r // BATCH, 0, BATCH)
    row = r % BATCH
    ready = {m.key: m.departure_h for m in plan.movements}
    times, releases = {}, {}
    for prev, place in zip(CHAIN, CHAIN[1:]):
        arrival = {
            m.key: ready[m.key] + draws[i][row, m.offset["travel", f"{prev}_{place}"]]
            for i, m in enumerate(plan.movements)
        }
        if place not in CHAIN_LANES:
            break
        lanes = CHAIN_LANES[place]
        order = sorted(range(len(plan.movements)), key=lambda i: (arrival[plan.movements[i].key], i))
        gaps = np.diff(sorted(set(arrival.values())))
        assert len(gaps) == 0 or gaps.min() > 1e-6, "near-simultaneous arrivals: ill-posed order"
        clears_before: list[float] = []
        previous_start = 0.0
        for i in order:
            m = plan.movements[i]
            first = m.offset["inspection", place]
            inspection = draws[i][row, first : first + m.trucks]
            for truck in range(m.trucks):
                free = heapq.nlargest(lanes, clears_before)[-1] if len(clears_before) >= lanes else 0.0
                start = max(arrival[m.key], previous_start, free)
                if hours is not None and place == "k2":
                    start = daytime_next_open(start, *hours, offset)
                clear = start + float(inspection[truck])
                times[(m.key, truck, place)] = (arrival[m.key], start, clear)
                clears_before.append(clear)
                previous_start = start
            releases[(m.key, place)] = max(times[(m.key, t, place)][2] for t in range(m.trucks))
            ready[m.key] = releases[(m.key, place)]
    return times, releases


TANDEM = {
    "one-movement-of-40": ([40], False, "24h", START),
    "40-single-trucks": ([1] * 40, True, "24h", START),  # all reach k1 together: scenario order
    "mixed-sizes": ([3, 1, 6, 2, 5, 1, 4, 2], False, "24h", START),
    "mixed-with-hours": ([3, 1, 6, 2, 5, 1, 4, 2], False, "08:00-18:00", "2024-01-01T05:00"),
}


@pytest.mark.parametrize("case", list(TANDEM), ids=list(TANDEM))
@pytest.mark.parametrize("seed, r", [(1, 0), (2, 7), (3, 70)])
def test_a_chain_with_everyone_present_at_the_start_follows_the_tandem_recursion(case, seed, r):
    sizes, first_leg_fixed, hours, start = TANDEM[case]
    s = tandem_scenario(sizes, first_leg_fixed, hours, start)
    window = None if hours == "24h" else (8.0, 18.0)
    offset = datetime.fromisoformat(start).hour
    expected, releases = tandem_recursion(s, seed, r, window, offset)
    trace = trace_replication(s, seed, r)
    assert len(trace["movement"]) == len(expected) == 3 * sum(sizes)
    worst = 0.0
    columns = ("movement", "truck", "place", "arrival_h", "start_h", "clear_h")
    for m, truck, place, arrival, start_h, clear in zip(*(trace[c].tolist() for c in columns)):
        want = expected[(m, truck, place)]
        worst = max(worst, *(abs(x - y) for x, y in zip((arrival, start_h, clear), want)))
    passages = rows(simulate(s, seed, 1, first=r).passages, replication=r)
    for m, place, release in zip(
        passages["movement"].tolist(), passages["place"].tolist(), passages["release_h"].tolist()
    ):
        if place in CHAIN_LANES:
            worst = max(worst, abs(release - releases[(m, place)]))
    assert worst <= 1e-9, worst


# --- Opening hours and closures ---------------------------------------------------------------------


def open_share(hours: str, start: str, days: float, closures: dict | None = None) -> float:
    """The checkpoints table's open_h / horizon for a checkpoint with these hours and closures."""
    cp = checkpoint(1.0, hours=hours)
    cp.closures = closures or {}
    s = scenario(
        legs=[("a", "k", 1.0)],
        checkpoints={"k": cp},
        movements={"m": movement(["a", "k"], departure=start)},
        start=start,
        horizon_days=days,
    )
    c = simulate(s, 1, 1).checkpoints
    return float(c["open_h"][0] / (days * 24))


@pytest.mark.parametrize(
    "hours, start, days, share",
    [
        ("08:00-20:00", START, 10, 0.5),
        ("08:00-20:00", "2024-01-01T13:30", 7, 0.5),  # whole days from any start time
        ("20:00-06:00", "2024-01-01T05:30", 7, 10 / 24),  # across midnight
        ("06:30-18:15", START, 3, 11.75 / 24),
        ("00:00-23:45", "2024-06-30T23:50", 5, 23.75 / 24),
        ("24h", START, 2, 1.0),
    ],
)
def test_opening_hours_give_the_exact_open_share(hours, start, days, share):
    assert open_share(hours, start, days) == pytest.approx(share, abs=1e-12)


def test_a_scheduled_closure_removes_exactly_the_opening_hours_it_covers():
    # Day 3 12:00 to day 5 12:00 at 08:00-20:00: 8 h (day 3) + 12 h (day 4) + 4 h (day 5) = 24 h.
    shut = {"strike": ClosureWindow(start=at(3 * 24 + 12), duration_h=48.0)}
    assert open_share("08:00-20:00", START, 10, shut) * 240 == pytest.approx(120 - 24, abs=1e-9)
    # Overlapping closures count once; one for good removes everything after its start.
    shut = {"one": ClosureWindow(start=at(10), duration_h=20.0), "two": ClosureWindow(start=at(20), duration_h=20.0)}
    assert open_share("24h", START, 10, shut) * 240 == pytest.approx(240 - 30, abs=1e-9)
    shut = {"end": ClosureWindow(start=at(100), duration_h=None)}
    assert open_share("24h", START, 10, shut) * 240 == pytest.approx(100, abs=1e-9)


def renewal_open_share(rate_per_day: float, duration: Delay, horizon_h: float, hours_share: float = 1.0) -> float:
    """Expected open share over [0, T] of a post open `hours_share` of each day, closing at random:
    onsets at `rate_per_day` while open (exponential open spells of mean U = 24 / rate hours), then
    closed for D. The long-run open share is p = E[U] / (E[U] + E[D]) (alternating renewal). Starting
    open at 0 adds p (1 - p) E[D^2] / (2 E[D]) hours of expected open time (the stationary process is
    closed at 0 with probability 1 - p, for a residual closure of mean E[D^2] / (2 E[D])); this
    O(1/T) term is added (it is < 0.1 % here). Closures run on the clock, independent of the
    daily hours, so with opening hours both shares multiply."""
    d = sampler(duration)
    up = 24.0 / rate_per_day
    p = up / (up + d.mean_h)
    start_bias = p * (1 - p) * (d.variance_h2 + d.mean_h**2) / (2 * d.mean_h)
    return hours_share * (p + start_bias / horizon_h)


CLOSURES = {
    "fixed-2d": ("24h", 0.5, fixed(48.0)),
    "exponential": ("24h", 1.0, delay("exponential", mean_h=12.0)),
    "lognormal": ("24h", 0.25, delay("lognormal", mean_h=36.0, sd_h=48.0)),
    "lognormal-p90": ("24h", 2.0, delay("lognormal", median_h=3.0, p90_h=10.0)),
    "with-hours": ("08:00-20:00", 0.5, delay("exponential", mean_h=30.0)),
}


def check_random_closures(case: str, days: float, replications: int) -> None:
    hours, rate, duration = CLOSURES[case]
    cp = checkpoint(1.0, hours=hours)
    cp.random_closures = RandomClosures(rate_per_day=rate, duration=duration)
    s = scenario(
        legs=[("a", "k", 1.0)], checkpoints={"k": cp}, movements={"m": movement(["a", "k"])}, horizon_days=days
    )
    share = simulate(s, 11, replications).checkpoints["open_h"] / (days * 24)
    theory = renewal_open_share(rate, duration, days * 24, 0.5 if hours != "24h" else 1.0)
    ok, text = covers(share, theory)
    print(f"\nrandom closures {case} ({replications} x {days} days): open share {text}")
    assert ok, text


@pytest.mark.parametrize("case", list(CLOSURES))
def test_random_closures_leave_the_open_share_of_an_alternating_renewal_process(case):
    check_random_closures(case, days=400, replications=64)


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CLOSURES))
def test_random_closures_leave_the_open_share_of_an_alternating_renewal_process_precisely(case):
    check_random_closures(case, days=4000, replications=256)


# --- Release = last clearance, over random scenarios ---------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(s=scenarios(), seed=st.integers(0, 2**32 - 1), r=st.integers(0, 70))
def test_a_movement_leaves_a_checkpoint_when_its_last_truck_is_cleared(s, seed, r):
    """passages.release_h of a group at a checkpoint = the latest clear_h of its trucks there (from
    the trace), or later if it then waited for an escort or for a road to open. Groups are matched
    by movement, place and arrival; groups of one movement arriving together (repaired stragglers)
    are matched in order, each taking its number of trucks. At the place of a movement's hold the
    trace's arrival is the end of the hold, so those are left out."""
    passages = rows(simulate(s, seed, 1, first=r).passages, replication=r)
    trace = trace_replication(s, seed, r)
    clears: dict[tuple, list[float]] = {}
    for m, place, arrival, clear in zip(*(trace[c].tolist() for c in ("movement", "place", "arrival_h", "clear_h"))):
        clears.setdefault((m, place, arrival), []).append(clear)
    groups: dict[tuple, list[tuple[float, int]]] = {}
    for m, place, arrival, release, trucks in zip(
        *(passages[c].tolist() for c in ("movement", "place", "arrival_h", "release_h", "trucks"))
    ):
        groups.setdefault((m, place, arrival), []).append((release, trucks))
    held = {key: m.hold.place for key, m in s.movements.items() if m.hold is not None}
    waits = [leg for leg in s.legs.values() if leg.escort or leg.closures or leg.random_closures]
    may_wait = {place for leg in waits for place in (leg.start, leg.end)}  # may wait there after inspection
    for key, inspected in clears.items():
        if held.get(key[0]) == key[1]:
            continue  # at its hold's place a group joins the inspection queue when the hold ends, after arriving
        passed = groups[key]  # every other inspection belongs to a passage arriving then
        if len(inspected) != sum(trucks for _, trucks in passed):
            continue  # some of these groups passed without inspection (rerouted or refused)
        for release, trucks in passed:
            mine, inspected = inspected[:trucks], inspected[trucks:]
            if math.isnan(release):  # not left by the horizon, or ended there
                continue
            tolerance = 1e-9 * max(1.0, abs(release))
            assert release >= max(mine) - tolerance, (key, release, max(mine))
            if key[1] not in may_wait:
                assert release - max(mine) <= tolerance, (key, release, max(mine))
