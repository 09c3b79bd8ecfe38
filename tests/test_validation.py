"""Bad input is refused before anything runs, with a message naming the full key.

Command-line overrides go through the same composition as `python -m sim` (`load_run`); value
rules are also checked on scenarios built in Python (`scenario_problems`, `check`).
"""

from __future__ import annotations

import math
import re

import pytest
from conftest import START, at, checkpoint, delay, fixed, hold, movement, problems_of, run_config, scenario
from hydra.errors import HydraException, MissingConfigException
from omegaconf.errors import OmegaConfBaseException

from sim.config.compose import load_run
from sim.config.scenario import RunConfig
from sim.config.schema import Checkpoint, Flow, Leg, Place
from sim.config.validate import ConfigError, check, scenario_problems


def naming(problems: list[str], key: str) -> list[str]:
    """The problems about exactly `key` (followed by '=' and its value, or by ':')."""
    return [p for p in problems if re.match(re.escape(key) + r"[=:]", p)]


def hydra_message(error: BaseException) -> str:
    """An exception's message with those of its causes, as Hydra prints them."""
    parts = []
    while error is not None:
        parts.append(str(error))
        error = error.__cause__
    return "\n".join(parts)


def test_the_baseline_is_valid():
    run = load_run([])
    assert run.replications == "auto" and run.scenario.movements  # as many as the precision needs


# --- Through Hydra composition, as on the command line ------------------------------------------


RRC = "scenario.movements.rrc_aghdam"
HAKARI = "scenario.checkpoints.hakari"
ASKERAN = "scenario.checkpoints.askeran"


@pytest.mark.parametrize(
    "override, key, says",
    [
        (f"{RRC}.trucks=0", f"{RRC}.trucks=0", ">= 1"),
        (f"{RRC}.trucks=-3", f"{RRC}.trucks=-3", ">= 1"),
        ("scenario.horizon_days=-1", "scenario.horizon_days", "> 0"),
        ("scenario.horizon_days=0", "scenario.horizon_days", "> 0"),
        # Hydra's override grammar reads nan and inf as floats; they must not get through.
        ("scenario.horizon_days=nan", "scenario.horizon_days=nan", "finite"),
        ("scenario.horizon_days=inf", "scenario.horizon_days=inf", "finite"),
        (f"{HAKARI}.lanes=0", f"{HAKARI}.lanes=0", ">= 1"),
        # A missing parameter: the message names the delay and what it needs.
        (f"{HAKARI}.inspection.p90_h=null", f"{HAKARI}.inspection", "p90_h"),
        (f"{HAKARI}.inspection.median_h=-1", f"{HAKARI}.inspection.median_h", ">= 0"),
        (f"{HAKARI}.inspection.p90_h=0.5", f"{HAKARI}.inspection.p90_h", "median"),
        (f"{ASKERAN}.hours=25:00-08:00", f"{ASKERAN}.hours=25:00-08:00", "HH:MM"),
        (f"{ASKERAN}.hours=08:00-08:00", f"{ASKERAN}.hours=08:00-08:00", "same"),
        (f"{ASKERAN}.hours=8-20", f"{ASKERAN}.hours=8-20", "HH:MM"),
        ("replications=0", "replications=0", ">= 1"),
        ("seed=-1", "seed=-1", ">= 0"),
        (f"{RRC}.departure=2023-01-01T00:00", f"{RRC}.departure=2023-01-01T00:00", "before"),
        (f"{RRC}.departure=soon", f"{RRC}.departure=soon", "datetime"),
        ("scenario.start=yesterday", "scenario.start=yesterday", "datetime"),
        (f"{RRC}.hold.refusal_probability=1.5", f"{RRC}.hold.refusal_probability=1.5", "between 0 and 1"),
        (f"{RRC}.hold.refusal_probability=nan", f"{RRC}.hold.refusal_probability=nan", "between 0 and 1"),
        (f"{RRC}.hold.place=yerevan", f"{RRC}.hold.place=yerevan", "route"),
        (f"{RRC}.route=[barda,nowhere,stepanakert]", f"{RRC}.route", "nowhere"),
        # Both places exist, but no leg joins barda and askeran.
        (f"{RRC}.route=[barda,askeran,stepanakert]", f"{RRC}.route", "leg"),
        (f"{RRC}.route=[barda]", f"{RRC}.route", "two places"),
        (f"{RRC}.cargo_t.food=-15", f"{RRC}.cargo_t.food", ">= 0"),
        ("scenario.legs.barda_aghdam.end=nowhere", "scenario.legs.barda_aghdam.end=nowhere", "unknown place"),
        ("scenario.legs.barda_aghdam.travel.high_h=0.5", "scenario.legs.barda_aghdam.travel", "low_h <= mode_h"),
        ("scenario.title=???", "scenario.title", "required"),
    ],
)
def test_a_bad_value_is_refused_naming_its_key(override, key, says):
    problems = problems_of([override])
    mine = naming(problems, key)
    assert mine, f"no problem names {key}: {problems}"
    assert any(says in p for p in mine), mine


