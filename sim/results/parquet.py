"""A run's tables as Parquet files (`tables.format=parquet`): written as a stream of pieces, read
back as `sim.results.files` reads its CSV files.

The one module that imports pyarrow, and only when a Parquet file is written or read: pyarrow is
an optional dependency (the `parquet` extra), and a CSV run never loads it.

Numbers are written as they are held (float64, int64), a time that never came (NaN) as null;
text as strings, an empty text as null. Null is what an empty CSV cell means, and what pandas,
DuckDB or Polars read as missing, so `pd.read_parquet` gives the values `pd.read_csv` gives for
the same run's CSV file.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np

from sim.results.records import Table

if TYPE_CHECKING:
    import pyarrow as pa

# Rows per row group, whatever pieces of the run they came in: the file's bytes are then the same
# for any number of workers. 100,000 rows of the movements table are about 10 MB as it is written.
ROW_GROUP_ROWS = 100_000
COMPRESSION = "zstd"  # a third smaller than pyarrow's default (snappy), as quick to write and read


class ParquetUnavailable(ImportError):
    """Parquet tables to read or write, and no pyarrow to do it with."""


def _pyarrow() -> tuple:
    """pyarrow and its Parquet module, or ParquetUnavailable saying how to install them."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as error:
        raise ParquetUnavailable(f'Parquet tables need pyarrow: pip install -e ".[parquet]" ({error})') from error
    return pa, pq


class ParquetWriter:
    """Writes tables with the same columns (column name -> array) as one Parquet file on a binary
    handle. Rows are buffered until a whole row group of ROW_GROUP_ROWS is there, so that
    memory holds at most a row group and a piece."""

    def __init__(self, handle: IO[bytes], columns: Sequence[str]) -> None:
        self.columns = list(columns)
        self._handle = handle
        self._pending: list[pa.Table] = []  # rows not written yet, in order
        self._rows = 0  # in `_pending`
        self._schema: pa.Schema | None = None  # the first piece's: every later piece is cast to it
        self._writer = None  # pyarrow's, made with the first row group

    def write(self, table: Table) -> None:
        """Add a table's rows after those written so far."""
        if not len(table[self.columns[0]]):
            return  # an empty piece has no types of its own (its arrays are floats)
        arrow = _arrow_table(table, self.columns)
        if self._schema is None:
            self._schema = arrow.schema
        self._pending.append(arrow.cast(self._schema))
        self._rows += arrow.num_rows
        while self._rows >= ROW_GROUP_ROWS:
            self._write_group(ROW_GROUP_ROWS)

    def close(self) -> None:
        """Write the rows still buffered and the file's footer."""
        if self._rows:
            self._write_group(self._rows)
        if self._writer is None:  # no rows at all: the columns, as floats
            pa, _ = _pyarrow()
            self._open(pa.schema([(c, pa.float64()) for c in self.columns]))
        self._writer.close()

    def discard(self) -> None:
        """Stop writing (the file is being thrown away): pyarrow's writer is closed now, while the
        handle is open, not when it is garbage-collected after the handle was closed."""
        if self._writer is not None:
            self._writer.close()

    def _write_group(self, rows: int) -> None:
        pa, _ = _pyarrow()
        pending = pa.concat_tables(self._pending)
        # One chunk per column: pyarrow cuts pages where chunks end, and the pieces end where the
        # work was cut, which depends on the number of workers.
        group = pending.slice(0, rows).combine_chunks()
        rest = pending.slice(rows)
        self._pending, self._rows = ([rest] if rest.num_rows else []), rest.num_rows
        if self._writer is None:
            self._open(group.schema)
        self._writer.write_table(group, row_group_size=rows)

    def _open(self, schema: pa.Schema) -> None:
        _, pq = _pyarrow()
        self._writer = pq.ParquetWriter(self._handle, schema, compression=COMPRESSION)


def _arrow_table(table: Table, columns: Sequence[str]) -> pa.Table:
    pa, _ = _pyarrow()
    return pa.table([_arrow_column(table[c]) for c in columns], names=list(columns))


def _arrow_column(values: np.ndarray) -> pa.Array:
    """A column as Arrow writes it: float64 (NaN as null), int64, or strings ("" and NaN as null)."""
    pa, _ = _pyarrow()
    if values.dtype.kind == "f":
        return pa.array(values, pa.float64(), from_pandas=True)
    if values.dtype.kind in "iub":
        return pa.array(values.astype(np.int64, copy=False), pa.int64())
    return pa.array(values, pa.string(), mask=values == "", from_pandas=True)


def read_table(path: Path, replication: int | None = None, columns: Sequence[str] | None = None) -> Table:
    """A Parquet table as `files.read_table` reads a CSV one (see `_numpy_columns`); with
    `replication`, only its rows (the row groups' statistics let the others go unread); with
    `columns`, only those, in the file's order."""
    _, pq = _pyarrow()
    file = pq.ParquetFile(path)
    names = [c for c in file.schema_arrow.names if columns is None or c in columns]
    if replication is not None:
        return _numpy_columns(pq.read_table(path, columns=names, filters=[("replication", "=", replication)]))
    # Column by column: the file's Arrow form and the arrays made of it are never both held whole.
    return {name: _numpy_columns(file.read(columns=[name]))[name] for name in names}


def table_blocks(path: Path, columns: Sequence[str], rows: int) -> Iterator[Table]:
    """The columns of a Parquet table, `rows` rows at a time, each as `read_table` gives it."""
    _, pq = _pyarrow()
    file = pq.ParquetFile(path)
    names = [c for c in file.schema_arrow.names if c in columns]
    for batch in file.iter_batches(batch_size=rows, columns=names):
        yield _numpy_columns(batch)


def _numpy_columns(table: pa.Table | pa.RecordBatch) -> Table:
    """Arrow columns as `files.read_table` gives a CSV file's: numbers as float arrays (NaN where
    null), text as object arrays of strings ("" where null), each distinct string held once; a
    column without a value in any row as floats (NaN), as a CSV column of empty cells reads."""
    return {name: _numpy_column(table.column(name)) for name in table.column_names}


def _numpy_column(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    pa, _ = _pyarrow()
    if not pa.types.is_string(column.type) or column.null_count == len(column):
        return column.to_numpy(zero_copy_only=False).astype(float)
    coded = column.fill_null("").dictionary_encode()
    if isinstance(coded, pa.ChunkedArray):  # its chunks share one dictionary
        coded = coded.combine_chunks()
    return coded.dictionary.to_numpy(zero_copy_only=False)[coded.indices.to_numpy()]
