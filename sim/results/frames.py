"""A run's results as pandas DataFrames, for notebooks: its tables, and its summary with one row
per movement (or checkpoint). pandas loads only when a frame is asked for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

INTERVAL = ("estimate", "low", "high")
SUMMARY_PARTS = ("movements", "checkpoints")


def table_frame(table: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """One table (column name -> array, as `Records` holds it) as a DataFrame."""
    import pandas as pd

    return pd.DataFrame({name: column for name, column in table.items()})


def summary_frame(summary: dict, of: str = "movements") -> pd.DataFrame:
    """The statistics of a run's summary (`summarise`, or summary.json) as a DataFrame: one row per
    movement (`of="movements"`) or checkpoint (`of="checkpoints"`), indexed by its key. An
    interval {estimate, low, high} becomes three columns, `x`, `x_low` and `x_high`; other nested
    values `x_y` (`outcomes_refused`). Missing values (null) are NaN."""
    import pandas as pd

    if of not in SUMMARY_PARTS:
        raise ValueError(f"of={of!r}: a summary has rows of {' or '.join(SUMMARY_PARTS)}")
    rows = {key: _flat(entry) for key, entry in summary[of].items()}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "movement" if of == "movements" else "checkpoint"
    return frame


def _flat(entry: dict, prefix: str = "") -> dict:
    out: dict = {}
    for key, value in entry.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and set(value) == set(INTERVAL):
            out |= {f"{name}{end}": _number(value[part]) for part, end in zip(INTERVAL, ("", "_low", "_high"))}
        elif isinstance(value, dict):
            out |= _flat(value, f"{name}_")
        else:
            out[name] = _number(value)
    return out


def _number(value: object) -> object:
    return float("nan") if value is None else value  # null in summary.json: no value, NaN in a frame
