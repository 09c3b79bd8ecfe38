"""Rates that change over time: schedules of other traffic, random closures and flows. Exact
departure times, counts per period against the Poisson law, the value rules, and common random
numbers (a block without a schedule draws as before; a schedule changes no other block's draws)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import at, checkpoint, fixed, movement, run_config, scenario
from scipy import stats

from sim.config.bounds import range_problems
from sim.config.scenario import RunConfig
from sim.config.schema import ClosureRatePeriod, DeparturePeriod, Flow, OtherTraffic, RandomClosures, TrafficPeriod
from sim.config.validate import scenario_problems
from sim.simulate.compile import compile_scenario
from sim.simulate.draws import draw_points, draw_rows, other_arrivals, random_windows, scheduled_arrivals
from sim.simulate.randomness import replication_stream
from sim.simulate.replications import simulate


def world():
    """a -1h- b (checkpoint) -1h- c (checkpoint) -1h- d."""
    return scenario(
        legs=[("a", "b", 1.0), ("b", "c", 1.0), ("c", "d", 1.0)],
        checkpoints={"b": checkpoint(0.1), "c": checkpoint(0.1)},
        movements={"m": movement(["a", "b", "c", "d"], trucks=2)},
    )


def problems(s):
    return list(scenario_problems(s, "scenario"))


def flow(every_h: float = 4.0, first: float = 1.0, **schedule: DeparturePeriod) -> Flow:
    return Flow(
        name="supply",
        trucks=1,
        cargo_t={"food": 20.0},
        route=["a", "b", "c", "d"],
        first_departure=at(first),
        every_h=every_h,
        schedule=dict(schedule),
    )


def departures(s) -> list[float]:
    return [m.departure_h for m in compile_scenario(s).movements if m.flow == "supply"]


# --- flows ----------------------------------------------------------------------------------------


def test_a_flow_leaves_at_each_periods_interval_from_the_periods_start():
    s = world()
    s.horizon_days = 2
    s.flows = {
        "supply": flow(
            4.0,
            1.0,
            fast=DeparturePeriod(start=at(10), every_h=1.5),
            pause=DeparturePeriod(start=at(14), every_h=None),
            slow=DeparturePeriod(start=at(20), every_h=12.0),
        )
    }
    assert not problems(s)
    # base every 4 h from 1:00 until 10:00; every 1.5 h from 10:00 until 14:00; none until 20:00;
    # then every 12 h until the horizon (48 h, not included).
    assert departures(s) == [1.0, 5.0, 9.0, 10.0, 11.5, 13.0, 20.0, 32.0, 44.0]
    table = simulate(s, 1, 1).movements
    names = [k for k in table["movement"].tolist() if k.startswith("supply/")]
    assert names == [f"supply/{n}" for n in range(9)]
    assert table["departure_h"][table["flow"] == "supply"].tolist() == [
        1.0,
        5.0,
        9.0,
        10.0,
        11.5,
        13.0,
        20.0,
        32.0,
        44.0,
    ]


def test_a_period_before_the_first_departure_sets_its_interval_and_last_departure_still_ends_it():
    s = world()
    s.flows = {"supply": flow(24.0, 6.0, early=DeparturePeriod(start=at(2), every_h=5.0))}
    s.flows["supply"].last_departure = at(21)
    assert departures(s) == [6.0, 11.0, 16.0, 21.0]  # from the first departure, every 5 h, 21:00 included


def test_a_flow_without_schedule_departs_as_before():
    s = world()
    s.horizon_days = 1
    s.flows = {"supply": flow(5.0, 2.0)}
    assert departures(s) == [2.0, 7.0, 12.0, 17.0, 22.0]


# --- other traffic ----------------------------------------------------------------------------------


def scheduled_traffic(s, rates=(2.0, 6.0, 0.0, 1.0)):
    """Other traffic at b: rates[0] before 24:00, then periods from 24, 48 and 72 h."""
    base, *later = rates
    schedule = {f"p{i}": TrafficPeriod(start=at(24.0 * (i + 1)), rate_per_h=r) for i, r in enumerate(later)}
    s.checkpoints["b"].other_traffic = OtherTraffic(rate_per_h=base, inspection=fixed(0.01), schedule=schedule)
    s.horizon_days = 4
    return s


def test_other_traffic_arrives_at_each_periods_rate():
    s = scheduled_traffic(world())
    assert not problems(s)
    plan = compile_scenario(s)
    n = 200
    counts = np.zeros((n, 4))
    for r in range(n):
        arrivals = np.asarray(draw_points(plan, 7, r)["checkpoint/b"]["arrivals"])
        counts[r] = np.histogram(arrivals, bins=[0, 24, 48, 72, 96])[0]
    # Each period's total over n replications is Poisson(n x rate x 24 h): within 4 sd (two-sided
    # p ~ 6e-5 each), and exactly 0 where the rate is 0.
    for k, rate in enumerate((2.0, 6.0, 0.0, 1.0)):
        mean = n * rate * 24.0
        assert abs(counts[:, k].sum() - mean) <= 4 * math.sqrt(mean), (k, counts[:, k].sum(), mean)
    assert counts[:, 2].sum() == 0
    # Dispersion: a Poisson count's variance equals its mean (chi-square index of dispersion).
    busy = counts[:, 1]
    dispersion = ((busy - busy.mean()) ** 2).sum() / busy.mean()
    assert stats.chi2.ppf(0.0001, n - 1) < dispersion < stats.chi2.ppf(0.9999, n - 1)


def test_scheduled_arrivals_keep_their_times_before_a_later_rate_changes():
    """Time-rescaling from one stream: changing a later period's rate moves no earlier arrival."""
    s1 = scheduled_traffic(world(), (2.0, 6.0, 0.0, 1.0))
    s2 = scheduled_traffic(world(), (2.0, 6.0, 0.0, 9.0))
    a1 = np.asarray(draw_points(compile_scenario(s1), 3, 5)["checkpoint/b"]["arrivals"])
    a2 = np.asarray(draw_points(compile_scenario(s2), 3, 5)["checkpoint/b"]["arrivals"])
    assert np.array_equal(a1[a1 < 72], a2[a2 < 72]) and len(a2[a2 >= 72]) > len(a1[a1 >= 72])


