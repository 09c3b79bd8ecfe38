"""A movement's journey: a convoy or shipment travelling its route, as SimPy processes (or, on
the direct path, as a chain of SimPy events: `sim.model.direct`).

The trucks of a movement travel together as one group (one process). A group splits only when a
truck that broke down is left to follow on its own; a truck that an inspection turns back leaves
its group there.
"""

from __future__ import annotations

import math
from collections.abc import Generator

import simpy

from sim.model.calendar import NEVER, Availability
from sim.model.checkpoint import Lanes
from sim.model.direct import DirectPath
from sim.model.passages import Group, Outcome, SetOff
from sim.model.plan import MovementPlan
from sim.model.rerouting import closure_while_queued, should_reroute, take_alternative
from sim.model.world import World


class Journey(DirectPath):
    """One movement during one replication: where its trucks are, and how each ended.

    The movement's route is followed place by place. At a place: the approval hold (if it is the
    hold's place; its clock starts when the first group arrives), then inspection (if a
    checkpoint), then the next leg (waiting while the road is closed, then for an escort if the leg
    needs one). Waiting at a closure longer than `reroute_after_h` switches to the next alternative
    route: back along the road taken to the last place the alternative shares, then along it.

    A group keeps its own clock and meets SimPy's only where others can make a difference: on
    arriving at a checkpoint (lanes are committed in order of arrival), at a hold (shared by the
    movement's groups, and by every movement waiting on the same decision) and when asking for an
    escort. Travel, closures known in advance and
    breakdowns drawn in advance need no event. Whatever would happen at or after the horizon is
    undone by `censor` (the direct path stops at the horizon itself).
    """

    __slots__ = (
        "plan",
        "world",
        "draws",
        "trace",
        "closure_wait_h",
        "reroutes",
        "permission",
        "on_direct_path",
    )

    def __init__(
        self, plan: MovementPlan, world: World, draws: list[float], trace: bool, set_off_now: bool = False
    ) -> None:
        """The movement's journey, set off. On the direct path it sets off with an urgent event at
        time 0, as a process starts, or at once if `set_off_now` (no process was started before it).
        Its trucks' outcomes and ends are noted in `world.outcome_of` and `world.end_of`."""
        self.plan = plan
        self.world = world
        self.draws = draws  # this replication's random values, laid out by `plan.offset`
        self.trace: list[tuple] | None = [] if trace else None  # (truck, place, arrival, start, clear)
        self.closure_wait_h = 0.0  # longest time any of its groups waited at closures
        self.reroutes = 0
        self.permission: simpy.Event | None = None  # the hold's answer, once asked for
        self.on_direct_path = plan.direct is not None and not trace  # takes `run_direct`
        self.place_i, self.reached_h = 0, plan.departure_h  # where it waits for its turn, if direct
        if self.on_direct_path and set_off_now:
            self.run_direct(None)
        elif self.on_direct_path:
            SetOff(world.env, self.set_off)
        else:
            world.env.process(self.run(Group(list(range(plan.trucks)), list(plan.routes[0]), 0, 1), plan.departure_h))

    def run(self, g: Group, t: float) -> Generator:
        """A group's process: from `g.places[g.i]`, reached at time `t`, to the end."""
        checkpoints = self.world.lanes
        while True:
            place = g.places[g.i]
            passage = self.world.passages.arrive(self.plan.number, self.plan.place_code[place], t, len(g.trucks))
            if place in checkpoints or place == self.plan.hold_place:
                t = yield from self.stop(g, t)
                if t is None:
                    return
            if g.i == len(g.places) - 1:
                self.end(g.trucks, Outcome.delivered, t)
                return
            t = yield from self.drive(g, t, passage)
            if t is None:
                return

    def stop(self, g: Group, t: float) -> Generator:
        """The hold and the inspection at the group's place; when it may leave, or None if the
        group ends there."""
        plan, draws, place = self.plan, self.draws, g.places[g.i]
        env = self.world.env
        if place == plan.hold_place:
            if t > env.now:
                yield env.timeout(t - env.now)
            granted = yield from self.ask_permission()
            t = self.world.env.now
            if not granted:
                self.end(g.trucks, Outcome.refused, t)
                return None
        lanes = self.world.lanes.get(place)
        if lanes is None:
            return t
        if should_reroute(self.plan, g, lanes.availability, t, at_checkpoint=True):
            return self.turn_round(g, lanes.availability, t, at_checkpoint=True)
        if t > env.now:  # arrivals must reach the lanes in time order
            yield env.timeout(t - env.now)
        first = plan.offset["inspection", place]
        inspection_h = [draws[first + k] for k in g.trucks]
        closure_h, inspected = closure_while_queued(plan, g, lanes, t, inspection_h)
        times: list[tuple[float, float]] = []  # each inspected truck's start and clearance
        if lanes.shared_with_priority and not plan.priority:
            release_h = yield from self.queue(lanes, t, inspection_h[:inspected], times)
        else:
            release_h = lanes.inspect(t, inspection_h[:inspected], plan.priority, times)
        if self.trace is not None:
            self.trace += [(k, place, t, s, c) for k, (s, c) in zip(g.trucks, times)]
        first = plan.offset.get(("turn_back", place))
        if first is not None:
            p = self.world.turn_back[place]
            turned = [k for k in g.trucks[:inspected] if draws[first + k] < p]
            for k, (_, clear_h) in zip(g.trucks, times):
                if k in turned:
                    self.end([k], Outcome.turned_back, clear_h)
            g.trucks = [k for k in g.trucks if k not in turned]
        if closure_h is not None:
            return max(release_h, self.turn_round(g, lanes.availability, closure_h, at_checkpoint=True))
        self.note_closure_wait(g, lanes.availability.closed_h(t, min(release_h, self.world.horizon_h)))
        return release_h if g.trucks and release_h < NEVER else None

    def queue(self, lanes: Lanes, t: float, inspection_h: list[float], times: list) -> Generator:
        """Queue without priority at a checkpoint that trucks with priority also use: wait until
        each truck's inspection starts (a truck with priority arriving before then passes it).
        When the last is cleared."""
        env = self.world.env
        waiting = lanes.queue(t, inspection_h)
        while (next_h := lanes.admit_started(env.now)) is not None and len(waiting.times) < len(inspection_h):
            yield env.timeout(next_h - env.now)
        times += waiting.times
        return max((clear_h for _, clear_h in waiting.times), default=t)

    def drive(self, g: Group, t: float, passage: int) -> Generator:
        """Take the next leg: wait while the road is closed (or turn round), take an escort if the
        leg needs one, and drive; trucks that break down are repaired on the way. Sets the
        passage's release to the moment it leaves. When the group arrives, or None if it never will.

        A road that closed again while the group waited for its escort is met as on arrival: the
        group waits, escorted, for it to reopen, or turns round after `reroute_after_h` and gives
        the escort back then. The escort is back in its pool a turnaround after the group arrives,
        or at once if the road will never reopen."""
        world, plan, draws = self.world, self.plan, self.draws
        env = world.env
        while True:
            leg = world.legs[g.places[g.i], g.places[g.i + 1]]
            road = world.roads.get(leg)
            if road is not None and should_reroute(self.plan, g, road, t, at_checkpoint=False):
                t = self.turn_round(g, road, t, at_checkpoint=False)
                continue
            escort = world.escorts.get(leg)
            if escort is None:
                break
            t = self.wait_for_road(g, road, t)
            if t == NEVER:
                return None
            if t > env.now:
                yield env.timeout(t - env.now)
            request = escort.request()
            yield request
            t = env.now
            if road is None or not should_reroute(self.plan, g, road, t, at_checkpoint=False):
                break
            t = self.turn_round(g, road, t, at_checkpoint=False)
            env.process(self.release_escort(escort, request, t - env.now))
        t = self.wait_for_road(g, road, t)
        if t == NEVER:
            if escort is not None:
                escort.release(request)
            return None
        world.passages.release_h[passage] = t
        leg_h = draws[plan.travel_at[g.places[g.i], g.places[g.i + 1]]]
        chance = world.breakdown.get(leg)
        if chance is not None:
            leg_h = self.break_down(g, leg, chance, t, leg_h)
        if escort is not None:
            turnaround_h = draws[plan.offset["escort", leg]]
            # Timed from now, the grant: the group may have left later, when the road reopened.
            env.process(self.release_escort(escort, request, t - env.now + leg_h + turnaround_h))
        if not g.trucks:
            return None
        g.i += 1
        return t + leg_h

    def break_down(self, g: Group, leg: str, chance: float, t: float, travel_h: float) -> float:
        """The group's trucks that break down on this trip on `leg`, leaving at `t`: it waits for
        their repairs (the leg's time with the longest repair), or each repaired truck follows on
        its own and the group drives on (the leg's time unchanged)."""
        draws, plan = self.draws, self.plan
        trip, trips = g.trips.get(leg, 0), plan.breakdown_at[leg]
        g.trips[leg] = trip + 1
        broken, repair = trips[min(trip, len(trips) - 1)]
        late = [k for k in g.trucks if draws[broken + k] < chance]
        if late and plan.wait_for_repairs:
            return travel_h + max(draws[repair + k] for k in late)
        for k in late:  # each repaired truck follows on its own
            straggler = Group([k], g.places, g.i + 1, g.alternative)
            straggler.waited_h, straggler.trips = g.waited_h, dict(g.trips)
            self.world.env.process(self.run(straggler, t + travel_h + draws[repair + k]))
        if late:
            g.trucks = [k for k in g.trucks if draws[broken + k] >= chance]
        return travel_h

    def wait_for_road(self, g: Group, road: Availability | None, t: float) -> float:
        """When the road opens at or after `t`, counting the wait as closure wait."""
        if road is None:
            return t
        opens_h = road.next_open(t)
        self.note_closure_wait(g, min(opens_h, self.world.horizon_h) - t)
        return opens_h

    def turn_round(self, g: Group, closed: Availability, t: float, at_checkpoint: bool) -> float:
        """Wait `reroute_after_h` at the closure, then take the next alternative route. Returns
        when it sets off."""
        wait_h = self.plan.reroute_after_h
        self.note_closure_wait(g, closed.closed_h(t, min(t + wait_h, self.world.horizon_h)))
        if t + wait_h < self.world.horizon_h:
            self.reroutes += 1
        take_alternative(self.plan, g, at_checkpoint)
        return t + wait_h

    def note_closure_wait(self, g: Group, wait_h: float) -> None:
        """Add hours a group spent waiting at a closed road or checkpoint to its own and the longest."""
        g.waited_h += max(wait_h, 0.0)
        self.closure_wait_h = max(self.closure_wait_h, g.waited_h)

    def ask_permission(self) -> Generator:
        """Wait for the hold's answer; the first group to arrive starts its clock. A hold waiting
        on a shared decision waits for the decision's answer (`Decision.wait`); if it permits, the
        movement's own refusal draw may still refuse it."""
        env, plan = self.world.env, self.plan
        if self.permission is None:
            self.permission = env.event()
            if plan.decision is None:
                yield env.timeout(self.draws[plan.offset["hold", ""]])
                permitted = True
            else:
                permitted = yield from self.world.decisions[plan.decision].wait()
            own = self.draws[plan.offset["refusal", ""]] >= plan.refusal_probability
            self.permission.succeed(permitted and own)
        elif not self.permission.triggered:
            yield self.permission
        return self.permission.value

    def release_escort(self, pool: simpy.Resource, request: simpy.Event, after_h: float) -> Generator:
        """The escort goes back to its pool `after_h` hours on (its turnaround), free for the next convoy."""
        yield self.world.env.timeout(after_h)
        pool.release(request)

    def end(self, trucks: list[int], outcome: Outcome, t: float) -> None:
        """Trucks whose journey ended at time `t`: delivered, refused or turned back."""
        outcome_of, end_of, first = self.world.outcome_of, self.world.end_of, self.plan.first_truck
        for k in trucks:
            outcome_of[first + k], end_of[first + k] = outcome, t

    def censor(self, horizon_h: float) -> None:
        """Undo what a group's own clock ran ahead to: nothing at or after the horizon happened
        (its passages are censored with the others', `Passages.censor`)."""
        if self.on_direct_path:
            return  # it stopped at the horizon
        outcome_of, end_of, first = self.world.outcome_of, self.world.end_of, self.plan.first_truck
        for k in range(first, first + self.plan.trucks):
            if end_of[k] >= horizon_h:
                outcome_of[k], end_of[k] = Outcome.not_delivered, math.nan
        if self.trace is not None:
            self.trace = [
                (k, place, a, s, c if c < horizon_h else math.nan) for k, place, a, s, c in self.trace if s < horizon_h
            ]
