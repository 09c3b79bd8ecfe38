"""The progress line: one for the whole command, through its phases, whose count never starts
again under `replications=auto`. Fed events and read as text, not through a terminal."""

from __future__ import annotations

import io
import re

from sim.analysis import report
from sim.app.run import execute, precision_note
from sim.config.compose import load_run
from sim.simulate.progress import Progress


class Clock:
    """Seconds that pass only when a test says so, or by `step` each time it is read."""

    def __init__(self, step: float = 0.0) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def shown(stream: io.StringIO) -> list[str]:
    """Each state of the line, as a terminal would show it in turn."""
    return [line.strip() for line in stream.getvalue().split("\r") if line.strip()]


def test_a_run_of_known_length_shows_its_count_and_time_left_then_its_phases():
    clock, stream = Clock(), io.StringIO()
    line = Progress(2000, stream=stream, clock=clock)
    clock.now = 1.0
    line.advance(250)
    assert line.text() == "simulating 250/2,000 replications, ~7 s left"
    clock.now = 8.0
    line.advance(1750)
    line.phase("tables")
    assert line.text() == "tables (2,000 replications simulated, 8 s so far)"
    line.phase("report")
    line.close()
    assert shown(stream) == [
        "simulating 250/2,000 replications, ~7 s left",
        "simulating 2,000/2,000 replications, ~0 s left",
        "tables (2,000 replications simulated, 8 s so far)",
        "report (2,000 replications simulated, 8 s so far)",
    ]
    assert stream.getvalue().endswith("\r" + " " * len("  report (2,000 replications simulated, 8 s so far)") + "\r")


def test_a_sweep_job_names_itself_and_auto_shows_precision_in_place_of_a_time_left():
    line = Progress(None, limit=20_000, label="job 3", stream=io.StringIO(), clock=Clock())
    line.advance(256)
    assert line.text() == "job 3: simulating 256 replications (auto, at most 20,000)"
    line.note(precision_note(0.031, 0.02, relative=False))
    assert line.text() == "job 3: simulating 256 replications (auto, at most 20,000; ±0.031 of ±0.02)"
    assert precision_note(0.041, 0.05, relative=True) == "±4.1% of ±5%"
    assert precision_note(float("inf"), 0.02, relative=False) == "precision not known yet, target ±0.02"


def test_counts_coming_faster_than_a_terminal_needs_are_shown_ten_times_a_second_at_most():
    clock, stream = Clock(), io.StringIO()
    line = Progress(1000, stream=stream, clock=clock)
    for _ in range(10):  # ten pieces within 0.09 s
        line.advance(64)
        clock.now += 0.01
    line.phase("tables")  # a new phase shows at once
    assert [s.split(" replications")[0] for s in shown(stream)] == ["simulating 64/1,000", "tables (640"]


def test_under_replications_auto_the_count_goes_on_across_batches_to_the_report(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "write_report", lambda folder, **options: None)  # the figures: slow, not what is tested
    # A target no run of 150 replications meets: three batches of 50, then the cap.
    run = load_run(
        ["replications=auto", "precision.batch=50", "precision.max_replications=150", "precision.half_width=1e-6"]
    )
    stream = io.StringIO()
    line = Progress(None, limit=150, stream=stream, clock=Clock(step=1.0))  # slow enough that every state shows
    execute(run, tmp_path / "run", "baseline", "", progress=line)
    states = shown(stream)
    counts = [int(m.group(1)) for s in states if (m := re.match(r"simulating (\d+) replications", s))]
    assert counts == sorted(counts) and counts[-1] == 150 and counts[0] < 150  # never back to the first batch's
    assert any("±" in s for s in states)  # the precision reached, after a batch
    phases = [s.split(" (")[0] for s in states if not s.startswith("simulating")]
    assert phases == ["tables", "report"]
    assert stream.getvalue().endswith("\r")  # cleared at the end: the run's own output follows
