"""Sweeps and comparisons: the sweep's summary and report, paired differences under common random
numbers, and `python -m sim.compare`."""

from __future__ import annotations

import csv
import math
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from conftest import REPOSITORY, run_sim
from scipy import stats

from sim.analysis import report
from sim.analysis.paired import newcombe_paired, paired_differences
from sim.analysis.runs import Run
from sim.analysis.side_by_side import paired_rows
from sim.analysis.sweep_jobs import implied
from sim.analysis.sweep_summary import write_sweep_summary
from sim.app.report import main as report_command
from sim.app.run import execute
from sim.compare import main as compare
from sim.config.compose import load_run
from sim.results.columns import SUMMARY_COLUMNS
from sim.results.files import read_json, write_text
from sim.results.status import write_status

LANES = "scenario.checkpoints.hakari.lanes"


class Page(HTMLParser):
    """The tables of a page by id, as rows of cell texts, and all its text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.images = 0
        self.links: list[dict] = []
        self.ids: list[str] = []
        self.text: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "a":
            self.links.append(attrs)
        if tag == "table":
            self._table = attrs.get("id", "")
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []
        elif tag == "img":
            self.images += 1
            assert attrs["src"].startswith("data:image/png;base64,"), "a figure that is not embedded"

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def body(self, table: str) -> list[list[str]]:
        """The rows of a table below its header row."""
        return self.tables[table][1:]

    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())


def read_page(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- paired differences, from tables built by hand -----------------------------------------------


def movements_table(times: list[float], flow: str = "m", departures: int = 1, first: int = 0) -> dict:
    """A movements table: `times` per replication and departure, in order (NaN: not delivered)."""
    n = len(times) // departures
    return {
        "replication": np.repeat(np.arange(first, first + n), departures).astype(float),
        "movement": np.array([flow if departures == 1 else f"{flow}/{d}" for _ in range(n) for d in range(departures)]),
        "flow": np.array([flow] * len(times)),
        "delivery_time_h": np.array(times, dtype=float),
    }


def run_of(table: dict, seed: int = 1, label: str = "run") -> Run:
    keys = dict.fromkeys(table["flow"].tolist())
    return Run(label=label, summary={"movements": {k: {"name": k} for k in keys}}, movements=table, seed=seed)


def test_time_difference_is_a_paired_t_interval_over_replications_delivered_in_both():
    rng = np.random.default_rng(3)
    base = rng.gamma(2.0, 10.0, 60)
    other = base + rng.normal(-2.0, 1.5, 60)
    base[[1, 5, 9]] = np.nan  # not delivered in the reference
    other[[5, 20]] = np.nan  # not delivered in the other run
    result = paired_differences(run_of(movements_table(list(base))), run_of(movements_table(list(other))))
    assert result["problem"] is None
    d = result["movements"]["m"]
    both = ~np.isnan(base) & ~np.isnan(other)
    expected = stats.ttest_rel(other[both], base[both]).confidence_interval(0.95)
    assert d["time_replications"] == both.sum() == 56
    assert d["time"]["estimate"] == pytest.approx(np.mean(other[both] - base[both]))
    assert (d["time"]["low"], d["time"]["high"]) == pytest.approx((expected.low, expected.high))
    # probability: paired outcomes, other minus reference
    assert d["probability_method"] == "Newcombe"
    assert d["probability"]["estimate"] == pytest.approx((58 - 57) / 60)
    assert d["replications"] == 60


def test_newcombe_interval_agrees_with_wald_for_large_samples_and_is_antisymmetric():
    both, other_only, reference_only, neither = 4000, 900, 600, 4500
    n = both + other_only + reference_only + neither
    d = (other_only - reference_only) / n
    half = stats.norm.ppf(0.975) * math.sqrt(other_only + reference_only - (other_only - reference_only) ** 2 / n) / n
    ci = newcombe_paired(both, other_only, reference_only, neither)
    assert ci["estimate"] == pytest.approx(d)
    assert (ci["low"], ci["high"]) == pytest.approx((d - half, d + half), abs=5e-4)
    swapped = newcombe_paired(both, reference_only, other_only, neither)
    assert (swapped["low"], swapped["high"]) == pytest.approx((-ci["high"], -ci["low"]))


def test_newcombe_interval_stays_open_when_every_pair_agrees_and_covers():
    same = newcombe_paired(16, 0, 0, 14)
    assert same["estimate"] == 0 and same["low"] < 0 < same["high"]  # no discordant pair is not certainty
    rng = np.random.default_rng(11)
    joint = [0.55, 0.1, 0.05, 0.3]  # both, other only, reference only, neither: true difference 0.05
    covered = 0
    for counts in rng.multinomial(40, joint, size=1000):
        ci = newcombe_paired(*(int(c) for c in counts))
        covered += ci["low"] <= 0.05 <= ci["high"]
    assert covered / 1000 >= 0.93


def test_a_flow_is_paired_by_departure_within_replications():
    # 3 replications x 2 departures; the other run delivers departure 1 of replication 0 too
    reference = movements_table([10, np.nan, 20, 30, 40, 50], flow="f", departures=2)
    other = movements_table([8, 9, 20, 28, 40, 47], flow="f", departures=2)
    d = paired_differences(run_of(reference), run_of(other))["movements"]["f"]
    assert d["probability_method"] == "t"
    assert d["probability"]["estimate"] == pytest.approx((0.5 + 0 + 0) / 3)  # mean of per-replication shares
    assert d["time"]["estimate"] == pytest.approx((-2 + (0 - 2) / 2 + (0 - 3) / 2) / 3)
    assert d["time_replications"] == 3
    # a departure in one run only (say, a flow whose schedule changed) is left out of the pairing
    fewer = paired_differences(run_of(reference), run_of({c: v[:-1] for c, v in other.items()}))["movements"]["f"]
    assert fewer["unmatched_departures"] == 1
    assert fewer["time"]["estimate"] == pytest.approx((-2 + (0 - 2) / 2 + 0) / 3)


def test_runs_are_not_paired_without_the_same_seed_and_common_replications():
    table = movements_table([1.0, 2.0, 3.0])
    problem = paired_differences(run_of(table, seed=1), run_of(table, seed=2))["problem"]
    assert "different seeds" in problem
    shifted = movements_table([1.0, 2.0, 3.0], first=3)
    assert "no replication in common (0-2 and 3-5)" in paired_differences(run_of(table), run_of(shifted))["problem"]


def test_runs_of_different_lengths_pair_over_the_replications_both_ran():
    # replications=auto stops each job at its own count: the pairs are the replications in both.
    longer, shorter = movements_table([1.0, 2.0, 3.0, 4.0]), movements_table([2.0, 4.0])
    pairing = paired_differences(run_of(longer), run_of(shorter))
    assert pairing["problem"] is None and pairing["common"] == "over the 2 replications both ran (0-1)"
    d = pairing["movements"]["m"]
    assert d["replications"] == 2 and d["time"]["estimate"] == pytest.approx(((2 - 1) + (4 - 2)) / 2)
    assert paired_differences(run_of(longer), run_of(longer))["common"] is None


# --- real runs: the sweep report and python -m sim.compare --------------------------------------


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """Complete run folders of the baseline: 1 and 2 lanes at Hakari (same seed), 2 lanes with
    another seed, and 1 lane over a shorter window starting a day earlier."""
    root = tmp_path_factory.mktemp("runs")
    folders = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(report, "write_report", lambda folder, **options: None)  # the run's own report: not needed
        for name, overrides in {
            "one_lane": [f"{LANES}=1"],
            "two_lanes": [f"{LANES}=2"],
            "other_seed": [f"{LANES}=2", "seed=7"],
            "shifted": [f"{LANES}=1", "scenario.horizon_days=30", "scenario.start=2023-07-25T00:00"],
        }.items():
            folders[name] = root / name
            run = load_run(["replications=30", *overrides])
            execute(run, folders[name], scenario_name="baseline", config_yaml="x: 1\n")
            write_text(folders[name] / "overrides.txt", "\n".join(overrides))
    return folders


def sweep_of(root: Path, jobs: list[Path | str]) -> Path:
    """A sweep folder as Hydra leaves it: job i a copy of a run folder, or a failed job whose error
    is the given text."""
    sweep = root / "sweep"
    for i, job in enumerate(jobs):
        folder = sweep / str(i)
        if isinstance(job, Path):
            shutil.copytree(job, folder)
            overrides = (job / "overrides.txt").read_text(encoding="utf-8").splitlines()
        else:
            folder.mkdir(parents=True)
            write_text(folder / "error.txt", job + "\n")
            write_status(folder, "failed", error=job)
            overrides = [f"{LANES}=0"]
        write_text(folder / ".hydra" / "overrides.yaml", "".join(f"- {o}\n" for o in overrides))
    return sweep


def test_sweep_report_pairs_jobs_with_the_first_complete_one(runs, tmp_path):
    error = "ConfigError: Invalid configuration:\n  scenario.checkpoints.hakari.lanes=0: must be >= 1"
    sweep = sweep_of(tmp_path, [error, runs["one_lane"], runs["two_lanes"], runs["other_seed"]])
    write_sweep_summary(sweep)

    rows = read_csv(sweep / "summary.csv")
    movements = list(read_json(runs["one_lane"] / "summary.json")["movements"])
    assert len(rows) == 1 + 3 * len(movements)
    assert rows[0]["status"] == "failed" and rows[0]["error"] == error
    assert [r[LANES] for r in rows] == ["0"] + ["1"] * len(movements) + ["2"] * 2 * len(movements)

    page = read_page(sweep / "sweep_report.html")
    failed = [r for r in page.body("results") if r[0] == "job 0"]
    assert len(failed) == 1 and "must be >= 1" in failed[0][-1]
    assert page.images == 2  # two swept parameters: the lanes, and the seed of job 3
    text = page.all_text()
    # The lanes' effect is read within each seed: jobs 1 and 2 share theirs, job 3 is alone with seed 7.
    assert "Paired differences: the effect of scenario.checkpoints.hakari.lanes" in text
    assert "Withinseed=(notset):againstjob1(scenario.checkpoints.hakari.lanes=1)" in text.replace(" ", "")
    paired = page.body("paired-1-1")
    assert [r[0] for r in paired] == ["job 2"] * len(movements)
    for row, key in zip(paired, movements):
        assert key in row[2]
        assert row[3] == "30"  # replications paired
        assert "pp" in row[4] and " h" in row[6]
    assert "Only one complete run" in text  # job 3, alone with its seed
    # The seed's effect within two lanes: job 3 against job 2, which cannot be paired.
    seeds = page.body("paired-2-2")
    assert [r[0] for r in seeds] == ["job 3"]
    assert "not paired: different seeds (20230726 and 7)" in seeds[0][2]
    assert str(tmp_path) not in (sweep / "sweep_report.html").read_text(encoding="utf-8")
    assert len(page.ids) == len(set(page.ids))


def test_sweep_report_when_every_job_failed(tmp_path):
    sweep = sweep_of(tmp_path, ["ValueError: first", "ConfigError: second"])
    rows = write_sweep_summary(sweep)
    assert [r["status"] for r in rows] == ["failed", "failed"]
    assert not (sweep / "replications.csv").exists()
    page = read_page(sweep / "sweep_report.html")
    assert "Every job failed" in page.all_text()
    assert [r[-1] for r in page.body("results")] == ["failed: ValueError: first", "failed: ConfigError: second"]
    assert not [t for t in page.tables if t.startswith("paired")]


def test_sweep_report_of_a_single_job(runs, tmp_path):
    sweep = sweep_of(tmp_path, [runs["one_lane"]])
    write_sweep_summary(sweep)
    page = read_page(sweep / "sweep_report.html")
    assert "Only one complete run" in page.all_text()
    assert page.images == 0
    assert len(page.body("results")) == len(read_json(runs["one_lane"] / "summary.json")["movements"])


def test_a_sweep_summary_is_rebuilt_from_its_job_folders_byte_for_byte(runs, tmp_path, capsys):
    sweep = sweep_of(tmp_path, [runs["one_lane"], "ValueError: disk full", runs["two_lanes"]])
    write_status(sweep / "1", "running")  # a SLURM job still running when the summary is asked for
    write_sweep_summary(sweep)
    names = ("summary.csv", "replications.csv", "sweep_report.html")
    written = {name: (sweep / name).read_bytes() for name in names}
    for name in names:
        (sweep / name).unlink()

    assert report_command([str(sweep)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["Sweep: 2 jobs complete, 1 running (job 1)."] + [str(sweep / name) for name in names]
    assert {name: (sweep / name).read_bytes() for name in names} == written


def test_a_sweep_folder_without_jobs_is_not_summarised(tmp_path, capsys):
    sweep = tmp_path / "sweep"
    write_text(sweep / "multirun.yaml", "hydra: {}\n")  # what Hydra writes before the first job
    assert report_command([str(sweep)]) == 2
    assert "a sweep without job folders (none has started); nothing written" in capsys.readouterr().err
    assert not (sweep / "summary.csv").exists()


def compared(capsys) -> tuple[Path, str]:
    """The page `python -m sim.compare` said it wrote, and what it warned of."""
    out, err = capsys.readouterr()
    return Path(out.rsplit(": ", 1)[1].strip()), err


def test_compare_puts_runs_side_by_side_with_paired_differences(runs, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert compare([str(runs["one_lane"]), str(runs["two_lanes"]), str(runs["other_seed"])]) == 0
    out, _ = compared(capsys)
    assert out.parent.parent == tmp_path / "results" / "compare" and out.name == "compare.html"
    page = read_page(out)
    movements = read_json(runs["one_lane"] / "summary.json")["movements"]
    assert [r[0] for r in page.body("runs")] == ["run 1", "run 2", "run 3"]
    assert len(page.body("results")) == 3 * len(movements)
    paired = page.body("paired")
    assert [r[0] for r in paired] == ["run 2"] * len(movements) + ["run 3"]
    for row, (key, m) in zip(paired, movements.items()):
        assert key in row[2] and row[3] == "30"
        # the estimate is the difference of the two runs' delivery probabilities
        two = read_json(runs["two_lanes"] / "summary.json")["movements"][key]
        change = two["delivery_probability"]["estimate"] - m["delivery_probability"]["estimate"]
        assert row[4].startswith(f"{change * 100:+.1f} pp")
    assert "not paired: different seeds" in paired[-1][2]


def test_compare_warns_when_runs_differ_in_horizon_start_or_seed(runs, tmp_path, capsys):
    assert compare([str(runs["one_lane"]), str(runs["two_lanes"]), "--out", str(tmp_path / "same")]) == 0
    out, err = compared(capsys)
    assert out == (tmp_path / "same" / "compare.html").resolve()
    assert err == "" and "Warning" not in read_page(out).all_text()  # only the settings differ

    assert compare([str(runs["one_lane"]), str(runs["shifted"]), "--out", str(tmp_path / "shifted")]) == 0
    out, err = compared(capsys)
    text = read_page(out).all_text()
    for said in ("different horizons (70 days in run 1, 30 days in run 2)", "different times (2023-07-26 00:00"):
        assert said in err and said in text
    assert "seeds" not in err

    assert compare([str(runs["one_lane"]), str(runs["other_seed"]), "--out", str(tmp_path / "seeds")]) == 0
    out, err = compared(capsys)
    assert err.count("warning:") == 1 and "different seeds (20230726 in run 1, 7 in run 2)" in err
    assert "not paired" in err and "different seeds" in read_page(out).all_text()


def test_compare_refuses_an_incomplete_folder(runs, tmp_path, capsys):
    broken = tmp_path / "broken"
    shutil.copytree(runs["two_lanes"], broken)
    write_status(broken, "interrupted")
    out = tmp_path / "page"
    assert compare([str(runs["one_lane"]), str(broken), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a complete run (status: interrupted)" in err
    assert not out.exists()
    assert compare([str(runs["one_lane"]), str(tmp_path / "absent"), "--out", str(out)]) == 2
    with pytest.raises(SystemExit) as exit_:
        compare([str(runs["one_lane"])])
    assert exit_.value.code == 2


def test_compare_command_exits_2_without_a_traceback(runs, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(runs["two_lanes"], broken)
    write_status(broken, "running")
    path = os.pathsep.join(filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")]))
    environment = {**os.environ, "PYTHONPATH": path}
    done = subprocess.run(
        [sys.executable, "-m", "sim.compare", str(runs["one_lane"]), str(broken)],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert not (tmp_path / "results").exists()


# --- real sweeps through the command line (Hydra's multirun and the sweep callback) -------------


@pytest.mark.slow
def test_a_sweep_aggregates_its_jobs(tmp_path):
    sweep = tmp_path / "sweep"
    done = run_sim("-m", f"{LANES}=1,2", "replications=30", f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = read_csv(sweep / "summary.csv")
    movements = list(read_json(sweep / "0" / "summary.json")["movements"])
    assert set(SUMMARY_COLUMNS) < set(rows[0])
    assert [(r["job"], r["movement"]) for r in rows] == [(j, m) for j in ("0", "1") for m in movements]
    assert [r[LANES] for r in rows] == ["1"] * len(movements) + ["2"] * len(movements)
    assert {r["status"] for r in rows} == {"complete"}
    assert len(read_csv(sweep / "replications.csv")) == 2 * 30 * len(movements)
    page = read_page(sweep / "sweep_report.html")
    assert len(page.body("paired-1-1")) == len(movements)  # the one swept key, its one group
    assert page.images == 1
    # The same files again from the job folders, as a SLURM user does from another shell.
    names = ("summary.csv", "replications.csv", "sweep_report.html")
    written = {name: (sweep / name).read_bytes() for name in names}
    for name in names:
        (sweep / name).unlink()
    rebuilt = run_sim(str(sweep), cwd=tmp_path, module="sim.report")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert rebuilt.stdout.startswith("Sweep: 2 jobs complete.\n")
    assert {name: (sweep / name).read_bytes() for name in names} == written


def test_a_sweep_with_a_job_that_cannot_run_is_refused_before_any_job_runs(tmp_path):
    sweep = tmp_path / "sweep"
    done = run_sim("-m", f"{LANES}=two,0,1", "seed=1,2", "replications=5", f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "Sweep refused, nothing ran: 4 of its 6 jobs cannot run (jobs 0, 1, 2, 3).",
        f"  {LANES}=two: Value 'two' of type 'str' could not be converted to Integer",  # a type, said once
        f"  {LANES}=0: must be >= 1",  # a rule
    ]
    assert not sweep.exists()


# A fault put into the command's process: the job with 3 lanes fails while it runs, as a full disk
# would make it (every job's configuration is valid: a sweep is checked whole before it starts).
FAULT = """
import sim.app.run

