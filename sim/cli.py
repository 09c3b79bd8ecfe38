"""The command line: `python -m sim scenario=baseline replications=2000 seed=7` (Hydra).

Thin on purpose: compose (Hydra) -> validate -> run -> print where the results are. In a sweep
(`-m`), a job that fails records its error in its own folder and the sweep goes on; the command
exits non-zero at the end.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import traceback
from dataclasses import MISSING, fields
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.errors import HydraException
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config import CONFIG_DIR, to_run
from sim.results import write_status, write_text
from sim.validate import ConfigError

# Sweeps at or above this many replications use every core by default; below it, starting
# worker processes costs more than it saves.
PARALLEL_FROM = 2000


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def main(cfg: DictConfig) -> None:
    hydra_cfg = HydraConfig.get()
    folder = Path(hydra_cfg.runtime.output_dir)
    in_sweep = hydra_cfg.mode == RunMode.MULTIRUN
    try:
        run = to_run(cfg)
    except ConfigError as error:
        if in_sweep:
            _record_failure(folder, error)
            return
        _discard(folder)  # nothing ran: leave no folder behind that could pass for a result
        raise
    from sim.parallel import available_cores
    from sim.run import execute

    workers = run.workers
    if workers == "auto":
        large = run.replications == "auto" or run.replications >= PARALLEL_FROM
        workers = available_cores() if large and not in_sweep else 1
    overridden = [o.split("=", 1)[0].lstrip("+~").removeprefix("scenario.") for o in hydra_cfg.overrides.task]
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        summary = execute(
            run,
            folder,
            scenario_name=hydra_cfg.runtime.choices.get("scenario", ""),
            config_yaml=OmegaConf.to_yaml(cfg, resolve=True),
            overridden=[o for o in overridden if o not in ("scenario", "replications", "seed", "workers")],
            workers=workers,
            progress=not in_sweep,
        )
    except KeyboardInterrupt:
        print(f"\nInterrupted. Nothing complete was written; {folder} is marked 'interrupted'.", file=sys.stderr)
        if in_sweep:  # Hydra will not call the sweep's callback now: summarise what finished
            from sim.sweep import write_sweep_summary

            write_sweep_summary(folder.parent)
            print(f"Sweep summary of the jobs that ran: {folder.parent / 'summary.csv'}", file=sys.stderr)
        sys.exit(130)
    except Exception as error:
        if not in_sweep:
            raise
        _record_failure(folder, error)
        return
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
            f"{_hours(m['mean_delivery_time_h']['estimate']):>9} {_hours(m['median_delivery_time_h']['estimate']):>9} "
            f"{_hours(m['p90_delivery_time_h']['estimate']):>9}"
        )
    rows.append(
        f"\n'-': beyond the {summary['horizon_h'] / 24:g}-day horizon (too many replications not delivered by then)."
    )
    if "precision" in summary:
        p = summary["precision"]
        state = "met" if p["met"] else "NOT met (stopped at max_replications)"
        rows.append(f"replications=auto: target relative half-width {p['target_relative_half_width']} {state}.")
    return "\n".join(rows)


def _hours(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM ends a run as Ctrl-C does: marked interrupted, never complete


def _record_failure(folder: Path, error: Exception) -> None:
    """In a sweep: keep the job's error in its folder, tell the user, let the sweep go on."""
    message = f"{type(error).__name__}: {error}"
    folder.mkdir(parents=True, exist_ok=True)
    write_text(folder / "error.txt", message + "\n")
    write_status(folder, "failed", error=message)
    print(f"Job in {folder} failed: {message}", file=sys.stderr)


def _discard(folder: Path) -> None:
    """Remove a run folder that holds nothing but Hydra's own files."""
    if folder.is_dir() and {p.name for p in folder.iterdir()} <= {".hydra", "sim.log"}:
        shutil.rmtree(folder, ignore_errors=True)


def cli() -> None:
    """`python -m sim` and the `sim` command: run, then exit non-zero if any sweep job failed.

    Configuration errors are reported here as one clear message and exit status 1. Hydra is asked
    to pass every error up (HYDRA_FULL_ERROR) because some, raised by OmegaConf while applying an
    override, would otherwise reach the user as a traceback.
    """
    if {"--help", "-h"} & set(sys.argv[1:]):
        print(usage())  # Hydra's own --help lists config groups slowly; `--hydra-help` still works
        return
    os.environ.setdefault("HYDRA_FULL_ERROR", "1")
    try:
        main()
    except (HydraException, OmegaConfBaseException) as error:
        cause = error.__cause__
        detail = f"\n{cause}" if isinstance(cause, OmegaConfBaseException) and str(cause) not in str(error) else ""
        print(f"{error}{detail}", file=sys.stderr)
        sys.exit(1)
    except (AssertionError, AttributeError) as error:
        if not _raised_by_omegaconf(error):
            raise
        print(
            "Could not apply a command-line override. A block that is null in the scenario (for example "
            "random_closures, other_traffic, hold or needs) cannot be filled in from the command line; "
            "write it in a scenario file that extends this one (see docs/scenarios.md).",
            file=sys.stderr,
        )
        sys.exit(1)
    sweep = sys.modules.get("sim.sweep")  # loaded by Hydra only when a sweep ran
    if sweep is not None and sweep.failed_jobs():
        sys.exit(1)


def usage() -> str:
    """The command's help: how to run, the scenarios, the run settings and their defaults."""
    from sim.scenarios import scenario_files
    from sim.schema import Precision, RunConfig

    def defaults(cls: type, prefix: str = "") -> str:
        plain = [f for f in fields(cls) if f.default not in (MISSING, "???")]  # those with a simple default
        return "  ".join(f"{prefix}{f.name}={getattr(f.default, 'value', f.default)}" for f in plain)

    return "\n".join([
        "Aid logistics simulator: when will each movement deliver, with what spread and what chance?",
        "",
        "  python -m sim [scenario=<name>] [key=value ...]      run one scenario (default: baseline)",
        "  python -m sim -m key=a,b [key=c,d ...]               sweep: one job per combination",
        "",
        "Scenarios:  " + ", ".join(scenario_files()),
        "Run settings (defaults):  " + defaults(RunConfig),
        "For replications=auto:  " + defaults(Precision, "precision."),
        "Any scenario value:  scenario.<group>.<name>.<field>=<value>, e.g. scenario.checkpoints.hakari.lanes=3",
        "The composed config, without running:  python -m sim [overrides] --cfg job",
        "",
        "Other commands:  python -m sim.check | sim.report <folder> | sim.compare <folders> | sim.reproduce <folder>",
        "Hydra's options (launchers, output folders, shell completion):  python -m sim --hydra-help",
    ])  # fmt: skip


def _raised_by_omegaconf(error: BaseException) -> bool:
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and f"{os.sep}omegaconf{os.sep}" in frames[-1].filename
