"""`python -m sim.reproduce` gives a verdict only when it can compare: 0 the same, 1 different,
2 when the folder cannot be run again or a data file cannot be compared (with a message why)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import run_sim

from sim.analysis import report
from sim.reproduce import main as reproduce


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    """A complete run folder of the baseline, as the command line writes it."""
    root = tmp_path_factory.mktemp("finished")
    done = run_sim("replications=5", f"hydra.run.dir={root / 'run'}", cwd=root)
    assert done.returncode == 0, done.stderr
    return root / "run"


@pytest.fixture
def copy(finished, tmp_path, monkeypatch) -> Path:
    """A copy of the finished run, to spoil; the re-run writes no report (slow, not compared)."""
    monkeypatch.setattr(report, "write_report", lambda folder, **options: None)
    return Path(shutil.copytree(finished, tmp_path / "run"))


def test_a_run_reproduces(copy, capsys):
    assert reproduce([str(copy)]) == 0
    assert "identical" in capsys.readouterr().out


def test_a_run_missing_a_data_file_is_not_called_different(copy, capsys):
    (copy / "deliveries.csv").unlink()  # as a folder written before that table existed
    assert reproduce([str(copy)]) == 2
    out, err = capsys.readouterr()
    assert "deliveries.csv" in err and "nothing to reproduce" in err
    assert "DIFFERENT" not in out + err


def test_an_unreadable_data_file_is_not_called_different(copy, capsys):
    (copy / "summary.json").write_text("{not json", encoding="utf-8")
    assert reproduce([str(copy), "--tolerance", "1e-9"]) == 2
    out, err = capsys.readouterr()
    assert "summary.json cannot be read" in err
    assert "DIFFERENT" not in out + err


def test_a_changed_data_file_is_different(copy, capsys):
    movements = copy / "movements.csv"
    movements.write_text(movements.read_text(encoding="utf-8").replace("delivered", "refused", 1), encoding="utf-8")
    assert reproduce([str(copy), "--tolerance", "1e-9"]) == 1
    assert "movements.csv" in capsys.readouterr().out


def test_the_re_run_is_never_kept_over_a_run(copy, capsys):
    before = (copy / "summary.json").read_bytes()
    assert reproduce([str(copy), "--keep", str(copy)]) == 2
    assert "holds a run already" in capsys.readouterr().err
    assert (copy / "summary.json").read_bytes() == before
