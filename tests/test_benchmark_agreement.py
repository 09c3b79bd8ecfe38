"""The benchmark's reference model gives the same delivery times in every implementation: the
project's simulator, a plain process-per-truck SimPy model and the exact tandem-queue recursion
(see benchmarks/reference.py). A fast version of the check `python -m benchmarks.run` makes
before it prints any timing."""

from __future__ import annotations

import numpy as np

from benchmarks import reference


def test_the_implementations_agree_on_delivery_times():
    comparisons, problems = reference.agreement(seed=11, replications=300)
    assert not problems, "\n".join(problems)
    assert len(comparisons) == 3


def test_the_numpy_recursion_equals_the_plain_python_recursion_draw_for_draw():
    travel, inspection = reference.draw_block(reference.rng(3, reference.RECURSION), 50)
    python = reference.recursion_python(travel, inspection)
    vectorised = reference.recursion_numpy(travel, inspection)
    assert np.allclose(python, vectorised, rtol=0, atol=1e-9)


def test_the_recursion_is_fifo_on_two_lanes():
    # Three trucks reach the first checkpoint together-ish; the third waits for the first lane free.
    travel = [[1.0, 0, 0, 0, 0], [0.5, 0, 0, 0, 0], [0.0, 0, 0, 0, 0]]
    inspection = [[2.0, 0, 0, 0], [3.0, 0, 0, 0], [1.0, 0, 0, 0]]
    release = [0.0, 0.5, 1.0]  # all arrive at hour 1
    delivered = [r + d for r, d in zip(release, reference.recursion_replication(release, travel, inspection))]
    assert delivered == [3.0, 4.0, 4.0]  # lanes free at 3 and 4; the third starts at 3


def test_the_simulator_delivers_every_truck_of_the_reference():
    times = reference.run_simulator(seed=5, replications=20)
    assert times.shape == (20, reference.TRUCKS)
    assert not np.isnan(times).any()
    assert np.all(times > sum(mean for mean, _ in reference.TRAVEL_H) * 0.3)


def test_a_wrong_model_is_caught(monkeypatch):
    # One lane instead of two is a different model: the check must see it.
    right = reference.recursion_numpy(*reference.draw_block(reference.rng(8, reference.RECURSION), 300))
    monkeypatch.setattr(reference, "LANES", 1)
    wrong = reference.recursion_numpy(*reference.draw_block(reference.rng(9, reference.RECURSION), 300))
    assert not reference.compare("two lanes", right, "one lane", wrong).agree
