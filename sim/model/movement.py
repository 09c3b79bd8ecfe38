"""A movement's journey: a convoy or shipment travelling its route, as SimPy processes.

The trucks of a movement travel together as one group (one process). A group splits only when a
truck that broke down is left to follow on its own; a truck that an inspection turns back leaves
its group there.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from enum import IntEnum
from typing import TYPE_CHECKING

import simpy

from sim.model.calendar import NEVER, Availability

if TYPE_CHECKING:
    from sim.model.plan import MovementPlan
    from sim.model.replication import World


class Outcome(IntEnum):
    """How a truck (or a whole movement) ended. Every truck and tonne ends in exactly one."""

    delivered = 0
    refused = 1  # permission refused at a hold
    turned_back = 2  # sent back by an inspection
    not_delivered = 3  # still on the way, or held, at the horizon


class Group:
    """Trucks of one movement travelling together, and where they are on their route."""

    __slots__ = ("trucks", "places", "i", "alternative", "waited_h")

    def __init__(self, trucks: list[int], places: list[str], i: int, alternative: int) -> None:
        self.trucks = trucks
        self.places = places  # the route as driven so far and planned onward
        self.i = i  # index of the current or next place
        self.alternative = alternative  # index of the next alternative route to turn to
        self.waited_h = 0.0  # time this group spent waiting at closures


class Journey:
    """One movement during one replication: where its trucks are, and how each ended.

    The movement's route is followed place by place. At a place: the approval hold (if it is the
    hold's place; its clock starts when the first group arrives), then inspection (if a
    checkpoint), then the next leg (waiting while the road is closed, then for an escort if the leg
    needs one). Waiting at a closure longer than `reroute_after_h` switches to the next alternative
    route: back along the road taken to the last place the alternative shares, then along it.
    """

    __slots__ = ("plan", "world", "draws", "outcome_of", "end_of", "passages", "trace", "closure_wait_h",
                 "reroutes", "permission")  # fmt: skip

    def __init__(self, plan: MovementPlan, world: World, draws: dict[str, list[float]], trace: bool) -> None:
        self.plan = plan
        self.world = world
        self.draws = draws
        self.outcome_of = [Outcome.not_delivered] * plan.trucks  # per truck
        self.end_of = [math.nan] * plan.trucks  # when each truck was delivered, refused or turned back
        self.passages: list[list] = []  # [place, arrival_h, release_h, trucks]; release NaN until it leaves
        self.trace: list[tuple] | None = [] if trace else None  # (truck, place, arrival, start, clear)
        self.closure_wait_h = 0.0  # longest time any of its groups waited at closures
        self.reroutes = 0
        self.permission: simpy.Event | None = None  # the hold's answer, once asked for
        world.env.process(self.run(Group(list(range(plan.trucks)), list(plan.routes[0]), 0, 1), plan.departure_h))

    def run(self, g: Group, delay_h: float) -> Generator:
        """A group's process: from `g.places[g.i]` (reached after `delay_h`) to the end."""
        env = self.world.env
        if delay_h > 0:
            yield env.timeout(delay_h)
        while True:
            passage = [g.places[g.i], env.now, math.nan, len(g.trucks)]
            self.passages.append(passage)
            going_on = yield from self.stop(g)
            if not going_on:
                return
            if g.i == len(g.places) - 1:
                self.end(g.trucks, Outcome.delivered)
                return
            passage[2] = env.now
            going_on = yield from self.drive(g)
            if not going_on:
                return

    def stop(self, g: Group) -> Generator:
        """The hold and the inspection at the group's place; False if the group ends there."""
        env, plan, draws, place = self.world.env, self.plan, self.draws, g.places[g.i]
        if place == plan.hold_place:
            granted = yield from self.ask_permission()
            if not granted:
                self.end(g.trucks, Outcome.refused)
                return False
        lanes = self.world.lanes.get(place)
        if lanes is None:
            return True
        if self.should_reroute(g, lanes.availability.next_open(env.now)):
            yield from self.turn_round(g, lanes.availability)
            return True
        inspections = draws[f"{plan.key}/inspection/{place}"]
        starts, clears = lanes.inspect(env.now, [inspections[t] for t in g.trucks], plan.priority)
        if self.trace is not None:
            self.trace += [(t, place, env.now, s, c) for t, s, c in zip(g.trucks, starts, clears)]
        release_h = max(clears)
        self.note_closure_wait(g, lanes.availability.closed_h(env.now, release_h))
        turn_back = draws.get(f"{plan.key}/turn_back/{place}")
        if turn_back is not None:
            p = self.world.turn_back[place]
            for t, clear_h in zip(g.trucks, clears):
                if turn_back[t] < p:
                    self.outcome_of[t], self.end_of[t] = Outcome.turned_back, clear_h
            g.trucks = [t for t in g.trucks if turn_back[t] >= p]
        yield from self.wait_until(release_h)
        return bool(g.trucks)

    def drive(self, g: Group) -> Generator:
        """Take the next leg: wait while the road is closed (or turn round), take an escort if the
        leg needs one, and drive; trucks that break down are repaired on the way. False if no
        truck is left in the group."""
        env, world, plan, draws = self.world.env, self.world, self.plan, self.draws
        while True:
            leg = world.legs[frozenset((g.places[g.i], g.places[g.i + 1]))]
            road = world.roads.get(leg)
            if road is None:
                break
            opens_h = road.next_open(env.now)
            if not self.should_reroute(g, opens_h):
                self.note_closure_wait(g, opens_h - env.now)
                yield from self.wait_until(opens_h)
                break
            yield from self.turn_round(g, road)
        escort = world.escorts.get(leg)
        if escort is not None:
            request = escort.request()
            yield request
        travel_h = leg_h = draws[f"{plan.key}/travel/{leg}"][0]
        chance = world.breakdown.get(leg)
        if chance is not None:
            broken, repair = draws[f"{plan.key}/breakdown/{leg}"], draws[f"{plan.key}/repair/{leg}"]
            late = [t for t in g.trucks if broken[t] < chance]
            if late and plan.wait_for_repairs:
                leg_h += max(repair[t] for t in late)
            elif late:
                for t in late:  # each repaired truck follows on its own
                    straggler = Group([t], g.places, g.i + 1, g.alternative)
                    env.process(self.run(straggler, travel_h + repair[t]))
                g.trucks = [t for t in g.trucks if broken[t] >= chance]
        if escort is not None:
            env.process(self.release_escort(escort, request, leg_h + draws[f"{plan.key}/escort/{leg}"][0]))
        if not g.trucks:
            return False
        yield env.timeout(leg_h)
        g.i += 1
        return True

    def should_reroute(self, g: Group, opens_h: float) -> bool:
        return (
            opens_h - self.world.env.now > self.plan.reroute_after_h
            and g.alternative < len(self.plan.routes)
            and g.i < len(g.places) - 1
        )

    def turn_round(self, g: Group, closed: Availability) -> Generator:
        """Wait `reroute_after_h` at the closure, then take the next alternative route: back along
        the places taken to the last one it shares, then along it."""
        now, wait_h = self.world.env.now, self.plan.reroute_after_h
        self.note_closure_wait(g, closed.closed_h(now, now + wait_h))
        alternative = self.plan.routes[g.alternative]
        g.alternative += 1
        self.reroutes += 1
        j = max(k for k in range(g.i + 1) if g.places[k] in alternative)
        back = g.places[j : g.i][::-1]
        onward = list(alternative[alternative.index(g.places[j]) + 1 :])
        g.places = g.places[: g.i + 1] + back + onward
        yield self.world.env.timeout(wait_h)

    def note_closure_wait(self, g: Group, wait_h: float) -> None:
        g.waited_h += wait_h
        self.closure_wait_h = max(self.closure_wait_h, g.waited_h)

    def ask_permission(self) -> Generator:
        """Wait for the hold's answer; the first group to arrive starts its clock."""
        env, key = self.world.env, self.plan.key
        if self.permission is None:
            self.permission = env.event()
            yield env.timeout(self.draws[f"{key}/hold"][0])
            self.permission.succeed(self.draws[f"{key}/refusal"][0] >= self.plan.refusal_probability)
        elif not self.permission.triggered:
            yield self.permission
        return self.permission.value

    def wait_until(self, t_h: float) -> Generator:
        env = self.world.env
        if t_h == NEVER:
            yield env.event()  # closed for good: wait past the horizon
        elif t_h > env.now:
            yield env.timeout(t_h - env.now)

    def release_escort(self, pool: simpy.Resource, request: simpy.Event, after_h: float) -> Generator:
        yield self.world.env.timeout(after_h)
        pool.release(request)

    def end(self, trucks: list[int], outcome: Outcome) -> None:
        now = self.world.env.now
        for t in trucks:
            self.outcome_of[t], self.end_of[t] = outcome, now

    def outcome(self) -> Outcome:
        """The movement's outcome: not delivered while any truck is still on its way; else
        delivered if any truck was, else refused or turned back."""
        ended = set(self.outcome_of)
        if Outcome.not_delivered in ended:
            return Outcome.not_delivered
        return min(ended)  # delivered < refused < turned_back

    def delivered_h(self) -> float:
        """When the last delivered truck arrived (NaN if none was delivered)."""
        times = [e for o, e in zip(self.outcome_of, self.end_of) if o is Outcome.delivered]
        return max(times) if times else math.nan
