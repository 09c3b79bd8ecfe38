"""Result files: written whole or not at all, streamed in pieces, and read back as written; a run
keeps only the records its statistics read, and they give the same statistics."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import tables_equal

from sim.analysis.statistics import summarise
from sim.results import files as results
from sim.results.assembly import Assembly, concat
from sim.results.files import read_table, remove_unfinished, table_file, write_table
from sim.results.records import Records
from sim.simulate.replications import simulate

TABLE = {
    "replication": np.array([0, 0, 1]),
    "movement": np.array(["convoy", "flour", "convoy"]),
    "time_h": np.array([1.5, np.nan, 1e-5]),
}


def test_a_table_written_in_pieces_is_the_table_written_whole(tmp_path):
    write_table(tmp_path / "whole.csv", TABLE)
    with table_file(tmp_path / "pieces.csv", list(TABLE)) as writer:
        for rows in (slice(0, 1), slice(1, 1), slice(1, 3)):
            writer.write({c: v[rows] for c, v in TABLE.items()})
    assert (tmp_path / "pieces.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    assert tables_equal(read_table(tmp_path / "pieces.csv"), {**TABLE, "replication": np.array([0.0, 0.0, 1.0])})


def test_a_table_whose_writing_fails_leaves_no_file(tmp_path):
    with pytest.raises(KeyboardInterrupt), table_file(tmp_path / "t.csv", list(TABLE)) as writer:
        writer.write(TABLE)
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_files_left_unfinished_by_a_killed_process_are_removed(tmp_path):
    (tmp_path / ".passages.csv.x1y2.tmp").write_text("replication,movement\n0,")
    (tmp_path / "passages.csv").write_text("kept")
    remove_unfinished(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["passages.csv"]


def test_long_tables_are_read_block_by_block_as_written(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "_BLOCK", 2)
    table = {
        "replication": np.arange(5),
        "place": np.array(["a", "b", "c", "d", "e"]),
        "code": np.array(["1", "2", "x1", "4", "5"]),  # numbers in the first block only: text
        "empty": np.array([np.nan] * 5),
    }
    table["place"][3] = "a"
    write_table(tmp_path / "t.csv", table)
    back = read_table(tmp_path / "t.csv")
    assert tables_equal(back, table)
    assert back["place"].dtype == object and back["place"][0] is back["place"][3]  # each text stored once
    assert read_table(tmp_path / "t.csv", replication=4)["place"].tolist() == ["e"]
    assert read_table(tmp_path / "t.csv", replication=9)["place"].tolist() == []


def test_one_replications_rows_are_read_up_to_the_first_row_after_them(tmp_path):
    # A run writes its tables in replication order, so nothing after replication 0's rows is read:
    # not even a stray row of replication 0 that a run would never write there.
    write_table(tmp_path / "t.csv", TABLE)
    with (tmp_path / "t.csv").open("a") as file:
        file.write("0,stray,9\n")
    assert read_table(tmp_path / "t.csv", replication=0)["movement"].tolist() == ["convoy", "flour"]
    assert read_table(tmp_path / "t.csv", replication=1)["movement"].tolist() == ["convoy"]


def test_the_copy_a_run_keeps_gives_the_same_statistics(baseline):
    parts = [simulate(baseline, 4, 70, first) for first in (0, 70)]
    copies = [p.for_statistics() for p in parts]
    for copy in copies:  # no passages, and nothing of them kept alive
        assert all(len(v) == 0 and v.base is None for v in copy.passages.values())
    full, kept = concat(parts), concat(copies)
    for name in ("movements", "checkpoints", "deliveries"):
        a, b = getattr(full, name), getattr(kept, name)
        assert tables_equal(a, b), name
    assert summarise(kept) == summarise(full)


def _part(replications: int, passages_per_replication: int, release_h: list) -> Records:
    """Records with `passages_per_replication` passage rows per replication, release times given."""
    rows = replications * passages_per_replication
    empty = {"replication": np.empty(0)}  # as a table with no rows comes out of a builder: floats
    return Records(
        movements={"replication": np.arange(replications), "movement": np.array(["m"] * replications, object)},
        passages={
            "replication": np.repeat(np.arange(replications), passages_per_replication),
            "release_h": np.resize(np.array(release_h), rows),
        },
        checkpoints=empty,
        deliveries=empty,
        horizon_h=10.0,
        replications=replications,
    )


def test_an_assembly_joins_parts_as_concatenation_would_even_when_they_outgrow_the_first():
    # The first part has 1 passage per replication, the next 3: the columns made for the whole
    # run from the first part are too short and grow; an integer column meets floats and becomes
    # float; tables without rows in any part stay as they came.
    parts = [_part(2, 1, [1]), _part(4, 3, [2.5, np.nan]), _part(1, 2, [7])]
    assembly = Assembly(7)
    for part in parts:
        assembly.add(part)
    joined = assembly.records()
    assert joined.replications == 7 and joined.horizon_h == 10.0
    for name in ("movements", "passages"):
        expected = {c: np.concatenate([getattr(p, name)[c] for p in parts]) for c in getattr(parts[0], name)}
        assert tables_equal(getattr(joined, name), expected), name
        assert all(v.dtype == expected[c].dtype and v.flags.owndata for c, v in getattr(joined, name).items())
    assert joined.passages["release_h"].dtype == float and len(joined.passages["release_h"]) == 2 + 12 + 2
    assert joined.checkpoints["replication"].dtype == float and len(joined.checkpoints["replication"]) == 0
