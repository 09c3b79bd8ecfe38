"""How finished pieces travel from worker processes to the parent: text as codes, arrays through a
file, nothing left behind."""

from __future__ import annotations

import numpy as np
from conftest import tables_equal

from sim.results.records import Coded
from sim.simulate import handoff, workers
from sim.simulate.compile import compile_scenario
from sim.simulate.randomness import BATCH
from sim.simulate.replications import run_replications, simulate

TABLES = ("movements", "passages", "checkpoints", "deliveries")


def test_a_text_column_travels_as_the_smallest_codes_and_comes_back_as_names():
    few = Coded.of(["a", "b", "c"], np.array([2, 0, 2, 1]))
    assert few.codes.dtype == np.uint8
    assert few.decoded().tolist() == ["c", "a", "c", "b"]
    many = Coded.of([f"place {i}" for i in range(300)], np.array([299, 0]))
    assert many.codes.dtype == np.uint16
    assert many.decoded().tolist() == ["place 299", "place 0"]


def test_a_parcel_brings_back_exactly_the_piece_and_leaves_no_file(baseline, tmp_path):
    piece = run_replications(compile_scenario(baseline), seed=3, replications=40, first=BATCH - 20).packed()
    sent = handoff.send(piece, str(tmp_path))
    assert isinstance(sent, handoff.Parcel)
    assert len(sent.pickle) < 10_000  # the columns went into the file, all of them
    back = handoff.receive(sent).unpacked()
    assert not list(tmp_path.iterdir())
    expected = simulate(baseline, seed=3, replications=40, first=BATCH - 20)
    for name in TABLES:
        assert tables_equal(getattr(back, name), getattr(expected, name)), name


def test_a_piece_goes_through_the_pipe_when_its_file_cannot_be_written(baseline, tmp_path):
    piece = run_replications(compile_scenario(baseline), seed=3, replications=5).packed()
    sent = handoff.send(piece, str(tmp_path / "gone"))
    assert sent is piece and handoff.receive(sent) is piece


def test_a_run_on_workers_leaves_no_parcels_behind_even_when_stopped_early(baseline, tmp_path, monkeypatch):
    monkeypatch.setattr(handoff, "MEMORY_FOLDER", str(tmp_path))
    assert handoff.parcels_root() == str(tmp_path)
    whole = workers.simulate_many(baseline, 5, 3 * BATCH, workers=2)
    assert whole.replications == 3 * BATCH
    assert not list(tmp_path.iterdir())
    parts = workers.simulate_parts(baseline, 5, 8 * BATCH, workers=2)
    next(parts)
    parts.close()  # pieces in flight finish into parcels that nobody takes
    assert not list(tmp_path.iterdir())


def test_a_run_on_workers_goes_through_the_pipe_when_no_parcel_folder_can_be_made(baseline, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(handoff, "MEMORY_FOLDER", str(tmp_path / "none"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "none either"))
    with handoff.parcel_folder() as folder:
        assert folder is None
    two = workers.simulate_many(baseline, 5, BATCH + 30, workers=2)
    one = simulate(baseline, 5, BATCH + 30)
    for name in TABLES:
        assert tables_equal(getattr(two, name), getattr(one, name)), name
    assert not list(tmp_path.iterdir())
