"""A movement's journey: a convoy or shipment travelling its route as one SimPy process."""

from __future__ import annotations

import math
from collections.abc import Generator
from enum import IntEnum

import simpy

from sim.model.checkpoint import Lanes
from sim.model.plan import MovementPlan


class Outcome(IntEnum):
    """How a movement ended. Every truck and tonne ends in exactly one of these."""

    delivered = 0
    refused = 1  # permission refused at a hold
    not_delivered = 2  # still on the way, or held, at the horizon


class Journey:
    """One movement during one replication: where it is, and how it ended.

    The trucks travel each leg together (one travel draw per movement and leg). At a place with a
    hold, the hold's clock starts when the movement arrives, before any inspection there. At a
    checkpoint each truck is inspected on its own, in truck order, on whichever lane frees first;
    the movement leaves when its last truck is cleared.
    """

    __slots__ = ("plan", "outcome", "end_h", "passages", "trace")

    def __init__(self, plan: MovementPlan, trace: bool = False) -> None:
        self.plan = plan
        self.outcome = Outcome.not_delivered
        self.end_h = math.nan  # when it was delivered or refused
        self.passages: list[list] = []  # [place, arrival_h, release_h]; release is NaN until it leaves
        self.trace: list[tuple] | None = [] if trace else None  # (truck, place, arrival, start, clear)

    def run(
        self, env: simpy.Environment, lanes: dict[str, Lanes], draws: dict[str, list[float]]
    ) -> Generator[simpy.Event, None, None]:
        plan = self.plan
        key = plan.key
        if plan.departure_h > 0:
            yield env.timeout(plan.departure_h)
        last = len(plan.places) - 1
        for i, place in enumerate(plan.places):
            arrival_h = env.now
            passage = [place, arrival_h, math.nan]
            self.passages.append(passage)
            if place == plan.hold_place:
                yield env.timeout(draws[f"{key}/hold"][0])
                if draws[f"{key}/refusal"][0] < plan.refusal_probability:
                    self.outcome, self.end_h = Outcome.refused, env.now
                    return
            if place in lanes:
                starts, clears = lanes[place].inspect(env.now, draws[f"{key}/inspection/{place}"])
                if self.trace is not None:
                    self.trace += [(t, place, env.now, s, c) for t, (s, c) in enumerate(zip(starts, clears))]
                yield env.timeout(max(clears) - env.now)
            if i == last:
                self.outcome, self.end_h = Outcome.delivered, env.now
                return
            passage[2] = env.now
            yield env.timeout(draws[f"{key}/travel/{plan.legs[i]}"][0])
