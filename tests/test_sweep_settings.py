"""What a sweep's report compares against (sweep_report.reference_job) and how it plots times
(sweep_report.log_time_axis), chosen on the command line of the sweep."""

from __future__ import annotations

import pytest
from conftest import movement, run_config, scenario

from sim.analysis.sweep_jobs import groups, settings
from sim.config.validate import ConfigError, check

# A 2 x 2 sweep in Hydra's order: scenario outer, lanes inner.
JOBS = {
    0: {"scenario": "baseline", "lanes": 1},
    1: {"scenario": "baseline", "lanes": 2},
    2: {"scenario": "corridor_closure", "lanes": 1},
    3: {"scenario": "corridor_closure", "lanes": 2},
}


def test_each_group_is_read_against_its_first_job_by_default():
    assert groups(JOBS, ["scenario", "lanes"], "lanes") == [
        ("scenario=baseline", [0, 1]),
        ("scenario=corridor_closure", [2, 3]),
    ]
    assert groups(JOBS, ["scenario", "lanes"], "scenario") == [("lanes=1", [0, 2]), ("lanes=2", [1, 3])]


def test_a_chosen_job_sets_the_reference_value_in_every_group():
    # job 1 (baseline, 2 lanes): the lanes effect is read against 2 lanes, the scenario effect against the baseline
    assert groups(JOBS, ["scenario", "lanes"], "lanes", reference_job=1) == [
        ("scenario=baseline", [1, 0]),
        ("scenario=corridor_closure", [3, 2]),
    ]
    assert groups(JOBS, ["scenario", "lanes"], "scenario", reference_job=1) == [
        ("lanes=1", [0, 2]),
        ("lanes=2", [1, 3]),
    ]
    assert groups(JOBS, ["scenario", "lanes"], "lanes", reference_job=9) == groups(JOBS, ["scenario", "lanes"], "lanes")


def test_the_settings_come_from_the_sweeps_jobs(tmp_path):
    (tmp_path / "0").mkdir()
    (tmp_path / "0" / "config.yaml").write_text("seed: 1\nsweep_report:\n  reference_job: 2\n  log_time_axis: true\n")
    assert settings(tmp_path, [0]) == {"reference_job": 2, "log_time_axis": True}
    assert settings(tmp_path, []) == {"reference_job": None, "log_time_axis": False}


def test_a_reference_job_is_a_job_number():
    run = run_config(scenario(legs=[("a", "b", 1.0)], movements={"m": movement(["a", "b"])}))
    run.sweep_report.reference_job = -1
    with pytest.raises(ConfigError, match=r"sweep_report.reference_job=-1: must be a job number"):
        check(run)
