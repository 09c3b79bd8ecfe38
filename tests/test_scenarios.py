"""The scenario library: every shipped scenario composes, validates and runs; scenario files are
data, and one broken file never stops the others."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from conftest import REPOSITORY, run_sim

from sim.config.compose import load_run
from sim.config.library import EXTRA_DIRS_VARIABLE, SCENARIO_DIR, load_scenario_file, scenario_files
from sim.simulate.replications import simulate

SHIPPED = sorted(path.stem for path in (REPOSITORY / "scenarios").glob("*.yaml"))


@functools.cache
def composed(name: str):
    """A shipped scenario's run, composed and validated as `python -m sim scenario=<name>` would."""
    return load_run([f"scenario={name}"])


def test_the_library_is_the_repository_scenarios_folder():
    assert SCENARIO_DIR.resolve() == (REPOSITORY / "scenarios").resolve()
    assert "baseline" in SHIPPED


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_scenario_composes_validates_and_runs(name):
    s = composed(name).scenario
    assert s.title.strip() and s.description.strip()
    records = simulate(s, seed=1, replications=3)
    # One row per replication and movement (a flow's departures are movements of their own).
    assert len(records.movements["movement"]) == 3 * len(records.movement_keys()) > 0
    enabled = {k for k, m in s.movements.items() if getattr(m, "enabled", True)}
    assert enabled <= set(records.movement_keys())


@pytest.mark.parametrize("name", SHIPPED)
def test_every_source_is_a_url_or_an_assumption(name):
    for path, source in composed(name).scenario.sources.items():
        assert source.source == "ASSUMPTION" or source.source.startswith(("https://", "http://")), (path, source)


# --- Scenario files are data ----------------------------------------------------------------------

MALFORMED = "title: [this list is never closed\nhorizon_days: 3\n"
INTERPOLATED = "title: ${oc.env:HOME}\nplaces:\n  a: {name: '${oc.env:USER}'}\n"


def test_a_file_that_is_not_yaml_is_refused(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(MALFORMED)
    with pytest.raises(ValueError, match="not valid YAML"):
        load_scenario_file(path)


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n")
    with pytest.raises(ValueError, match="mapping"):
        load_scenario_file(path)


def test_interpolation_is_refused_naming_where_it_is(tmp_path):
    # ${oc.env:...} would read the environment of whoever runs the file.
    path = tmp_path / "sneaky.yaml"
    path.write_text(INTERPOLATED)
    with pytest.raises(ValueError, match="interpolation") as caught:
        load_scenario_file(path)
    assert "title" in str(caught.value) and "places.a.name" in str(caught.value)


def test_extra_folders_add_scenarios_and_override_by_name(tmp_path, monkeypatch):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "extra.yaml").write_text("title: first\n")
    (second / "extra.yaml").write_text("title: second\n")
    (second / "other.yaml").write_text("title: other\n")
    monkeypatch.setenv(EXTRA_DIRS_VARIABLE, f"{first}:{second}")
    files = scenario_files()
    assert files["baseline"] == SCENARIO_DIR / "baseline.yaml"
    assert files["extra"] == second / "extra.yaml"  # a later folder wins
    assert files["other"] == second / "other.yaml"


@pytest.fixture
def library(tmp_path) -> Path:
    """A folder of extra scenarios: one malformed, one interpolating, one good (a copy of the
    baseline under another name and title)."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "broken.yaml").write_text(MALFORMED)
    (folder / "sneaky.yaml").write_text(INTERPOLATED)
    good = (REPOSITORY / "scenarios" / "baseline.yaml").read_text(encoding="utf-8")
    (folder / "good_copy.yaml").write_text(good.replace('title: "Baseline', 'title: "Good copy', 1))
    return folder


def _warns_about_both(stderr: str) -> bool:
    lines = [line for line in stderr.splitlines() if "warning" in line.lower()]
    return any("broken.yaml" in line for line in lines) and any("sneaky.yaml" in line for line in lines)


def test_broken_files_are_skipped_with_warnings_and_the_others_compose(tmp_path, library):
    done = run_sim("--cfg", "job", "scenario=good_copy", cwd=tmp_path, env={EXTRA_DIRS_VARIABLE: str(library)})
    assert done.returncode == 0, done.stderr
    assert "Good copy" in done.stdout
    assert _warns_about_both(done.stderr), done.stderr
    assert "Traceback" not in done.stderr


def test_a_run_succeeds_beside_broken_scenario_files(tmp_path, library):
    folder = tmp_path / "run"
    done = run_sim(
        "scenario=baseline",
        "replications=5",
        f"hydra.run.dir={folder}",
        cwd=tmp_path,
        env={EXTRA_DIRS_VARIABLE: str(library)},
    )
    assert done.returncode == 0, done.stderr
    assert _warns_about_both(done.stderr), done.stderr
    assert (folder / "status.json").read_text().count('"complete"') == 1


def test_choosing_a_broken_file_fails_cleanly(tmp_path, library):
    name = "broken"
    done = run_sim(f"scenario={name}", "replications=5", cwd=tmp_path, env={EXTRA_DIRS_VARIABLE: str(library)})
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert f"{name}.yaml" in done.stderr  # the warning says why it is not available
    assert f"scenario/{name}" in output
    assert "Traceback" not in output
    assert not (tmp_path / "results").exists() or not list((tmp_path / "results").rglob("status.json"))