def test_a_schedule_at_the_base_rate_gives_the_same_arrivals_as_none():
    plan = compile_scenario(scheduled_traffic(world(), (3.0, 3.0, 3.0, 3.0)))
    steps = plan.checkpoints[0].traffic_steps
    assert steps == ((0.0, 3.0), (24.0, 3.0), (48.0, 3.0), (72.0, 3.0))
    inspection = plan.checkpoints[0].other_traffic[1]
    plain = other_arrivals(replication_stream(1, 0, "x"), 3.0, inspection, 96.0, None, 0.0)
    scheduled = scheduled_arrivals(replication_stream(1, 0, "x"), steps, inspection, 96.0, None, 0.0)
    assert len(plain[0]) == len(scheduled[0])
    assert np.allclose(plain[0], scheduled[0], rtol=1e-12, atol=1e-9) and plain[1] == scheduled[1]


def test_a_period_that_starts_before_the_scenario_applies_from_hour_zero():
    s = world()
    s.checkpoints["b"].other_traffic = OtherTraffic(
        rate_per_h=5.0,
        inspection=fixed(0.01),
        schedule={
            "old": TrafficPeriod(start=at(-48), rate_per_h=0.0),
            "new": TrafficPeriod(start=at(12), rate_per_h=1.0),
        },
    )
    assert not problems(s)
    plan = compile_scenario(s)
    assert plan.checkpoints[0].traffic_steps == ((0.0, 0.0), (12.0, 1.0))
    arrivals = draw_points(plan, 1, 0)["checkpoint/b"]["arrivals"]
    assert arrivals and min(arrivals) >= 12.0


# --- random closures ----------------------------------------------------------------------------------


