"""The HTML report of a sweep: `write_sweep_report(sweep)` writes `sweep_report.html` into a sweep folder.

The page holds the table of summary.csv (failed jobs with their error), each swept parameter's effect
on the key metrics, and paired differences against a reference job (job 0, or the first complete
one). Everything is read back from the folder's files, and the page is self-contained (figures
embedded as data URIs): it opens offline and names no absolute path.
"""

from __future__ import annotations

import math
from pathlib import Path

from sim.analysis.formatting import label, plural
from sim.analysis.runs import load_run
from sim.analysis.side_by_side import paired_rows, render, result_row
from sim.results import layout
from sim.results.columns import SUMMARY_COLUMNS
from sim.results.files import read_table, write_text

REPORT = layout.SWEEP_REPORT


def write_sweep_report(sweep: Path) -> None:
    """Write sweep_report.html into the sweep folder, from summary.csv and the job folders."""
    write_text(sweep / REPORT, render_sweep(sweep))


def render_sweep(sweep: Path) -> str:
    """The sweep report's page: summary.csv's rows, the parameter figures and the paired differences."""
    # matplotlib loads when a sweep is reported, not when `python -m sim` starts (its sweep callback imports us)
    from sim.analysis.parameter_figure import parameter_figures

    rows = _summary_rows(sweep / layout.SWEEP_SUMMARY)
    parameters = [c for c in (rows[0] if rows else {}) if c not in SUMMARY_COLUMNS]
    jobs: dict[int, dict] = {}
    for row in rows:
        jobs.setdefault(row["job"], row)
    complete = {job: row for job, row in jobs.items() if row["status"] == "complete"}
    runs = {job: load_run(sweep / str(job), f"job {job}") for job in complete}
    varied = [p for p in parameters if len({label(row[p]) for row in rows}) > 1]
    fixed = {p: label(rows[0][p]) for p in parameters if p not in varied}
    for row in rows:
        row["label"] = f"job {row['job']}"
        row["settings"] = row["overrides"] or "(none)"
        if row["job"] in runs and row["movement"]:
            row["name"] = runs[row["job"]].summary["movements"].get(row["movement"], {}).get("name", "")
    failed = len(jobs) - len(complete)
    if not jobs:
        notice = "This sweep has no job folders: there is nothing to report."
    elif not complete:
        notice = f"Every job failed ({len(jobs)} of {len(jobs)}): there are no results to show. The errors are below."
    else:
        notice = None
    figures = [] if not complete else parameter_figures([r for r in rows if r["job"] in complete], varied)
    reference, paired, paired_note = paired_rows(runs, {job: jobs[job]["settings"] for job in runs})
    return render(
        kind="sweep",
        unit="job",
        title=f"Sweep {sweep.name}",
        subtitle=(
            f"{len(jobs)} job{plural(len(jobs))}: {len(complete)} complete, {failed} failed"
            + (f" · swept: {', '.join(varied)}" if varied else "")
        ),
        notice=notice,
        fixed=fixed,
        results=[result_row(row) for row in rows],
        parameters=varied,
        figures=figures,
        reference=reference,
        paired=paired,
        paired_note=paired_note,
        runs=[],
    )


def _summary_rows(path: Path) -> list[dict]:
    """summary.csv as rows of Python values: NaN (empty cells) as None, the job as an int."""
    if not path.is_file():
        return []
    table = read_table(path)
    columns = {column: values.tolist() for column, values in table.items()}
    n = len(next(iter(columns.values()), []))
    rows = []
    for i in range(n):
        row = {}
        for column, values in columns.items():
            value = values[i]
            row[column] = None if isinstance(value, float) and math.isnan(value) else value
        row["job"] = int(row["job"])
        for column in ("status", "overrides", "error", "movement"):
            row[column] = "" if row.get(column) is None else str(row[column])
        rows.append(row)
    return rows
