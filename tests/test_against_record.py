"""A run checked against the record: where an observation falls among the runs (its percentile,
the chance of an outcome at least as extreme, the central 90%), on cases whose answer is known,
and validation.json and the report's "Against the record" on tiny deterministic scenarios."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import hold, movement, scenario
from scipy import stats

from sim.analysis.validation import placement, validate
from sim.app.run import execute
from sim.config.record import ObservationUse
from sim.config.scenario import RunConfig
from sim.config.validate import check
from sim.results.files import read_json, write_json

# --- Where an observation falls -----------------------------------------------------------------


def test_the_percentile_of_an_observation_in_a_known_distribution():
    # 1,000 runs at the exponential's quantiles (i + 0.5) / 1000: its 90th percentile lies above
    # 900 runs and below 100, so it is at percentile 90, and 10% of runs are at least as large.
    runs = stats.expon.ppf((np.arange(1000) + 0.5) / 1000)
    found = placement(runs, runs, stats.expon.ppf(0.9), stats.expon.ppf(0.9))
    assert (found["below"], found["above"]) == (900, 100)
    assert found["percentile"] == pytest.approx(90.0)
    assert found["probability_at_least_as_extreme"] == pytest.approx(0.2)  # two-sided: 2 x 10%
    assert found["inside_central"] and not found["outside_all_runs"]
    median = placement(runs, runs, stats.expon.ppf(0.5), stats.expon.ppf(0.5))
    assert median["percentile"] == pytest.approx(50.0) and median["probability_at_least_as_extreme"] == 1.0


def test_ties_count_half_and_the_central_90_percent_is_a_two_sided_test():
    runs = np.arange(1.0, 101.0)  # 1, 2, ..., 100
    found = placement(runs, runs, 25.0, 25.0)
    assert (found["below"], found["above"]) == (24, 75)
    assert found["percentile"] == pytest.approx(24.5)  # 24 below and half the one tie
    assert found["probability_at_least_as_extreme"] == pytest.approx(0.5)
    tail = placement(runs, runs, 97.0, 97.0)  # 4% of runs at or above it: outside the central 90%
    assert tail["probability_at_least_as_extreme"] == pytest.approx(0.08) and not tail["inside_central"]
    edge = placement(runs, runs, 95.0, 95.0)  # 6% at or above: inside
    assert edge["inside_central"]


def test_a_run_known_only_as_beyond_the_horizon_ties_with_what_it_could_be():
    low, high = np.array([1.0, 2.0, 10.0, 10.0]), np.array([1.0, 2.0, np.inf, np.inf])
    assert placement(low, high, 5.0, 5.0)["percentile"] == 50.0  # two below, two certainly above
    later = placement(low, high, 12.0, 12.0)  # the two censored runs may have come before or after
    assert (later["below"], later["above"], later["percentile"]) == (2, 0, 75.0)


def test_an_observation_beyond_every_run_is_a_finding_not_an_error():
    runs = np.arange(1.0, 11.0)
    found = placement(runs, runs, 20.0, 20.0)
    assert found["outside_all_runs"] and found["percentile"] == 100.0
    assert found["probability_at_least_as_extreme"] == 0.0


# --- Each kind, from a run's tables --------------------------------------------------------------

START = "2023-06-01T00:00"


def observation(name: str, kind: str, unit: str, calibrates: tuple = (), **fields: object) -> dict:
    """An observation as the run passes it to `validate`: the record's fields and the scenario's use."""
    base = dict.fromkeys(("value", "low", "high", "date", "start", "end", "movement", "checkpoint", "place", "cargo"))
    record = {"description": name, "source": "https://example.org", "confidence": "H", "note": ""}
    return {**base, **record, "name": name, "kind": kind, "unit": unit, "calibrates": list(calibrates), **fields}


@pytest.fixture
def folder(tmp_path):
    """A run of 3 replications over 10 days from 1 June 2023, its tables written by hand: replication
    0 delivers 10 t on day 1 and 20 t on day 3, replication 1 nothing, replication 2 5 t on day 3."""
    write_json(
        tmp_path / "summary.json",
        {
            "start": START,
            "horizon_h": 240.0,
            "warmup_h": 0.0,
            "replications": 3,
            "deliveries": {"population": 1000, "population_changes_h": [], "kg_per_person_day": {"food": 1.0}},
        },
    )
    deliveries = {"replication": [0, 0, 2], "time_h": [5.0, 50.0, 60.0], "cargo": ["food"] * 3, "tonnes": [10, 20, 5]}
    pd.DataFrame(deliveries).to_csv(tmp_path / "deliveries.csv", index=False)
    movements = {
        "replication": [0, 1, 2],
        "movement": ["m"] * 3,
        "outcome": ["delivered", "refused", "not_delivered"],
        "end_h": [50.0, 30.0, np.nan],
        "last_place": ["c", "b", "b"],
    }
    pd.DataFrame(movements).to_csv(tmp_path / "movements.csv", index=False)
    # Held at b: released after 24 h (replication 0), refused there after 20 h (1), still held at the horizon (2)
    passages = {
        "replication": [0, 0, 1, 2],
        "movement": ["m"] * 4,
        "place": ["a", "b", "b", "b"],
        "arrival_h": [0.0, 2.0, 10.0, 40.0],
        "release_h": [0.0, 26.0, np.nan, np.nan],
        "trucks": [1] * 4,
    }
    pd.DataFrame(passages).to_csv(tmp_path / "passages.csv", index=False)
    return tmp_path


def checked(folder, *observations: dict) -> dict[str, dict]:
    return {o["name"]: o for o in validate(folder, "test", list(observations), [])["observations"]}


def quantile_range(o: dict) -> tuple:
    q = o["distribution"]["quantiles"]
    return q[0], q[100]


def test_tonnes_days_without_delivery_and_share_of_need_over_a_period(folder):
    period = {"start": "2023-06-01", "end": "2023-06-03"}  # days 1-3: 72 h
    found = checked(
        folder,
        observation("t", "tonnes", "t", value=20.0, **period),
        observation("rate", "tonnes_per_day", "t/day", value=10.0, **period),
        observation("gaps", "days_without_delivery", "days", value=2.0, **period),
        observation("share", "share_of_need", "share", value=0.01, cargo="food", **period),
    )
    # Per replication: 30, 0 and 5 t; 10, 0 and 5/3 t a day; 1, 3 and 2 days without delivery;
    # against a need of 3 days x 1,000 people x 1 kg = 3 t.
    assert quantile_range(found["t"]) == (0.0, 30.0) and found["t"]["percentile"] == pytest.approx(200 / 3)
    assert found["rate"]["distribution"]["quantiles"][50] == pytest.approx(5 / 3)
    assert sorted({q for q in found["gaps"]["distribution"]["quantiles"]}) == [1.0, 2.0, 3.0]
    assert found["gaps"]["percentile"] == pytest.approx(50.0)
    assert quantile_range(found["share"]) == (0.0, 10.0)  # 30 t of a 3 t need
    assert (found["share"]["below"], found["share"]["above"]) == (1, 2)  # shares 10, 0 and 5/3 against 0.01


def test_hold_days_from_arrival_to_release_or_refusal_censored_at_the_horizon(folder):
    found = checked(
        folder,
        observation(
            "held", "hold_days", "days", value=1.0, movement="m", place="b", start="2023-06-01", end="2023-06-02"
        ),
    )["held"]
    # 24 h released, 20 h until refused there, still held from 40 h to the 240 h horizon and on
    assert found["runs"] == 3
    assert found["distribution"]["quantiles"][0] == pytest.approx(20 / 24)
    assert found["distribution"]["share_censored"] == pytest.approx(1 / 3)
    assert (found["below"], found["above"]) == (1, 1)  # 20 h below 1 day; the censored run (> 8.3 days) above


def test_a_delivery_date_and_an_outcome(folder):
    found = checked(
        folder,
        observation("on_day_3", "delivery_date", "date", value="2023-06-03", date="2023-06-03", movement="m"),
        observation("sent_back", "outcome", "outcome", value="refused", date="2023-06-02", movement="m"),
    )
    day = found["on_day_3"]  # delivered at 50 h (day 3); the refused one never, the other after the horizon
    assert (day["below"], day["above"], day["percentile"]) == (0, 2, pytest.approx(100 / 6))
    assert day["observed_range"] == [2.0, 3.0]
    outcome = found["sent_back"]
    assert outcome["shares"] == {"delivered": 1 / 3, "refused": 1 / 3, "turned_back": 0.0, "not_delivered": 1 / 3}
    assert outcome["probability_at_least_as_extreme"] == pytest.approx(1.0)
    assert outcome["verdict"].startswith("33.3% of runs end refused")


def test_a_check_needing_a_table_the_run_did_not_write_says_so(folder):
    (folder / "passages.csv").unlink()
    found = checked(
        folder,
        observation(
            "held", "hold_days", "days", value=1.0, movement="m", place="b", start="2023-06-01", end="2023-06-02"
        ),
    )
    assert found["held"]["runs"] == 0 and found["held"]["verdict"] == "not checked: this run wrote no passages.csv"


# --- A run writes validation.json and its report shows it ---------------------------------------


def held_convoy(record: str | None) -> RunConfig:
    """The convoy of 26 July 2023 held exactly 60 days at Kornidzor and sent back, and a truck that
    delivers on 11 September, a day before the record's Russian Red Cross truck did."""
    s = scenario(
        legs=[("goris", "kornidzor", 1.0), ("kornidzor", "stepanakert", 1.0)],
        movements={
            "convoy": movement(
                ["goris", "kornidzor", "stepanakert"], trucks=19, departure="2023-07-26T00:00",
                hold=hold("kornidzor", 1440.0, refusal_probability=1.0),
            ),
            "truck": movement(["goris", "kornidzor", "stepanakert"], departure="2023-09-11T06:00"),
        },
        start="2023-07-26T00:00",
        horizon_days=70,
    )  # fmt: skip
    if record:
        s.record = record
        s.observations = {
            "convoy_wait": ObservationUse(movement="convoy", calibrates=["movements.convoy.hold.delay"]),
            "convoy_sent_back": ObservationUse(movement="convoy"),
            "rrc_delivered": ObservationUse(movement="truck"),
            "restricted_flow_tonnes": ObservationUse(),  # December to May: before this timeline
        }
    run = RunConfig(scenario=s, replications=20, seed=1)
    check(run)
    return run


