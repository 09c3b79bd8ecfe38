"""A complete run folder as comparisons read it: its summary, its movements and deliveries
tables and its seed.

Sweep pages, `python -m sim.compare` and the sweep's summary.csv read runs through here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sim.results import layout
from sim.results.files import read_json, read_table
from sim.results.records import Table
from sim.results.status import folder_problem

RUN_FILES = (
    layout.SUMMARY,
    layout.TABLES["movements"],
    layout.PROVENANCE,
)  # what a run folder must hold to be compared


@dataclass
class Run:
    """A complete run folder as far as comparisons need it."""

    label: str  # "job 3" or "run 2"
    summary: dict
    movements: Table
    seed: int | None
    deliveries: Table | None = None  # every delivery (None: the folder has no deliveries.csv)


def load_run(folder: Path, label: str) -> Run:
    """The files of a complete run folder (see RUN_FILES)."""
    summary = read_json(folder / layout.SUMMARY)
    seed = read_json(folder / layout.PROVENANCE).get("seed", summary.get("seed"))
    deliveries = layout.table_path(folder, "deliveries")
    return Run(
        label=label,
        summary=summary,
        movements=read_table(layout.table_path(folder, "movements")),
        seed=seed,
        deliveries=read_table(deliveries) if deliveries.is_file() else None,
    )


def run_problem(folder: Path) -> str | None:
    """Why `folder` cannot be compared, or None."""
    return folder_problem(folder, RUN_FILES)


def movement_metrics(m: dict) -> dict:
    """A movement of summary.json as the flat metrics of a summary.csv row."""
    p, mean = m["delivery_probability"], m["mean_delivery_time_h"]
    return {
        "replications": m["replications"],
        "delivery_probability": p["estimate"],
        "delivery_probability_low": p["low"],
        "delivery_probability_high": p["high"],
        "mean_delivery_time_h": mean["estimate"],
        "mean_delivery_time_h_low": mean["low"],
        "mean_delivery_time_h_high": mean["high"],
        **{f"{q}_delivery_time_h": m[f"{q}_delivery_time_h"]["estimate"] for q in ("median", "p90", "p95")},
        "mean_closure_wait_h": m["mean_closure_wait_h"]["estimate"],
    }