def test_every_problem_is_reported_at_once():
    problems = problems_of(["replications=0", f"{HAKARI}.lanes=0", f"{RRC}.trucks=0"])
    for key in ("replications=0", f"{HAKARI}.lanes=0", f"{RRC}.trucks=0"):
        assert naming(problems, key), (key, problems)


def test_an_unknown_scenario_lists_the_available_ones():
    with pytest.raises(MissingConfigException) as caught:
        load_run(["scenario=nowhere_land"])
    message = str(caught.value)
    assert "scenario/nowhere_land" in message
    assert "Available options in 'scenario'" in message and "baseline" in message


@pytest.mark.parametrize(
    "override, key, says",
    [
        # A misspelt key is not silently added.
        (f"{HAKARI}.lanez=2", f"{HAKARI}.lanez", "lanez"),
        ("scenario.horizon_dayz=3", "scenario.horizon_dayz", "horizon_dayz"),
        # Wrong types.
        (f"{HAKARI}.lanes=abc", f"{HAKARI}.lanes", "Integer"),
        (f"{HAKARI}.lanes=2.5", f"{HAKARI}.lanes", "Integer"),
        ("scenario.horizon_days=abc", "scenario.horizon_days", "Float"),
        ("replications=many", "replications", "many"),
        # A distribution the schema does not know; the message lists those it does.
        (f"{HAKARI}.inspection.dist=weibull", f"{HAKARI}.inspection.dist", "lognormal"),
    ],
)
def test_composition_refuses_unknown_keys_and_wrong_types_naming_the_key(override, key, says):
    with pytest.raises((ConfigError, HydraException, OmegaConfBaseException)) as caught:
        load_run([override])
    message = hydra_message(caught.value)
    assert key in message and says in message, message


# --- Value rules on scenarios built in Python ----------------------------------------------------


def ok():
    """A valid scenario to break one rule at a time."""
    return scenario(
        legs=[("a", "b", 1.0), ("b", "c", 1.0)],
        checkpoints={"b": checkpoint(1.0)},
        movements={"m": movement(["a", "b", "c"], hold=hold("b", 2.0, 0.1))},
    )


def problems_after(change) -> list[str]:
    s = ok()
    change(s)
    return list(scenario_problems(s, "scenario"))


def _set(path: str, value: object):
    """A change to `ok()`: set the attribute at a dotted path ("movements.m.hold.place")."""

    def change(s):
        *parents, name = path.split(".")
        node = s
        for part in parents:
            node = node[part] if isinstance(node, dict) else getattr(node, part)
        if isinstance(node, dict):
            node[name] = value
        else:
            setattr(node, name, value)

    return change


M, B = "scenario.movements.m", "scenario.checkpoints.b"


