"""The records of one run joined from its parts: consecutive ranges of replications, as a worker
process or a precision batch hands them back, put end to end in replication order."""

from __future__ import annotations

import math

import numpy as np

from sim.results.records import TABLE_NAMES, Records, Table


class Assembly:
    """Records of consecutive replication ranges of one run, joined in order as they come.

    Each part's rows are copied into columns made for the whole run: long enough, at the rows per
    replication seen so far and 5% more, for the replications still to come; made longer (a copy)
    only if a part needs more than that, exactly as long as needed for the last part; and cut to
    length in place at the end. A caller may let each part go once added: a run holds its records
    once, not twice, and nothing is copied after the last part comes.
    """

    SPARE = 1.05  # room for the rest of the run, over its expected rows

    def __init__(self, replications: int) -> None:
        self.expected = replications  # in the whole run
        self.replications = 0  # added so far
        self.horizon_h = math.nan
        self.columns: dict[str, Table] = {}  # table name -> columns, rows beyond `rows` unused
        self.rows: dict[str, int] = {}
        self.empty: dict[str, Table] = {}  # the first empty table of each name, for one never filled

    def add(self, part: Records) -> None:
        """Join the part after those already added."""
        self.horizon_h = part.horizon_h
        self.replications += part.replications
        for name in TABLE_NAMES:
            table = getattr(part, name)
            n = len(next(iter(table.values()), ()))
            if not n:  # its columns may be of other types (an empty list gives floats)
                self.empty.setdefault(name, table)
                continue
            rows, columns = self.rows.get(name, 0), self.columns.get(name, {})
            # Types as np.concatenate would give them: a float in a later part makes a float column.
            types = {c: np.result_type(columns[c], v) if c in columns else v.dtype for c, v in table.items()}
            length = made = len(next(iter(columns.values()), ()))
            if rows + n > made:
                if self.replications < self.expected:
                    expected_rows = (rows + n) / self.replications * self.expected * self.SPARE
                    length = max(rows + n, math.ceil(expected_rows), int(1.25 * made))
                else:
                    length = rows + n
            if length != made or any(c not in columns or columns[c].dtype != t for c, t in types.items()):
                columns = {c: _grown(columns.get(c), rows, length, t) for c, t in types.items()}
                self.columns[name] = columns
            for c, v in table.items():
                columns[c][rows : rows + n] = v
            self.rows[name] = rows + n

    def expect(self, replications: int) -> None:
        """Make room for `replications` more than expected so far (another precision batch)."""
        self.expected += replications

    def so_far(self) -> Records:
        """The records of the parts added so far, as views of the assembly's columns: valid until
        the next part is added; the assembly goes on (for `replications=auto`'s batches)."""
        filled = {name: {c: v[: self.rows[name]] for c, v in t.items()} for name, t in self.columns.items()}
        return self._records(filled)

    def records(self) -> Records:
        """The records of the parts added; the assembly is done with."""
        for name, columns in self.columns.items():
            for column in columns.values():
                column.resize(self.rows[name], refcheck=False)  # in place: no copy, the rest given back
        return self._records({name: dict(columns) for name, columns in self.columns.items()})

    def _records(self, filled: dict[str, Table]) -> Records:
        if not self.replications:
            raise ValueError("no records were added")
        tables = {name: filled.get(name, self.empty.get(name)) for name in TABLE_NAMES}
        return Records(**tables, horizon_h=self.horizon_h, replications=self.replications)


def _grown(column: np.ndarray | None, rows: int, length: int, dtype: np.dtype) -> np.ndarray:
    """A new column of `length` rows whose first `rows` are those of `column`."""
    grown = np.empty(length, dtype)
    if column is not None:
        grown[:rows] = column[:rows]
    return grown


def concat(parts: list[Records]) -> Records:
    """Records of consecutive replication ranges joined in order."""
    assembly = Assembly(sum(p.replications for p in parts))
    for part in parts:
        assembly.add(part)
    return assembly.records()
