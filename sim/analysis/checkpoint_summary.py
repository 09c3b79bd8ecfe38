"""What each checkpoint did over a run's replications: the aid trucks and other vehicles it
inspected, how long they waited and what for, how busy its lanes were and how long it was open."""

from __future__ import annotations

from sim.results.checkpoint_sums import SUMMED, checkpoint_sums
from sim.results.records import Records

# The columns of the checkpoints table that `summarise_checkpoints` reads.
CHECKPOINT_READS = ("replication", "checkpoint", "lanes", *SUMMED)


def summarise_checkpoints(records: Records, warmup_h: float = 0.0) -> dict:
    """Per checkpoint, from the warm-up to the horizon (the checkpoints table counts only what
    happens then): the mean wait per aid truck over all replications, split into the open hours
    behind its own movement's trucks that arrived with it (a convoy queueing behind itself), the
    open hours behind other vehicles and movements, and the hours the checkpoint was closed; other
    traffic and its mean wait; lane utilisation and the share of the time open. Made of the
    table's sums (`checkpoint_sums`), as a long run keeps it."""
    sums = checkpoint_sums(records.checkpoints)
    counted_h = records.horizon_h - warmup_h
    result = {}
    for key in dict.fromkeys(sums["checkpoint"].tolist()):
        at = sums["checkpoint"] == key
        total = {c: float(sums[c][at].sum()) for c in SUMMED}
        rows, lanes = int(sums["rows"][at].sum()), int(sums["lanes"][at][0])
        trucks, others = total["trucks"], total["other_trucks"]
        waits = None
        if trucks:
            own_h, closed_h = total["convoy_wait_h"] / trucks, total["closed_wait_h"] / trucks
            # What is left, never below zero: the parts are sums of the same waits in another order.
            waits = {
                "behind_own_movement_h": own_h,
                "behind_other_vehicles_h": max(0.0, total["wait_h"] / trucks - own_h - closed_h),
                "while_closed_h": closed_h,
            }
        result[key] = {
            "lanes": lanes,
            "trucks_per_replication": trucks / rows,
            "mean_wait_h": total["wait_h"] / trucks if trucks else None,
            "mean_wait_parts_h": waits,
            "other_vehicles_per_replication": others / rows,
            "other_mean_wait_h": total["other_wait_h"] / others if others else None,
            "utilisation": total["busy_h"] / rows / (lanes * counted_h),
            "open_share": total["open_h"] / rows / counted_h,
        }
    return result
