"""What a sensitivity study is: a run's settings (scenario, replications per design point, seed,
workers) plus the method and its sample sizes, the rules they obey, and the scenarios of its
design points, each checked by the same rules as a normal run before anything runs.

`python -m sim.sensitivity` composes a `StudyConfig` with Hydra (`configs/sensitivity.yaml`), and
`python -m sim.uncertainty` too (`configs/uncertainty.yaml`: propagation, method=latin or sobol);
the scenario's declared `uncertainty` says what is varied.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum

from sim.config.scenario import RunConfig, Scenario
from sim.config.uncertainty import range_problems, varied, why_not_applicable, with_values, without_uncertainty
from sim.config.validate import ConfigError, check, scenario_problems


class StudyMethod(Enum):
    """How a study chooses its design points. Sensitivity (`python -m sim.sensitivity`): morris or
    sobol. Propagation (`python -m sim.uncertainty`): latin or sobol, the parameter sets."""

    morris = "morris"  # elementary effects: a cheap screening, mu* and sigma per parameter
    sobol = "sobol"  # sensitivity: Saltelli sampling, first-order and total indices; propagation: a Sobol' sequence
    latin = "latin"  # propagation: a Latin hypercube of parameter sets


METHODS = {False: (StudyMethod.morris, StudyMethod.sobol), True: (StudyMethod.latin, StudyMethod.sobol)}
COMMANDS = {False: "python -m sim.sensitivity", True: "python -m sim.uncertainty"}


@dataclass
class StudyConfig(RunConfig):
    """A sensitivity study: the run settings (replications per design point) and the method's."""

    replications: int | str = 200  # per design point
    method: StudyMethod = StudyMethod.morris
    trajectories: int = 20  # Morris: trajectories, each (parameters + 1) design points
    levels: int = 4  # Morris: grid levels per parameter, even
    samples: int = 128  # Sobol': base samples N, a power of 2, N x (parameters + 2) points; propagation: parameter sets
    resamples: int = 1000  # bootstrap resamples for the indices' confidence intervals
    propagation: bool = False  # set by `python -m sim.uncertainty` (configs/uncertainty.yaml), not by hand
    cluster: str | None = None  # a Dask scheduler's address (tcp://host:8786) or "local": run the points there


def check_study(study: StudyConfig) -> None:
    """Raise ConfigError listing every rule the study breaks (the run's own rules included)."""
    problems: list[str] = []
    try:
        check(study)
    except ConfigError as error:
        problems += error.problems
    problems += list(study_problems(study))
    if problems:
        raise ConfigError(problems)


def study_problems(study: StudyConfig) -> Iterator[str]:
    """Rules of the study's own settings, of its scenario's declared ranges against the scenario
    (see `range_problems`), and that the scenario declares something to vary."""
    allowed = METHODS[study.propagation]
    if study.method not in allowed:
        names = " or ".join(m.value for m in allowed)
        yield f"method={study.method.value}: {COMMANDS[study.propagation]} runs method={names}"
    if isinstance(study.replications, str):
        yield f"replications={study.replications}: a study needs a whole number of replications per design point"
    if study.trajectories < 2:
        yield f"trajectories={study.trajectories}: must be >= 2"
    if study.levels < 2 or study.levels % 2:
        yield f"levels={study.levels}: must be an even number >= 2"
    if study.samples < 2:
        yield f"samples={study.samples}: must be >= 2"
    elif study.method is StudyMethod.sobol and study.samples & (study.samples - 1):
        yield f"samples={study.samples}: must be a power of 2 (Sobol' sequences are balanced only then)"
    if study.resamples < 10:
        yield f"resamples={study.resamples}: must be >= 10"
    if study.cluster is not None:
        yield from _cluster_problems(study.cluster)
    s = study.scenario
    yield from range_problems(s, "scenario", scenario_problems)
    if not varied(s):
        skipped = [f"{key} ({why_not_applicable(s, key)})" for key in s.uncertainty]
        also = f"; declared but not applicable here: {', '.join(skipped)}" if skipped else ""
        yield f"scenario.uncertainty: declares no parameter to vary in this scenario{also} (see docs/scenarios.md)"


def _cluster_problems(cluster: str) -> Iterator[str]:
    """A cluster is "local" or a Dask scheduler's address, and needs the optional extra."""
    if cluster != "local" and not re.fullmatch(r"(tcp|tls|ucx|inproc)://[^\s/]+", cluster):
        yield f"cluster={cluster}: must be local or a Dask scheduler's address such as tcp://scheduler:8786"
    missing = [name for name in ("distributed", "joblib") if importlib.util.find_spec(name) is None]
    if missing:
        yield f'cluster={cluster}: needs {" and ".join(missing)}: pip install -e ".[cluster]"'


def design_scenarios(s: Scenario, names: Sequence[str], points: Sequence[Sequence[float]]) -> list[Scenario]:
    """The scenario of every design point (`names[i]` set to `point[i]`), each valid by a normal
    run's rules; ConfigError naming the first points that are not, before anything runs."""
    plain = without_uncertainty(s)
    scenarios, problems = [], []
    for n, point in enumerate(points):
        values = dict(zip(names, (float(v) for v in point)))
        scenario = with_values(plain, values)
        bad = list(scenario_problems(scenario, "scenario"))
        if bad and len(problems) < 10:
            shown = ", ".join(f"{k}={v:g}" for k, v in values.items())
            problems.append(f"design point {n} ({shown}): {bad[0]}")
        scenarios.append(scenario)
    if problems:
        raise ConfigError(problems)
    return scenarios
