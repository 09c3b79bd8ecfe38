"""`tables.format=parquet`: a run's tables as Parquet files, holding the values of the CSV files a
run with the same seed writes, the same bytes for any number of workers, and read by everything
that reads a results folder."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import REPOSITORY, problems_of, run_sim, tables_equal

from sim.app.run import execute
from sim.config.compose import load_run
from sim.results import layout, parquet
from sim.results.files import read_table, table_blocks
from sim.results.folder import read_results
from sim.results.records import TABLE_NAMES
from sim.simulate import workers
from sim.simulate.randomness import BATCH

FIXED = ["scenario=baseline", "replications=300", "seed=5"]


@pytest.fixture
def no_report(monkeypatch):
    """Runs without their report (the slowest part), where a test reads only the tables."""
    from sim.analysis import report

    monkeypatch.setattr(report, "write_report", lambda folder, **options: None)


@pytest.fixture(scope="module")
def twins(tmp_path_factory):
    """A CSV run and its Parquet twin (the same scenario, replications and seed), from the command line."""
    root = tmp_path_factory.mktemp("twins")
    for name, extra in (("csv", []), ("parquet", ["tables.format=parquet"])):
        done = run_sim(*FIXED, "workers=1", *extra, f"hydra.run.dir={root / name}", cwd=root)
        assert done.returncode == 0, done.stderr
    return root / "csv", root / "parquet"


def test_a_parquet_run_writes_its_tables_as_parquet_files_and_no_csv_tables(twins):
    _, folder = twins
    for name in TABLE_NAMES:
        assert (folder / f"{name}.parquet").is_file() and not (folder / f"{name}.csv").exists(), name
    assert (folder / layout.TIMELINE).is_file()  # one replication's trace stays a small CSV file


def test_one_pandas_call_reads_a_parquet_table_as_the_csv_twin_reads(twins):
    csv, folder = twins
    for name in TABLE_NAMES:
        from_parquet = pd.read_parquet(folder / f"{name}.parquet")
        pd.testing.assert_frame_equal(from_parquet, pd.read_csv(csv / f"{name}.csv"), obj=name)


def test_the_project_reads_parquet_tables_into_the_arrays_it_reads_from_csv(twins):
    csv, folder = twins
    for name in TABLE_NAMES:
        a, b = layout.table_path(csv, name), layout.table_path(folder, name)
        assert (a.suffix, b.suffix) == (".csv", ".parquet")
        assert tables_equal(read_table(a), read_table(b)), name
        assert tables_equal(read_table(a, replication=7), read_table(b, replication=7)), name
        columns = ["replication", "movement"] if name != "checkpoints" else ["checkpoint", "wait_h"]
        assert tables_equal(read_table(a, columns=columns), read_table(b, columns=columns)), name
        for x, y in zip(table_blocks(a, columns), table_blocks(b, columns), strict=True):
            assert tables_equal(x, y), name
    assert read_results(folder).to_pandas("movements")["movements"].equals(read_results(csv).to_pandas()["movements"])


def test_a_parquet_run_has_the_summary_validation_figures_and_report_of_its_csv_twin(twins):
    csv, folder = twins
    for name in (layout.SUMMARY, layout.VALIDATION, *[p.name for p in csv.glob("*.png")]):
        assert (folder / name).read_bytes() == (csv / name).read_bytes(), name

    def report(at):  # but how and when it ran
        lines = (at / layout.REPORT_MD).read_text().splitlines()
        return [line for line in lines if not line.startswith(("| Command", "| Started", "| Ended", "| Run time"))]

    assert report(folder) == report(csv)


def test_the_report_compare_and_reproduce_commands_read_a_parquet_folder(twins, tmp_path, monkeypatch):
    from sim.analysis import report
    from sim.app.compare import main as compare
    from sim.app.report import main as rerender
    from sim.app.reproduce import main as reproduce

    csv, folder = twins
    before = (folder / layout.REPORT_MD).read_bytes()
    (folder / layout.REPORT_MD).unlink()
    assert rerender([str(folder)]) == 0
    assert (folder / layout.REPORT_MD).read_bytes() == before
    assert compare([str(csv), str(folder), "--out", str(tmp_path / "compare")]) == 0
    assert layout.data_files(folder) == [*layout.PARQUET_TABLES.values(), layout.SUMMARY, layout.VALIDATION]
    monkeypatch.setattr(report, "write_report", lambda folder, **options: None)  # the re-run's report is not compared
    assert reproduce([str(folder), "--keep", str(tmp_path / "again")]) == 0  # the same bytes again
    assert (tmp_path / "again" / "movements.parquet").is_file()


def test_rebuilding_a_parquet_runs_report_without_pyarrow_says_how_to_install_it(twins, tmp_path, monkeypatch, capsys):
    from sim.app.report import main as rerender

    copy = tmp_path / "run"
    shutil.copytree(twins[1], copy)
    for name in ("pyarrow", "pyarrow.parquet"):
        monkeypatch.setitem(sys.modules, name, None)  # as if it were not installed
    assert rerender([str(copy)]) == 2
    err = capsys.readouterr().err
    assert f"sim.report: {copy}: Parquet tables need pyarrow: pip install -e " in err and "nothing written" in err
    assert "Traceback" not in err


def test_a_sweeps_long_table_reads_the_jobs_tables_in_either_format(twins, tmp_path):
    from sim.analysis.sweep_summary import summarise_sweep

    for folder in twins:  # each run as job 0 of a sweep
        shutil.copytree(folder, tmp_path / folder.name / "0")
    (_, from_csv), (_, from_parquet) = (summarise_sweep(tmp_path / folder.name) for folder in twins)
    assert set(from_parquet) - set(from_csv) == {"tables.format"}  # a key the Parquet run was given
    assert tables_equal({c: from_parquet[c] for c in from_csv}, from_csv)


def test_parquet_files_are_the_same_bytes_for_one_or_two_workers(tmp_path, monkeypatch, no_report):
    # Pieces of one batch, in row groups of 1,000 rows: on two workers the pieces are cut
    # differently (smaller at the end), yet every row group holds the same rows.
    monkeypatch.setattr(workers, "CHUNK", BATCH)
    monkeypatch.setattr(parquet, "ROW_GROUP_ROWS", 1000)
    run = load_run(["scenario=baseline", f"replications={3 * BATCH + 7}", "seed=5", "tables.format=parquet"])
    for n in (1, 2):
        execute(run, tmp_path / str(n), "baseline", "", workers=n)
    assert pq.ParquetFile(tmp_path / "1" / "passages.parquet").metadata.num_row_groups > 3
    for name in layout.PARQUET_TABLES.values():
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name


def test_a_parquet_run_without_passages_writes_no_passages_file_and_still_reports(tmp_path):
    folder = tmp_path / "lean"
    execute(load_run([*FIXED, "tables.format=parquet", "tables.passages=false"]), folder, "baseline", "")
    assert not (folder / "passages.parquet").exists() and not (folder / "passages.csv").exists()
    assert (folder / "movements.parquet").is_file() and (folder / layout.REPORT_HTML).is_file()
    assert "passages.parquet" not in layout.data_files(folder)


def test_a_run_in_the_folder_of_an_earlier_run_leaves_none_of_its_tables_in_the_other_format(tmp_path, no_report):
    folder = tmp_path / "again"
    execute(load_run([*FIXED, "replications=20"]), folder, "baseline", "")
    execute(load_run([*FIXED, "replications=20", "tables.format=parquet"]), folder, "baseline", "")
    assert not list(folder.glob("*s.csv"))  # movements, passages, checkpoints, deliveries
    assert read_results(folder).table("movements")["replication"].max() == 19


def test_parquet_without_pyarrow_is_refused_before_anything_runs_saying_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if it were not installed
    (problem,) = problems_of(["tables.format=parquet"])
    assert problem.startswith("tables.format=parquet:") and 'pip install -e ".[parquet]"' in problem
    # The command line: the message alone, exit status 1, and no results folder.
    hidden = "import sys; sys.modules['pyarrow'] = None; from sim.app.cli import cli; cli()"
    done = subprocess.run(
        [sys.executable, "-c", hidden, "tables.format=parquet", f"hydra.run.dir={tmp_path / 'run'}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPOSITORY), "PATH": ""},
        timeout=120,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert 'tables.format=parquet: needs pyarrow, which is not installed: pip install -e ".[parquet]"' in done.stderr
    assert not (tmp_path / "run").exists()


def test_an_unknown_table_format_is_refused_naming_the_key_and_the_formats(tmp_path):
    done = run_sim("tables.format=xml", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "tables.format=xml: Invalid value 'xml', expected one of [csv, parquet]" in done.stderr


def test_an_interrupted_parquet_run_stops_promptly_and_leaves_no_table(tmp_path):
    from test_reliability import start_long_run, status

    process, folder = start_long_run(tmp_path, "tables.format=parquet")
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert time.monotonic() - sent < 15
    assert process.returncode == 130 and "Interrupted" in err and "Traceback" not in err
    assert status(folder) == "interrupted"
    assert not list(folder.glob("*.parquet")) and not list(folder.glob(".*.tmp"))


def test_an_empty_table_is_written_and_read_as_columns_of_floats(tmp_path):
    from sim.results.files import parquet_file

    path = tmp_path / "t.parquet"
    with parquet_file(path, ["replication", "movement"]) as writer:
        writer.write({"replication": np.empty(0), "movement": np.empty(0)})
    back = read_table(path)
    assert list(back) == ["replication", "movement"] and all(v.dtype == float and not len(v) for v in back.values())
