"""A permission decision that several movements wait on, in one replication: one answer, given at
one moment to every movement waiting on it."""

from __future__ import annotations

from collections.abc import Generator

import simpy

from sim.model.plan import DecisionPlan


class Decision:
    """A shared decision's clock and answer in one replication (its values drawn in advance).

    Its clock starts at `DecisionPlan.starts_h`, or, if that is None, when the first movement
    waiting on it reaches its hold. A movement that arrives before the answer waits for it (all of
    them on one SimPy event, so they resume at the very same moment); one that arrives at or after
    it has the answer at once."""

    __slots__ = ("env", "delay_h", "refused", "answer_h", "answered")

    def __init__(self, env: simpy.Environment, plan: DecisionPlan, draws: list[float]) -> None:
        self.env = env
        self.delay_h = draws[0]
        self.refused = draws[1] < plan.refusal_probability
        self.answer_h = None if plan.starts_h is None else plan.starts_h + self.delay_h
        self.answered: simpy.Event | None = None  # the moment of the answer, once someone waits for it

    def wait(self) -> Generator:
        """Wait (from now, at a hold) for the answer; whether it permits."""
        env = self.env
        if self.answer_h is None:  # the first to arrive starts the clock
            self.answer_h = env.now + self.delay_h
        if env.now < self.answer_h:
            if self.answered is None:
                self.answered = env.timeout(self.answer_h - env.now)
            yield self.answered
        return not self.refused