@pytest.mark.parametrize(
    "change, key",
    [
        (_set("checkpoints.b.lanes", 0), f"{B}.lanes=0"),
        (_set("checkpoints.b.hours", "20:00"), f"{B}.hours=20:00"),
        (_set("checkpoints.x", Checkpoint(inspection=fixed(1.0))), "scenario.checkpoints.x"),  # not a place
        (_set("legs.a_b.end", "x"), "scenario.legs.a_b.end=x"),
        (_set("legs.a_b.end", "a"), "scenario.legs.a_b"),  # from a place to itself
        (_set("legs.again", Leg(start="b", end="a", travel=fixed(1.0))), "scenario.legs.again"),  # a second a-b
        (_set("places.Bad", Place(name="Bad")), "scenario.places.Bad"),
        (_set("places.a.name", " "), "scenario.places.a.name"),
        (_set("movements.m.route", ["a", "c"]), f"{M}.route"),  # no leg a-c
        (_set("movements.m.route", ["a", "x", "c"]), f"{M}.route"),
        (_set("movements.m.departure", at(-1.0)), f"{M}.departure"),
        (_set("movements.m.trucks", 0), f"{M}.trucks=0"),
        (_set("movements.m.cargo_t", {}), f"{M}.cargo_t"),
        (_set("movements.m.hold.place", "x"), f"{M}.hold.place=x"),
        (_set("movements.m.hold.refusal_probability", -0.1), f"{M}.hold.refusal_probability"),
        (_set("movements.m.hold.delay", delay("exponential", mean_h=0.0)), f"{M}.hold.delay.mean_h"),
        (_set("movements.m.hold.delay", delay("fixed")), f"{M}.hold.delay"),  # value_h missing
        (_set("movements.m.hold.delay", delay("fixed", value_h=1.0, mean_h=1.0)), f"{M}.hold.delay.mean_h"),
        (_set("checkpoints.b.inspection", delay("empirical", values_h=[])), f"{B}.inspection.values_h"),
        (_set("checkpoints.b.inspection", delay("empirical", values_h=[1.0, math.nan])), f"{B}.inspection.values_h"),
        (_set("checkpoints.b.inspection", delay("uniform", low_h=3.0, high_h=1.0)), f"{B}.inspection"),
        (_set("checkpoints.b.inspection", delay("gamma", mean_h=1.0, sd_h=math.inf)), f"{B}.inspection.sd_h=inf"),
        (_set("movements", {}), "scenario.movements"),
        (_set("start", "2024-13-01T00:00"), "scenario.start=2024-13-01T00:00"),
    ],
)
def test_a_scenario_breaking_a_rule_is_refused_naming_the_key(change, key):
    problems = problems_after(change)
    assert naming(problems, key), f"no problem names {key}: {problems}"


def test_a_valid_scenario_has_no_problems():
    assert list(scenario_problems(ok(), "scenario")) == []


def test_run_settings_are_checked_with_the_scenario():
    with pytest.raises(ConfigError) as caught:
        check(RunConfig(scenario=ok(), replications=0, seed=1))
    assert caught.value.problems == ["replications=0: must be >= 1"]
    run_config(ok(), replications=1)  # and a valid run passes


def test_problems_name_the_key_the_scenario_sits_under():
    s = ok()
    s.checkpoints["b"].lanes = 0
    assert naming(list(scenario_problems(s, "sweep.2.scenario")), "sweep.2.scenario.checkpoints.b.lanes=0")


def test_a_time_zone_on_one_datetime_only_is_a_problem_not_a_crash():
    # Times are local (design notes). A start with an offset and a departure without one cannot be
    # compared; validation must say so, naming a key, not raise TypeError.
    s = scenario(legs=[("a", "b", 1.0)], movements={"m": movement(["a", "b"], departure=START)})
    s.start = START + "+04:00"
    problems = list(scenario_problems(s, "scenario"))
    assert naming(problems, "scenario.start") or naming(problems, "scenario.movements.m.departure"), problems


def test_precision_names_only_enabled_movements_and_flows_depart_before_the_horizon():
    with pytest.raises(ConfigError) as refused:
        load_run(
            [
                "replications=auto",
                "precision.movements=[armenia_convoy]",
                "scenario.movements.armenia_convoy.enabled=false",
            ]
        )
    assert any(p.startswith("precision.movements") for p in refused.value.problems)
    s = scenario(legs=[("a", "b", 1.0)], movements={"m": movement(["a", "b"])}, horizon_days=2)
    s.flows = {"late": Flow(name="late", trucks=1, cargo_t={"food": 1.0}, route=["a", "b"], first_departure=at(48))}
    assert any("flows.late.first_departure" in p and "horizon" in p for p in scenario_problems(s, "scenario"))
