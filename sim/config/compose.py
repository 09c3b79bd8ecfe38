"""Hydra glue: the typed schema in Hydra's ConfigStore, and composed configs turned into plain,
validated dataclasses. The model never sees an OmegaConf object."""

from __future__ import annotations

from collections.abc import Callable

from hydra import compose, initialize_config_dir
from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf, open_dict
from omegaconf.errors import MissingMandatoryValue, OmegaConfBaseException

from sim.config import library as scenarios
from sim.config.overrides import addition_problems, drop_sources_of, removed_scenario_keys
from sim.config.scenario import RunConfig, Scenario
from sim.config.shipped import shipped
from sim.config.study import StudyConfig, check_study
from sim.config.validate import ConfigError, check

CONFIG_DIR = shipped("configs")  # config.yaml, sensitivity.yaml, uncertainty.yaml

ConfigStore.instance().store(name="run_schema", node=RunConfig)
ConfigStore.instance().store(name="study_schema", node=StudyConfig)  # configs/sensitivity.yaml
scenarios.register()


def to_run(
    cfg: DictConfig, overrides: list[str] | tuple[str, ...] = (), rules: Callable[[RunConfig], None] = check
) -> RunConfig:
    """The validated run a composed config describes; ConfigError naming every bad key.
    `overrides`: the command line's, for the rules on keys added (`+`) and entries removed (`~`);
    `rules`: what checks the result (a study's `check_study`)."""
    added = addition_problems(list(overrides))
    if added:
        raise ConfigError(added)
    with open_dict(cfg):
        drop_sources_of(cfg, removed_scenario_keys(list(overrides)))
    missing = sorted(_missing_keys(cfg, ""))
    if missing:
        raise ConfigError([f"{key}: is required but has no value" for key in missing])
    try:
        run = OmegaConf.to_object(cfg)
    except OmegaConfBaseException as error:
        raise ConfigError([f"{error.full_key}: {error.msg}"]) from None
    rules(run)
    return run


def _missing_keys(cfg: DictConfig, at: str) -> list[str]:
    found = []
    for key in cfg:
        path = f"{at}.{key}" if at else str(key)
        if key == "hydra":
            continue
        try:
            value = cfg[key]
        except MissingMandatoryValue:
            found.append(path)
            continue
        if isinstance(value, DictConfig):
            found += _missing_keys(value, path)
    return found


def load_run(overrides: list[str] | tuple[str, ...] = ()) -> RunConfig:
    """Compose and validate a run as the command line would, e.g. load_run(["scenario=baseline"])."""
    with initialize_config_dir(version_base="1.3", config_dir=str(CONFIG_DIR)):
        cfg = compose(config_name="config", overrides=list(overrides))
    return to_run(cfg, overrides)


def load_scenario(name: str = "baseline", overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """A validated scenario by name, with optional `scenario.<key>=<value>` overrides."""
    return load_run([f"scenario={name}", *overrides]).scenario


def load_study(overrides: list[str] | tuple[str, ...] = ()) -> StudyConfig:
    """Compose and validate a sensitivity study as `python -m sim.sensitivity` would."""
    with initialize_config_dir(version_base="1.3", config_dir=str(CONFIG_DIR)):
        cfg = compose(config_name="sensitivity", overrides=list(overrides))
    return to_run(cfg, overrides, check_study)
