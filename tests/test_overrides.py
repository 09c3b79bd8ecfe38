"""Command-line overrides that would run and mean something else: keys added with `+` that the
schema does not know, entries removed with `~`, a results folder that holds a run already."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest
from conftest import REPOSITORY, run_sim

from sim.config import scenario, schema
from sim.config.compose import load_run
from sim.config.overrides import addition_problems


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("+scenario.bogus_field=1", "'bogus_field' is not a field of scenario"),
        ("+scenario.checkpoints.hakari.lane=3", "did you mean scenario.checkpoints.hakari.lanes?"),
        ("+foo=1", "'foo' is not a field of the run settings"),
        ("+scenario.checkpoints.hakari.lanes.x=1", "is a single value"),
    ],
)
def test_an_unknown_key_added_with_plus_is_refused_naming_it(override, expected):
    (problem,) = addition_problems([override])
    assert problem.startswith(f"{override.split('=')[0]}: ") and expected in problem


def test_a_new_entry_of_a_mapping_of_values_may_be_added():
    assert addition_problems(["+scenario.needs.kg_per_person_day.fuel=0.1", "+hydra.job.env_set.X=1"]) == []


def test_a_typo_added_with_plus_runs_nothing(tmp_path):
    done = run_sim("+scenario.checkpoints.hakari.lane=3", "replications=5", "hydra.run.dir=out", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "did you mean scenario.checkpoints.hakari.lanes?" in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_field_under_an_entry_that_does_not_exist_is_a_clear_error(tmp_path):
    done = run_sim("+scenario.checkpoints.hakarii.lanes=2", "replications=5", "hydra.run.dir=out", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "'hakarii' names no entry of the scenario" in done.stderr


def test_removing_a_movement_drops_its_sources_and_runs():
    run = load_run(["scenario=baseline", "replications=5", "~scenario.movements.armenia_convoy"])
    assert "armenia_convoy" not in run.scenario.movements
    assert not [path for path in run.scenario.sources if path.startswith("movements.armenia_convoy")]
    kept = load_run(["scenario=baseline", "replications=5"]).scenario.sources
    assert [path for path in kept if path.startswith("movements.armenia_convoy.")]  # there were some to drop


def test_a_folder_that_holds_a_run_is_never_written_into_again(tmp_path):
    assert run_sim("replications=5", "hydra.run.dir=out", cwd=tmp_path).returncode == 0
    overrides = (tmp_path / "out" / ".hydra" / "overrides.yaml").read_bytes()
    for again in (["replications=5"], ["scenario.checkpoints.hakari.lanes=0"]):  # a good run, a refused one
        done = run_sim(*again, "hydra.run.dir=out", cwd=tmp_path)
        assert done.returncode == 1 and "holds a finished run already" in done.stderr
        assert (tmp_path / "out" / ".hydra" / "overrides.yaml").read_bytes() == overrides


def test_reproducing_a_folder_whose_config_cannot_run_is_a_clear_error(tmp_path):
    assert run_sim("replications=5", "hydra.run.dir=out", cwd=tmp_path).returncode == 0
    config = tmp_path / "out" / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "foo: 1\n", encoding="utf-8")  # as +foo=1 once made
    done = subprocess.run(
        [sys.executable, "-m", "sim.reproduce", str(tmp_path / "out")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPOSITORY), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "cannot be run again: Key 'foo' not in 'RunConfig'" in done.stderr


def test_the_key_reference_documents_every_field_and_calls_none_unread():
    reference = (REPOSITORY / "docs" / "scenarios.md").read_text(encoding="utf-8")
    found = [*vars(schema).values(), *vars(scenario).values()]
    classes = {c for c in found if dataclasses.is_dataclass(c) and c is not scenario.RunConfig}
    missing = {
        f"{c.__name__}.{f.name}" for c in classes for f in dataclasses.fields(c) if f"`{f.name}`" not in reference
    }
    assert not missing
    assert "does not read it" not in reference
