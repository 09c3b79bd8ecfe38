"""The page comparing run folders given by hand (`python -m sim.compare`): per movement present in
all of them, each run's key metrics side by side, and paired differences against the first.
Self-contained, like the sweep report, and laid out by the same template."""

from __future__ import annotations

from pathlib import Path

from sim.analysis.runs import load_run, movement_metrics
from sim.analysis.side_by_side import paired_rows, render, result_row
from sim.results import layout
from sim.results.files import read_json
from sim.results.sweep import job_overrides


def render_comparison(folders: list[Path], names: list[str] | None = None) -> str:
    """The page comparing complete run folders (checked with `run_problem` first): per movement
    present in all of them, each run's key metrics, and paired differences against the first.
    `names` says how to show each folder (default: as given)."""
    names = names or [str(f) for f in folders]
    runs = {i: load_run(folder, f"run {i + 1}") for i, folder in enumerate(folders)}

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
    paired = [row for row in paired if row.get("key") in keys or row["problem"]]
    return render(
        kind="comparison",
        unit="run",
        title=f"Comparison of {len(runs)} runs",
        subtitle=" · ".join(f"{r.label}: {r.summary.get('scenario') or r.summary['title']}" for r in runs.values()),
        notice=None if keys else "No movement is present in every run: there is nothing to put side by side.",
        fixed={},
        results=results,
        parameters=[],
        figures=[],
        reference=reference,
        paired=paired,
        paired_note=paired_note,
        runs=[
            {
                "label": run.label,
                "folder": names[i],
                "scenario": run.summary.get("scenario", ""),
                "title": run.summary["title"],
                "replications": run.summary["replications"],
                "seed": run.seed,
                "overrides": overrides[i],
                "command": provenance[i].get("command") or "unknown",
            }
            for i, run in runs.items()
        ],
        left_out=left_out,
    )
