"""Check scenario files without running them: `python -m sim.check [name ...] [key=value ...]`.

With no name, every scenario is checked. Overrides apply as on the main command line. Exit status
0 when all are valid, 1 otherwise; each problem names its key.
"""

from __future__ import annotations

import argparse
import sys

from hydra.errors import HydraException
from omegaconf.errors import OmegaConfBaseException

from sim.config.compose import load_run
from sim.config.library import load_scenario_file, scenario_files
from sim.config.validate import ConfigError


def main(argv: list[str] | None = None) -> int:
    """`python -m sim.check`: validate scenarios without running them; the exit status."""
    parser = argparse.ArgumentParser(prog="python -m sim.check", description=__doc__.splitlines()[0])
    parser.add_argument("items", nargs="*", help="scenario names, and overrides such as scenario.x.lanes=2")
    args = parser.parse_args(argv)
    overrides = [a for a in args.items if "=" in a]
    names = [a for a in args.items if "=" not in a]

    files = scenario_files()
    names = names or list(files)
    failed = 0
    for name in names:
        try:
            if name in files:
                load_scenario_file(files[name])
        except ValueError as error:
            failed += 1
            print(f"{name}: INVALID\n  {files[name].name}: {error}")
            continue
        try:
            run = load_run([f"scenario={name}", *overrides])
        except (ConfigError, HydraException, OmegaConfBaseException) as error:
            failed += 1
            print(f"{name}: INVALID\n  " + str(error).strip().replace("\n", "\n  "))
            continue
        s = run.scenario
        movements = sum(m.enabled for m in s.movements.values())
        flows = sum(f.enabled for f in s.flows.values())
        print(
            f"{name}: ok ({len(s.places)} places, {len(s.legs)} legs, {len(s.checkpoints)} checkpoints, "
            f"{movements} movements, {flows} flows, {s.horizon_days:g} days)"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
