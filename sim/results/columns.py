"""The columns of every table a run or sweep writes, in the order they are written."""

from __future__ import annotations

from sim.results.records import OUTCOMES, TABLE_NAMES

MOVEMENT_COLUMNS = (
    "replication",
    "movement",
    "flow",
    "outcome",
    "departure_h",
    "end_h",
    "delivery_time_h",
    "trucks",
    "tonnes",
    *(f"{o}_{unit}" for o in OUTCOMES for unit in ("trucks", "t")),
    "closure_wait_h",
    "reroutes",
    "last_place",
)
PASSAGE_COLUMNS = ("replication", "movement", "place", "arrival_h", "release_h", "trucks")
CHECKPOINT_COLUMNS = (
    "replication",
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
DELIVERY_COLUMNS = ("replication", "movement", "time_h", "cargo", "tonnes")
# Each table of `Records` (an attribute of that name), and its columns.
TABLE_COLUMNS = dict(zip(TABLE_NAMES, (MOVEMENT_COLUMNS, PASSAGE_COLUMNS, CHECKPOINT_COLUMNS, DELIVERY_COLUMNS)))

# timeline.csv: every truck at every checkpoint in one replication, and what it waited for there
# (sim.simulate.waits.WAITS).
TRUCK_COLUMNS = ("movement", "truck", "place", "arrival_h", "start_h", "clear_h", "waiting_for")
# closed.csv: when each checkpoint was closed in the same replication (kind: closure or opening_hours).
CLOSED_COLUMNS = ("checkpoint", "kind", "start_h", "end_h")
# other_traffic.csv: every other vehicle at every checkpoint in the same replication (wait: start - arrival).
OTHER_TRAFFIC_COLUMNS = ("checkpoint", "arrival_h", "start_h", "clear_h")

# A sweep's summary.csv: one row per job and movement (swept keys follow as further columns).
SUMMARY_COLUMNS = (
    "job",
    "status",
    "overrides",
    "error",
    "movement",
    "replications",
    "delivery_probability",
    "delivery_probability_low",
    "delivery_probability_high",
    "mean_delivery_time_h",
    "mean_delivery_time_h_low",
    "mean_delivery_time_h_high",
    "median_delivery_time_h",
    "p90_delivery_time_h",
    "p95_delivery_time_h",
    "mean_closure_wait_h",
)
