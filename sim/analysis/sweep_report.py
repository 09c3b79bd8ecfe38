"""Runs side by side: the HTML report of a sweep, and of runs compared with `python -m sim.compare`.

`write_sweep_report(sweep)` writes `sweep_report.html` into a sweep folder: the table of
summary.csv (failed jobs with their error), each swept parameter's effect on the key metrics, and
paired differences against a reference job. `render_comparison(folders)` is the same page for
complete run folders given by hand. Everything is read back from the folders' files, and the page
is self-contained (figures embedded as data URIs): it opens offline and names no absolute path.

Paired differences (`paired_differences`, the one implementation both pages use) rest on common
random numbers: replication r of a given seed draws the same random numbers whatever the
configuration (see `sim.simulate.randomness`), so two runs with the same seed and replication numbers can
be compared replication by replication, which cancels much of the noise that separate intervals
carry. Runs that do not share them are not paired, and the page says so.
"""

from __future__ import annotations

import base64
import io
import math
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from sim.analysis.statistics import LEVEL, mean_interval, wilson
from sim.results import layout
from sim.results.columns import SUMMARY_COLUMNS
from sim.results.files import read_json, read_table, write_text
from sim.results.records import Table
from sim.results.status import folder_problem
from sim.results.sweep import job_overrides

TEMPLATES = Path(__file__).resolve().parent / "templates"
REPORT = layout.SWEEP_REPORT
RUN_FILES = (
    layout.SUMMARY,
    layout.TABLES["movements"],
    layout.PROVENANCE,
)  # what a run folder must hold to be compared
MAX_PANELS = 12  # rows of panels per parameter figure (one per combination of the other swept values)
METRICS = {
    "delivery_probability": "P(delivered by horizon)",
    "mean_delivery_time_h": "mean delivery time (delivered only)",
}


# --- reading runs -------------------------------------------------------------------------------


@dataclass
class Run:
    """A complete run folder as far as comparisons need it."""

    label: str  # "job 3" or "run 2"
    summary: dict
    movements: Table
    seed: int | None


def load_run(folder: Path, label: str) -> Run:
    """The files of a complete run folder (see RUN_FILES)."""
    summary = read_json(folder / layout.SUMMARY)
    seed = read_json(folder / layout.PROVENANCE).get("seed", summary.get("seed"))
    return Run(label=label, summary=summary, movements=read_table(folder / layout.TABLES["movements"]), seed=seed)


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


# --- paired differences -------------------------------------------------------------------------


def paired_differences(reference: Run, other: Run, level: float = LEVEL) -> dict:
    """`other` minus `reference`, replication by replication, for every movement both ran.

    Returns {"problem": why they cannot be paired, or None, "movements": {key: result}}. Runs are
    paired only when they used the same seed and the same replication numbers (common random
    numbers). Per movement (a flow's departures are matched by departure and pooled within each
    replication, so that replications stay the independent units):

    - time: the mean over replications of (delivery time in `other` - delivery time in
      `reference`), over the departures delivered in both, with a Student t interval; null when
      fewer than two replications delivered in both.
    - probability: the difference in the share delivered. A movement with one departure per
      replication gives a paired 2x2 table, with Newcombe's (1998, method 10) interval built from
      Wilson intervals; a flow's per-replication shares get a Student t interval.
    """
    if reference.seed != other.seed:
        return {"problem": f"different seeds ({reference.seed} and {other.seed})", "movements": {}}
    ours, theirs = _replication_numbers(reference.movements), _replication_numbers(other.movements)
    if ours != theirs:
        return {
            "problem": f"different replications ({_span(ours)} and {_span(theirs)})",
            "movements": {},
        }
    keys = [k for k in reference.summary["movements"] if k in other.summary["movements"]]
    results = {}
    for key in keys:
        result = _paired_movement(reference.movements, other.movements, key, level)
        if result is not None:
            results[key] = result
    return {"problem": None, "movements": results}