def test_random_closures_start_at_each_periods_rate_while_open():
    s = world()
    s.horizon_days = 40
    # 1 onset a day for 20 days, none for 10, then 4 a day; each closure 2 h.
    s.checkpoints["b"].random_closures = RandomClosures(
        rate_per_day=1.0,
        duration=fixed(2.0),
        schedule={
            "calm": ClosureRatePeriod(start=at(20 * 24), rate_per_day=0.0),
            "storms": ClosureRatePeriod(start=at(30 * 24), rate_per_day=4.0),
        },
    )
    assert not problems(s)
    plan = compile_scenario(s)
    bins, rates = [0, 480, 720, 960], [1 / 24, 0.0, 4 / 24]
    onsets, compensator = np.zeros(3), np.zeros(3)
    for r in range(300):
        windows = draw_points(plan, 11, r)["checkpoint/b"]["closures"]
        starts = np.array([w[0] for w in windows])
        onsets += np.histogram(starts, bins=bins)[0]
        # Expected onsets: the rate times the open time of each period (closures take 2 h each).
        for k in range(3):
            lo, hi = bins[k], bins[k + 1]
            closed = sum(max(0.0, min(e, hi) - max(b, lo)) for b, e in windows)
            compensator[k] += rates[k] * (hi - lo - closed)
    # Onsets minus their compensator is a martingale: mean 0, variance the compensator's mean.
    for k in (0, 2):
        assert abs(onsets[k] - compensator[k]) <= 4 * math.sqrt(compensator[k]), (k, onsets[k], compensator[k])
    assert onsets[1] == 0


def test_random_closures_without_schedule_draw_as_before():
    s = world()
    s.checkpoints["b"].random_closures = RandomClosures(rate_per_day=0.5, duration=fixed(3.0))
    plan = compile_scenario(s)
    assert plan.checkpoints[0].closure_steps is None
    rate, duration = plan.checkpoints[0].random_closures
    for r in range(5):
        expected = random_windows(replication_stream(2, r, "closures/checkpoint/b"), rate, duration, plan.horizon_h)
        assert draw_points(plan, 2, r)["checkpoint/b"]["closures"] == expected


# --- common random numbers ---------------------------------------------------------------------------


def test_a_schedule_at_one_checkpoint_changes_no_other_draws():
    def build(scheduled: bool):
        s = world()
        s.flows = {"supply": flow(6.0, 0.0)}
        s.checkpoints["c"].other_traffic = OtherTraffic(rate_per_h=1.5, inspection=fixed(0.2))
        s.checkpoints["c"].random_closures = RandomClosures(rate_per_day=0.3, duration=fixed(4.0))
        s.checkpoints["b"].other_traffic = OtherTraffic(rate_per_h=1.0, inspection=fixed(0.2))
        if scheduled:
            s.checkpoints["b"].other_traffic.schedule = {"peak": TrafficPeriod(start=at(30), rate_per_h=8.0)}
        return compile_scenario(s)

    plain, scheduled = build(False), build(True)
    for r in range(4):
        a, b = draw_points(plain, 5, r), draw_points(scheduled, 5, r)
        assert a["checkpoint/c"] == b["checkpoint/c"]  # other traffic and closures of c
        assert a["checkpoint/b"]["arrivals"] != b["checkpoint/b"]["arrivals"]
    for x, y in zip(draw_rows(plain, 5, 0, 0, 8), draw_rows(scheduled, 5, 0, 0, 8)):
        assert np.array_equal(x, y)  # every movement's and flow departure's draws


def test_an_empty_schedule_is_no_schedule():
    s = scheduled_traffic(world())
    s.checkpoints["b"].other_traffic.schedule = {}
    s.checkpoints["b"].other_traffic.rate_per_h = 2.0
    plan = compile_scenario(s)
    assert plan.checkpoints[0].traffic_steps is None
    rate, inspection, window = plan.checkpoints[0].other_traffic
    expected = other_arrivals(
        replication_stream(4, 1, "other_traffic/b"), rate, inspection, plan.horizon_h, window, 0.0
    )
    drawn = draw_points(plan, 4, 1)["checkpoint/b"]
    assert (drawn["arrivals"], drawn["inspections"]) == expected


# --- value rules ------------------------------------------------------------------------------------------


B = "scenario.checkpoints.b"


