"""The record of what happened (scenarios/records/): its files are checked like scenarios, and a
scenario's observations name only what the record holds and a run can check."""

from __future__ import annotations

import pytest

from sim.config.compose import load_scenario
from sim.config.observations import checked, observation_problems
from sim.config.record import RecordError, read_record

GOOD = """
observations:
  arrived:
    kind: delivery_date
    description: "a truck delivered"
    value: 2023-09-12
    date: 2023-09-12
    unit: date
    source: "https://example.org/report"
    confidence: H
"""


def write(folder, text: str, name: str = "test_record") -> str:
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return name


def test_the_shipped_record_reads_with_every_observation_sourced():
    record = read_record("lachin_2023")
    assert record["convoy_wait"].value == 60 and record["rrc_delivered"].value == "2023-09-12"
    assert all(o.source and o.unit and o.confidence for o in record.values())


@pytest.mark.parametrize(
    "edit, expected",
    [
        (lambda t: t.replace('    source: "https://example.org/report"\n', ""), "arrived.source: is required"),
        (lambda t: t.replace("    unit: date\n", ""), "arrived.unit: is required"),
        (lambda t: t.replace("unit: date", "unit: days"), "arrived.unit=days: a delivery_date is in date"),
        (lambda t: t.replace("value: 2023-09-12", "value: soon"), "arrived.value=soon: a delivery_date is an ISO date"),
        (lambda t: t.replace("kind: delivery_date", "kind: arrival"), "arrived.kind=arrival: must be one of"),
        (lambda t: t.replace("https://example.org/report", "a newspaper"), "must be a URL"),
    ],
)
def test_a_record_file_with_a_missing_or_wrong_field_is_refused_naming_it(tmp_path, edit, expected):
    name = write(tmp_path, edit(GOOD))
    with pytest.raises(RecordError) as refused:
        read_record(name, tmp_path)
    assert any(expected in p for p in refused.value.problems), refused.value.problems


def test_a_scenario_names_only_observations_its_record_holds_and_a_run_can_check(tmp_path):
    s = load_scenario("baseline")
    assert not list(observation_problems(s, "scenario"))
    s.observations["medical_evacuations"] = type(s.observations["convoy_wait"])()
    s.observations["landing"] = type(s.observations["convoy_wait"])()
    s.observations["convoy_wait"].calibrates = ["movements.armenia_convoy.hold.speed"]
    problems = list(observation_problems(s, "scenario"))
    assert any("medical_evacuations: the record marks it not_modelled" in p for p in problems)
    assert any("landing: record lachin_2023 has no observation landing" in p for p in problems)
    assert any("convoy_wait.calibrates: movements.armenia_convoy.hold.speed names no parameter" in p for p in problems)


def test_observations_a_scenario_inherits_but_cannot_check_are_listed_as_not_applicable():
    found, skipped = checked(load_scenario("restricted_access"))
    assert [o.name for o, _ in found] == ["restricted_flow_tonnes_per_day", "restricted_flow_vehicles_per_day"]
    why = {s["name"]: s["why"] for s in skipped}
    assert why["convoy_wait"] == "movement armenia_convoy is disabled in this scenario"
    assert why["pre_blockade_tonnes_per_day"].startswith("dated outside this scenario's timeline")