def newcombe_paired(both: int, other_only: int, reference_only: int, neither: int, level: float = LEVEL) -> dict:
    """The difference of two paired proportions (other minus reference) with Newcombe's interval
    (method 10: Wilson score intervals of each proportion, combined with the phi correlation)."""
    n = both + other_only + reference_only + neither
    p1, p2 = (both + other_only) / n, (both + reference_only) / n
    w1, w2 = wilson(both + other_only, n, level), wilson(both + reference_only, n, level)
    l1, u1, l2, u2 = w1["low"], w1["high"], w2["low"], w2["high"]
    margins = (both + other_only) * (reference_only + neither) * (both + reference_only) * (other_only + neither)
    cross = both * neither - other_only * reference_only
    if cross > n / 2:
        cross -= n / 2
    elif cross >= 0:
        cross = 0
    phi = cross / math.sqrt(margins) if margins else 0.0
    d = p1 - p2
    low = d - math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    high = d + math.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    return {"estimate": d, "low": max(-1.0, low), "high": min(1.0, high)}


def _paired_movement(reference: Table, other: Table, key: str, level: float) -> dict | None:
    numbers, a, b, unmatched = _matched_departures(reference, other, key)
    if not len(numbers):
        return None
    replications, index = np.unique(numbers, return_inverse=True)
    departures = np.bincount(index)
    in_a, in_b = ~np.isnan(a), ~np.isnan(b)
    both = in_a & in_b
    if (departures == 1).all():
        probability = newcombe_paired(
            int(both.sum()), int((in_b & ~in_a).sum()), int((in_a & ~in_b).sum()), int((~in_a & ~in_b).sum()), level
        )
        method = "Newcombe"
    else:
        probability = mean_interval(np.bincount(index, weights=in_b.astype(float) - in_a) / departures, level)
        method = "t"
    delivered_both = np.bincount(index, weights=both)
    total = np.bincount(index, weights=np.where(both, b - a, 0.0))
    shared = delivered_both > 0
    return {
        "replications": len(replications),
        "probability": probability,
        "probability_method": method,
        "reference_probability": float(in_a.mean()),
        "other_probability": float(in_b.mean()),
        "time": mean_interval(total[shared] / delivered_both[shared], level),
        "time_replications": int(shared.sum()),
        "unmatched_departures": unmatched,
        "same_outcomes": bool((in_a == in_b).all()),
        "same_times": bool((a[both] == b[both]).all()),
    }


