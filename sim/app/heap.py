"""The process's memory between the phases of a run."""

from __future__ import annotations

import ctypes


def give_back_freed_memory() -> None:
    """Return the free pages of the C heap to the system, where the C library can (glibc's
    `malloc_trim`; elsewhere nothing happens). What one phase of a long run frees (the kept
    columns, a million replications' small NumPy arrays; the rows the check against the record
    read) otherwise stays in the process's resident set, under the next phase's own peak: at a
    million replications, about 160 MB."""
    try:
        # The C library the process runs with (no search for it: ctypes.util.find_library would
        # start ldconfig).
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):  # no such function (not glibc), or no such handle
        return
    trim(0)
