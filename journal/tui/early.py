"""The provider list's plain read, started before the UI's own imports, in a child process.

`journal` alone spends its first few hundred milliseconds importing Textual
and textual-image and starting the app; only then would the opening worker
import the listing code, read the list and group its rows (about 0.2 s of
Python for a 1,000-patient clinic). None of that needs the UI, so `start`
forks a child first thing, which does that read on the machine's other core
(`journal.services.listing.plain_overview`) and sends the rows back through
a pipe, pickled; the opening worker then finds them ready (`take`).

A thread would not do: both the read and the imports are Python holding the
GIL, and a reading thread next to an importing one made the first frame
some 300 ms later (every file the import system opens hands the GIL to the
reader for a whole switch interval). The child is forked before any thread
exists and before anything but the standard library is imported; it never
touches the terminal, writes only to its pipe and leaves by `os._exit`.
Where there is no `fork` (Windows), or a thread already runs (a lock it holds
would stay held in the child), or the fork fails, nothing is started and the
opening worker reads as before.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from journal.services.listing import PatientOverview

_lock = threading.Lock()
_started: EarlyList | None = None
_gc_paused = False


class EarlyList:
    """A forked child reading the provider list; its rows arrive on `fd`."""

    def __init__(self, key: tuple[Any, ...], pid: int, fd: int) -> None:
        self.key = key
        self.pid = pid
        self.fd = fd

    def receive(self) -> tuple[bool, list[PatientOverview] | None]:
        """(answered, rows): what the child read; (False, None) when it failed to say."""
        import pickle

        chunks: list[bytes] = []
        try:
            while chunk := os.read(self.fd, 1 << 20):
                chunks.append(chunk)
        finally:
            self.close()
        if not chunks:
            return False, None
        try:
            answered, rows = pickle.loads(b"".join(chunks))  # our own child, through our pipe
        except Exception:
            return False, None
        return bool(answered), rows

    def close(self, wait: bool = True) -> None:
        """Stop listening and reap the child (a child still writing gets EPIPE and leaves).

        `wait=False` reaps it only if it has ended (the process is ending too).
        """
        with contextlib.suppress(OSError):
            os.close(self.fd)
        with contextlib.suppress(OSError):  # reaped already
            os.waitpid(self.pid, 0 if wait else os.WNOHANG)


def _child(home: str | None, db_url: str | None, day: dt.date, fd: int) -> None:
    """The forked child: read, pickle, write, and leave without running any exit handler."""
    code = 1
    try:
        import pickle

        from journal.services.listing import plain_overview

        rows = plain_overview(home, db_url, day)
        data = pickle.dumps((True, rows), protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        code = 0
    except BaseException:  # the parent reads for itself
        code = 1
    finally:
        os._exit(code)


def start(home: str | None, db_url: str | None) -> None:
    """Fork a child reading today's list of the journal `journal` is about to open."""
    global _started
    fork = getattr(os, "fork", None)
    if fork is None or threading.active_count() > 1:
        return  # no fork here, or a thread that might hold a lock the child would need
    day = dt.date.today()
    try:
        read_fd, write_fd = os.pipe()
    except OSError:
        return
    try:
        pid = fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return
    if pid == 0:
        os.close(read_fd)
        _child(home, db_url, day, write_fd)
    os.close(write_fd)
    with _lock:
        _started = EarlyList((home, db_url, day), pid, read_fd)


def take(home: Any, db_url: str | None, day: dt.date) -> tuple[bool, list[PatientOverview] | None]:
    """(True, rows) when an early read of this journal for `day` answered, else (False, None).

    The rows are None when the plain read could not answer (the ORM path must
    read). The read is handed out once; a read of another journal or day is
    dropped and the caller reads for itself.
    """
    global _started
    with _lock:
        early, _started = _started, None
    if early is None:
        return False, None
    if early.key != (home, db_url, day):
        early.close()
        return False, None
    return early.receive()


def discard() -> None:
    """Forget an early read nobody took (the app ended first)."""
    global _started
    with _lock:
        early, _started = _started, None
    if early is not None:
        early.close(wait=False)


def pause_gc() -> None:
    """Hold the cyclic garbage collector until the first screen is complete (`resume_gc`).

    Importing Textual and textual-image and building a 1,000-row list make
    hundreds of thousands of objects, nearly all of them kept for the life of
    the app; the collector ran some 300 passes over them during a launch,
    about 0.1 s of it before the list was on screen. Reference counting still
    frees everything else meanwhile; only cycles wait, for about a second.
    """
    global _gc_paused
    if gc.isenabled():
        gc.disable()
        _gc_paused = True


def resume_gc() -> None:
    """Let the collector run again (the screen is complete, or the app gave up or ends)."""
    global _gc_paused
    if _gc_paused:
        _gc_paused = False
        gc.enable()
