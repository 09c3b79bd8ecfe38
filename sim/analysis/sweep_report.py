"""The HTML report of a sweep: `write_sweep_report(sweep)` writes `sweep_report.html` into a sweep folder.

The page says how the sweep ran (seed, commit, command, date), lists its jobs (their swept values,
what each implies, a link to each job's report), holds the table of summary.csv (failed jobs with
their error), each swept parameter's effect on the key metrics, and for each swept key paired
differences within each group of jobs that differ in it alone, against the group's first job.
Everything is read back from the folder's files, and the page is self-contained (figures embedded
as data URIs): it opens offline and names no absolute path (the links to job reports are relative).
"""

from __future__ import annotations

import math
from pathlib import Path

from sim.analysis import sweep_jobs
from sim.analysis.formatting import label, plural
from sim.analysis.runs import load_run
from sim.analysis.side_by_side import paired_rows, render, result_row, total_rows
from sim.results import layout
from sim.results.columns import SUMMARY_COLUMNS
from sim.results.files import read_table, write_text

REPORT = layout.SWEEP_REPORT


def write_sweep_report(sweep: Path) -> None:
    """Write sweep_report.html into the sweep folder, from summary.csv and the job folders."""
    write_text(sweep / REPORT, render_sweep(sweep))


def render_sweep(sweep: Path) -> str:
    """The sweep report's page: how the sweep ran, its jobs, summary.csv's rows, the parameter
    figures and, for each swept key, paired differences within each group of jobs that differ in it
    alone."""
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
        row["settings"] = ", ".join(f"{p}={label(row[p]) or '(not set)'}" for p in varied) or "(none)"
        if row["job"] in runs and row["movement"]:
            row["name"] = runs[row["job"]].summary["movements"].get(row["movement"], {}).get("name", "")
    failed = len(jobs) - len(complete)
    if not jobs:
        notice = "This sweep has no job folders: there is nothing to report."
    elif not complete:
        notice = f"Every job failed ({len(jobs)} of {len(jobs)}): there are no results to show. The errors are below."
    else:
        notice = None
    chosen = sweep_jobs.settings(sweep, list(complete))
    complete_rows = [r for r in rows if r["job"] in complete]
    figures = [] if not complete else parameter_figures(complete_rows, varied, chosen["log_time_axis"])
    scenarios = list(dict.fromkeys(run.summary["scenario"] for run in runs.values()))
    results = []
    for row in rows:
        result = result_row(row)
        result["values"] = [label(row[p]) or "(not set)" for p in varied]
        results.append(result)
    return render(
        kind="sweep",
        unit="job",
        title=sweep_jobs.title(varied, scenarios),
        subtitle=f"{len(jobs)} job{plural(len(jobs))}: {len(complete)} complete, {failed} failed",
        notice=notice,
        fixed=fixed,
        how=sweep_jobs.how_run(sweep, list(complete)),
        jobs=sweep_jobs.job_rows(sweep, jobs, varied),
        results=results,
        parameters=varied,
        figures=figures,
        effects=[_effect(key, runs, complete, varied, chosen["reference_job"]) for key in varied],
        reference_note=_reference_note(chosen["reference_job"], complete, len(jobs)),
        paired_note=(
            "Only one complete run: there is nothing to compare it with."
            if len(complete) == 1
            else "No swept key takes more than one value among the complete jobs: there is nothing to compare."
        ),
        runs=[],
    )


def _reference_note(reference_job: int | None, complete: dict, jobs: int) -> str:
    """What each paired comparison is against, as the page says it."""
    if reference_job is None:
        return "Each group's reference is its first job in sweep order (sweep_report.reference_job=N chooses another)."
    if reference_job not in complete:
        why = "did not complete" if reference_job < jobs else "is not in this sweep"
        return f"sweep_report.reference_job={reference_job}: that job {why}; each group's first job is its reference."
    return (
        f"Each group's reference is the job sharing job {reference_job}'s value of the key compared "
        "(sweep_report.reference_job)."
    )


def _effect(key: str, runs: dict, complete: dict, varied: list[str], reference_job: int | None) -> dict:
    """The paired differences for one swept key: in each group of complete jobs that differ in it
    alone, every job against the group's reference."""
    found = []
    for where, ids in sweep_jobs.groups(complete, varied, key, reference_job):
        values = {job: label(complete[job][key]) or "(not set)" for job in ids}
        group = {job: runs[job] for job in ids}
        reference, paired, note = paired_rows(group, values)
        found.append(
            {
                "where": where,
                "reference": reference,
                "reference_value": f"{key}={values[ids[0]]}",
                "paired": paired,
                "totals": total_rows(group, values),
                "note": note,
            }
        )
    return {"key": key, "groups": found}


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