_execute = sim.app.run.execute


def execute(run, folder, **options):
    if run.scenario.checkpoints["hakari"].lanes == 3:
        raise OSError(28, "No space left on device")
    return _execute(run, folder, **options)


sim.app.run.execute = execute
"""


@pytest.mark.slow
def test_a_job_failing_while_it_runs_keeps_the_others_and_fails_the_command(tmp_path):
    write_text(tmp_path / "fault" / "sitecustomize.py", FAULT)
    path = os.pathsep.join([str(tmp_path / "fault"), str(REPOSITORY)])
    sweep = tmp_path / "sweep"
    done = run_sim(
        "-m", f"{LANES}=1,3,2", "replications=30", f"hydra.sweep.dir={sweep}", cwd=tmp_path, env={"PYTHONPATH": path}
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    rows = read_csv(sweep / "summary.csv")
    by_job = {job: [r for r in rows if r["job"] == job] for job in ("0", "1", "2")}
    assert [r["status"] for r in by_job["1"]] == ["failed"]
    assert "No space left on device" in by_job["1"][0]["error"]
    for job in ("0", "2"):
        assert by_job[job] and {r["status"] for r in by_job[job]} == {"complete"}
        assert read_json(sweep / job / "status.json")["status"] == "complete"
    page = read_page(sweep / "sweep_report.html")
    assert any(r[0] == "job 1" and "No space left" in r[2] for r in page.body("results"))
    assert {r[0] for r in page.body("paired-1-1")} == {"job 2"}


# --- what a researcher reads in the sweep report ---------------------------------------------------


def quantiles(median: float | None, p90: float | None) -> dict:
    """A movement of summary.json as the paired table reads it: its name, median and p90."""
    return {"name": "m", "median_delivery_time_h": {"estimate": median}, "p90_delivery_time_h": {"estimate": p90}}


def test_differences_are_coloured_by_better_or_worse_not_by_sign():
    # Every truck 10 h later, none lost: a longer time is worse although the difference is positive.
    base = movements_table([10.0 + i % 3 for i in range(40)])
    later = movements_table([20.0 + i % 3 for i in range(40)])
    fewer = movements_table([10.0 + i % 3 if i % 4 else math.nan for i in range(40)])
    reference = Run("job 0", {"movements": {"m": quantiles(11.0, 12.0)}}, base, 1)
    slower = Run("job 1", {"movements": {"m": quantiles(21.0, 22.0)}}, later, 1)
    lossy = Run("job 2", {"movements": {"m": quantiles(11.0, None)}}, fewer, 1)
    _, rows, _ = paired_rows({0: reference, 1: slower, 2: lossy}, {0: "a", 1: "b", 2: "c"})
    assert (rows[0]["time_effect"], rows[0]["probability_effect"]) == ("worse", "")
    assert (rows[0]["median"], rows[0]["p90"]) == ("+10.0 h", "+10.0 h")
    assert rows[1]["probability_effect"] == "worse" and rows[1]["p90"] == "beyond horizon here"
    _, rows, _ = paired_rows({1: slower, 0: reference}, {0: "a", 1: "b"})
    assert rows[0]["time_effect"] == "better"  # 10 h sooner


def test_a_swept_median_shows_the_mean_it_implies():
    scenario = {"checkpoints": {"hakari": {"inspection": {"dist": "lognormal", "median_h": 0.75, "p90_h": 2.0}}}}
    # sigma = ln(2 / 0.75) / z90 = 0.9808 / 1.2816 = 0.7653; mean = 0.75 exp(sigma^2 / 2) = 0.75 * 1.3404
    assert implied("scenario.checkpoints.hakari.inspection.median_h", scenario) == "mean 1.01 h"
    assert implied("scenario.checkpoints.hakari.lanes", scenario) == ""


def test_the_sweep_report_names_its_sweep_links_its_jobs_and_lists_them_tidily(runs, tmp_path):
    sweep = sweep_of(tmp_path, [runs["one_lane"], runs["two_lanes"]])
    write_text(sweep / "0" / "report.html", "<p>job 0</p>")  # the runs were made without their reports
    write_sweep_summary(sweep)
    page = read_page(sweep / "sweep_report.html")
    text = page.all_text()
    assert f"Sweep of {LANES}: baseline" in text
    assert "Seed 20230726" in text and "commit" in text and "command" in text
    jobs = page.body("jobs")
    assert [r[:3] for r in jobs] == [["0", "1", "complete"], ["1", "2", "complete"]]  # one row per job
    assert jobs[0][3] == "0/report.html" and jobs[1][3] == "none"
    assert "0/report.html" in [a.get("href") for a in page.links]
    assert "replications=30" not in " ".join(" ".join(r) for r in jobs)  # constant: not a column


def test_replications_csv_has_the_swept_values_and_integer_counts(runs, tmp_path):
    sweep = sweep_of(tmp_path, [runs["one_lane"], runs["two_lanes"]])
    write_sweep_summary(sweep)
    rows = read_csv(sweep / "replications.csv")
    assert list(rows[0])[:3] == ["job", LANES, "replication"]
    assert {r[LANES] for r in rows if r["job"] == "1"} == {"2"}
    assert all(r["trucks"].isdigit() and r["delivered_trucks"].isdigit() and r["replication"].isdigit() for r in rows)
