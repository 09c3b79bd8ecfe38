"""Nothing is lost and nothing lies: interrupted or killed runs never look complete, the same seed
gives the same bytes, and a finished run can be reproduced from its folder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

DATA_FILES = ("movements.csv", "passages.csv", "checkpoints.csv", "deliveries.csv", "summary.json")


def sim(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def status(folder: Path) -> str | None:
    try:
        return json.loads((folder / "status.json").read_text())["status"]
    except (OSError, ValueError):
        return None


def start_long_run(tmp_path: Path, *overrides: str) -> tuple[subprocess.Popen, Path]:
    """A run far too long to finish, started and waited for until it is simulating."""
    folder = tmp_path / "run"
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", "replications=1000000", f"hydra.run.dir={folder}", *overrides],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while status(folder) != "running":
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run never started"
        time.sleep(0.1)
    time.sleep(1.0)  # well inside the simulation
    return process, folder


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 130)])
def test_an_interrupted_run_stops_promptly_and_is_marked_interrupted(tmp_path, signum, code):
    process, folder = start_long_run(tmp_path)
    sent = time.monotonic()
    process.send_signal(signum)
    _, err = process.communicate(timeout=30)
    assert time.monotonic() - sent < 15
    assert process.returncode == code
    assert "Interrupted" in err and "Traceback" not in err
    assert status(folder) == "interrupted"
    assert not (folder / "report.html").exists()
    # Tables streamed part by part appear only once whole: none of a million is at its name.
    assert not [name for name in DATA_FILES if (folder / name).exists()]
    assert not list(folder.glob(".*.tmp"))
    refused = sim("sim.report", str(folder), cwd=tmp_path)
    assert refused.returncode == 2 and "Traceback" not in refused.stdout + refused.stderr


def test_a_killed_run_never_looks_complete(tmp_path):
    from sim.simulate.handoff import parcels_root

    process, folder = start_long_run(tmp_path)
    parcels = f"sim-pieces-{process.pid}-*"  # the folder where its workers leave finished pieces
    assert list(Path(parcels_root()).glob(parcels))
    process.kill()
    process.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while list(Path(parcels_root()).glob(parcels)):  # its orphaned workers remove it as they stop
        assert time.monotonic() < deadline, "the parcels of a killed run stayed behind"
        time.sleep(0.1)
    assert status(folder) == "running"  # the last word it could write; never "complete"
    assert not [name for name in DATA_FILES if (folder / name).exists()]
    assert sim("sim.report", str(folder), cwd=tmp_path).returncode == 2
    assert sim("sim.reproduce", str(folder), cwd=tmp_path).returncode == 2
    assert list(folder.glob(".passages.csv.*.tmp"))  # the tables it was writing, unfinished
    again = sim("sim", "replications=20", f"hydra.run.dir={folder}", cwd=tmp_path)
    assert again.returncode == 0 and status(folder) == "complete"
    assert not list(folder.glob(".*.tmp"))  # the next run in the folder removed them


def test_replications_on_two_workers_give_the_same_tables_as_on_one(baseline, monkeypatch):
    from conftest import tables_equal

    from sim.simulate import workers
    from sim.simulate.randomness import BATCH

    # Pieces of one batch: 7 pieces, more than the workers are given at first, so later ones are
    # handed out as earlier ones come back.
    monkeypatch.setattr(workers, "CHUNK", BATCH)
    replications = 6 * BATCH + 10
    assert len(workers.chunks(0, replications)) > workers.AHEAD * 2
    one = workers.simulate_many(baseline, 5, replications, workers=1)
    two = workers.simulate_many(baseline, 5, replications, workers=2)
    for name in ("movements", "passages", "checkpoints", "deliveries"):
        assert tables_equal(getattr(one, name), getattr(two, name)), name


def test_pieces_cover_the_range_in_order_and_shrink_at_the_end_on_several_workers():
    from sim.simulate.workers import CHUNK, SMALLEST, chunks

    for first, replications, workers in ((0, 16 * CHUNK, 2), (300, 1000, 4), (0, 1000, 2), (5, 3, 2), (10, 600, 1)):
        pieces = chunks(first, replications, workers)
        assert pieces[0][0] == first and sum(count for _, count in pieces) == replications
        assert all(a + n == b for (a, n), (b, _) in zip(pieces, pieces[1:]))
        assert all(a // CHUNK == (a + n - 1) // CHUNK for a, n in pieces)  # none across a batch
        for a, n in pieces:  # none leaves less than the smallest piece before a boundary
            rest = min(first + replications, ((a + n - 1) // CHUNK + 1) * CHUNK) - (a + n)
            assert rest == 0 or rest >= SMALLEST, (a, n)
    on_one = [count for _, count in chunks(0, 16 * CHUNK, 1)]
    on_two = [count for _, count in chunks(0, 16 * CHUNK, 2)]
    assert on_one == [CHUNK] * 16
    assert on_two[:12] == [CHUNK] * 12 and all(count <= SMALLEST for count in on_two[-4:])


def test_a_caller_may_stop_taking_pieces_early(baseline, monkeypatch):
    from conftest import tables_equal

    from sim.simulate import workers
    from sim.simulate.randomness import BATCH
    from sim.simulate.replications import simulate

    monkeypatch.setattr(workers, "CHUNK", BATCH)
    parts = workers.simulate_parts(baseline, 5, 20 * BATCH, workers=2)
    first = next(parts)
    started = time.monotonic()
    parts.close()  # the pieces not yet started are cancelled, the pool shut down
    assert time.monotonic() - started < 10
    assert tables_equal(first.movements, simulate(baseline, 5, BATCH).movements)


@pytest.mark.slow
def test_same_seed_gives_identical_data_files_with_one_or_two_workers(tmp_path):
    runs = {}
    for name, workers in (("a", 1), ("b", 1), ("c", 2)):
        done = sim("sim", "replications=300", f"workers={workers}", f"hydra.run.dir={tmp_path / name}", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        runs[name] = tmp_path / name
    for file in DATA_FILES:
        original = (runs["a"] / file).read_bytes()
        assert (runs["b"] / file).read_bytes() == original, f"{file} differs between two runs"
        assert (runs["c"] / file).read_bytes() == original, f"{file} differs with two workers"
    other = sim("sim", "replications=300", "seed=1", f"hydra.run.dir={tmp_path / 'd'}", cwd=tmp_path)
    assert other.returncode == 0
    assert (tmp_path / "d" / "movements.csv").read_bytes() != (runs["a"] / "movements.csv").read_bytes()


def test_a_finished_run_reproduces_from_its_folder_and_a_changed_one_does_not(tmp_path):
    folder = tmp_path / "run"
    assert (
        sim(
            "sim", "replications=40", "scenario.checkpoints.hakari.lanes=2", f"hydra.run.dir={folder}", cwd=tmp_path
        ).returncode
        == 0
    )
    same = sim("sim.reproduce", str(folder), cwd=tmp_path)
    assert same.returncode == 0 and "identical" in same.stdout
    movements = folder / "movements.csv"
    movements.write_text(movements.read_text().replace("delivered", "refused", 1))
    changed = sim("sim.reproduce", str(folder), cwd=tmp_path)
    assert changed.returncode == 1 and "movements.csv" in changed.stdout


def test_a_scenario_file_cannot_name_code_to_run(tmp_path):
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    marker = tmp_path / "pwned"
    (scenarios / "sneaky.yaml").write_text(
        f"defaults: [baseline, _self_]\n_target_: pathlib.Path.touch\n_args_: ['{marker}']\n"
    )
    env = {**os.environ, "SIM_SCENARIO_PATH": str(scenarios)}
    done = subprocess.run(
        [sys.executable, "-m", "sim", "scenario=sneaky", "replications=5"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode != 0 and "_target_" in done.stderr and "Traceback" not in done.stderr
    assert not marker.exists()


@pytest.mark.slow
def test_an_interrupted_sweep_keeps_the_finished_jobs_and_says_which_finished(tmp_path):
    sweep = tmp_path / "sweep"
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", "-m", "replications=20,1000000", f"hydra.sweep.dir={sweep}"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while status(sweep / "1") != "running":
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the second job never started"
        time.sleep(0.1)
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and "Traceback" not in err
    assert status(sweep / "0") == "complete" and status(sweep / "1") == "interrupted"
    rows = (sweep / "summary.csv").read_text().splitlines()
    assert any(",complete," in row for row in rows) and any(",interrupted," in row for row in rows)
