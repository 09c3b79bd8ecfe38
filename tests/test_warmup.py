"""The warm-up's check: the per-vehicle table of other traffic (other_traffic.csv) and MSER-5 on it,
reported beside the scenario's `warmup_days`."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import checkpoint, fixed, movement, rows, run_config, scenario

from sim.analysis import formatting
from sim.analysis.warmup import BATCH, mser, suggestions
from sim.app.run import execute
from sim.config.schema import OtherTraffic
from sim.model.calendar import Availability
from sim.model.checkpoint import Lanes
from sim.model.replication import ALWAYS
from sim.results import layout
from sim.results.columns import OTHER_TRAFFIC_COLUMNS
from sim.results.files import read_table, write_table
from sim.simulate.replications import trace_replication, trace_tables

# --- The lanes' log of other traffic ------------------------------------------------------------


def test_lanes_log_every_other_vehicle_they_commit_only_when_asked():
    def lanes() -> Lanes:
        # One lane to hour 10; other vehicles at 0, 0.5, 9.5 and 9.8, inspected in 1, 1, 2 and 1 h.
        return Lanes(1, Availability(ALWAYS, []), 10.0, [0.0, 0.5, 9.5, 9.8], [1.0, 1.0, 2.0, 1.0])

    untraced = lanes()
    untraced.inspect(0.8, [1.0])
    untraced.finish()
    assert untraced.other_log is None

    traced = lanes()
    traced.other_log = []
    # An aid truck at 0.8: the vehicles of 0 and 0.5 go first (0 -> 1, 1 -> 2), the truck 2 -> 3.
    assert traced.inspect(0.8, [1.0]) == 3.0
    traced.finish()
    # At the horizon, the vehicle of 9.5 starts at once and is cleared after it, at 11.5; the one
    # of 9.8 would start at 11.5, after the horizon, so it is never committed.
    assert traced.other_log == [(0.0, 0.0, 1.0), (0.5, 1.0, 2.0), (9.5, 9.5, 11.5)]
    assert traced.other_trucks == untraced.other_trucks == 3


# --- other_traffic.csv, written by a run --------------------------------------------------------

HORIZON_H = 240.0


def busy_post():
    """a --2 h-- b, one lane at b: one aid truck (1 h) among other vehicles arriving 0.5 an hour,
    1.5 h each (lanes 75% busy), for 10 days."""
    b = checkpoint(1.0)
    b.other_traffic = OtherTraffic(rate_per_h=0.5, inspection=fixed(1.5))
    return scenario(legs=[("a", "b", 2.0)], checkpoints={"b": b}, movements={"m": movement(["a", "b"])})


@pytest.fixture(scope="module")
def busy_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("warmup") / "run"
    execute(run_config(busy_post(), replications=2), folder, "test", "")
    return folder


def test_a_run_writes_every_other_vehicle_of_its_first_replication(busy_run):
    others = read_table(busy_run / layout.OTHER_TRAFFIC)
    assert tuple(others) == OTHER_TRAFFIC_COLUMNS
    assert set(others["checkpoint"].tolist()) == {"b"}
    arrival, start, clear = (others[c] for c in ("arrival_h", "start_h", "clear_h"))
    assert np.all(np.diff(arrival) >= 0) and np.all(start < HORIZON_H)
    # One lane, first come first served, other traffic first at equal times: the hand recursion
    # over the file's own arrivals and the aid truck (arriving at 2, 1 h) gives every start and
    # clearance, the clearance empty from the horizon on.
    truck = read_table(busy_run / layout.TIMELINE)
    assert truck["arrival_h"].tolist() == [2.0]
    arrivals = sorted([(a, 0, 1.5) for a in arrival.tolist()] + [(2.0, 1, 1.0)])
    free_h, expected, truck_start = 0.0, [], None
    for a, aid, service_h in arrivals:
        s = max(a, free_h)
        free_h = s + service_h
        if aid:
            truck_start = s
        else:
            expected.append((a, s, free_h if free_h < HORIZON_H else math.nan))
    got = list(zip(arrival.tolist(), start.tolist(), clear.tolist()))
    assert len(got) == len(expected) > 50
    for g, e in zip(got, expected):
        assert g[:2] == e[:2] and (g[2] == e[2] or (math.isnan(g[2]) and math.isnan(e[2])))
    assert truck["start_h"].tolist() == [truck_start]
    # Every vehicle the statistics count (no warm-up: all that started before the horizon) has its row.
    counted = rows(read_table(busy_run / layout.TABLES["checkpoints"]), replication=0)["other_trucks"]
    assert counted.tolist() == [len(got)]
    # The Python API gives the same tables from one run of the replication.
    trace = trace_tables(busy_post(), seed=1, replication=0)
    assert trace.other_traffic["start_h"].tolist() == start.tolist()
    assert trace.trucks["start_h"].tolist() == trace_replication(busy_post(), 1, 0)["start_h"].tolist()


def test_the_report_states_the_suggestion_beside_the_warm_up_set(busy_run):
    found = suggestions(busy_run)
    assert list(found) == ["b"] and found["b"]["dropped"] is not None
    for page in (layout.REPORT_MD, layout.REPORT_HTML):
        text = (busy_run / page).read_text(encoding="utf-8")
        assert "MSER-5" in text and "other-traffic waits of replication 0" in text
        assert "a warm-up of" in text and "The scenario sets no warm-up" in text
        assert "an indication, not a proof" in text


def test_the_sentence_says_when_the_suggestion_exceeds_the_warm_up_set():
    prose = formatting.environment(html=True).get_template("report_prose.j2").module
    row = {"name": "Hakari", "key": "hakari", "vehicles": 4000, "vehicles_text": "4,000", "at_limit": False}
    row["suggested"] = "36 h (1.5 days)"
    longer = str(prose.warmup_check([{**row, "exceeds": True}], "1", 0))
    assert "a warm-up of 36 h (1.5 days), longer than the warm-up set" in longer
    assert "from 4,000 vehicles" in longer and "a warm-up of 1 days" in longer and "a longer warm-up" in longer
    within = str(prose.warmup_check([{**row, "exceeds": False, "at_limit": True}], "2", 0))
    assert "longer than" not in within and "an indication, not a proof." in within
    assert "(the cut falls at the end of the half searched: the waits may not have settled within the run)" in within
    short = {**row, "suggested": None, "exceeds": False, "vehicles": 7, "vehicles_text": "7"}
    short = str(prose.warmup_check([short], None, 0))
    assert "7 vehicles, too few for a suggestion" in short and "no warm-up" in short


def test_suggestions_read_the_file_and_a_folder_without_it_has_none(tmp_path):
    assert suggestions(tmp_path) == {}
    arrival = np.arange(100.0)
    waits = np.where(arrival < 30, 20.0, 0.0)  # 30 vehicles (6 batches) wait long, then none
    write_table(
        tmp_path / layout.OTHER_TRAFFIC,
        {
            "checkpoint": np.array(["x"] * 100, dtype=object),
            "arrival_h": arrival,
            "start_h": arrival + waits,
            "clear_h": arrival + waits + 1,
        },
    )
    assert suggestions(tmp_path) == {"x": {"vehicles": 100, "dropped": 30, "warmup_h": 30.0, "at_limit": False}}


# --- MSER-5 -------------------------------------------------------------------------------------


def brute_force(values: np.ndarray) -> int:
    """MSER-5 straight from its definition."""
    n = len(values) // BATCH
    z = values[: n * BATCH].reshape(n, BATCH).mean(axis=1)
    statistic = [np.sum((z[d:] - z[d:].mean()) ** 2) / (n - d) ** 2 for d in range(n // 2 + 1)]
    return int(np.argmin(statistic)) * BATCH


@pytest.mark.parametrize("seed", range(5))
def test_mser_cuts_a_transient_at_its_end(seed):
    rng = np.random.default_rng(seed)
    # 200 values decaying from 10 to 0, then 800 of stationary noise (both with sd 1).
    series = np.concatenate([np.linspace(10.0, 0.0, 200), np.zeros(800)]) + rng.normal(0.0, 1.0, 1000)
    dropped = mser(series)
    assert dropped == brute_force(series)
    assert 150 <= dropped <= 300  # 175-300 over 200 seeds


@pytest.mark.parametrize("seed", range(5))
def test_mser_keeps_a_stationary_series_almost_whole(seed):
    series = np.random.default_rng(seed).normal(5.0, 1.0, 1000)
    dropped = mser(series)
    assert dropped == brute_force(series) and dropped <= 100  # 0 in half of 200 seeds, 20 at p90


def test_mser_needs_ten_batches_and_cuts_nothing_from_a_constant_series():
    assert mser(np.zeros(49)) is None
    assert mser(np.zeros(50)) == 0
    assert mser(np.full(1000, 3.0)) == 0
