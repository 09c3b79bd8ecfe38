"""The command line of a sensitivity study: `python -m sim.sensitivity scenario=baseline method=morris`,
and of uncertainty propagation, `python -m sim.uncertainty scenario=baseline` (the same task with
`configs/uncertainty.yaml`: Latin hypercube parameter sets instead of a Morris or Sobol' design).

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
from sim.config.study import check_study
from sim.config.validate import ConfigError

_composed = False  # whether Hydra has composed the config and called the task


def task(cfg: DictConfig) -> None:
    """One study (sensitivity, or uncertainty propagation) from the config Hydra composed."""
    global _composed
    _composed = True
    hydra_cfg = HydraConfig.get()
    folder = Path(hydra_cfg.runtime.output_dir)
    try:
        study = to_run(cfg, list(hydra_cfg.overrides.task), check_study)
        from sim.app.study import execute_study, prepare  # SALib, SciPy and SimPy load only now

        design = prepare(study)  # every design point validated before anything runs
    except ConfigError as error:
        discard(folder)
        refuse(error)
    from sim.simulate.workers import available_cores

    workers = available_cores() if study.workers == "auto" else study.workers
    print(f"{study.method.value}: {len(design.scenarios)} design points x {study.replications} replications")
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
    except KeyboardInterrupt:
        print(f"\nInterrupted. Nothing complete was written; {folder} is marked 'interrupted'.", file=sys.stderr)
        sys.exit(130)
    print(f"{len(facts['parameters'])} parameters varied; results and report: {folder}")


main = hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="sensitivity")(task)
propagation = hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="uncertainty")(task)


def cli() -> None:
    """`python -m sim.sensitivity`: configuration errors as one message and exit status 1."""
    guard(main, lambda: _composed)


def uncertainty_cli() -> None:
    """`python -m sim.uncertainty`: the same, with configs/uncertainty.yaml (method=latin)."""
    guard(propagation, lambda: _composed)
