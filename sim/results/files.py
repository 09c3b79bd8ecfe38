"""The one place that writes result files, and reads them back for analysis.

Every file is written atomically (a temporary file, then a rename), and `status.json` is written
last: a folder whose status is not "complete" is an interrupted or failed run, whatever else it
holds.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import dropwhile, takewhile
from pathlib import Path
from typing import IO

import numpy as np

from sim.results import parquet
from sim.results.records import Table


@contextmanager
def atomic_file(path: Path, mode: str = "wb") -> Iterator[IO]:
    """A file handle whose file appears at `path` only once it is completely written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=_UNFINISHED)
    try:
        text = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
        with os.fdopen(fd, mode, **text) as handle:
            yield handle
        os.chmod(tmp, 0o644)  # mkstemp makes files private; results are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_unfinished(folder: Path) -> None:
    """Remove files that `atomic_file` was still writing when its process was killed outright
    (SIGKILL, out of memory): nothing else removes them."""
    for path in folder.glob(f".*{_UNFINISHED}"):
        if path.is_file():
            path.unlink(missing_ok=True)


_UNFINISHED = ".tmp"


def write_text(path: Path, text: str) -> None:
    """Write a text file (UTF-8) atomically."""
    with atomic_file(path, "w") as handle:
        handle.write(text)


def write_bytes(path: Path, data: bytes) -> None:
    """Write a file so that it is either absent or complete, never half written."""
    with atomic_file(path, "wb") as handle:
        handle.write(data)


def write_json(path: Path, data: object) -> None:
    """JSON with null for missing numbers; NaN or infinity is a bug and raises."""
    write_text(path, json.dumps(data, indent=2, allow_nan=False) + "\n")


def read_json(path: Path) -> dict:
    """The JSON object in a file (a summary, a status, a scenario)."""
    return json.loads(path.read_text(encoding="utf-8"))


def write_table(path: Path, table: Table | list[dict]) -> None:
    """A CSV file: one header line, then rows; NaN is written as an empty cell."""
    if isinstance(table, list):
        columns = list(table[0]) if table else []
        with table_file(path, columns) as writer:
            writer.write_rows([row[c] for c in columns] for row in table)
    else:
        with table_file(path, list(table)) as writer:
            writer.write(table)


@contextmanager
def table_file(path: Path, columns: Sequence[str]) -> Iterator[TableWriter]:
    """A CSV file written as a stream of tables with the same columns, appearing at `path` only
    once the block ends without error."""
    with atomic_file(path, "w") as handle:
        yield TableWriter(handle, columns)


@contextmanager
def parquet_file(path: Path, columns: Sequence[str]) -> Iterator[parquet.ParquetWriter]:
    """A Parquet file written as a stream of tables with the same columns (`sim.results.parquet`),
    appearing at `path` only once the block ends without error."""
    with atomic_file(path, "wb") as handle:
        writer = parquet.ParquetWriter(handle, columns)
        try:
            yield writer
        except BaseException:
            writer.discard()
            raise
        writer.close()


class TableWriter:
    """Writes tables as CSV rows under a header. Long tables are converted to Python objects in
    blocks, so writing needs little memory beyond the table being written."""

    def __init__(self, handle: IO, columns: Sequence[str]) -> None:
        self.columns = list(columns)
        self._handle = handle
        self._csv = csv.writer(handle, lineterminator="\n")
        self._csv.writerow(self.columns)

    def write(self, table: Table) -> None:
        """Write a table's rows (column name -> array), in blocks."""
        _write_rows(self._csv, table, self.columns)

    def write_text(self, rows: str) -> None:
        """Write rows already made by `csv_rows` for these columns (in a worker process, say)."""
        self._handle.write(rows)

    def write_rows(self, rows: Iterable[Sequence]) -> None:
        """Write rows of Python values; NaN (a time that never came) is written as an empty field."""
        self._csv.writerows([_blank_if_nan(v) for v in row] for row in rows)


def csv_rows(table: Table, columns: Sequence[str]) -> str:
    """A table's rows as `TableWriter.write` writes them under a header of `columns`, as text."""
    out = io.StringIO()
    _write_rows(csv.writer(out, lineterminator="\n"), table, columns)
    return out.getvalue()


def _write_rows(writer: csv.writer, table: Table, columns: Sequence[str]) -> None:
    n = len(table[columns[0]]) if columns else 0
    for i in range(0, n, _BLOCK):
        writer.writerows(zip(*(_cells_of(table[c][i : i + _BLOCK]) for c in columns)))


def _blank_if_nan(value: object) -> object:
    """A value for the CSV writer: NaN (a time that never came) as an empty field."""
    return "" if isinstance(value, float) and math.isnan(value) else value


