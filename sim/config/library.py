"""The scenario library: every `scenarios/*.yaml` file becomes an option of the Hydra config group
`scenario`, named by its file stem (`scenario=baseline`).

Scenario files are data. A file that does not parse, or that uses `${...}` interpolation (which
could read the environment or other files), is skipped with a warning naming it, so one broken file
never stops the others from running.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf

from sim.config.shipped import shipped

SCENARIO_DIR = shipped("scenarios")
# Extra folders of scenarios kept outside the repository, separated by os.pathsep.
EXTRA_DIRS_VARIABLE = "SIM_SCENARIO_PATH"


def scenario_dirs() -> list[Path]:
    """The folders scenarios are read from: the shipped `scenarios/`, then any named in the environment."""
    extra = [Path(p) for p in os.environ.get(EXTRA_DIRS_VARIABLE, "").split(os.pathsep) if p]
    return [SCENARIO_DIR, *extra]


def scenario_files() -> dict[str, Path]:
    """Scenario name -> file; a later folder's file overrides an earlier one of the same name."""
    files: dict[str, Path] = {}
    for directory in scenario_dirs():
        for path in sorted(directory.glob("*.yaml")):
            files[path.stem] = path
    return files


def load_scenario_file(path: Path) -> DictConfig:
    """A scenario file's content; ValueError if it is not a plain YAML mapping of data."""
    try:
        node = OmegaConf.load(path)
    except Exception as error:  # YAML parse errors come in several classes
        raise ValueError(f"not valid YAML: {error}".replace("\n", " ")) from None
    if not isinstance(node, DictConfig):
        raise ValueError("must be a YAML mapping")
    interpolated = _interpolated_keys(OmegaConf.to_container(node, resolve=False), "")
    if interpolated:
        raise ValueError(f"uses ${{...}} interpolation at {', '.join(interpolated)}; scenario files are plain data")
    return node


def _interpolated_keys(value: object, at: str) -> list[str]:
    if isinstance(value, dict):
        return [k for key, v in value.items() for k in _interpolated_keys(v, f"{at}.{key}" if at else str(key))]
    if isinstance(value, list):
        return [k for i, v in enumerate(value) for k in _interpolated_keys(v, f"{at}[{i}]")]
    return [at] if isinstance(value, str) and "${" in value else []


def register() -> None:
    """Store each good scenario file in Hydra's ConfigStore; warn about each bad one."""
    store = ConfigStore.instance()
    for name, path in scenario_files().items():
        try:
            node = load_scenario_file(path)
        except ValueError as error:
            print(f"warning: skipping scenario file {path.name}: {error}", file=sys.stderr)
            continue
        store.store(group="scenario", name=name, node=node)
