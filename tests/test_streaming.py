"""A run streams its tables to disk part by part and keeps only what its statistics read: the files
and the summary are those of the whole run held in memory, and `replications=auto` joins each
batch to the ones before instead of re-joining them all."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sim.analysis.delivery_summary import longest_gaps_h
from sim.analysis.precision import widest_probability
from sim.analysis.statistics import summarise
from sim.app.run import against_record, execute, summary_inputs
from sim.config.compose import load_run
from sim.results import layout
from sim.results.checkpoint_sums import BlockSums, checkpoint_sums
from sim.results.columns import TABLE_COLUMNS
from sim.results.files import write_table
from sim.results.kept import KEPT_TABLES, Kept, read_rows, row_count
from sim.simulate import workers
from sim.simulate.randomness import BATCH
from sim.simulate.replications import simulate


def test_tables_streamed_by_a_run_are_byte_for_byte_those_written_from_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(workers, "CHUNK", BATCH)  # several parts, each streamed as it comes
    replications = 2 * BATCH + 7
    run = load_run(["scenario=baseline", f"replications={replications}", "seed=5"])
    execute(run, tmp_path / "run", "baseline", "", workers=2)
    whole = simulate(run.scenario, 5, replications)
    for name in TABLE_COLUMNS:
        write_table(tmp_path / f"{name}.csv", getattr(whole, name))
        streamed = (tmp_path / "run" / layout.TABLES[name]).read_bytes()
        assert streamed == (tmp_path / f"{name}.csv").read_bytes(), name
    in_memory = json.loads(json.dumps(summarise(whole, **summary_inputs(run.scenario))))
    written = json.loads((tmp_path / "run" / layout.SUMMARY).read_text())
    for movement in written["movements"].values():
        del movement["name"]  # the run adds each movement's name
    assert {k: written[k] for k in in_memory} == in_memory
    # Checked against the record in a drawing process, beside the figures: as checked here.
    checked_here = json.loads(json.dumps(against_record(run.scenario, tmp_path / "run")))
    assert json.loads((tmp_path / "run" / layout.VALIDATION).read_text()) == checked_here


def test_the_compact_records_a_run_keeps_read_back_as_the_whole_runs_arrays(baseline):
    kept = Kept()
    for first in (0, 100, 300):
        kept.add(simulate(baseline, 5, 200 if first == 100 else 100, first))
    whole, got = simulate(baseline, 5, 400), kept.records()
    assert got.replications == 400 and got.horizon_h == whole.horizon_h
    for name in KEPT_TABLES:
        table, back = getattr(whole, name), getattr(got, name)
        if name == "checkpoints":  # kept as its sums over blocks of replications: the same bits
            table = checkpoint_sums(table)
        assert list(back) == list(table), name
        for column, values in table.items():
            assert back[column].dtype == values.dtype, (name, column)
            np.testing.assert_array_equal(back[column], values, err_msg=f"{name}.{column}")
    assert summarise(got) == summarise(whole)


def test_any_range_of_a_kept_columns_rows_is_that_slice_of_the_whole_column(baseline):
    kept = Kept()
    for first, count in ((0, 30), (30, 1), (31, 69)):
        kept.add(simulate(baseline, 5, count, first))
    whole, got = simulate(baseline, 5, 100).deliveries, kept.records().deliveries
    rows = row_count(whole)
    assert row_count(got) == rows > 0
    second = int(np.searchsorted(whole["replication"], 30))  # the second part's first row: it has one replication
    # Within one part, across all three, from the first row, to the last, empty, and past the end.
    ranges = [(3, 9), (second - 2, second + 5), (0, rows), (rows - 1, rows), (7, 7), (rows - 4, rows + 10)]
    for column in ("replication", "time_h", "cargo", "tonnes"):
        for begin, end in ranges:
            part = read_rows(got, column, begin, end)
            assert part.dtype == whole[column].dtype
            expected = read_rows(whole, column, begin, end)
            np.testing.assert_array_equal(part, expected, err_msg=f"{column}[{begin}:{end}]")


def test_checkpoint_sums_are_the_same_bits_whatever_pieces_the_rows_came_in(baseline):
    whole = checkpoint_sums(simulate(baseline, 3, 700).checkpoints)
    assert len(whole["rows"]) == 3 * 3 and whole["rows"].sum() == 3 * 700  # 3 checkpoints, blocks 0-255, -511, -699
    for cuts in [(1, 700), (255, 256, 257, 700), (64, 300, 511, 512, 699, 700)]:
        sums = BlockSums()
        for first, end in zip((0, *cuts[:-1]), cuts):
            sums.add(simulate(baseline, 3, end - first, first).checkpoints)
        for column, values in whole.items():
            np.testing.assert_array_equal(sums.table()[column], values, err_msg=f"{cuts}: {column}")


def test_a_run_without_passages_writes_the_other_tables_as_a_run_with_them_and_still_reports(tmp_path):
    import subprocess
    import sys

    fixed = ["replications=300", "seed=5"]
    execute(load_run(fixed), tmp_path / "all", "baseline", "", workers=2)
    execute(load_run([*fixed, "tables.passages=false"]), tmp_path / "lean", "baseline", "", workers=2)
    assert not (tmp_path / "lean" / layout.TABLES["passages"]).exists()
    for name in (*[layout.TABLES[t] for t in ("movements", "checkpoints", "deliveries")], layout.SUMMARY):
        assert (tmp_path / "lean" / name).read_bytes() == (tmp_path / "all" / name).read_bytes(), name
    assert (tmp_path / "lean" / layout.REPORT_HTML).is_file()
    again = subprocess.run([sys.executable, "-m", "sim.report", str(tmp_path / "lean")], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr


def test_replications_auto_joins_its_batches_into_the_run_a_fixed_count_gives(tmp_path):
    # A target no run of 150 replications meets: three batches of 50, then the cap.
    auto = load_run(
        [
            "replications=auto",
            "precision.batch=50",
            "precision.max_replications=150",
            "precision.half_width=0.000001",
        ]
    )
    fixed = load_run(["replications=150"])
    a = execute(auto, tmp_path / "auto", "baseline", "")
    f = execute(fixed, tmp_path / "fixed", "baseline", "")
    assert a["precision"]["replications"] == 150 and not a["precision"]["met"]
    assert {k: v for k, v in a.items() if k != "precision"} == f
    for name in layout.TABLES.values():
        assert (tmp_path / "auto" / name).read_bytes() == (tmp_path / "fixed" / name).read_bytes(), name


def test_by_default_a_run_replicates_until_every_chance_of_delivery_is_known_within_the_target(tmp_path):
    run = load_run(["precision.half_width=0.05", "precision.batch=64"])  # the default, run quicker
    assert run.replications == "auto"
    summary = execute(run, tmp_path / "auto", "baseline", "")
    done = summary["precision"]
    assert done["met"] and done["replications"] % 64 == 0 and done["achieved_half_width"] <= 0.05
    widest, at = widest_probability(summary)
    assert widest == done["achieved_half_width"] and at == done["widest"]
    # One batch fewer was not enough: it stopped at the first batch that met the target.
    fewer = execute(load_run([f"replications={done['replications'] - 64}"]), tmp_path / "fewer", "baseline", "")
    assert widest_probability(fewer)[0] > 0.05


@pytest.mark.parametrize("seed", range(20))
def test_the_longest_gap_is_the_largest_difference_of_each_replications_sorted_times(seed):
    rng = np.random.default_rng(seed)
    reps, n, horizon_h = int(rng.integers(1, 12)), int(rng.integers(0, 40)), 100.0
    rep_index, time_h = rng.integers(0, reps, n), np.round(rng.uniform(0, horizon_h, n))  # ties too
    gaps = longest_gaps_h(rep_index, time_h, reps, horizon_h)
    for r in range(reps):
        times = np.concatenate([[0.0], np.sort(time_h[rep_index == r]), [horizon_h]])
        assert gaps[r] == np.diff(times).max()
