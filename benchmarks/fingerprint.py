"""Fingerprints of what the simulator computes: SHA-256 of each data file (the tables and
`summary.json`) for every shipped scenario and the benchmarks' reference model.

A change meant to keep behaviour (a refactoring, a speed-up) must keep them:

    python -m benchmarks.fingerprint --save before.json     # on the old code
    python -m benchmarks.fingerprint --check before.json    # on the new code: exit 1 if any differs
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

from benchmarks import reference
from sim.app.run import execute
from sim.config.compose import load_run
from sim.config.library import scenario_files
from sim.config.scenario import RunConfig
from sim.results import layout

REPLICATIONS = 300
SEED = 20230726


def fingerprints(replications: int = REPLICATIONS) -> dict[str, dict[str, str]]:
    """Scenario -> data file -> SHA-256 of its bytes, for `replications` replications."""
    runs = {name: load_run([f"scenario={name}", f"replications={replications}"]) for name in scenario_files()}
    runs["reference"] = RunConfig(scenario=reference.scenario(), replications=replications, seed=SEED)
    found = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, run in runs.items():
            folder = Path(scratch) / name
            execute(run, folder, name, "")
            found[name] = {f: hashlib.sha256((folder / f).read_bytes()).hexdigest() for f in layout.data_files(folder)}
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fingerprint", description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--save", type=Path, help="write the fingerprints to this JSON file")
    action.add_argument("--check", type=Path, help="compare with fingerprints saved earlier")
    args = parser.parse_args(argv)
    found = fingerprints()
    if args.save:
        args.save.write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
        print(f"{len(found)} scenarios fingerprinted into {args.save}")
        return 0
    saved = json.loads(args.check.read_text(encoding="utf-8"))
    differ = [f"{s}/{f}" for s in saved for f in saved[s] if found.get(s, {}).get(f) != saved[s][f]]
    for item in differ:
        print(f"DIFFERENT: {item}")
    print(f"{len(saved)} scenarios: {'all identical' if not differ else f'{len(differ)} files differ'}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
