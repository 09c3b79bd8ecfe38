"""The command line: `python -m sim scenario=baseline replications=2000 seed=7` (Hydra).

Thin on purpose: compose (Hydra) -> validate -> run -> print where the results are.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from sim.config import CONFIG_DIR, to_run
from sim.validate import ConfigError


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def main(cfg: DictConfig) -> None:
    hydra_cfg = HydraConfig.get()
    folder = Path(hydra_cfg.runtime.output_dir)
    try:
        run = to_run(cfg)
    except ConfigError:
        _discard(folder)  # nothing ran: leave no folder behind that could pass for a result
        raise
    from sim.run import execute

    overridden = [o.split("=", 1)[0].lstrip("+~").removeprefix("scenario.") for o in hydra_cfg.overrides.task]
    summary = execute(
        run,
        folder,
        scenario_name=hydra_cfg.runtime.choices.get("scenario", ""),
        config_yaml=OmegaConf.to_yaml(cfg, resolve=True),
        overridden=[o for o in overridden if o not in ("scenario", "replications", "seed")],
    )
    print(headline(summary))
    print(f"\nResults and report: {folder}")


def headline(summary: dict) -> str:
    """A short plain-text table of each movement's delivery chances and times."""
    level = round(summary["confidence_level"] * 100)
    rows = [f"{summary['title']}  ({summary['replications']} replications, seed {summary['seed']})", ""]
    ci = f"{level}% CI"
    rows.append(f"{'movement':<24} {'P(delivered)':>13} {ci:>15} {'mean h':>9} {'median h':>9} {'p90 h':>9}")
    for key, m in summary["movements"].items():
        p = m["delivery_probability"]
        interval = f"{p['low']:.3f}-{p['high']:.3f}"
        rows.append(
            f"{key:<24} {p['estimate']:>13.3f} {interval:>15} "
            f"{_hours(m['mean_delivery_time_h']['estimate']):>9} {_hours(m['median_delivery_time_h']):>9} "
            f"{_hours(m['p90_delivery_time_h']):>9}"
        )
    rows.append(f"\n'-': not delivered by the horizon ({summary['horizon_h'] / 24:g} days) in that share of runs.")
    return "\n".join(rows)


def _hours(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _discard(folder: Path) -> None:
    """Remove a run folder that holds nothing but Hydra's own files."""
    if folder.is_dir() and {p.name for p in folder.iterdir()} <= {".hydra", "sim.log"}:
        shutil.rmtree(folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            folder.parent.rmdir()  # the scenario's folder, if this was its only run
