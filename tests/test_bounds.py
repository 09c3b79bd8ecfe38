"""Sizes that cannot run, and values outside a sane physical range, are refused before running.

Issue 17, item 14: `trucks=1000000000` used to fail with a MemoryError after the run started, and
a travel time of 1e308 h was simulated. Each message names the key and the bound. No simulation
runs here: the refusals come from `sim.config.validate.check` on a composed run.
"""

from __future__ import annotations

import re

import pytest
from conftest import problems_of, run_sim

from sim.config import memory
from sim.config.compose import load_run
from sim.config.library import scenario_files
from sim.config.validate import ConfigError

GIB = 2**30
CONVOY = "scenario.movements.armenia_convoy"
HAKARI = "scenario.checkpoints.hakari"
LEG = "scenario.legs.yerevan_goris"
MOUNTAIN = "scenario.legs.hakari_shusha.travel"  # a triangular delay
MACHINE_MEMORY = memory.machine_memory  # the real one, before the fixture stands in for it


@pytest.fixture(autouse=True)
def machine_of_24_gib(monkeypatch):
    """The memory bound judged against a fixed machine, so that results do not depend on this one."""
    monkeypatch.setattr(memory, "machine_memory", lambda: 24 * GIB)


def about(problems: list[str], key: str) -> list[str]:
    """The problems that name `key` first (followed by '=' and its value, or by ':' or ',')."""
    return [p for p in problems if re.match(re.escape(key) + r"[=:,]", p)]


@pytest.mark.parametrize(
    "overrides, key, says",
    [
        ([f"{CONVOY}.trucks=1000000000"], f"{CONVOY}.trucks=1000000000", "<= 10000 (a convoy of more trucks"),
        (["replications=1000000000"], "replications=1000000000", "<= 1000000"),
        (["replications=auto", "precision.max_replications=1000000000"], "precision.max_replications", "<= 1000000"),
        ([f"{HAKARI}.lanes=1000000000"], f"{HAKARI}.lanes=1000000000", "<= 100"),
        (["scenario.horizon_days=1e308"], "scenario.horizon_days=1e+308", "<= 3653"),
        (["workers=1000000000"], "workers=1000000000", "<= 1024"),
        # A delay beyond any horizon is refused, not simulated; each shape's fields alike.
        ([f"{LEG}.travel.mean_h=1e308"], f"{LEG}.travel.mean_h", "<= 100000 h"),
        ([f"{MOUNTAIN}.high_h=1e308"], f"{MOUNTAIN}.high_h", "<= 100000 h"),
        ([f"{HAKARI}.inspection.p90_h=1e6"], f"{HAKARI}.inspection.p90_h", "<= 100000 h"),
        ([f"{CONVOY}.hold.delay.p90_h=1e308"], f"{CONVOY}.hold.delay.p90_h", "<= 100000 h"),
        ([f"{LEG}.distance_km=1e9"], f"{LEG}.distance_km", "<= 40000"),
        ([f"{CONVOY}.cargo_t.food=1e9"], f"{CONVOY}.cargo_t", "<= 1000 t a truck"),
        (["scenario.needs.population=100000000000"], "scenario.needs.population", "<= 10000000000"),
    ],
)
def test_the_examples_of_the_issue_are_refused_naming_the_key_and_the_bound(overrides, key, says):
    found = about(problems_of(overrides), key)
    assert len(found) == 1 and says in found[0], found


def test_other_traffic_beyond_a_road_capacity_is_refused():
    # surge_counterflow is the shipped scenario with other traffic at Hakari.
    key = f"{HAKARI}.other_traffic.rate_per_h"
    found = about(problems_of(["scenario=surge_counterflow", f"{key}=1e9"]), key)
    assert len(found) == 1 and found[0].startswith(f"{key}=1000000000.0: must be <= 10000 (vehicles an hour"), found


def test_a_flow_with_too_many_departures_is_refused():
    key = "scenario.flows.lachin_supply.every_h"
    found = about(problems_of(["scenario=open_corridor_2022", f"{key}=0.001"]), key)
    assert len(found) == 1 and "departures before the horizon" in found[0] and "at most 100000" in found[0]


