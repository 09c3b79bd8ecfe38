"""Whole-run paired differences (tonnes delivered, days without any delivery), replication by
replication, as a counterfactual is set against the run it changes."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import movement, run_config, scenario

from sim.analysis.comparison import render_comparison
from sim.analysis.paired import paired_totals
from sim.analysis.runs import Run
from sim.app.run import execute


def run(label: str, tonnes: list[float], deliveries_h: list[list[float]], seed: int = 1) -> Run:
    """A 3-day run: one movement per replication delivering `tonnes[r]`, at the hours `deliveries_h[r]`."""
    replications = np.arange(len(tonnes), dtype=float)
    movements = {"replication": replications, "movement": np.array(["m"] * len(tonnes), dtype=object),
                 "delivered_t": np.array(tonnes, dtype=float)}  # fmt: skip
    times = [(r, t) for r, hours in enumerate(deliveries_h) for t in hours]
    deliveries = {
        "replication": np.array([r for r, _ in times], dtype=float),
        "time_h": np.array([t for _, t in times]),
    }
    summary = {"horizon_h": 72.0, "movements": {}}
    return Run(label=label, summary=summary, movements=movements, seed=seed, deliveries=deliveries)


def test_tonnes_and_idle_days_are_paired_by_replication():
    reference = run("replay", [10.0, 0.0, 5.0], [[5.0], [], [30.0, 31.0]])
    counterfactual = run("both roads", [20.0, 10.0, 5.0], [[5.0, 30.0, 60.0], [10.0], [30.0]])
    found = paired_totals(reference, counterfactual)
    assert found["replications"] == 3
    tonnes = found["tonnes"]  # +10, +10, +0
    assert (tonnes["reference"], tonnes["other"]) == (5.0, pytest.approx(35 / 3))
    assert tonnes["difference"]["estimate"] == pytest.approx(20 / 3)
    idle = found["days_without_delivery"]  # 2, 3, 2 days idle against 0, 2, 2
    assert (idle["reference"], idle["other"]) == (pytest.approx(7 / 3), pytest.approx(4 / 3))
    assert idle["difference"]["estimate"] == pytest.approx(-1.0)
    assert idle["difference"]["low"] < -1.0 < idle["difference"]["high"]


def test_runs_with_different_seeds_are_not_paired():
    assert paired_totals(run("a", [1.0], [[1.0]], seed=1), run("b", [1.0], [[1.0]], seed=2)) is None


def test_a_comparison_page_pairs_the_whole_runs(tmp_path):
    def folder(name: str, tonnes: float):
        s = scenario(legs=[("a", "b", 30.0)], movements={"m": movement(["a", "b"], tonnes=tonnes)}, horizon_days=3)
        execute(run_config(s, replications=4), tmp_path / name, "test", "x: 1\n")
        return tmp_path / name

    page = render_comparison([folder("ten", 10.0), folder("twenty", 20.0)]).page
    totals = page[page.index('id="totals"') :]
    # 10 t then 20 t delivered at 30 h in every replication; days 2 and 3 without a delivery in both
    assert "10.0 → 20.0 t" in totals and "+10.0 t" in totals and "2.0 → 2.0 days" in totals