@pytest.fixture(scope="module")
def convoy_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("record") / "run"
    execute(held_convoy("lachin_2023"), folder, "test", "x: 1\n")
    return folder


def test_validation_json_places_each_observation_and_keeps_calibration_apart(convoy_run):
    validation = read_json(convoy_run / "validation.json")
    assert (
        "NaN" not in (convoy_run / "validation.json").read_text()
        and "Infinity" not in (convoy_run / "validation.json").read_text()
    )
    found = {o["name"]: o for o in validation["observations"]}
    wait = found["convoy_wait"]  # 60 days exactly in every run, recorded as 59-61 days
    assert wait["use"] == "calibration" and set(wait["distribution"]["quantiles"]) == {60.0}
    assert wait["percentile"] == 50.0 and wait["inside_central"]
    assert "agreement is built in" in wait["verdict"]
    sent_back = found["convoy_sent_back"]
    assert sent_back["use"] == "validation" and sent_back["shares"]["refused"] == 1.0
    early = found["rrc_delivered"]  # every run delivers on 11 September, the record says the 12th
    assert early["outside_all_runs"] and early["below"] == 20
    assert early["verdict"] == "outside every one of the 20 runs: all deliver earlier (the nearest, 11 Sep 08:00)"
    assert [n["name"] for n in validation["not_applicable"]] == ["restricted_flow_tonnes"]


