"""The direct path of a movement's journey: a movement that nothing on its route can hold but the
lanes (`MovementPlan.direct`) travels as a chain of SimPy events rather than as a process (see
docs/design.md, "Direct path"). `Journey` takes it from `DirectPath`."""

from __future__ import annotations

import math
from collections.abc import Callable

import simpy

from sim.model.passages import Outcome
from sim.model.plan import MovementPlan
from sim.model.world import World


class DirectPath:
    """`Journey.run` as a chain of events, for a movement on the direct path: where it waits."""

    __slots__ = ("place_i", "reached_h")

    # Journey's, read here:
    plan: MovementPlan
    world: World
    draws: list[float]
    end: Callable[..., None]
    place_i: int  # the place where it waits for its turn
    reached_h: float  # when it reached that place

    def set_off(self, _: simpy.Event) -> None:
        """The convoy leaves its origin at its departure time (on the direct path), on an event."""
        self.run_direct(None)

    def run_direct(self, turn: simpy.Event | None) -> None:
        """`run` for a movement that nothing on its route can hold but the lanes (see
        `MovementPlan.direct`), as a chain of events rather than a process: from place `place_i`,
        reached at `reached_h`, on to the next checkpoint it reaches after the present, where it
        waits for its turn, an event that calls this again (`turn`; None as it sets off). It stops
        where the horizon finds it, so there is nothing to censor."""
        world, draws = self.world, self.draws
        env, lanes, passages = world.env, world.lanes, world.passages
        plan, horizon_h = self.plan, world.horizon_h
        number, trucks, priority, direct = plan.number, plan.trucks, plan.priority, plan.direct
        i, t, due = self.place_i, self.reached_h, turn is not None
        while t < horizon_h:
            place, code, inspection, travel = direct[i]
            arrival_h = t
            if inspection >= 0:
                # Arrivals must reach the lanes in time order: wait for this one's turn. When it
                # comes, `due` says so; env.now after a timeout of t - now may differ from t in the
                # last bit, and t (not env.now) is the arrival, as in `run`.
                if not due and t > (now := env.now):
                    self.place_i, self.reached_h = i, t
                    env.timeout(t - now).callbacks.append(self.run_direct)
                    return
                due = False
                t = lanes[place].inspect(t, draws[inspection : inspection + trucks], priority)
            # Noted once the lanes are committed: a turn at or after the horizon never comes, and
            # `censor` would drop that arrival anyway.
            passages.add(number, code, arrival_h, t if travel >= 0 and t < horizon_h else math.nan, trucks)
            if travel < 0:
                if t < horizon_h:
                    self.end(range(trucks), Outcome.delivered, t)
                return
            t += draws[travel]
            i += 1
