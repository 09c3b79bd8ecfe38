"""Where the shipped run settings (`configs/`) and scenarios (`scenarios/`) are read from.

The repository keeps both folders at its top level, beside the package. An installed wheel carries
them inside the package, as `sim/configs/` and `sim/scenarios/` (`package-dir` in pyproject.toml),
so `pip install .` needs no checkout. A checkout, or an editable install of one, reads the
top-level folders themselves, so an edited scenario takes effect without reinstalling.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]  # the `sim` folder, in a checkout or in site-packages


def shipped(folder: str) -> Path:
    """The folder of shipped `configs` or `scenarios`: inside the installed package if it is
    there (a wheel), else beside the package (a checkout or an editable install)."""
    inside = PACKAGE / folder
    return inside if inside.is_dir() else PACKAGE.parent / folder
