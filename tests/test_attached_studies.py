"""Studies attached to a run's report: `python -m sim.report <run> --study <study>` digests a
sensitivity and an uncertainty study of the run's scenario into studies.json, and refuses what
does not fit (another scenario, an incomplete study, two of one kind)."""

from __future__ import annotations

import shutil

import pytest
from conftest import run_sim

from sim.app.report import main as report_command
from sim.results.files import read_json


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """A small baseline run, and a small sensitivity and uncertainty study of the baseline."""
    root = tmp_path_factory.mktemp("attach")
    commands = {
        "run": ("sim", ["replications=40"]),
        "sensitivity": ("sim.sensitivity", ["replications=3", "trajectories=2", "workers=1"]),
        "uncertainty": ("sim.uncertainty", ["replications=3", "samples=4", "workers=1"]),
    }
    for name, (module, args) in commands.items():
        done = run_sim(*args, f"hydra.run.dir={root / name}", cwd=root, module=module)
        assert done.returncode == 0, done.stderr
    return root


def test_both_studies_are_digested_into_the_run(folders, capsys):
    run = folders / "run"
    assert (
        report_command([str(run), "--study", str(folders / "sensitivity"), "--study", str(folders / "uncertainty")])
        == 0
    )
    studies = {s["kind"]: s for s in read_json(run / "studies.json")["studies"]}
    assert set(studies) == {"sensitivity", "uncertainty"}
    sensitivity = studies["sensitivity"]
    assert sensitivity["method"] == "morris" and sensitivity["scenario"] == "baseline"
    ranked = [r for r in sensitivity["results"] if r["top"]]  # a tiny study: some results vary too little
    assert ranked and {"short", "share", "value"} <= set(ranked[0]["top"][0])
    interval = next(r for r in studies["uncertainty"]["results"] if r["metric"] == "delivery_probability")
    assert interval["mc"] and interval["total"]


def test_the_report_says_what_drives_each_result_and_where_the_total_intervals_are(folders):
    page = (folders / "run" / "report.html").read_text(encoding="utf-8")
    if "Sensitivity study attached" not in page:  # this test also runs alone
        assert (
            report_command(
                [str(folders / "run"), "--study", str(folders / "sensitivity"), "--study", str(folders / "uncertainty")]
            )
            == 0
        )
        page = (folders / "run" / "report.html").read_text(encoding="utf-8")
    section = page[page.index('id="what-drives-this-result"') : page.index('id="against-the-record"')]
    assert "Sensitivity study attached: Morris elementary effects" in section and 'id="drivers-table"' in section
    assert "Uncertainty study attached: parameter sets in a Latin hypercube" in section
    assert "Total, over the ranges" in section
    brief = page[page.index('id="answers-in-brief"') : page.index('id="the-scenario"')]
    assert "the attached uncertainty study gives each result's total interval" in brief
    md = (folders / "run" / "report.md").read_text(encoding="utf-8")
    assert "## What drives this result" in md and "| Movement | Result | Driven by | Negligible |" in md


def test_without_studies_the_report_says_how_to_attach_them(tmp_path, folders):
    run = tmp_path / "run"
    shutil.copytree(folders / "run", run)
    (run / "studies.json").unlink(missing_ok=True)
    assert report_command([str(run)]) == 0
    page = (run / "report.html").read_text(encoding="utf-8")
    assert "No sensitivity or uncertainty study is attached to this run" in page
    assert "python -m sim.sensitivity scenario=baseline" in page


def test_a_study_of_another_scenario_or_two_of_a_kind_are_refused(folders, tmp_path, capsys):
    other = tmp_path / "other"
    shutil.copytree(folders / "sensitivity", other)
    study = read_json(other / "study.json")
    (other / "study.json").write_text(__import__("json").dumps({**study, "scenario": "corridor_closure"}))
    run = tmp_path / "run"
    shutil.copytree(folders / "run", run)
    (run / "studies.json").unlink(missing_ok=True)
    assert report_command([str(run), "--study", str(other)]) == 2
    assert (
        "a study of scenario corridor_closure, not of this run's baseline; nothing written" in capsys.readouterr().err
    )
    twice = [str(run), "--study", str(folders / "sensitivity"), "--study", str(folders / "sensitivity")]
    assert report_command(twice) == 2
    assert "more than one sensitivity study given" in capsys.readouterr().err
    assert report_command([str(run), "--study", str(tmp_path / "nowhere")]) == 2
    assert not (run / "studies.json").exists()


def test_studies_attach_to_runs_only(folders, capsys):
    assert report_command([str(folders / "sensitivity"), "--study", str(folders / "uncertainty")]) == 2
    assert "attaches studies to a run's folder" in capsys.readouterr().err
