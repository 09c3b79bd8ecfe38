"""Reproducibility and common random numbers: the same seed gives the same tables however the
replications are split, and a scenario change moves results, not the pairing of replications."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import checkpoint, delay, hold, movement, rows, scenario, tables_equal
from scipy import stats

from sim.config.compose import load_scenario
from sim.results.assembly import concat
from sim.simulate.randomness import BATCH
from sim.simulate.replications import simulate, trace_replication

TABLES = ("movements", "passages", "checkpoints")


def test_same_seed_gives_identical_tables(baseline):
    a = simulate(baseline, seed=123, replications=100)
    b = simulate(baseline, seed=123, replications=100)
    for name in TABLES:
        assert tables_equal(getattr(a, name), getattr(b, name)), name


def test_different_seeds_give_different_results(baseline):
    a = simulate(baseline, seed=1, replications=50).movements
    b = simulate(baseline, seed=2, replications=50).movements
    assert not tables_equal(a, b)
    assert not np.array_equal(a["end_h"], b["end_h"], equal_nan=True)


@pytest.mark.parametrize("r", [0, 1, 99, BATCH - 1, BATCH, BATCH + 1])
def test_a_replication_is_the_same_alone_or_among_many(baseline, r):
    # Replications are drawn in batches of BATCH: the last three sit either side of a boundary.
    many = simulate(baseline, seed=7, replications=BATCH + 2)
    alone = simulate(baseline, seed=7, replications=1, first=r)
    for name in TABLES:
        assert tables_equal(rows(getattr(many, name), replication=r), getattr(alone, name)), name


def test_splitting_a_run_into_parts_changes_nothing(baseline):
    whole = simulate(baseline, seed=9, replications=150)
    parts = concat(
        [simulate(baseline, seed=9, replications=n, first=f) for f, n in ((0, 10), (10, 60), (70, 1), (71, 79))]
    )
    assert parts.replications == 150
    for name in TABLES:
        assert tables_equal(getattr(whole, name), getattr(parts, name)), name


def test_trace_replays_the_replication_that_simulate_ran(baseline):
    compared = 0
    for r in (0, 5, BATCH + 3):
        t = trace_replication(baseline, seed=11, replication=r)
        passages = simulate(baseline, seed=11, replications=1, first=r).passages
        assert len(t["truck"]) > 0
        for key, place in dict.fromkeys(zip(t["movement"].tolist(), t["place"].tolist())):
            clears = rows(t, movement=key, place=place)["clear_h"]
            release = rows(passages, movement=key, place=place)["release_h"]
            if len(release) and np.isfinite(release).all():
                # A movement leaves a checkpoint when its last truck there is cleared.
                assert release.max() == clears.max(), (r, key, place)
                compared += 1
    assert compared >= 3


# --- Common random numbers ----------------------------------------------------------------------


def test_changing_one_movement_leaves_the_draws_of_the_others_alone(baseline):
    # The ICRC flour truck uses the Lachin road; the two Aghdam-road shipments share no place with
    # it. Changing its hold (and even removing it) must not change a single Aghdam-road result.
    changed = load_scenario(
        "baseline",
        [
            "scenario.movements.icrc_flour_lachin.hold.refusal_probability=0.9",
            "scenario.movements.icrc_flour_lachin.hold.delay.median_h=100",
            "scenario.movements.icrc_flour_lachin.hold.delay.p90_h=500",
        ],
    )
    a = simulate(baseline, seed=3, replications=80)
    b = simulate(changed, seed=3, replications=80)
    flour = "icrc_flour_lachin"
    assert not tables_equal(rows(a.movements, movement=flour), rows(b.movements, movement=flour))
    for key in ("rrc_aghdam", "icrc_medical_aghdam"):
        assert tables_equal(rows(a.movements, movement=key), rows(b.movements, movement=key)), key


def test_identical_movements_on_separate_roads_are_not_clones():
    # Streams are keyed by movement and purpose: two movements with the same parameters draw
    # independently, and a movement's travel and inspection draws are unrelated.
    s = scenario(
        legs=[("a", "b", delay("uniform", low_h=1.0, high_h=3.0)), ("c", "d", delay("uniform", low_h=1.0, high_h=3.0))],
        checkpoints={"b": checkpoint(delay("uniform", low_h=1.0, high_h=3.0))},
        movements={"one": movement(["a", "b"]), "two": movement(["c", "d"])},
    )
    n = 500
    records = simulate(s, seed=21, replications=n)
    one = rows(records.movements, movement="one")["delivery_time_h"]
    two = rows(records.movements, movement="two")["delivery_time_h"]
    travel = rows(records.passages, movement="one", place="b")["arrival_h"]
    inspection = one - travel
    limit = 4.5 / math.sqrt(n)  # 4.5 standard errors of a correlation near zero
    assert abs(np.corrcoef(one, two)[0, 1]) < limit
    assert abs(np.corrcoef(travel, inspection)[0, 1]) < limit


def test_adding_a_movement_elsewhere_leaves_the_others_alone():
    legs = [("a", "b", delay("uniform", low_h=1.0, high_h=3.0)), ("c", "d", delay("exponential", mean_h=2.0))]
    one = scenario(
        legs=legs,
        checkpoints={"b": checkpoint(delay("gamma", mean_h=1.0, sd_h=0.5))},
        movements={"m": movement(["a", "b"], trucks=3, hold=hold("a", delay("exponential", mean_h=5.0), 0.2))},
    )
    two = scenario(
        legs=legs,
        checkpoints={"b": checkpoint(delay("gamma", mean_h=1.0, sd_h=0.5))},
        movements={"new": movement(["c", "d"]), "m": one.movements["m"]},  # listed first, even
    )
    a, b = simulate(one, seed=5, replications=100), simulate(two, seed=5, replications=100)
    assert tables_equal(rows(a.movements, movement="m"), rows(b.movements, movement="m"))


def test_scaling_a_delay_scales_every_paired_draw():
    # Doubling a lognormal's median and p90 doubles every inspection draw, replication by
    # replication: a parameter change moves values, not the pairing. With one lane and fixed
    # travel, delivery = travel + the sum of the inspections.
    def run(median_h, p90_h):
        s = scenario(
            legs=[("a", "b", 2.0), ("b", "c", 1.0)],
            checkpoints={"b": checkpoint(delay("lognormal", median_h=median_h, p90_h=p90_h))},
            movements={"m": movement(["a", "b", "c"], trucks=4)},
        )
        return simulate(s, seed=8, replications=100).movements["delivery_time_h"]

    np.testing.assert_allclose(run(2.0, 6.0) - 3.0, 2.0 * (run(1.0, 3.0) - 3.0), rtol=1e-12)


@pytest.mark.parametrize("hours", ["24h", "08:00-20:00"])
def test_more_lanes_are_never_later_for_a_single_movement(hours):
    # 6 trucks, random travel and inspection; same seed, so every replication sees the same draws.
    def run(lanes):
        s = scenario(
            legs=[("a", "b", delay("triangular", low_h=1.0, mode_h=2.0, high_h=8.0)), ("b", "c", 1.0)],
            checkpoints={"b": checkpoint(delay("lognormal", median_h=1.0, p90_h=3.0), lanes=lanes, hours=hours)},
            movements={"m": movement(["a", "b", "c"], trucks=6)},
        )
        return simulate(s, seed=13, replications=300).movements["delivery_time_h"]

    one, two, three = run(1), run(2), run(3)
    assert np.all(np.isfinite(one))
    assert np.all(two <= one) and np.all(three <= two)
    assert np.mean(two < one) > 0.9, "with 6 trucks a second lane should almost always help"


def test_more_lanes_at_hakari_do_not_delay_the_armenian_convoy(baseline):
    n = 400
    wider = load_scenario("baseline", ["scenario.checkpoints.hakari.lanes=3"])
    a = rows(simulate(baseline, seed=17, replications=n).movements, movement="armenia_convoy")
    b = rows(simulate(wider, seed=17, replications=n).movements, movement="armenia_convoy")
    # Holds and refusals use the same draws in both: the same replications are refused.
    np.testing.assert_array_equal(a["outcome"] == "refused", b["outcome"] == "refused")
    both = np.isfinite(a["delivery_time_h"]) & np.isfinite(b["delivery_time_h"])
    assert both.sum() >= 50
    diff = b["delivery_time_h"][both] - a["delivery_time_h"][both]  # 3 lanes minus 1 lane, paired
    half = stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / math.sqrt(len(diff))
    assert diff.mean() - half <= 0.0, f"mean paired difference {diff.mean():.3f} h +/- {half:.3f} h"
    assert diff.mean() < 0.0, "19 trucks through one lane: more lanes should save time"
