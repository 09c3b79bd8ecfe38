"""What the sweep report says about its jobs: a title from the scenarios and swept keys, how the
sweep was run (seed, commit, command, date), one row per job with its swept values, what each
swept value implies (a lognormal's mean when its median moves), and the groups of jobs within
which one swept key's effect is read (every other swept value the same)."""

from __future__ import annotations

import math
from pathlib import Path

import yaml

from sim.analysis.formatting import label
from sim.results import layout
from sim.results.files import read_json

Z90 = 1.2815515655446004  # the standard normal's 90th percentile: a lognormal's p90 is median * exp(Z90 * sigma)


def title(varied: list[str], scenarios: list[str]) -> str:
    """ "Sweep of scenario.checkpoints.hakari.lanes × scenario: baseline, corridor_closure"."""
    swept = " × ".join(varied) if varied else "no varying key"
    return f"Sweep of {swept}: {', '.join(scenarios) or 'no complete job'}"


def how_run(sweep: Path, jobs: list[int]) -> dict | None:
    """Seed, git commit (and whether the tree was dirty), command and start date of the sweep, from
    its first complete job's provenance; None if no job completed."""
    if not jobs:
        return None
    p = read_json(sweep / str(jobs[0]) / layout.PROVENANCE)
    git = p.get("git") or {}
    return {
        "seed": p.get("seed"),
        "commit": git.get("commit") or "unknown",
        "dirty": bool(git.get("dirty")),
        "command": p.get("command") or "unknown",
        "date": (p.get("started") or "")[:10] or "unknown",
    }


def job_rows(sweep: Path, jobs: dict[int, dict], varied: list[str]) -> list[dict]:
    """One row per job: its number, status, each swept value (with what it implies) and the link
    to its report, relative to the sweep folder."""
    rows = []
    for job, row in jobs.items():
        complete = row["status"] == "complete"
        scenario = read_json(sweep / str(job) / layout.SCENARIO)["scenario"] if complete else None
        report = f"{job}/{layout.REPORT_HTML}"
        rows.append(
            {
                "job": job,
                "status": row["status"],
                "values": [
                    {"value": label(row[k]) or "(not set)", "implied": implied(k, scenario) if scenario else ""}
                    for k in varied
                ],
                "report": report if complete and (sweep / report).is_file() else None,
            }
        )
    return rows


def implied(key: str, scenario: dict) -> str:
    """What a swept delay parameter implies besides itself: the mean of a lognormal given by its
    median and p90, the median of one given by its mean and sd, the mean of a triangular; "" for
    any other key."""
    path = key.removeprefix("scenario.").split(".")
    node: object = scenario
    for part in path[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
    if not isinstance(node, dict) or "dist" not in node:
        return ""
    d = node
    if d["dist"] == "lognormal" and d.get("median_h") and d.get("p90_h"):
        sigma = math.log(d["p90_h"] / d["median_h"]) / Z90
        return f"mean {d['median_h'] * math.exp(sigma**2 / 2):.2f} h"
    if d["dist"] == "lognormal" and d.get("mean_h") and d.get("sd_h"):
        return f"median {d['mean_h'] / math.sqrt(1 + (d['sd_h'] / d['mean_h']) ** 2):.2f} h"
    if d["dist"] == "triangular" and path[-1] in ("low_h", "mode_h", "high_h"):
        return f"mean {(d['low_h'] + d['mode_h'] + d['high_h']) / 3:.2f} h"
    return ""


def settings(sweep: Path, jobs: list[int]) -> dict:
    """The sweep's `sweep_report` settings (reference_job, log_time_axis), as its first complete
    job's config.yaml holds them; the defaults if no job completed or the config has none."""
    found = {"reference_job": None, "log_time_axis": False}
    if jobs:
        config = yaml.safe_load((sweep / str(jobs[0]) / layout.CONFIG).read_text(encoding="utf-8")) or {}
        found |= config.get("sweep_report") or {}
    return found


def groups(
    jobs: dict[int, dict], varied: list[str], key: str, reference_job: int | None = None
) -> list[tuple[str, list[int]]]:
    """The jobs in groups that differ only in `key`, each with its description ("scenario=baseline",
    "" when nothing else is swept), in sweep order; the first job of each group is its reference:
    the one with `reference_job`'s value of `key` where there is one, else the group's first."""
    found: dict[tuple, list[int]] = {}
    others = [k for k in varied if k != key]
    for job, row in jobs.items():
        found.setdefault(tuple(label(row[k]) for k in others), []).append(job)
    if reference_job in jobs:
        chosen = label(jobs[reference_job][key])
        for ids in found.values():  # the chosen value first, the others in sweep order
            ids.sort(key=lambda job: label(jobs[job][key]) != chosen)
    return [
        (", ".join(f"{k}={v or '(not set)'}" for k, v in zip(others, values)), ids) for values, ids in found.items()
    ]
