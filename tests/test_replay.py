"""The historical replay (`replay_2023`, 12 Dec 2022 - 30 Sep 2023) follows the regimes of the record,
and its counterfactuals, run with the same seed, differ from it the way their one change says.

The replay's regime dates and flows are inputs, so these tests check that they were encoded as the
record gives them (the restricted tonnes a day, the checkpoint from 23 April, the stop from 15
June, the convoy sent back), not that the model discovered them. Common random numbers make the
counterfactuals' differences replication by replication.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

import numpy as np
import pytest

from sim.app import check
from sim.config.compose import load_run
from sim.results.records import Records
from sim.simulate.replications import simulate

SEED = 20230726
REPLICATIONS = 20
REPLAY = "replay_2023"
COUNTERFACTUALS = ("replay_2023_no_checkpoint", "replay_2023_extra_lanes", "replay_2023_both_roads")
START = datetime(2022, 12, 12)
# The Karabakh ombudsman's count for the restricted period (https://www.artsakhpress.am/eng/news/181271/).
RECORDED_T_PER_DAY = 4623 / 150
SEPTEMBER_SHIPMENTS = {"rrc_aghdam", "icrc_flour_lachin", "icrc_medical_aghdam"}


def hours(day: str) -> float:
    """Hours from the replay's start to a local date ("2023-06-15") or datetime."""
    return (datetime.fromisoformat(day) - START).total_seconds() / 3600


@cache
def run(name: str) -> Records:
    return simulate(load_run([f"scenario={name}"]).scenario, SEED, REPLICATIONS)


@cache
def routes(name: str) -> dict[str, list[str]]:
    """Movement or flow key -> its route."""
    s = load_run([f"scenario={name}"]).scenario
    return {key: list(m.route) for key, m in {**s.movements, **s.flows}.items()}


def deliveries(records: Records) -> dict[str, np.ndarray]:
    """The deliveries table with the flow (or movement) each delivery belongs to."""
    m, d = records.movements, records.deliveries
    flow_of = dict(zip(m["movement"].tolist(), m["flow"].tolist()))
    return {**d, "flow": np.array([flow_of[k] for k in d["movement"].tolist()])}


def tonnes_per_replication(records: Records) -> np.ndarray:
    d = records.deliveries
    return np.bincount(d["replication"].astype(int), weights=d["tonnes"], minlength=records.replications)


@pytest.mark.parametrize("name", (REPLAY, *COUNTERFACTUALS))
def test_the_replay_and_each_counterfactual_pass_the_check(name, capsys):
    assert check.main([name]) == 0
    assert "293 days" in capsys.readouterr().out


def test_the_restricted_period_delivers_the_recorded_tonnes_a_day():
    d = deliveries(run(REPLAY))
    months = (d["time_h"] >= hours("2023-01-01")) & (d["time_h"] < hours("2023-05-01"))
    per_day = d["tonnes"][months].sum() / REPLICATIONS / (hours("2023-05-01") - hours("2023-01-01")) * 24
    assert per_day == pytest.approx(RECORDED_T_PER_DAY, rel=0.05)


def test_the_checkpoint_inspects_only_from_its_opening_on_23_april():
    p = run(REPLAY).passages
    at_hakari = p["arrival_h"][p["place"] == "hakari"]
    assert len(at_hakari) and at_hakari.min() >= hours("2023-04-23T12:00")


def test_nothing_comes_by_the_lachin_road_after_15_june_but_the_september_shipments():
    d = deliveries(run(REPLAY))
    later = d["time_h"] >= hours("2023-06-15")
    assert set(d["flow"][later].tolist()) <= SEPTEMBER_SHIPMENTS
    lachin = np.array(["kornidzor" in routes(REPLAY)[f] for f in d["flow"].tolist()], bool)
    assert set(d["flow"][later & lachin].tolist()) == {"icrc_flour_lachin"}
    assert d["time_h"][later & lachin].min() >= hours("2023-09-18")
    # Before the stop both senders' daily trucks arrive, by both roads of the period.
    assert {"icrc_supply", "peacekeeper_supply_checkpoint"} <= set(d["flow"][~later].tolist())


def test_the_convoy_waits_at_kornidzor_from_26_july_and_is_sent_back_on_24_september():
    m = run(REPLAY).movements
    convoy = m["movement"] == "armenia_convoy"
    assert set(m["outcome"][convoy].tolist()) == {"refused"}
    ends = m["end_h"][convoy]
    assert (ends >= hours("2023-09-24")).all() and (ends < hours("2023-09-25")).all()


def test_without_the_checkpoint_nothing_arrives_later_or_less_paired():
    replay, counterfactual = run(REPLAY), run("replay_2023_no_checkpoint")
    assert (tonnes_per_replication(counterfactual) >= tonnes_per_replication(replay)).all()
    a, b = replay.movements, counterfactual.movements
    assert np.array_equal(a["movement"], b["movement"]) and np.array_equal(a["replication"], b["replication"])
    through = np.isin(a["flow"], ["icrc_supply_checkpoint", "peacekeeper_supply_checkpoint"])
    saved_h = a["delivery_time_h"][through] - b["delivery_time_h"][through]
    assert (saved_h >= -1e-9).all() and saved_h.mean() > 0.5  # the search, about an hour a truck


def test_more_lanes_do_not_lengthen_the_aid_trucks_wait_at_the_checkpoint():
    def wait_h(records: Records) -> np.ndarray:
        c = records.checkpoints
        rows = c["checkpoint"] == "hakari"
        return c["wait_h"][rows] / c["trucks"][rows]

    replay, lanes = wait_h(run(REPLAY)), wait_h(run("replay_2023_extra_lanes"))
    assert (lanes <= replay + 1e-9).all() and lanes.mean() < replay.mean()


def test_the_aghdam_road_carries_the_daily_trucks_after_the_lachin_road_stops():
    replay, both = run(REPLAY), run("replay_2023_both_roads")
    days = (hours("2023-10-01") - hours("2023-06-15")) / 24
    added_t = tonnes_per_replication(both) - tonnes_per_replication(replay)
    assert added_t == pytest.approx(np.full(REPLICATIONS, 31 * days), rel=0.02)
    d = deliveries(both)
    aghdam = np.isin(d["flow"], ["icrc_supply_aghdam", "peacekeeper_supply_aghdam"])
    assert d["time_h"][aghdam].min() >= hours("2023-06-15")
