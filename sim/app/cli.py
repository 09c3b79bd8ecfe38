"""The command line: `python -m sim scenario=baseline replications=2000 seed=7` (Hydra).

Thin on purpose: compose (Hydra) -> validate -> run -> print where the results are. In a sweep
(`-m`), a job that fails records its error in its own folder and the sweep goes on; the command
exits non-zero at the end.
"""

from __future__ import annotations

import gc
import os
import shutil
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException, ValidationError

from sim.analysis import precision
from sim.analysis.sweep_summary import write_sweep_summary
from sim.config.compose import CONFIG_DIR, to_run
from sim.config.cores import auto_workers
from sim.config.validate import ConfigError
from sim.results import layout
from sim.results.files import write_text
from sim.results.status import read_status, write_status

_composed = False  # whether Hydra has composed the config and called the task


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def main(cfg: DictConfig) -> None:
    """One run (or one job of a sweep) from the config Hydra composed."""
    global _composed
    _composed = True  # from here on, errors are the run's own, not composition's
    hydra_cfg = HydraConfig.get()
    folder = Path(hydra_cfg.runtime.output_dir)
    in_sweep = hydra_cfg.mode == RunMode.MULTIRUN
    try:
        run = to_run(cfg, list(hydra_cfg.overrides.task))
    except ConfigError as error:
        if in_sweep:
            _record_failure(folder, error)
            return
        discard(folder)  # nothing ran: leave no folder behind that could pass for a result
        refuse(error)
    # SciPy and SimPy load only once a run starts: `--help` and refused configs answer 0.6 s sooner.
    from sim.app.run import execute
    from sim.simulate.progress import Progress

    workers = auto_workers(run.replications, in_sweep) if run.workers == "auto" else run.workers
    # One line for the whole run; in a sweep, one per job, where the job runs in this terminal's
    # process (Hydra's basic launcher runs them one after another): other launchers' jobs run
    # side by side, or on a cluster with their output in files.
    auto = run.replications == "auto"
    progress = None
    if not in_sweep or hydra_cfg.runtime.choices.get("hydra/launcher") == "basic":
        total = None if auto else run.replications
        label = f"job {hydra_cfg.job.num}" if in_sweep else ""
        progress = Progress.on_terminal(total, run.precision.max_replications if auto else None, label)
    signal.signal(signal.SIGTERM, interrupt)
    try:
        summary = execute(
            run,
            folder,
            scenario_name=hydra_cfg.runtime.choices.get("scenario", ""),
            config_yaml=OmegaConf.to_yaml(cfg, resolve=True),
            overridden=scenario_keys(hydra_cfg.overrides.task),
            workers=workers,
            progress=progress,
        )
    except KeyboardInterrupt:
        print(f"\nInterrupted. Nothing complete was written; {folder} is marked 'interrupted'.", file=sys.stderr)
        if in_sweep:  # Hydra will not call the sweep's callback now: summarise what finished
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
        "\n'-': beyond the horizon: too many replications refused, turned back or still under way by then, "
        "in the time each movement had from its departure (the report's answers say which)."
    )
    rows.append(precision.statement(summary))
    return "\n".join(rows)


