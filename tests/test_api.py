"""The Python API, as a notebook uses it (the example in `sim/__init__.py`): every public name
imports, `simulate_many` on two workers gives what `simulate` gives, and the results come as
pandas DataFrames: the tables, and the summary with one row per movement or checkpoint."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import sim
from sim.app.run import summary_inputs


@pytest.fixture(scope="module")
def scenario():
    return sim.load_scenario("baseline", ["scenario.checkpoints.hakari.lanes=2"])


@pytest.fixture(scope="module")
def records(scenario):
    return sim.simulate(scenario, seed=1, replications=80)


def test_every_public_name_imports():
    assert all(getattr(sim, name) is not None for name in sim.__all__)


def test_simulate_many_on_two_workers_gives_what_simulate_gives(scenario, records):
    on_two = sim.simulate_many(scenario, seed=1, replications=80, workers=2)
    for name, frame in records.to_pandas().items():
        pd.testing.assert_frame_equal(on_two.to_pandas()[name], frame)


def test_the_tables_as_dataframes_hold_the_records_columns(records):
    frames = records.to_pandas()
    assert list(frames) == ["movements", "passages", "checkpoints", "deliveries"]
    movements = frames["movements"]
    assert list(movements.columns) == list(records.movements)
    assert len(movements) == 80 * 4  # four movements a replication
    assert movements["delivery_time_h"].dtype == float and movements["outcome"].iloc[0] in {
        "delivered", "refused", "turned_back", "not_delivered",
    }  # fmt: skip


def test_the_summary_frame_has_a_row_per_movement_and_each_interval_in_three_columns(scenario, records):
    summary = sim.summarise(records, **summary_inputs(scenario))
    frame = sim.summary_frame(summary)
    assert frame.index.name == "movement" and list(frame.index) == list(summary["movements"])
    convoy = summary["movements"]["armenia_convoy"]
    row = frame.loc["armenia_convoy"]
    for end, part in (("", "estimate"), ("_low", "low"), ("_high", "high")):
        assert row[f"delivery_probability{end}"] == convoy["delivery_probability"][part]
    assert row["outcomes_refused"] == convoy["outcomes"]["refused"]
    median = convoy["median_delivery_time_h"]["estimate"]  # null in the summary where beyond the horizon
    assert math.isnan(row["median_delivery_time_h"]) if median is None else row["median_delivery_time_h"] == median
    checkpoints = sim.summary_frame(summary, of="checkpoints")
    assert checkpoints.index.name == "checkpoint" and "hakari" in checkpoints.index
    assert checkpoints.loc["hakari", "lanes"] == 2
    with pytest.raises(ValueError, match="of='places': a summary has rows of movements or checkpoints"):
        sim.summary_frame(summary, of="places")


def test_a_finished_run_folder_reads_back_as_dataframes(tmp_path):
    from conftest import run_sim

    folder = tmp_path / "run"
    done = run_sim("replications=20", f"hydra.run.dir={folder}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    run = sim.read_results(folder)
    movements = run.to_pandas("movements")["movements"]
    assert np.array_equal(movements["delivery_time_h"], run.table("movements")["delivery_time_h"], equal_nan=True)
    assert set(run.to_pandas()) == {"movements", "passages", "checkpoints", "deliveries"}
    assert run.summary_frame().loc["rrc_aghdam", "replications"] == 20
