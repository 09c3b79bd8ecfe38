"""The page comparing run folders given by hand (`python -m sim.compare`): per movement present in
all of them, each run's key metrics side by side, and paired differences against the first.
Self-contained, like the sweep report, and laid out by the same template. Runs given by hand may
differ in more than the settings a user meant to compare (the horizon, the start, the seed): the
page and the command warn of each such difference, and say what it does to the comparison."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from sim.analysis.runs import Run, load_run, movement_metrics
from sim.analysis.side_by_side import paired_rows, render, result_row, total_rows
from sim.results import layout
from sim.results.files import read_json
from sim.results.sweep import job_overrides


class Comparison(NamedTuple):
    """The comparison page, and the warnings it shows about what differs between the runs."""

    page: str
    warnings: list[str]


def render_comparison(folders: list[Path], names: list[str] | None = None) -> Comparison:
    """The page comparing complete run folders (checked with `run_problem` first): per movement
    present in all of them, each run's key metrics, and paired differences against the first.
    `names` says how to show each folder (default: as given)."""
    names = names or [str(f) for f in folders]
    runs = {i: load_run(folder, f"run {i + 1}") for i, folder in enumerate(folders)}
    warnings = setup_warnings(list(runs.values()))

    provenance = [read_json(folder / layout.PROVENANCE) for folder in folders]
    overrides = [" ".join(job_overrides(folder)) for folder in folders]  # Hydra's record of the command line
    settings = {i: overrides[i] or p.get("command") or "" for i, p in enumerate(provenance)}
    keys = [k for k in runs[0].summary["movements"] if all(k in r.summary["movements"] for r in runs.values())]
    results = []
    for key in keys:
        for i, run in runs.items():
            m = run.summary["movements"][key]
            row = {
                "label": run.label,
                "settings": settings[i],
                "status": "complete",
                "movement": key,
                "name": m["name"],
                **movement_metrics(m),
            }
            results.append(result_row(row))
    left_out = sorted({k for r in runs.values() for k in r.summary["movements"]} - set(keys))
    reference, paired, paired_note = paired_rows(runs, settings)
    totals = total_rows(runs, settings)
    paired = [row for row in paired if row.get("key") in keys or row["problem"]]
    page = render(
        kind="comparison",
        unit="run",
        title=f"Comparison of {len(runs)} runs",
        subtitle=" · ".join(f"{r.label}: {r.summary.get('scenario') or r.summary['title']}" for r in runs.values()),
        notice=None if keys else "No movement is present in every run: there is nothing to put side by side.",
        warnings=warnings,
        fixed={},
        results=results,
        parameters=[],
        figures=[],
        reference=reference,
        paired=paired,
        paired_note=paired_note,
        totals=totals,
        runs=[
            {
                "label": run.label,
                "folder": names[i],
                "scenario": run.summary.get("scenario", ""),
                "title": run.summary["title"],
                "replications": run.summary["replications"],
                "seed": run.seed,
                "start": run.summary["start"].replace("T", " "),
                "horizon": f"{run.summary['horizon_h'] / 24:g} days",
                "overrides": overrides[i],
                "command": provenance[i].get("command") or "unknown",
            }
            for i, run in runs.items()
        ],
        left_out=left_out,
    )
    return Comparison(page, warnings)


def setup_warnings(runs: list[Run]) -> list[str]:
    """What differs between the runs besides their settings (horizon, start, seed), each with
    what it does to the comparison; empty when they share all three."""
    warnings = []
    horizons = [run.summary["horizon_h"] / 24 for run in runs]
    if len(set(horizons)) > 1:
        warnings.append(
            f"The runs stop at different horizons ({_each(runs, [f'{d:g} days' for d in horizons])}). "
            "P(delivered by horizon) counts only what arrived before each run's own horizon, so its "
            "difference includes the time each run allowed, not only the settings; mean delivery times "
            "cover the replications delivered by then, so a later horizon can raise them."
        )
    starts = [run.summary["start"] for run in runs]
    if len(set(starts)) > 1:
        warnings.append(
            f"The runs start at different times ({_each(runs, [s.replace('T', ' ') for s in starts])}). They "
            "simulate different windows of the calendar: dated departures, closures and decisions fall "
            "at different points of each, so differences include the period as well as the settings."
        )
    seeds = [run.seed for run in runs]
    if len(set(seeds)) > 1:
        warnings.append(
            f"The runs use different seeds ({_each(runs, [str(s) for s in seeds])}), so they drew different "
            "random numbers and are not paired (no common random numbers): read their separate intervals; "
            "a difference within them may be noise."
        )
    return warnings


def _each(runs: list[Run], values: list[str]) -> str:
    """'70 days in run 1, 111 days in run 2'."""
    return ", ".join(f"{value} in {run.label}" for run, value in zip(runs, values))