def _hours(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def interrupt(signum: int, frame: object) -> None:
    """A signal handler (for SIGTERM) that stops the run as Ctrl-C does."""
    raise KeyboardInterrupt  # SIGTERM ends a run as Ctrl-C does: marked interrupted, never complete


def _record_failure(folder: Path, error: Exception) -> None:
    """In a sweep: keep the job's error in its folder, tell the user, let the sweep go on."""
    message = f"{type(error).__name__}: {error}"
    folder.mkdir(parents=True, exist_ok=True)
    write_text(folder / layout.ERROR, message + "\n")
    write_status(folder, "failed", error=message)
    print(f"Job in {folder} failed: {message}", file=sys.stderr)


def refuse(error: ConfigError) -> NoReturn:
    """End the command on a refused configuration: its message alone, and exit status 1. Called
    inside Hydra's job: SystemExit passes through Hydra, where the error itself would make Hydra
    print `Error executing job with overrides: [...]` above the message."""
    print(error, file=sys.stderr)
    sys.exit(1)


def discard(folder: Path) -> None:
    """Remove a run folder that holds nothing but Hydra's own files (`.hydra/`, the job's log)."""
    if folder.is_dir() and all(p.name == ".hydra" or p.suffix == ".log" for p in folder.iterdir()):
        shutil.rmtree(folder, ignore_errors=True)


def scenario_keys(overrides: list[str]) -> list[str]:
    """The keys inside the scenario that command-line overrides set, added or removed (as Hydra's
    override parser reads them): `scenario.checkpoints.hakari.lanes=2` gives
    `checkpoints.hakari.lanes`; choosing the scenario itself is not one."""
    parsed = OverridesParser.create().parse_overrides(overrides)
    keys = [o.key_or_group.removeprefix("scenario.") for o in parsed if o.key_or_group.startswith("scenario.")]
    return list(dict.fromkeys(keys))


def _finished_run_in(arguments: list[str]) -> str | None:
    """Why a run must not start in the folder `hydra.run.dir=` names, if it holds a finished run:
    Hydra would rewrite its `.hydra/` files, and the folder would describe one run and hold another."""
    for argument in arguments:
        if argument.startswith("hydra.run.dir="):
            folder = Path(argument.split("=", 1)[1])
            if read_status(folder) == "complete":  # an unfinished run's folder may be run again
                return f"{argument}: that folder holds a finished run already; choose a new folder"
    return None


def cli() -> None:
    """`python -m sim` and the `sim` command: run, then exit non-zero if any sweep job failed.

    Configuration errors are reported as one clear message and exit status 1 (`refuse`, `guard`).
    """
    held = _finished_run_in(sys.argv[1:])
    if held:
        print(held, file=sys.stderr)
        sys.exit(1)
    try:
        guard(main, lambda: _composed)
    except Exception as error:
        sweep = sys.modules.get("sim.app.sweep")  # loaded by Hydra only when a sweep started
        if sweep is None or not sweep.launching():  # not the launcher's: a bug, to be seen whole
            raise
        sweep.stopped(error)
    sweep = sys.modules.get("sim.app.sweep")
    if sweep is not None and sweep.failed_jobs():
        sys.exit(1)
    # Everything is written: spare the exit its last collection of the libraries' objects
    # (about a quarter of a second, a twentieth of a small run).
    gc.freeze()


def guard(main: Callable[[], None], composed: Callable[[], bool]) -> None:
    """Call a Hydra main, turning override errors into one clear message and exit status 1 (a
    task refuses a bad configuration itself, with `refuse`); `composed()` says whether Hydra got
    as far as calling the task (after that, an AssertionError or AttributeError is a bug, and is
    raised whole). Hydra is asked to pass every error up (HYDRA_FULL_ERROR) because some, raised
    by OmegaConf while applying an override, would otherwise reach the user as a traceback."""
    os.environ.setdefault("HYDRA_FULL_ERROR", "1")
    try:
        main()
    except (HydraException, OmegaConfBaseException) as error:
        print(override_message(error), file=sys.stderr)
        sys.exit(1)
    except (AssertionError, AttributeError) as error:
        if composed():  # raised by the run itself: a bug, to be seen whole
            raise
        print(override_message(error), file=sys.stderr)
        sys.exit(1)
    except BrokenPipeError:
        # The reader stopped early (`--help | head`): nothing left to say, and Python must not
        # try again to flush into the closed pipe at exit (the advice of Python's signal docs).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)


def override_message(error: Exception) -> str:
    """What to tell the user of a command-line override Hydra or OmegaConf could not apply, naming
    the override and what is allowed where the error says it (`sim.app.sweep` says the same of a
    sweep's jobs)."""
    if isinstance(error, AssertionError | AttributeError):
        # OmegaConf 2.3 fails this way when an override reaches into a block that is null.
        return (
            "Could not apply a command-line override. A block that is null in the scenario (for example "
            "random_closures, other_traffic, hold or needs) cannot be filled in from the command line; "
            "write it in a scenario file that extends this one (see docs/scenarios.md)."
        )
    cause = error.__cause__
    if isinstance(cause, ValidationError) and "is not a subclass of" in str(cause):
        # A field set under an entry that does not exist: `+scenario.checkpoints.hakarii.lanes=2`.
        return (
            f"Could not apply a command-line override: '{cause.full_key}' names no entry of the scenario. Set "
            "a field of an existing entry (check the spelling; `python -m sim --cfg job` lists them), or add a "
            "new entry whole in a scenario file that extends this one (see docs/scenarios.md)."
        )
    if isinstance(cause, ValidationError) and cause.value is not None:
        # A value of the wrong type: `lanes=two` -> "...lanes=two: Value 'two' of type 'str' could not
        # be converted to Integer"; OmegaConf's own lines below it (full_key, reference_type) add nothing.
        return f"{cause.full_key}={cause.value}: {cause.msg.splitlines()[0]}"
    detail = f"\n{cause}" if isinstance(cause, OmegaConfBaseException) and str(cause) not in str(error) else ""
    return f"{error}{detail}"
