"""The command line end to end: `python -m sim` in a fresh process, as a user runs it."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPOSITORY, run_sim

from sim.config.compose import load_scenario

FILES = (
    "config.yaml",
    "provenance.json",
    "movements.csv",
    "passages.csv",
    "checkpoints.csv",
    "summary.json",
    "scenario_card.csv",
    "report.html",
    "status.json",
)


def _refuse(constant: str) -> float:
    raise ValueError(f"summary.json holds {constant}, which is not JSON")


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"), parse_constant=_refuse)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def shares(node: object, at: str = "") -> list[tuple[str, float]]:
    """Every number in a summary that is a probability or a share, with its path."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{at}.{key}" if at else key
            if "probability" in key and isinstance(value, dict):
                found += [(f"{path}.{k}", v) for k, v in value.items() if v is not None]
            elif key.endswith(("_share", "probability")) or key == "utilisation":
                if value is not None:
                    found.append((path, value))
            else:
                found += shares(value, path)
    return found


def test_a_run_writes_a_complete_results_folder(tmp_path):
    folder = tmp_path / "run"
    done = run_sim("replications=20", f"hydra.run.dir={folder}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert str(folder) in done.stdout

    for name in FILES:
        assert (folder / name).is_file(), name
    assert list(folder.glob("*.png")), "no figure"
    assert read_json(folder / "status.json")["status"] == "complete"
    assert read_json(folder / "provenance.json")["seed"] == 20230726

    summary = read_json(folder / "summary.json")
    movements = list(load_scenario("baseline").movements)
    assert list(summary["movements"]) == movements
    assert summary["replications"] == 20
    for key, m in summary["movements"].items():
        assert sum(m["outcomes"].values()) == 20, key
        p = m["delivery_probability"]
        assert p["low"] <= p["estimate"] <= p["high"], key
    found = shares(summary)
    assert any(path.endswith("delivery_probability.estimate") for path, _ in found)
    for path, value in found:
        assert 0.0 <= value <= 1.0, (path, value)

    table = read_csv(folder / "movements.csv")
    assert len(table) == 20 * len(movements)
    assert [(row["replication"], row["movement"]) for row in table] == [
        (str(r), key) for r in range(20) for key in movements
    ]


@pytest.mark.parametrize(
    "override, key",
    [
        ("replications=0", "replications=0"),
        ("scenario.checkpoints.hakari.lanes=abc", "scenario.checkpoints.hakari.lanes"),
    ],
)
def test_bad_input_fails_cleanly_naming_the_key_and_leaves_no_results(tmp_path, override, key):
    mine = tmp_path / "mine"  # the user's own (empty) folder, given as the parent of the run folder
    mine.mkdir()
    done = run_sim(override, f"hydra.run.dir={mine / 'run'}", cwd=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert key in output
    assert "Traceback" not in output
    assert not list(tmp_path.rglob("status.json")), "a refused run must not leave anything that looks like a result"
    assert not (mine / "run").exists()
    assert mine.is_dir(), "the refused run deleted a folder that existed before it started"


def test_a_refused_value_prints_exactly_what_the_readme_shows(tmp_path):
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```\n\$ python -m sim (\S+)\n(.*?)```", readme, re.DOTALL)
    override, shown = example.groups()
    done = run_sim(override, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == shown  # nothing above it, such as Hydra's "Error executing job with overrides"
    assert done.stdout == ""


def test_a_refused_study_prints_its_message_alone(tmp_path):
    done = run_sim("replications=0", cwd=tmp_path, module="sim.sensitivity")
    assert done.returncode == 1
    assert done.stderr == "Invalid configuration:\n  replications=0: must be >= 1\n"


@pytest.mark.slow
def test_the_same_seed_writes_identical_data_files(tmp_path):
    for name in ("a", "b"):
        done = run_sim("replications=30", "seed=5", f"hydra.run.dir={tmp_path / name}", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    for name in ("movements.csv", "passages.csv", "checkpoints.csv", "summary.json", "scenario_card.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_help_lists_the_scenarios_and_run_settings(tmp_path):
    done = run_sim("--help", cwd=tmp_path)
    assert done.returncode == 0
    assert "baseline" in done.stdout and "replications=auto" in done.stdout and "--hydra-help" in done.stdout


def test_help_read_in_part_ends_quietly(tmp_path):
    # `python -m sim --help | head -1`: the reader closes the pipe after one line
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", "--help"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout.readline().startswith(b"Aid logistics simulator")
    process.stdout.close()
    assert process.stderr.read() == b""  # no BrokenPipeError traceback
    process.wait()