def _cells_of(column: np.ndarray) -> list:
    """A column's values as Python objects for the CSV writer, NaN as an empty field (as
    `write_rows` writes them): found column by column, a third of the time that writing the
    values takes, where a test of every value of every row took as long as the writing."""
    if column.dtype.kind == "f":
        cells = column.astype(object)  # Python floats, written by their repr as `tolist` gives them
        cells[np.isnan(column)] = ""
        return cells.tolist()
    if column.dtype.kind == "O":
        return [_blank_if_nan(v) for v in column.tolist()]
    return column.tolist()


_BLOCK = 10_000  # rows formatted at a time


def read_table(path: Path, replication: int | None = None, columns: Sequence[str] | None = None) -> Table:
    """A CSV file written by `write_table` (or a Parquet file, read by `sim.results.parquet` into
    the same arrays, by its suffix): numeric columns as float arrays (empty cells NaN), text
    columns as object arrays of strings (empty cells ""), as `sim.results.records` builds them;
    with `replication`, only that replication's rows, which lie together (a run writes its tables
    in replication order): reading stops after them; with `columns`, only those (a million
    replications' movements are 4 million rows of 23 columns). pandas' C parser reads the file (ten times
    as fast as the csv module and float() per cell), each column's type inferred over all its
    rows, so a column with text in any row is text throughout, its numbers as written."""
    if path.suffix == PARQUET_SUFFIX:
        return parquet.read_table(path, replication, columns)
    import pandas as pd  # loads only when a table is read

    source: Path | io.StringIO = path
    if replication is not None:
        source = _replication_rows(path, replication)
    options = {"keep_default_na": False, "na_values": [""], "low_memory": False, "usecols": columns}
    # In blocks of rows: read whole, a file's text is held at once (1.5 GB for a million
    # replications' movements). Where blocks disagree on a column's type (text in some rows
    # only), the file is read whole after all, for each column's type over all its rows.
    blocks = list(_blocks(pd.read_csv(source, chunksize=BLOCK_ROWS, **options)))
    types = {name: {b[name].dtype for b in blocks} for name in blocks[0]} if blocks else {}
    if len(blocks) == 1 or (blocks and all(len(t) == 1 for t in types.values())):
        # Column by column, each block's piece let go once joined: the table is held once, not twice.
        return {name: np.concatenate([b.pop(name) for b in blocks]) for name in list(blocks[0])}
    if isinstance(source, io.StringIO):
        source.seek(0)
    frame = pd.read_csv(source, **options)
    return {name: _array(frame[name]) for name in frame.columns}


# Rows of a table read at a time: the parser holds a block's every field as text while it works
# (about 90 MB for 200,000 rows of the movements table, 25 MB for 50,000, no slower).
BLOCK_ROWS = 50_000
PARQUET_SUFFIX = ".parquet"


def table_blocks(path: Path, columns: Sequence[str]) -> Iterator[Table]:
    """The columns of a CSV file written by `write_table`, a block of rows at a time, each column
    as `read_table` gives it: for a summary of a table too long to hold. A Parquet file too."""
    if path.suffix == PARQUET_SUFFIX:
        return parquet.table_blocks(path, columns, BLOCK_ROWS)
    import pandas as pd

    options = {"keep_default_na": False, "na_values": [""], "low_memory": False, "usecols": columns}
    return _blocks(pd.read_csv(path, chunksize=BLOCK_ROWS, **options))


def _blocks(frames: Iterable) -> Iterator[Table]:
    for frame in frames:
        yield {name: _array(frame[name]) for name in frame.columns}


def _array(column) -> np.ndarray:
    """One column as the records build it: float (NaN where empty) or object strings ("" where empty),
    each distinct string held once (the parser makes one per cell: 60 bytes a row of a few names)."""
    import pandas as pd

    if column.dtype.kind in "iuf" or len(column) == 0:
        return column.to_numpy(dtype=float)
    codes, names = pd.factorize(column.to_numpy(dtype=object, na_value=""))
    return np.asarray(names, dtype=object)[codes]


def _replication_rows(path: Path, replication: int) -> io.StringIO:
    """The header and one replication's rows of a CSV file, as CSV text."""
    out = io.StringIO()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        columns = next(reader, [])
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(_rows_of(reader, columns.index("replication"), str(replication)))
    out.seek(0)
    return out


def _rows_of(rows: Iterator[list[str]], at: int, wanted: str) -> Iterator[list[str]]:
    """The rows whose field `at` is `wanted`, all together in `rows`: those before are skipped,
    and none after is read (at a million replications, replication 0's passages are the first
    few rows of 16 million)."""
    return takewhile(lambda row: row[at] == wanted, dropwhile(lambda row: row[at] != wanted, rows))
