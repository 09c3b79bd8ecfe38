"""Sensitivity studies (`python -m sim.sensitivity`): indices against a toy whose answer is known,
Morris and Sobol' agreeing, the study folder, and the command line end to end.

The toy: one truck drives a -> b -> c, each leg a fixed time, so its delivery time is the sum of
the two. The first leg's time is declared uniform over a range sqrt(10) times as wide as the
second's, so it has ten times the variance: Sobol' S1 = 10/11 and 1/11, Morris mu* in the ratio
sqrt(10). A third parameter, the inspection time of a checkpoint no movement passes, affects
nothing.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from conftest import REPOSITORY, checkpoint, delay, movement, run_sim, scenario

from sim.app import report as report_command
from sim.app import study as study_module
from sim.app.study import execute_study, prepare
from sim.config.compose import load_study
from sim.config.library import SCENARIO_DIR
from sim.config.schema import Uncertainty, UncertaintyShape
from sim.config.study import StudyConfig, StudyMethod, check_study
from sim.config.uncertainty import varied
from sim.config.validate import ConfigError, scenario_problems
from sim.results.files import read_json, read_table
from sim.results.status import read_status

WIDE = "legs.a_b.travel.value_h"
NARROW = "legs.b_c.travel.value_h"
INERT = "checkpoints.d.inspection.value_h"
SHIPPED = sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))
TIME = ("mean_delivery_time_h", "m")


def toy(uncertainty: dict[str, Uncertainty] | None = None):
    """The toy, with a random inspection at b: common random numbers add the same draws at every
    design point, so the indices are those of the two legs alone."""
    s = scenario(
        legs=[("a", "b", 2.0), ("b", "c", 1.5), ("c", "d", 1.0)],
        checkpoints={"b": checkpoint(delay("exponential", mean_h=0.5)), "d": checkpoint(0.5)},
        movements={"m": movement(["a", "b", "c"])},
    )
    s.uncertainty = uncertainty or {
        WIDE: Uncertainty(low=1.0, high=1.0 + math.sqrt(10.0), reason="ten times the variance"),
        NARROW: Uncertainty(low=1.0, high=2.0, reason="the reference"),
        INERT: Uncertainty(low=0.1, high=1.0, reason="a checkpoint no movement passes"),
    }
    return s


def study(method: str, propagation: bool = False, **settings) -> StudyConfig:
    config = StudyConfig(
        scenario=toy(), replications=4, seed=3, method=StudyMethod(method), propagation=propagation, **settings
    )
    check_study(config)
    return config


def run_study(config: StudyConfig, folder: Path, workers: int = 1) -> dict:
    return execute_study(config, prepare(config), folder, "toy", "config: {}\n", workers)


def indices(folder: Path, index: str, result: tuple[str, str] = TIME) -> dict[str, tuple[float, float, float]]:
    t = read_table(folder / "indices.csv")
    rows = [i for i in range(len(t["index"])) if (t["metric"][i], t["movement"][i], t["index"][i]) == (*result, index)]
    return {t["parameter"][i]: (t["value"][i], t["conf_low"][i], t["conf_high"][i]) for i in rows}


@pytest.fixture(scope="module")
def sobol_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sobol")
    run_study(study("sobol", samples=128), folder)
    return folder


@pytest.fixture(scope="module")
def morris_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("morris")
    run_study(study("morris", trajectories=10), folder)
    return folder


def test_sobol_indices_give_the_known_variance_shares_and_nothing_to_the_inert_parameter(sobol_folder):
    s1, st = indices(sobol_folder, "S1"), indices(sobol_folder, "ST")
    for key, share in ((WIDE, 10 / 11), (NARROW, 1 / 11)):
        value, low, high = s1[key]
        assert abs(value - share) < 0.05 and low - 0.02 <= share <= high + 0.02, (key, s1[key])
        assert abs(st[key][0] - share) < 0.05, (key, st[key])  # additive: no interactions
    for index in (s1, st):
        value, low, high = index[INERT]
        assert abs(value) < 0.01 and low <= 0.0 <= high + 1e-12, index[INERT]


def test_morris_ranks_as_sobol_does_with_the_known_ratio_and_a_zero_for_the_inert_parameter(
    morris_folder, sobol_folder
):
    mu = indices(morris_folder, "mu_star")
    assert mu[WIDE][0] / mu[NARROW][0] == pytest.approx(math.sqrt(10.0), rel=1e-6)  # exact: the toy is linear
    assert mu[INERT] == (0.0, 0.0, 0.0)
    st = indices(sobol_folder, "ST")
    assert sorted(mu, key=lambda k: -mu[k][0]) == sorted(st, key=lambda k: -st[k][0]) == [WIDE, NARROW, INERT]


def test_the_report_says_which_input_dominates_and_what_was_varied_and_why(sobol_folder, morris_folder):
    html = (sobol_folder / "report.html").read_text(encoding="utf-8")
    assert "a_b.travel.value_h dominates" in html and "ten times the variance" in html
    assert "data:image/png;base64," in html and 'src="sensitivity_' not in html  # self-contained
    md = (morris_folder / "report.md").read_text(encoding="utf-8")
    assert "4 replications per point" in md and "common random numbers" in md
    facts = read_json(morris_folder / "study.json")
    assert [p["key"] for p in facts["parameters"]] == [WIDE, NARROW, INERT]
    assert read_status(morris_folder) == "complete"


@pytest.mark.parametrize(
    "key, u, expected",
    [
        (WIDE, Uncertainty(low=3.0, high=2.0, reason="r"), "low=3.0: must be below high=2.0"),
        ("legs.a_b.travel.valu_h", Uncertainty(low=1.0, high=2.0, reason="r"), "names no parameter"),
        ("legs.a_b.travel", Uncertainty(low=1.0, high=2.0, reason="r"), "names a block, not a number"),
        ("checkpoints.d.hours", Uncertainty(low=1.0, high=2.0, reason="r"), "is not a number"),
        ("checkpoints.d.turn_back_probability", Uncertainty(low=0.0, high=1.5, reason="r"), "must be between 0 and 1"),
        (
            WIDE,
            Uncertainty(low=-1.0, high=3.0, reason="r"),
            "low=-1.0: would make the scenario invalid: scenario.legs.a_b.travel.value_h=-1.0: must be a finite",
        ),
        (WIDE, Uncertainty(low=2.5, high=3.0, reason="r"), "the scenario's value 2.0 lies outside low..high"),
        (WIDE, Uncertainty(low=1.0, high=3.0, dist=UncertaintyShape.triangular, reason="r"), "mode: is required"),
        (WIDE, Uncertainty(low=1.0, high=3.0, mode=2.0, reason="r"), "mode: is not used by dist=uniform"),
        (WIDE, Uncertainty(low=1.0, high=3.0, reason=" "), "reason: must say"),
    ],
)
def test_an_invalid_declared_range_is_refused_naming_its_key(key, u, expected):
    assert not list(scenario_problems(toy(), "scenario"))
    s = toy({key: u})
    problems = list(scenario_problems(s, "scenario"))
    with pytest.raises(ConfigError) as refused:  # a study checks the ranges against the scenario too
        check_study(StudyConfig(scenario=s))
    assert set(problems) <= set(refused.value.problems)
    problems = refused.value.problems
    assert any(p.startswith(f"scenario.uncertainty.{key}") and expected in p for p in problems), problems


def test_a_study_without_anything_to_vary_or_with_bad_sizes_is_refused():
    s = toy()
    s.uncertainty = {}
    with pytest.raises(ConfigError) as error:
        check_study(StudyConfig(scenario=s, method=StudyMethod.sobol, levels=3, samples=100))
    text = str(error.value)
    assert "scenario.uncertainty: declares no parameter" in text and "levels=3" in text and "samples=100" in text


def test_the_report_rebuilds_from_the_folder_without_simulating(morris_folder, monkeypatch):
    before = {name: (morris_folder / name).read_bytes() for name in ("report.html", "report.md", "designs.csv")}
    (morris_folder / "report.html").unlink()

    def no_simulation(*args, **kwargs):
        raise AssertionError("the report must not simulate")

    monkeypatch.setattr(study_module, "simulate_points", no_simulation)
    assert report_command.main([str(morris_folder)]) == 0
    assert {name: (morris_folder / name).read_bytes() for name in before} == before


def test_an_interrupted_study_never_looks_complete(tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        yield from ()
        raise KeyboardInterrupt

    monkeypatch.setattr(study_module, "simulate_points", interrupted)
    folder = tmp_path / "study"
    with pytest.raises(KeyboardInterrupt):
        run_study(study("morris", trajectories=2), folder)
    assert read_status(folder) == "interrupted"
    assert not (folder / "report.html").exists() and not (folder / "indices.csv").exists()
    assert report_command.main([str(folder)]) == 2  # nothing rebuilt from an unfinished study


def test_results_are_byte_identical_whatever_the_number_of_workers(tmp_path):
    config = study("morris", trajectories=3)
    one, two = tmp_path / "one", tmp_path / "two"
    run_study(config, one, workers=1)
    run_study(config, two, workers=2)
    for name in ("designs.csv", "indices.csv", "study.json"):
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


@pytest.mark.slow
def test_a_study_on_a_local_dask_cluster_writes_the_same_bytes_as_on_one_process(tmp_path):
    pytest.importorskip("distributed")  # the optional extra `cluster`
    one, cluster = tmp_path / "one", tmp_path / "cluster"
    run_study(study("morris", trajectories=3), one, workers=1)
    run_study(study("morris", trajectories=3, cluster="local"), cluster, workers=2)
    for name in ("designs.csv", "indices.csv", "study.json"):
        assert (one / name).read_bytes() == (cluster / name).read_bytes(), name


@pytest.mark.slow
def test_a_cluster_that_does_not_answer_fails_the_study_in_one_line(tmp_path):
    pytest.importorskip("distributed")
    folder = tmp_path / "study"
    args = ["replications=3", "trajectories=2", "cluster=tcp://127.0.0.1:9", f"hydra.run.dir={folder}"]
    done = run_sim(*args, cwd=tmp_path, module="sim.sensitivity")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "cluster=tcp://127.0.0.1:9: no Dask scheduler answered" in done.stderr
    assert read_status(folder) == "failed"


@pytest.mark.parametrize("address", ["127.0.0.1", "http://scheduler:8786", "tcp://"])
def test_a_cluster_is_local_or_a_dask_scheduler_address(address):
    with pytest.raises(ConfigError, match=f"cluster={address}: must be local or a Dask scheduler's address"):
        check_study(StudyConfig(scenario=toy(), cluster=address))


def test_the_command_runs_a_study_into_a_complete_folder(tmp_path):
    folder = tmp_path / "study"
    args = ["replications=3", "trajectories=2", "workers=1", f"hydra.run.dir={folder}"]
    done = run_sim(*args, cwd=tmp_path, module="sim.sensitivity")
    assert done.returncode == 0, done.stderr
    assert read_status(folder) == "complete"
    for name in ("indices.csv", "designs.csv", "report.html", "report.md", "config.yaml", "study.json"):
        assert (folder / name).is_file(), name
    assert str(REPOSITORY) not in (folder / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "module, bad, message",
    [
        ("sim.sensitivity", "method=sobl", "method"),
        (
            "sim.sensitivity",
            "scenario.movements.armenia_convoy.hold.refusal_probability=0.95",
            "scenario.uncertainty.movements.armenia_convoy.hold.refusal_probability: the scenario's value 0.95",
        ),
        ("sim.sensitivity", "method=latin", "method=latin: python -m sim.sensitivity runs method=morris or sobol"),
        ("sim.uncertainty", "method=morris", "method=morris: python -m sim.uncertainty runs method=latin or sobol"),
        ("sim.uncertainty", "samples=100 method=sobol", "samples=100: must be a power of 2"),
        ("sim.sensitivity", "propagation=true", "propagation=True: not an override; run python -m sim.uncertainty"),
    ],
)
def test_the_command_refuses_bad_input_without_a_traceback_or_a_folder(tmp_path, module, bad, message):
    refused = tmp_path / "refused"
    done = run_sim(*bad.split(), f"hydra.run.dir={refused}", cwd=tmp_path, module=module)
    assert done.returncode == 1 and message in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert not refused.exists()


def test_parameters_null_or_of_a_disabled_movement_are_listed_as_not_applicable_and_not_varied(tmp_path):
    s = toy()
    s.movements["off"] = movement(["a", "b"], trucks=2)
    s.movements["off"].enabled = False
    s.checkpoints["b"].random_closures = None
    s.uncertainty |= {
        "movements.off.trucks": Uncertainty(low=1, high=3, reason="a movement left out"),
        "checkpoints.b.random_closures.rate_per_day": Uncertainty(low=0.1, high=0.2, reason="no closures here"),
        "checkpoints.b.lanes": Uncertainty(low=1, high=3, reason="a whole number"),
    }
    config = StudyConfig(scenario=s, replications=2, trajectories=2)
    check_study(config)
    run_study(config, tmp_path)
    facts = read_json(tmp_path / "study.json")
    assert {n["key"]: n["why"] for n in facts["not_applicable"]} == {
        "movements.off.trucks": "movement off is disabled in this scenario",
        "checkpoints.b.random_closures.rate_per_day": "it is null in this scenario",
    }
    designs = read_table(tmp_path / "designs.csv")
    assert "movements.off.trucks" not in designs
    assert set(designs["checkpoints.b.lanes"]) <= {1.0, 2.0, 3.0}  # whole numbers, as run


def test_a_normal_run_may_set_a_value_outside_its_declared_range_but_a_study_may_not():
    s = toy()
    s.legs["a_b"].travel.value_h = 9.0  # outside 1 .. 1 + sqrt(10)
    assert not list(scenario_problems(s, "scenario"))
    with pytest.raises(ConfigError, match=r"uncertainty\.legs\.a_b\.travel\.value_h: the scenario's value 9.0"):
        check_study(StudyConfig(scenario=s))


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_scenario_can_be_studied(name):
    study = load_study([f"scenario={name}", "replications=10"])  # its ranges fit its own values
    assert varied(study.scenario)


@pytest.mark.parametrize("sampling", ["latin", "sobol"])
def test_propagation_gives_a_total_interval_over_the_ranges_beside_the_monte_carlo_one(tmp_path, sampling):
    config = study(sampling, propagation=True, samples=64)
    run_study(config, tmp_path)
    t = read_table(tmp_path / "intervals.csv")
    row = [i for i in range(len(t["metric"])) if (t["metric"][i], t["movement"][i]) == TIME][0]
    # Nominal: 2 + 1.5 h of driving and an exponential inspection of mean 0.5 h, 4 replications.
    assert t["mc_low"][row] < 4.0 < t["mc_high"][row] and t["mc_high"][row] - t["mc_low"][row] < 2.0
    # Over the ranges the driving alone spans 2 .. 6.16 h, its middle 95% about 2.4 .. 5.8 h, plus
    # about 0.5 h of inspection: the total interval is much wider.
    assert 2.0 < t["total_low"][row] < 3.3 and 5.5 < t["total_high"][row] < 7.5
    # Variance of the driving over the ranges (10 + 1) / 12; noise 0.25 / 4: about 94% parameters.
    assert 0.85 < t["parameter_share"][row] < 1.0 and t["parameter_share"][row] + t["mc_share"][row] == 1.0
    assert read_json(tmp_path / "study.json")["points"] == 65  # the nominal point, then the sets
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "at the scenario's own values" in md and "Monte-Carlo only (95%)" in md
    assert "Latin hypercube" in md if sampling == "latin" else "Sobol' sequence" in md
    figure = "uncertainty_04_median_delivery_time_h.png"  # one figure per metric: its intervals per movement
    assert (tmp_path / figure).read_bytes().startswith(b"\x89PNG") and f"]({figure})" in md


def test_the_uncertainty_command_writes_a_complete_folder(tmp_path):
    folder = tmp_path / "propagation"
    args = ["replications=3", "samples=4", "workers=1", f"hydra.run.dir={folder}"]
    done = run_sim(*args, cwd=tmp_path, module="sim.uncertainty")
    assert done.returncode == 0, done.stderr
    assert read_status(folder) == "complete"
    for name in ("intervals.csv", "designs.csv", "report.html", "report.md", "study.json"):
        assert (folder / name).is_file(), name
    assert report_command.main([str(folder)]) == 0  # rebuilt from its files