def test_random_closures_more_often_than_hourly_are_refused():
    key = f"{HAKARI}.random_closures.rate_per_day"
    found = about(problems_of(["scenario=corridor_closure", f"{key}=1e9"]), key)
    assert len(found) == 1 and "<= 24" in found[0], found


@pytest.mark.parametrize("value", ["inf", "nan"])
def test_non_finite_values_are_refused_once_by_the_value_rules(value):
    problems = problems_of([f"{LEG}.travel.mean_h={value}"])
    assert about(problems, f"{LEG}.travel.mean_h") == [f"{LEG}.travel.mean_h={value}: must be a finite number >= 0"]


def test_a_run_beyond_the_machines_memory_is_refused_naming_what_drives_it():
    # Every value in range; a million replications of a departure every hour for 70 days keep
    # 1,680 movements' rows each for the statistics: they do not fit.
    flow = "scenario.flows.lachin_supply"
    found = about(
        problems_of(["scenario=open_corridor_2022", "replications=1000000", f"{flow}.every_h=1"]), "replications"
    )
    assert len(found) == 1, found
    assert found[0].startswith(f"replications=1000000, {flow}.every_h=1.0: the run would need about")
    assert "for the tables kept for the statistics" in found[0]
    assert "GiB of memory" in found[0] and "(this machine has 24 GiB; at most 50% is used)" in found[0]
    assert found[0].endswith(": fewer replications, or less frequent departures")


def test_a_long_horizon_alone_no_longer_costs_memory_per_day():
    # The cumulative tonnes are made a day at a time: ten years of a million replications fit.
    run = load_run(["replications=1000000", "scenario.horizon_days=3653"])  # no ConfigError
    assert not list(memory.memory_problems(run))


def test_many_trucks_on_a_frequent_flow_are_refused_for_memory_naming_the_flow():
    flow = "scenario.flows.lachin_supply"
    problems = problems_of(["scenario=open_corridor_2022", f"{flow}.trucks=10000", f"{flow}.every_h=1"])
    found = about(problems, f"{flow}.trucks")
    assert len(found) == 1 and found[0].startswith(f"{flow}.trucks=10000, {flow}.every_h=1.0: "), problems
    assert "draws and results of 256 replications at a time" in found[0]


def test_the_memory_bound_follows_the_machine(monkeypatch):
    run = load_run(["scenario=open_corridor_2022", "replications=500"])
    run.scenario.flows["lachin_supply"].trucks = 1000  # about 4 GiB
    assert not list(memory.memory_problems(run))  # fits in half of 24 GiB
    monkeypatch.setattr(memory, "machine_memory", lambda: 1 * GIB)
    (problem,) = memory.memory_problems(run)
    assert problem.startswith("scenario.flows.lachin_supply.trucks=1000, ") and "(this machine has 1.0 GiB" in problem
    monkeypatch.setattr(memory, "machine_memory", lambda: None)  # unknown: not judged
    assert not list(memory.memory_problems(run))


def test_this_machine_reports_its_memory():
    total = MACHINE_MEMORY()
    assert total is None or total > 2**27


def test_values_at_their_bounds_are_accepted():
    keys = [f"{CONVOY}.trucks", f"{HAKARI}.lanes", f"{LEG}.travel.mean_h", f"{LEG}.distance_km", "replications"]
    values = [10000, 100, 100000, 40000, 1000000]
    try:
        load_run([f"{key}={value}" for key, value in zip(keys, values)])
    except ConfigError as error:  # other rules may object (a declared range of uncertainty): not these
        assert not [p for p in error.problems if any(p.startswith(key) for key in keys)], error.problems


@pytest.mark.parametrize("name", sorted(scenario_files()))
def test_every_shipped_scenario_is_within_bounds(name):
    run = load_run([f"scenario={name}"])
    assert not list(memory.memory_problems(run))


def test_the_command_line_refuses_before_running_with_no_traceback_and_no_folder(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    done = run_sim(f"{CONVOY}.trucks=1000000000", f"hydra.run.dir={mine / 'run'}", cwd=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 1  # as for every refused configuration (sim.app.cli)
    assert f"{CONVOY}.trucks=1000000000: must be <= 10000" in output
    assert "Traceback" not in output and "MemoryError" not in output
    assert not (mine / "run").exists() and not list(tmp_path.rglob("status.json"))
