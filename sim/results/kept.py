"""What a run keeps in memory of its records for the statistics: every table but passages, part by
part in a compact form, read back column by column as the exact arrays the whole run would have;
the checkpoints table as its sums over blocks of replications (`checkpoint_sums`), which is all
its statistics read.

A column of a part with few distinct values (names, outcomes, trucks, tonnes, lanes, departures)
is kept as one-byte codes into those values, an integer column in the smallest integer type that
holds it, any other as it is. A baseline replication then keeps about a third of a kilobyte, not
one: a million replications fit in memory, where their full rows would take several gigabytes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

from sim.results.checkpoint_sums import BlockSums
from sim.results.records import TABLE_NAMES, Records

KEPT_TABLES = tuple(name for name in TABLE_NAMES if name != "passages")  # no statistic reads passages
_ROWS_KEPT = tuple(name for name in KEPT_TABLES if name != "checkpoints")  # the others are kept as sums


class _Values:
    """A column of one part as kept: codes into its distinct values, runs of repeated values (the
    replication numbers), or the values narrowed."""

    __slots__ = ("codes", "counts", "dtype", "rows", "values")

    def __init__(self, column: np.ndarray) -> None:
        self.dtype, self.rows = column.dtype, len(column)
        self.values, self.codes, self.counts = _compacted(column)

    def fill(self, whole: np.ndarray, at: int, begin: int = 0, end: int | None = None) -> int:
        """Write the column's rows [begin, end) (all, by default) into `whole` from row `at`; the
        row after them."""
        end = self.rows if end is None else end
        if self.codes is not None:
            values = self.values[self.codes[begin:end]]
        elif self.counts is None:
            values = self.values[begin:end]
        else:
            values = np.repeat(self.values, self.counts)[begin:end]
        whole[at : at + end - begin] = values
        return at + end - begin


def _compacted(column: np.ndarray) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """(values, codes, counts): codes into the distinct values where they are few against the
    rows (else the values would take more room than the codes save); runs of each value where a
    column of integers never decreases; else the values, integers in the smallest type."""
    if len(column) >= 16 and column.dtype.kind in "fiuO":
        values, codes = _distinct(column)
        if len(values) <= min(256, len(column) // 8):
            return values, codes.astype(np.uint8), None
        if column.dtype.kind in "iu" and (np.diff(column) >= 0).all() and len(values) <= len(column) // 2:
            return _narrowed(values), None, np.bincount(codes).astype(np.min_scalar_type(len(column)))
    if column.dtype.kind in "iu" and len(column):
        return _narrowed(column), None, None
    return column.copy(), None, None  # a copy: a view would keep the part's whole arrays alive


def _distinct(column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The column's distinct values and each row's index into them: text in order of first
    appearance, found in one pass through a dict (sorting the strings, as np.unique does, costs
    four times as much: the parent does this for every piece of a run); numbers sorted (np.unique)."""
    if column.dtype.kind != "O":
        return np.unique(column, return_inverse=True)
    index: dict = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in column.tolist()), np.intp, len(column))
    return np.array(list(index), dtype=object), codes


def _narrowed(integers: np.ndarray) -> np.ndarray:
    """The integers in the smallest type that holds them all."""
    return integers.astype(np.result_type(np.min_scalar_type(integers.min()), np.min_scalar_type(integers.max())))