def _matched_departures(reference: Table, other: Table, key: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The departures of a movement (or flow) found in both tables, matched by replication and
    departure: their replication numbers, delivery times in each (NaN: not delivered), and how
    many departures were in one table only."""
    ours, theirs = reference["flow"] == key, other["flow"] == key
    numbers = reference["replication"][ours].astype(int)
    if np.array_equal(numbers, other["replication"][theirs].astype(int)) and np.array_equal(
        reference["movement"][ours], other["movement"][theirs]
    ):  # the same rows in the same order: the usual case
        return numbers, reference["delivery_time_h"][ours], other["delivery_time_h"][theirs], 0
    a, b = _departures(reference, key), _departures(other, key)
    matched = sorted(a.keys() & b.keys())
    return (
        np.array([r for r, _ in matched], dtype=int),
        np.array([a[k] for k in matched], dtype=float),
        np.array([b[k] for k in matched], dtype=float),
        len(a) + len(b) - 2 * len(matched),
    )


def _departures(table: Table, key: str) -> dict[tuple[int, str], float]:
    """(replication, departure) -> delivery time (NaN: not delivered), for one movement or flow."""
    rows = table["flow"] == key
    pairs = zip(table["replication"][rows].astype(int).tolist(), table["movement"][rows].tolist())
    return dict(zip(pairs, table["delivery_time_h"][rows].tolist()))


def _replication_numbers(table: Table) -> set[int]:
    return set(table["replication"].astype(int).tolist())


def _span(numbers: set[int]) -> str:
    if not numbers:
        return "none"
    low, high = min(numbers), max(numbers)
    if len(numbers) == high - low + 1:
        return f"{low}-{high}"
    return f"{len(numbers)} numbers from {low} to {high}"


# --- the sweep report ---------------------------------------------------------------------------


def write_sweep_report(sweep: Path) -> None:
    """Write sweep_report.html into the sweep folder, from summary.csv and the job folders."""
    write_text(sweep / REPORT, render_sweep(sweep))


def render_sweep(sweep: Path) -> str:

    rows = _summary_rows(sweep / layout.SWEEP_SUMMARY)
    parameters = [c for c in (rows[0] if rows else {}) if c not in SUMMARY_COLUMNS]
    jobs: dict[int, dict] = {}
    for row in rows:
        jobs.setdefault(row["job"], row)
    complete = {job: row for job, row in jobs.items() if row["status"] == "complete"}
    runs = {job: load_run(sweep / str(job), f"job {job}") for job in complete}
    varied = [p for p in parameters if len({_key(row[p]) for row in rows}) > 1]
    fixed = {p: _label(rows[0][p]) for p in parameters if p not in varied}
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
    figures = [] if not complete else _parameter_figures([r for r in rows if r["job"] in complete], varied)
    reference, paired, paired_note = _paired_rows(runs, {job: jobs[job]["settings"] for job in runs})
    return _render(
        kind="sweep",
        unit="job",
        title=f"Sweep {sweep.name}",
        subtitle=(
            f"{len(jobs)} job{_s(len(jobs))}: {len(complete)} complete, {failed} failed"
            + (f" · swept: {', '.join(varied)}" if varied else "")
        ),
        notice=notice,
        fixed=fixed,
        results=[_result_row(row) for row in rows],
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


def _paired_rows(runs: dict[object, Run], settings: dict[object, str]) -> tuple[str | None, list[dict], str]:
    """The reference's label, and one table row per other run and movement (or per run that
    cannot be paired), against the first run of `runs`."""
    if not runs:
        return None, [], "No complete run: nothing to compare."
    ids = list(runs)
    reference = runs[ids[0]]
    if len(ids) == 1:
        return reference.label, [], "Only one complete run: there is nothing to compare it with."
    rows = []
    for i in ids[1:]:
        run = runs[i]
        pairing = paired_differences(reference, run)
        base = {"label": run.label, "settings": settings[i]}
        if pairing["problem"]:
            rows.append({**base, "problem": f"not paired: {pairing['problem']} (no common random numbers)"})
            continue
        if not pairing["movements"]:
            rows.append({**base, "problem": "no movement in common with the reference"})
        for key, d in pairing["movements"].items():
            rows.append({**base, "problem": None, **_paired_cells(key, run.summary["movements"][key]["name"], d)})
    return reference.label, rows, ""


def _paired_cells(key: str, name: str, d: dict) -> dict:
    p, t = d["probability"], d["time"]
    method = "Newcombe paired" if d["probability_method"] == "Newcombe" else "t, per-replication shares"
    return {
        "key": key,
        "name": name,
        "replications": d["replications"],
        "probability": _points(p["estimate"]),
        "probability_ci": "n/a" if p["low"] is None else f"{_points(p['low'])} to {_points(p['high'])}",
        "probability_method": method,
        "probability_shift": _shift(p),
        "same_outcomes": d["same_outcomes"],
        "same_times": d["same_times"] and d["time_replications"] > 0,
        "probabilities": f"{_percent(d['reference_probability'])} → {_percent(d['other_probability'])}",
        "time": "n/a" if t["estimate"] is None else f"{t['estimate']:+.1f} h",
        "time_ci": "n/a" if t["low"] is None else f"{t['low']:+.1f} to {t['high']:+.1f} h",
        "time_shift": _shift(t),
        "time_replications": d["time_replications"],
        "unmatched": d["unmatched_departures"],
    }


def _shift(interval: dict) -> str:
    """'up' or 'down' when the interval excludes zero, else ''."""
    if interval["low"] is None or interval["high"] is None:
        return ""
    if interval["low"] > 0:
        return "up"
    return "down" if interval["high"] < 0 else ""


def _result_row(row: dict) -> dict:
    """A row of the results table: a movement of a run, or a run that did not complete."""
    out = {"label": row["label"], "settings": row["settings"], "status": row["status"]}
    if row["status"] != "complete":
        return {**out, "failed": True, "error": row["error"] or f"status: {row['status']}"}
    p, mean = row["delivery_probability"], row["mean_delivery_time_h"]
    return {
        **out,
        "failed": False,
        "key": row["movement"],
        "name": row.get("name", ""),
        "replications": "" if row["replications"] is None else f"{row['replications']:g}",
        "probability": "n/a" if p is None else _percent(p),
        "probability_ci": _range(row["delivery_probability_low"], row["delivery_probability_high"], _percent),
        "mean": "no delivery" if mean is None else _hours(mean),
        "mean_ci": _range(row["mean_delivery_time_h_low"], row["mean_delivery_time_h_high"], _hours),
        "median": _quantile(row["median_delivery_time_h"]),
        "p90": _quantile(row["p90_delivery_time_h"]),
        "p95": _quantile(row["p95_delivery_time_h"]),
        "closure_wait": "n/a" if row["mean_closure_wait_h"] is None else _hours(row["mean_closure_wait_h"]),
    }


# --- the comparison of run folders --------------------------------------------------------------


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
            results.append(_result_row(row))
    left_out = sorted({k for r in runs.values() for k in r.summary["movements"]} - set(keys))
    reference, paired, paired_note = _paired_rows(runs, settings)
    paired = [row for row in paired if row.get("key") in keys or row["problem"]]
    return _render(
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


# --- figures ------------------------------------------------------------------------------------


def _parameter_figures(rows: list[dict], varied: list[str]) -> list[dict]:
    """One figure per swept parameter: each key metric against it, one line per movement."""
    figures = []
    for parameter in varied:
        others = [p for p in varied if p != parameter]
        groups: dict[tuple, list[dict]] = {}
        for row in rows:
            groups.setdefault(tuple(_key(row[p]) for p in others), []).append(row)
        shown = list(groups.items())[:MAX_PANELS]
        caption = (
            f"Each metric against {parameter}, one line per movement; bars are 95% intervals (Wilson for the "
            "probability, Student t for the mean)."
        )
        if others:
            caption += f" One row of panels per combination of the other swept values ({', '.join(others)})."
        if len(groups) > len(shown):
            caption += f" The first {len(shown)} of {len(groups)} combinations are shown."
        png = _parameter_figure(parameter, others, shown)
        figures.append({"parameter": parameter, "png": base64.b64encode(png).decode("ascii"), "caption": caption})
    return figures


def _parameter_figure(parameter: str, others: list[str], groups: list[tuple[tuple, list[dict]]]) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    values = [row[parameter] for _, group in groups for row in group]
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)  # None: not set
    categories = list(dict.fromkeys(_value(v) for v in values))
    ticks = sorted(set(values)) if numeric else list(range(len(categories)))
    span = (ticks[-1] - ticks[0]) / max(1, len(ticks) - 1) if numeric and len(ticks) > 1 else 1.0
    movements = list(dict.fromkeys(row["movement"] for _, group in groups for row in group))
    fig = Figure(figsize=(11, 3.3 * len(groups) + 0.5), dpi=100, layout="constrained")
    axes = fig.subplots(len(groups), 2, squeeze=False)
    colours = [f"C{i % 10}" for i in range(len(movements))]
    for (group_key, group), (p_ax, t_ax) in zip(groups, axes):
        where = ", ".join(f"{p}={v or '(not set)'}" for p, v in zip(others, group_key))
        times = np.array([r["mean_delivery_time_h"] or np.nan for r in group], dtype=float)
        times = times[times > 0]
        log = len(times) > 0 and times.max() / times.min() > 20
        for i, (movement, colour) in enumerate(zip(movements, colours)):  # the same colour in every panel
            rows = [r for r in group if r["movement"] == movement]
            if not rows:
                continue
            # side by side at each x, so that the intervals of movements do not hide each other
            dodge = (i - (len(movements) - 1) / 2) * min(0.05, 0.4 / len(movements)) * span
            if numeric:
                rows.sort(key=lambda r: r[parameter])
                x = np.array([r[parameter] for r in rows], dtype=float) + dodge
            else:
                x = np.array([categories.index(_value(r[parameter])) for r in rows], dtype=float) + dodge
            for ax, metric, scale in ((p_ax, "delivery_probability", 1.0), (t_ax, "mean_delivery_time_h", 1 / 24)):
                y = _column(rows, metric) * scale
                low = _column(rows, f"{metric}_low") * scale
                high = _column(rows, f"{metric}_high") * scale
                if ax is t_ax and log:  # a t interval may reach below zero: the log axis shows it down to 1%
                    low = np.fmax(low, y / 100)
                err = np.nan_to_num(np.vstack([y - low, high - y]), nan=0.0).clip(min=0)
                ax.errorbar(x, y, yerr=err, color=colour, marker="o", capsize=3, label=_wrap(movement, 30))
        for ax, metric in ((p_ax, "delivery_probability"), (t_ax, "mean_delivery_time_h")):
            title = METRICS[metric] + (f"\n{_wrap(where, 70)}" if where else "")
            ax.set(title=title, xlabel=_wrap(parameter, 70))
            ax.set_xlim(ticks[0] - span / 2, ticks[-1] + span / 2)  # the same in every panel
            if not numeric:
                ax.set_xticks(ticks, [_wrap(c, 20) for c in categories])
            elif len(ticks) <= 12:
                ax.set_xticks(ticks, [_label(v) for v in ticks])
        p_ax.set(ylabel="share of replications", ylim=(-0.03, 1.05))
        p_ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        t_ax.set(ylabel="days from departure")
        if log:
            t_ax.set_yscale("log")
            t_ax.set_ylabel("days from departure (log scale)")
        else:
            t_ax.set_ylim(0, t_ax.get_ylim()[1] * 1.08)
        p_ax.legend(loc="best", fontsize="small")
    FigureCanvasAgg(fig)
    out = io.BytesIO()
    fig.savefig(out, format="png", metadata={"Software": None})
    fig.clear()
    return out.getvalue()


def _column(rows: list[dict], name: str) -> np.ndarray:
    return np.array([np.nan if r[name] is None else r[name] for r in rows], dtype=float)


# --- rendering and formatting -------------------------------------------------------------------


def _render(**context: object) -> str:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    context.setdefault("left_out", [])
    return environment.get_template("sweep_report.html.j2").render(level=f"{LEVEL:.0%}", **context)


def _key(value: object) -> str:
    return "" if value is None else _label(value)


def _label(value: object) -> str:
    """A parameter value as written: 2.0 as "2"."""
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)


def _value(value: object) -> str:
    """A parameter value as shown: "(not set)" for a job that did not override it."""
    return _label(value) or "(not set)"


def _wrap(text: str, width: int) -> str:
    """Text as a literal matplotlib label: wrapped, with "$" kept from starting mathtext."""
    return "\n".join(textwrap.wrap(text, width)).replace("$", r"\$")


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def _percent(share: float) -> str:
    return f"{share:.1%}"


def _points(difference: float) -> str:
    """A difference of two shares in percentage points."""
    return f"{difference * 100:+.1f} pp"


def _hours(hours: float) -> str:
    return f"{hours:.1f} h ({hours / 24:.1f} d)"


def _quantile(hours: float | None) -> str:
    return "beyond horizon" if hours is None else _hours(hours)


def _range(low: float | None, high: float | None, form) -> str:
    return "n/a" if low is None or high is None else f"{form(low)} – {form(high)}"
