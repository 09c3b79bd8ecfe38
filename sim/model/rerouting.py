"""The rerouting rule: when a group that meets a closure turns round, and which way it goes.

A closure (not opening hours) that would keep a group longer than its movement's
`reroute_after_h`, under way when the group arrives or starting while it queues, sends it to its
next alternative route once it has waited that long, if it can reach that route.
"""

from __future__ import annotations

from bisect import bisect_left

from sim.model.calendar import NEVER, Availability
from sim.model.checkpoint import Lanes
from sim.model.passages import Group
from sim.model.plan import MovementPlan


def may_reroute(plan: MovementPlan, g: Group, at_checkpoint: bool) -> bool:
    """Whether an alternative is left that the group can reach: at a closed checkpoint it must
    turn back before it, so the alternative must share a place it has already left."""
    if g.alternative >= len(plan.routes) or g.i == len(g.places) - 1 or plan.reroute_after_h >= NEVER:
        return False
    return not at_checkpoint or any(p in plan.routes[g.alternative] for p in g.places[: g.i])


def should_reroute(plan: MovementPlan, g: Group, closed: Availability, t: float, at_checkpoint: bool) -> bool:
    """Whether a closure under way at `t` would keep the group longer than it may wait, and it may
    turn round."""
    return closed.closed_until(t) - t > plan.reroute_after_h and may_reroute(plan, g, at_checkpoint)


def closure_while_queued(
    plan: MovementPlan, g: Group, lanes: Lanes, t: float, inspection_h: list[float]
) -> tuple[float | None, int]:
    """A closure that starts while trucks of the group, arrived at `t`, still wait for their
    inspection, and would keep them longer than they may wait, if the group may turn round:
    (its start, how many trucks start their inspections before it); else (None, all of them).
    The trucks not yet inspected then are never committed to the lanes. Not applied where aid
    trucks without priority wait to be committed (`Lanes.queue`): their starts are not known on
    arrival."""
    n = len(inspection_h)
    if not lanes.availability.starts or lanes.shared_with_priority or not may_reroute(plan, g, at_checkpoint=True):
        return None, n
    starts = lanes.starts(t, inspection_h, plan.priority)
    closure_h = lanes.availability.closure_starting(t, starts[-1], plan.reroute_after_h)
    if closure_h is None:
        return None, n
    return closure_h, bisect_left(starts, closure_h)


def take_alternative(plan: MovementPlan, g: Group, at_checkpoint: bool) -> None:
    """Send the group along its next alternative route: back along the places taken to the last
    one the alternative shares (one already left, if the closure is the checkpoint here), then
    along it."""
    alternative = plan.routes[g.alternative]
    g.alternative += 1
    j = max(k for k in range(g.i if at_checkpoint else g.i + 1) if g.places[k] in alternative)
    back = g.places[j : g.i][::-1]
    onward = list(alternative[alternative.index(g.places[j]) + 1 :])
    g.places = g.places[: g.i + 1] + back + onward