class KeptTable(Mapping):
    """A table of the parts kept so far: column name -> the array joined from every part (made
    anew at each look-up, so that only the columns being read are ever whole)."""

    def __init__(self, columns: tuple[str, ...], parts: list[dict[str, _Values]], empty: dict[str, np.ndarray]):
        self._columns, self._parts, self._empty = columns, parts, empty
        # The first row of each part, and the row after the last.
        sizes = [next(iter(part.values())).rows for part in parts]
        self._starts = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)])
        self._dtypes: dict[str, np.dtype] = {}

    def __getitem__(self, column: str) -> np.ndarray:
        return self.rows(column, 0, self.row_count)

    @property
    def row_count(self) -> int:
        """The number of rows of every column."""
        return int(self._starts[-1])

    def rows(self, column: str, begin: int, end: int) -> np.ndarray:
        """Rows [begin, end) of the column, made from the parts that hold them only."""
        if column not in self._columns:
            raise KeyError(column)
        if not self._parts:
            return self._empty[column]
        if column not in self._dtypes:  # the type np.concatenate would give the parts' own arrays
            self._dtypes[column] = np.result_type(*{part[column].dtype for part in self._parts})
        begin, end = max(begin, 0), max(min(end, self.row_count), begin)
        # Each part that holds some of the rows written into them in turn, so that they are held
        # once, not twice, while they are made.
        found = np.empty(end - begin, self._dtypes[column])
        first, last = np.searchsorted(self._starts, [begin, end], side="right") - 1
        at = 0
        for k in range(first, min(last + 1, len(self._parts))):
            start, values = int(self._starts[k]), self._parts[k][column]
            at = values.fill(found, at, max(begin - start, 0), min(end - start, values.rows))
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


class Kept:
    """The compact records of consecutive replication ranges of one run, added in order: of each
    table, the columns named in `columns` (all, if it does not name the table); of the checkpoints
    table, its sums."""

    def __init__(self, columns: dict[str, tuple[str, ...]] | None = None) -> None:
        self.wanted = columns or {}
        self.replications = 0
        self.horizon_h = float("nan")
        self.parts: dict[str, list[dict[str, _Values]]] = {name: [] for name in _ROWS_KEPT}
        self.checkpoint_sums = BlockSums()
        self.columns: dict[str, tuple[str, ...]] = {}
        self.empty: dict[str, dict[str, np.ndarray]] = {}  # each table's columns, empty, as the first part had them

    def add(self, part: Records) -> None:
        """Keep the part's tables (but passages) after those kept already."""
        self.replications += part.replications
        self.horizon_h = part.horizon_h
        self.checkpoint_sums.add(part.checkpoints)
        for name in _ROWS_KEPT:
            table = getattr(part, name)
            table = {c: v for c, v in table.items() if c in self.wanted.get(name, table)}
            self.columns.setdefault(name, tuple(table))
            self.empty.setdefault(name, {c: np.empty(0, v.dtype) for c, v in table.items()})
            if len(next(iter(table.values()), ())):  # an empty part adds nothing (and no type)
                self.parts[name].append({c: _Values(v) for c, v in table.items()})

    def records(self) -> Records:
        """The records kept so far, passages empty; valid as the run goes on."""
        if not self.replications:
            raise ValueError("no records were added")
        tables = {name: KeptTable(self.columns[name], self.parts[name], self.empty[name]) for name in _ROWS_KEPT}
        passages = {}  # the statistics never read them
        return Records(
            **tables,
            checkpoints=self.checkpoint_sums.table(),
            passages=passages,
            horizon_h=self.horizon_h,
            replications=self.replications,
        )


def row_count(table: Mapping[str, np.ndarray]) -> int:
    """The number of rows of a table, kept or whole."""
    if isinstance(table, KeptTable):
        return table.row_count
    return len(next(iter(table.values()), ()))


def read_rows(table: Mapping[str, np.ndarray], column: str, begin: int, end: int) -> np.ndarray:
    """Rows [begin, end) of a column of a table, kept or whole: of a kept one, without making the
    whole column."""
    if isinstance(table, KeptTable):
        return table.rows(column, begin, end)
    return table[column][begin:end]


def read_where(table: Mapping[str, np.ndarray], column: str, where: np.ndarray) -> np.ndarray:
    """The rows of a column of a table, kept or whole, where `where` (a mask of its rows) is true:
    of a kept one, a block of rows at a time, without making the whole column."""
    if not isinstance(table, KeptTable):
        return table[column][where]
    found, at = np.empty(int(np.count_nonzero(where)), table.rows(column, 0, 0).dtype), 0
    for begin in range(0, table.row_count, ROWS_AT_A_TIME):
        end = begin + ROWS_AT_A_TIME
        picked = table.rows(column, begin, end)[where[begin:end]]
        found[at : at + len(picked)] = picked
        at += len(picked)
    return found


ROWS_AT_A_TIME = 1 << 16  # a block of a kept column: a few hundred kB