@pytest.mark.parametrize(
    "periods, problem",
    [
        (
            {"late": (48, 1.0), "early": (24, 1.0)},
            f"{B}.other_traffic.schedule.early.start={at(24)}: must be after the start of late",
        ),
        (
            {"one": (24, 1.0), "same": (24, 2.0)},
            f"{B}.other_traffic.schedule.same.start={at(24)}: must be after the start of one",
        ),
        ({"neg": (24, -1.0)}, f"{B}.other_traffic.schedule.neg.rate_per_h=-1.0: must be a finite number >= 0"),
        ({"inf": (24, math.inf)}, f"{B}.other_traffic.schedule.inf.rate_per_h=inf: must be a finite number >= 0"),
    ],
)
def test_other_traffic_periods_out_of_order_overlapping_or_negative_are_refused(periods, problem):
    s = world()
    schedule = {k: TrafficPeriod(start=at(h), rate_per_h=r) for k, (h, r) in periods.items()}
    s.checkpoints["b"].other_traffic = OtherTraffic(rate_per_h=1.0, inspection=fixed(0.1), schedule=schedule)
    found = problems(s)
    assert len(found) == 1 and found[0].startswith(problem), found


def test_a_period_start_must_be_a_local_datetime():
    s = world()
    s.checkpoints["b"].random_closures = RandomClosures(
        rate_per_day=0.5,
        duration=fixed(1.0),
        schedule={"x": ClosureRatePeriod(start="2024-01-02T00:00+04:00", rate_per_day=1.0)},
    )
    assert problems(s) == [
        f"{B}.random_closures.schedule.x.start=2024-01-02T00:00+04:00: must be a local datetime like "
        "2023-09-26T00:00 (no time zone)"
    ]


def test_random_closure_periods_in_the_wrong_order_are_refused_naming_the_key():
    s = world()
    s.legs["a_b"].random_closures = RandomClosures(
        rate_per_day=0.5,
        duration=fixed(1.0),
        schedule={
            "b": ClosureRatePeriod(start=at(50), rate_per_day=1.0),
            "a": ClosureRatePeriod(start=at(10), rate_per_day=0.0),
        },
    )
    found = problems(s)
    assert len(found) == 1 and found[0].startswith("scenario.legs.a_b.random_closures.schedule.a.start="), found


@pytest.mark.parametrize("every_h", [0.0, -2.0, math.nan])
def test_a_flow_periods_interval_must_be_positive_or_null(every_h):
    s = world()
    s.flows = {"supply": flow(4.0, 1.0, p=DeparturePeriod(start=at(10), every_h=every_h))}
    found = problems(s)
    assert len(found) == 1 and found[0].startswith(f"scenario.flows.supply.schedule.p.every_h={every_h}: must be"), (
        found
    )


def test_a_zero_base_rate_needs_a_schedule():
    s = world()
    s.checkpoints["b"].other_traffic = OtherTraffic(rate_per_h=0.0, inspection=fixed(0.1))
    assert problems(s) == [f"{B}.other_traffic.rate_per_h=0.0: must be a finite number > 0 (or 0 with a schedule)"]
    s.checkpoints["b"].other_traffic.schedule = {"later": TrafficPeriod(start=at(5), rate_per_h=2.0)}
    assert not problems(s)


def test_schedule_rates_and_departures_are_bounded():
    s = world()
    s.checkpoints["b"].other_traffic = OtherTraffic(
        rate_per_h=1.0, inspection=fixed(0.1), schedule={"jam": TrafficPeriod(start=at(5), rate_per_h=20000.0)}
    )
    s.flows = {"supply": flow(4.0, 1.0, burst=DeparturePeriod(start=at(10), every_h=0.001))}
    found = list(range_problems(RunConfig(scenario=s, replications=10)))
    assert any(p.startswith(f"{B}.other_traffic.schedule.jam.rate_per_h=20000.0: must be <= 10000") for p in found), (
        found
    )
    assert any(p.startswith("scenario.flows.supply.every_h=4.0: gives 230,") for p in found), found


def test_a_scheduled_scenario_runs_end_to_end():
    s = scheduled_traffic(world())
    s.flows = {"supply": flow(6.0, 0.0, quick=DeparturePeriod(start=at(24), every_h=3.0))}
    records = simulate(run_config(s, 4).scenario, 1, 4)
    assert records.checkpoints["other_trucks"].sum() > 0
