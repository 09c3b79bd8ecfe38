"""One sensitivity study, from a validated `StudyConfig` to a complete study folder.

First the design: the scenario's declared ranges -> SALib's design points -> one scenario per
point, each validated like a normal run (`prepare`; a bad point refuses the study before anything
runs). Then the points run on the worker pool with the same seed (common random numbers), each
measured as the results the study analyses; then designs.csv, indices.csv, study.json, the
report, provenance, and `status.json` last ("complete" only at the very end).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.analysis import sensitivity
from sim.analysis.propagation import INTERVAL_COLUMNS, interval_row
from sim.analysis.sensitivity_metrics import METRICS, point_results, split
from sim.analysis.statistics import summarise
from sim.app.run import summary_inputs
from sim.config.clock import clock_h
from sim.config.scenario import Scenario
from sim.config.study import StudyConfig, design_scenarios
from sim.config.uncertainty import varied, why_not_applicable
from sim.results import layout
from sim.results.files import write_json, write_table, write_text
from sim.results.provenance import provenance
from sim.results.records import Records
from sim.results.status import now, recording
from sim.simulate.designs import simulate_points


@dataclass
class Design:
    """A study's design: the parameters varied (plain dicts), SALib's problem, the points as
    sampled (one row each) and the scenario each point runs."""

    parameters: dict[str, dict]
    spec: dict
    points: np.ndarray
    scenarios: list[Scenario]
    seeds: list[int]  # per point: the study's seed at every point, or one each (propagation)


def prepare(study: StudyConfig) -> Design:
    """The design of a study; ConfigError if any point is not a valid scenario."""
    s = study.scenario
    parameters = {key: _plain(s, key, u) for key, u in varied(s).items()}
    spec = sensitivity.problem(parameters)
    if study.propagation:
        # The scenario as written first (the nominal point: a normal run with this seed); then
        # each parameter set with its own seed, so that the sets' Monte-Carlo noise is independent
        # and the variance across them splits into parameters and noise.
        sets = sensitivity.parameter_sets(spec, study.method.value, study.samples, study.seed)
        points = np.vstack([[p["value"] for p in parameters.values()], sets])
        seeds = [study.seed + n for n in range(len(points))]
    else:
        points = sensitivity.design(spec, study.method.value, settings(study), study.seed)
        seeds = [study.seed] * len(points)
    return Design(parameters, spec, points, design_scenarios(s, list(parameters), points), seeds)


def settings(study: StudyConfig) -> dict:
    """The method's sample sizes, as `sim.analysis.sensitivity` takes them."""
    return {
        "trajectories": study.trajectories,
        "levels": study.levels,
        "samples": study.samples,
        "resamples": study.resamples,
    }


def measure(scenario: Scenario, records: Records) -> dict[str, dict]:
    """The results of one design point (run in a worker: a module-level function)."""
    summary = summarise(records, **summary_inputs(scenario))
    return point_results(summary, to_horizon_h(scenario))


def to_horizon_h(s: Scenario) -> dict[str, float]:
    """Per movement or flow, the hours from its (first) departure to the horizon."""
    horizon_h = s.horizon_days * 24.0
    departures = {k: m.departure for k, m in s.movements.items() if m.enabled}
    departures |= {k: f.first_departure for k, f in s.flows.items() if f.enabled}
    return {key: horizon_h - clock_h(s.start, when) for key, when in departures.items()}


def execute_study(
    study: StudyConfig,
    design: Design,
    folder: Path,
    scenario_name: str,
    config_yaml: str,
    workers: int = 1,
    progress: bool = False,
) -> dict:
    """Run the design's points on `workers` processes (or the study's Dask cluster) and write the
    study folder; returns study.json."""
    from sim.analysis.sensitivity_report import write_sensitivity_report  # matplotlib loads only here

    clock = time.perf_counter()
    with recording(folder) as started:
        write_text(folder / layout.CONFIG, config_yaml)
        runs = simulate_points(
            design.scenarios, design.seeds, study.replications, measure, workers, progress, study.cluster
        )
        results = list(runs)
        write_table(folder / layout.DESIGNS, _design_rows(design, results))
        facts = _study_facts(study, design, scenario_name, results)
        if study.propagation:
            write_table(folder / layout.INTERVALS, _interval_rows(results, facts))
        else:
            write_table(folder / layout.INDICES, _index_rows(study, design, results, facts))
        write_json(folder / layout.STUDY, facts)
        elapsed = time.perf_counter() - clock
        write_json(folder / layout.PROVENANCE, provenance(started, now(), elapsed, study.seed, workers))
        write_sensitivity_report(folder)
    return facts