def test_the_report_shows_held_out_and_calibration_apart_with_a_figure(convoy_run):
    page = (convoy_run / "report.html").read_text(encoding="utf-8")
    section = page[page.index('id="against-the-record"') : page.index('id="figures"')]
    held_out, calibration = section.index("Held out for validation"), section.index("Calibration targets")
    assert held_out < section.index("convoy_sent_back") < calibration < section.index("convoy_wait")
    assert "restricted_flow_tonnes" in section and "dated outside this scenario" in section
    assert "Observations of the record on the simulated distributions" in page
    assert (convoy_run / "against_record.png").is_file()
    md = (convoy_run / "report.md").read_text(encoding="utf-8")
    assert "## Against the record" in md and "### Calibration targets" in md


def test_a_scenario_naming_no_observations_is_said_so(tmp_path):
    execute(held_convoy(None), tmp_path / "run", "test", "x: 1\n")
    assert json.loads((tmp_path / "run" / "validation.json").read_text()) == {
        "record": None, "replications": 20, "central_share": 0.9, "observations": [], "not_applicable": []
    }  # fmt: skip
    page = (tmp_path / "run" / "report.html").read_text(encoding="utf-8")
    assert "This scenario names no record and no observations" in page
    assert not (tmp_path / "run" / "against_record.png").exists()
