"""What each checkpoint did over a run's replications: the aid trucks and other vehicles it
inspected, how long they waited and what for, how busy its lanes were and how long it was open."""

from __future__ import annotations

from sim.results.records import Records

# The columns of the checkpoints table that `summarise_checkpoints` reads.
CHECKPOINT_READS = (
    "checkpoint",
    "lanes",
    "trucks",
    "wait_h",
    "convoy_wait_h",
    "closed_wait_h",
    "other_trucks",
    "other_wait_h",
    "busy_h",
    "open_h",
)


def summarise_checkpoints(records: Records, warmup_h: float = 0.0) -> dict:
    """Per checkpoint, from the warm-up to the horizon (the checkpoints table counts only what
    happens then): the mean wait per aid truck over all replications, split into the open hours
    behind its own movement's trucks that arrived with it (a convoy queueing behind itself), the
    open hours behind other vehicles and movements, and the hours the checkpoint was closed; other
    traffic and its mean wait; lane utilisation and the share of the time open."""
    table = records.checkpoints
    counted_h = records.horizon_h - warmup_h
    result = {}
    for key in dict.fromkeys(table["checkpoint"].tolist()):
        rows = table["checkpoint"] == key
        trucks = table["trucks"][rows].sum()
        lanes = int(table["lanes"][rows][0])
        others = table["other_trucks"][rows].sum()
        per_truck = {part: float(table[part][rows].sum() / trucks) if trucks else None for part in _WAITS}
        waits = {}
        if trucks:
            own_h, closed_h = per_truck["convoy_wait_h"], per_truck["closed_wait_h"]
            # What is left, never below zero: the parts are sums of the same waits in another order.
            waits = {
                "behind_own_movement_h": own_h,
                "behind_other_vehicles_h": max(0.0, per_truck["wait_h"] - own_h - closed_h),
                "while_closed_h": closed_h,
            }
        result[key] = {
            "lanes": lanes,
            "trucks_per_replication": float(trucks / rows.sum()),
            "mean_wait_h": per_truck["wait_h"],
            "mean_wait_parts_h": waits or None,
            "other_vehicles_per_replication": float(others / rows.sum()),
            "other_mean_wait_h": float(table["other_wait_h"][rows].sum() / others) if others else None,
            "utilisation": float(table["busy_h"][rows].mean() / (lanes * counted_h)),
            "open_share": float(table["open_h"][rows].mean() / counted_h),
        }
    return result


_WAITS = ("wait_h", "convoy_wait_h", "closed_wait_h")
