"""How a worker process hands a finished piece of work to the parent.

Sent through the process pool's pipe, a piece's few megabytes of columns cost a worker and the
parent together about a sixth of the time it took to simulate them: the pipe carries 64 KB at a
time, each a wake-up of the other side, and pickle copies every array several times. Instead, the
worker pickles the piece with its arrays out of band (pickle protocol 5, PEP 574), writes the
arrays to a file in a folder the parent made for the run (in memory, where the system has a place
for that), and sends through the pipe only the small pickle and the file's name. The parent reads
the arrays straight into new ones and deletes the file.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import numpy as np

MEMORY_FOLDER = "/dev/shm"  # Linux's file system in memory; elsewhere the system's temporary folder


@dataclass(frozen=True)
class Parcel:
    """A piece of work on its way to the parent: its pickle, and its arrays in a file."""

    pickle: bytes  # with the arrays left out of band
    path: str  # the arrays' bytes, one after the other
    sizes: tuple[int, ...]  # of each array, in bytes


def parcels_root() -> str:
    """Where runs make their parcel folders."""
    usable = os.path.isdir(MEMORY_FOLDER) and os.access(MEMORY_FOLDER, os.W_OK)
    return MEMORY_FOLDER if usable else tempfile.gettempdir()


@contextmanager
def parcel_folder() -> Iterator[str | None]:
    """A new folder for this process's parcels (named after it), removed afterwards with whatever
    is left in it: the parcels of pieces that were cancelled, say. None if no folder can be made
    (then every piece goes through the pipe)."""
    for root in dict.fromkeys((parcels_root(), tempfile.gettempdir())):
        try:
            made = tempfile.TemporaryDirectory(prefix=f"sim-pieces-{os.getpid()}-", dir=root)
        except OSError:
            continue
        with made as folder:
            yield folder
        return
    yield None


def send(piece: object, folder: str | None) -> Parcel | object:
    """`piece` as a parcel in `folder`; or `piece` itself, to go through the pipe after all, if
    there is no folder or the file cannot be written (no space left in the folder, say)."""
    if folder is None:
        return piece
    buffers: list[pickle.PickleBuffer] = []
    data = pickle.dumps(piece, protocol=5, buffer_callback=buffers.append)
    arrays = [b.raw() for b in buffers]
    path = None
    try:
        handle, path = tempfile.mkstemp(dir=folder)
        with open(handle, "wb") as file:
            for array in arrays:
                file.write(array)
    except OSError:
        if path is not None:
            with suppress(OSError):
                os.unlink(path)
        return piece
    return Parcel(data, path, tuple(a.nbytes for a in arrays))


def receive(sent: Parcel | object) -> object:
    """The piece that `send` sent, its file deleted."""
    if not isinstance(sent, Parcel):
        return sent
    arrays = []
    with open(sent.path, "rb") as file:
        for size in sent.sizes:
            array = np.empty(size, np.uint8)  # not zeroed first, as a bytearray would be
            if file.readinto(array) != size:
                raise OSError(f"{sent.path}: shorter than its parcel says")
            arrays.append(array)
    os.unlink(sent.path)
    return pickle.loads(sent.pickle, buffers=arrays)
