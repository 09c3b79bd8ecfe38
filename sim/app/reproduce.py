"""Re-run a finished run from its saved config and seed, and say whether the results are the same:
`python -m sim.reproduce <results folder> [--tolerance 1e-9] [--keep DIR]`.

On the machine that made the run the data files must be byte-identical. On another machine,
floating-point libraries may differ in the last bits: `--tolerance` compares numbers relatively.
Exit status: 0 same, 1 different, 2 no verdict: the folder cannot be run again, or a data file
of it or of the re-run is missing or unreadable, so the two cannot be compared.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.app.run import execute
from sim.config.compose import to_run
from sim.config.scenario import RunConfig
from sim.config.validate import ConfigError
from sim.results import layout
from sim.results.files import read_json, read_table
from sim.results.status import folder_problem, read_status


def main(argv: list[str] | None = None) -> int:
    """`python -m sim.reproduce`: run a folder's config again and compare the data files; the exit status."""
    parser = argparse.ArgumentParser(prog="python -m sim.reproduce", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a complete results folder")
    parser.add_argument("--tolerance", type=float, default=0.0, help="relative tolerance for numbers (default: exact)")
    parser.add_argument("--keep", type=Path, help="write the re-run into this folder instead of a temporary one")
    args = parser.parse_args(argv)
    folder: Path = args.folder
    data_files = layout.data_files(folder)
    problem = folder_problem(folder, (layout.CONFIG, *data_files))  # e.g. a folder of a version without a table
    if problem:
        print(f"{folder}: {problem}; nothing to reproduce", file=sys.stderr)
        return 2
    if args.keep and read_status(args.keep) != "missing":  # the re-run would overwrite it, maybe the original
        print(f"--keep {args.keep}: that folder holds a run already; choose a new folder", file=sys.stderr)
        return 2

    try:
        cfg = OmegaConf.merge(OmegaConf.structured(RunConfig), OmegaConf.load(folder / layout.CONFIG))
        run = to_run(cfg)
    except (ConfigError, OmegaConfBaseException, OSError, ValueError) as error:
        reason = str(error).strip().replace("\n", "; ")
        print(f"{folder}: its config.yaml cannot be run again: {reason}", file=sys.stderr)
        return 2
    scenario_name = _scenario_name(folder)
    with tempfile.TemporaryDirectory() as scratch:
        again = args.keep or Path(scratch) / "again"
        print(f"Re-running {scenario_name or 'the scenario'} with seed {run.seed} into {again} ...")
        execute(run, again, scenario_name, (folder / layout.CONFIG).read_text(encoding="utf-8"))
        try:
            differences = [d for name in data_files for d in compare(folder / name, again / name, args.tolerance)]
        except CannotCompare as error:
            print(f"{folder}: cannot compare with the re-run: {error}", file=sys.stderr)
            return 2
    if differences:
        print("DIFFERENT:\n  " + "\n  ".join(differences[:20]))
        return 1
    how = "identical" if args.tolerance == 0 else f"the same within a relative tolerance of {args.tolerance:g}"
    print(f"Reproduced: {', '.join(data_files)} are {how}.")
    return 0


def _scenario_name(folder: Path) -> str:

    try:
        return read_json(folder / layout.SUMMARY).get("scenario", "")
    except (OSError, ValueError):
        return ""


class CannotCompare(Exception):
    """A data file of the original or of the re-run is missing or unreadable: no verdict."""


def compare(a: Path, b: Path, tolerance: float) -> list[str]:
    """Differences between two data files: exact bytes, or numbers within a relative tolerance.
    CannotCompare if either is missing, or unreadable where numbers must be read."""
    for path, which in ((a, "the original"), (b, "the re-run")):
        if not path.is_file():
            raise CannotCompare(f"{a.name} is missing in {which}")
    if a.read_bytes() == b.read_bytes():
        return []
    if tolerance == 0:
        return [f"{a.name}: differs"]
    read = read_json if a.suffix == ".json" else read_table
    try:
        x, y = read(a), read(b)
    except (OSError, ValueError) as error:
        raise CannotCompare(f"{a.name} cannot be read: {error}") from None
    if a.suffix == ".json":
        return [f"{a.name}: {d}" for d in _json_differences(x, y, tolerance, "")]
    if list(x) != list(y) or any(len(x[c]) != len(y[c]) for c in x):
        return [f"{a.name}: different columns or rows"]
    out = []
    for column in x:
        for i, (u, v) in enumerate(zip(x[column].tolist(), y[column].tolist())):
            if not _same(u, v, tolerance):
                out.append(f"{a.name}: row {i + 1}, {column}: {u} vs {v}")
                break
    return out


def _json_differences(u: object, v: object, tolerance: float, at: str) -> list[str]:
    if isinstance(u, dict) and isinstance(v, dict):
        if u.keys() != v.keys():
            return [f"{at or '/'}: different keys"]
        return [d for k in u for d in _json_differences(u[k], v[k], tolerance, f"{at}/{k}")]
    if isinstance(u, list) and isinstance(v, list):
        if len(u) != len(v):
            return [f"{at}: different lengths"]
        return [d for i, (p, q) in enumerate(zip(u, v)) for d in _json_differences(p, q, tolerance, f"{at}/{i}")]
    return [] if _same(u, v, tolerance) else [f"{at}: {u} vs {v}"]


def _same(u: object, v: object, tolerance: float) -> bool:
    if isinstance(u, float) and isinstance(v, float):
        if math.isnan(u) or math.isnan(v):
            return math.isnan(u) and math.isnan(v)
        return math.isclose(u, v, rel_tol=tolerance, abs_tol=tolerance)
    return u == v


if __name__ == "__main__":
    sys.exit(main())
