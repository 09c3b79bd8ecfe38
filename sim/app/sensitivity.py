"""The command line of a sensitivity study: `python -m sim.sensitivity scenario=baseline method=morris`,
and of uncertainty propagation, `python -m sim.uncertainty scenario=baseline` (the same task with
`configs/uncertainty.yaml`: parameter sets, Latin hypercube or Sobol' sequence, instead of a Morris
or Sobol' design).

Hydra composes `configs/sensitivity.yaml` (the run settings of `python -m sim`, so every override
of a normal run works here too, plus the study's method and sample sizes). Thin: compose ->
validate the study and every design point -> run the points (`sim.app.study`) -> print where the
results are. A study that is refused runs nothing and leaves no folder behind.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from sim.app.cli import discard, guard, interrupt, refuse
from sim.config.compose import CONFIG_DIR, to_run
from sim.config.study import COMMANDS, StudyConfig, check_study
from sim.config.validate import ConfigError

_composed = False  # whether Hydra has composed the config and called the task


def sensitivity_task(cfg: DictConfig) -> None:
    """A sensitivity study (Morris or Sobol') from the config Hydra composed."""
    task(cfg, propagation=False)


def propagation_task(cfg: DictConfig) -> None:
    """An uncertainty propagation from the config Hydra composed."""
    task(cfg, propagation=True)


def task(cfg: DictConfig, propagation: bool) -> None:
    """One study: compose, validate, run its design points, write its folder."""
    global _composed
    _composed = True
    hydra_cfg = HydraConfig.get()
    folder = Path(hydra_cfg.runtime.output_dir)

    def rules(study: StudyConfig) -> None:
        if study.propagation != propagation:  # the command, not an override, says which study this is
            raise ConfigError([f"propagation={study.propagation}: not an override; run {COMMANDS[study.propagation]}"])
        check_study(study)

    try:
        study = to_run(cfg, list(hydra_cfg.overrides.task), rules)
        from sim.app.study import execute_study, prepare  # SALib, SciPy and SimPy load only now

        design = prepare(study)  # every design point validated before anything runs
    except ConfigError as error:
        discard(folder)
        refuse(error)
    from sim.config.cores import available_cores
    from sim.simulate.cluster import ClusterError

    workers = available_cores() if study.workers == "auto" else study.workers
    where = f" on the Dask cluster {study.cluster}" if study.cluster else ""
    print(f"{study.method.value}: {len(design.scenarios)} design points x {study.replications} replications{where}")
    signal.signal(signal.SIGTERM, interrupt)
    try:
        facts = execute_study(
            study,
            design,
            folder,
            scenario_name=hydra_cfg.runtime.choices.get("scenario", ""),
            config_yaml=OmegaConf.to_yaml(cfg, resolve=True),
            workers=workers,
            progress=True,
        )
    except ClusterError as error:
        print(f"{error}. Nothing complete was written; {folder} is marked 'failed'.", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print(f"\nInterrupted. Nothing complete was written; {folder} is marked 'interrupted'.", file=sys.stderr)
        sys.exit(130)
    print(f"{len(facts['parameters'])} parameters varied; results and report: {folder}")


main = hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="sensitivity")(sensitivity_task)
propagation = hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="uncertainty")(propagation_task)


def cli() -> None:
    """`python -m sim.sensitivity`: configuration errors as one message and exit status 1."""
    guard(main, lambda: _composed)


def uncertainty_cli() -> None:
    """`python -m sim.uncertainty`: the same, with configs/uncertainty.yaml (propagation)."""
    guard(propagation, lambda: _composed)
