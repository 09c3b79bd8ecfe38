"""The progress line of a command on a terminal: one line for the whole command, saying which phase
it is in (simulating, writing the tables, the report), how many replications are done and, when
their number is known, the time left.

Under `replications=auto` the replications come in batches until the interval is narrow enough:
the count goes on across batches (it never starts again), with how precise the answer is so far
in place of a time left, which nobody can know. In a sweep, each job's line names the job.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

SIMULATING = "simulating"
REFRESH_S = 0.1  # the line is rewritten at most this often while replications come (a phase at once)


class Progress:
    """One line on standard error (or `stream`), rewritten in place as a command goes on.

    `total`: the replications to run, or None under `replications=auto`, which runs at most
    `limit`; `label` starts the line (a sweep's job: "job 3"); `clock` gives seconds (for tests).
    """

    def __init__(
        self,
        total: int | None,
        limit: int | None = None,
        label: str = "",
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total, self.limit, self.label = total, limit, label
        self.stream = sys.stderr if stream is None else stream
        self.clock = clock
        self.done, self.phase_name, self.note_text = 0, SIMULATING, ""
        self.started = clock()
        self._shown_at: float | None = None
        self._width = 0  # of the line last written, so that a shorter one covers it

    @classmethod
    def on_terminal(cls, total: int | None, limit: int | None = None, label: str = "") -> Progress | None:
        """A progress line on standard error if it is a terminal; None where it is a file or a
        pipe (a log, a cluster's job output), which a line rewritten in place would only fill."""
        return cls(total, limit, label) if sys.stderr.isatty() else None

    def advance(self, count: int) -> None:
        """`count` more replications are done."""
        self.done += count
        self.phase_name = SIMULATING
        self._show(at_once=False)

    def note(self, text: str) -> None:
        """Say something of the replications so far (under replications=auto: the precision)."""
        self.note_text = text
        self._show(at_once=False)

    def phase(self, name: str) -> None:
        """The command has moved on to `name` ("tables", "report")."""
        self.phase_name = name
        self._show(at_once=True)

    def text(self) -> str:
        """The line as it reads now."""
        head = f"{self.label}: " if self.label else ""
        elapsed = self.clock() - self.started
        if self.phase_name != SIMULATING:
            return f"{head}{self.phase_name} ({self.done:,} replications simulated, {elapsed:.0f} s so far)"
        if self.total is None:
            at_most = f", at most {self.limit:,}" if self.limit else ""
            note = f"; {self.note_text}" if self.note_text else ""
            return f"{head}{SIMULATING} {self.done:,} replications (auto{at_most}{note})"
        left = elapsed / self.done * (self.total - self.done) if self.done else None
        eta = f", ~{left:.0f} s left" if left is not None else ""
        return f"{head}{SIMULATING} {self.done:,}/{self.total:,} replications{eta}"

    def close(self) -> None:
        """Clear the line: the command's own output follows."""
        self._write("")

    def _show(self, at_once: bool) -> None:
        now = self.clock()
        if at_once or self._shown_at is None or now - self._shown_at >= REFRESH_S:
            self._shown_at = now
            self._write(f"  {self.text()}")

    def _write(self, line: str) -> None:
        self.stream.write("\r" + line.ljust(self._width) + ("\r" if not line else ""))
        self.stream.flush()
        self._width = len(line)