def _plain(s: Scenario, key: str, u: object) -> dict:
    """A declared range as plain data, with the scenario's own value."""
    node: object = s
    for part in key.split("."):
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    fields = ("low", "high", "mode", "mean", "sd", "reason", "source")
    plain = {name: getattr(u, name) for name in fields}
    whole = isinstance(node, int) and not isinstance(node, bool)
    return {"key": key, **plain, "dist": u.dist.value, "value": node, "whole_number": whole}


def _design_rows(design: Design, results: list[dict]) -> list[dict]:
    """designs.csv: each point's parameter values (as run: whole numbers rounded) and results."""
    rows = []
    for n, (point, result) in enumerate(zip(design.points, results)):
        row: dict = {"point": n}
        for value, p in zip(point, design.parameters.values()):
            row[p["key"]] = round(float(value)) if p["whole_number"] else float(value)
        row |= {name: r["value"] for name, r in result.items()}
        rows.append(row)
    return rows


def _study_facts(study: StudyConfig, design: Design, scenario_name: str, results: list[dict]) -> dict:
    """study.json: what was varied and why, the method, and each result with what limits it."""
    s = study.scenario
    names = {k: m.name for k, m in [*s.movements.items(), *s.flows.items()]}
    facts = []
    for name in results[0]:
        metric, movement = split(name)
        values = np.array([r[name]["value"] for r in results])
        errors = [r[name]["se"] for r in results if r[name]["se"] is not None]
        missing = int(np.isnan(values).sum())
        note = None
        if missing:
            note = f"no value at {missing} of {len(values)} points (no replication delivered there): not analysed"
        elif np.ptp(values) == 0:
            note = "the same at every point: no declared parameter changes it"
        facts.append(
            {
                "column": name,
                "metric": metric,
                "movement": movement,
                "name": names.get(movement, "every movement"),
                "label": METRICS[metric][0],
                "unit": METRICS[metric][1],
                "analysed": note is None,
                "note": note,
                "censored_points": sum(r[name]["censored"] for r in results),
                "mc_se": float(np.mean(errors)) if errors else None,
                "sd_across_points": float(np.std(values)) if not missing else None,
            }
        )
    return {
        "scenario": scenario_name,
        "title": s.title,
        "method": study.method.value,
        "propagation": study.propagation,
        "settings": settings(study),
        "seed": study.seed,
        "replications": study.replications,
        "points": len(design.scenarios),
        "parameters": list(design.parameters.values()),
        "not_applicable": [
            {"key": key, "why": why_not_applicable(s, key)} for key in s.uncertainty if key not in design.parameters
        ],
        "results": facts,
    }


def _index_rows(study: StudyConfig, design: Design, results: list[dict], facts: dict) -> list[dict]:
    """indices.csv: long format, one row per result, parameter and index."""
    rows = []
    for fact in facts["results"]:
        if not fact["analysed"]:
            continue
        y = np.array([r[fact["column"]]["value"] for r in results])
        found = sensitivity.indices(design.spec, study.method.value, settings(study), design.points, y, study.seed)
        head = {"method": study.method.value, "metric": fact["metric"], "movement": fact["movement"]}
        rows += [{**head, **row} for row in found]
    return rows or [dict.fromkeys(sensitivity.INDEX_COLUMNS, "")]


def _interval_rows(results: list[dict], facts: dict) -> list[dict]:
    """intervals.csv: per result with a value at every point, its Monte-Carlo-only and total
    intervals and the shares of variance."""
    rows = []
    for fact in facts["results"]:
        values = np.array([r[fact["column"]]["value"] for r in results])
        if np.isnan(values).any():
            continue
        errors = [r[fact["column"]]["se"] for r in results]
        rows.append({"metric": fact["metric"], "movement": fact["movement"], **interval_row(values, errors)})
    return rows or [dict.fromkeys(INTERVAL_COLUMNS, "")]
