"""Run a per-file job over every core, yielding results as they complete.

Decoding is CPU-bound and Pillow holds the GIL for most of it, so threads do
not help; processes do. Each worker gets a path and returns a small record
(hash, size, dates, stored file names), never pixels, so nothing large crosses
a process boundary. A single file, or `workers=1`, runs in the calling process:
starting a pool costs more than one photo.

Workers are forked from the caller while it runs a single thread (the CLI):
they start in milliseconds with Pillow already loaded. Once the caller runs
threads (the TUI does), forking could copy a lock some thread holds, so the
workers come from a `forkserver` instead, started once and clean.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Crashed:
    """A job that raised or whose worker died; `message` is one line."""

    message: str


@dataclass(frozen=True)
class Done(Generic[R]):
    index: int  # position in the input sequence
    result: R | Crashed


def default_workers() -> int:
    return os.cpu_count() or 1


def run(
    job: Callable[[T], R],
    items: Sequence[T],
    *,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Iterator[Done[R]]:
    """Yield `Done(index, job(item))` for every item, in completion order.

    `job` must be a module-level function (it is pickled by reference). A job
    that raises is reported as `Crashed` rather than ending the batch: one bad
    file must not cost the user the other ninety-nine.
    """
    total = len(items)
    count = min(workers or default_workers(), total)
    if progress:
        progress(0, total)
    if count <= 1:
        for index, item in enumerate(items):
            try:
                result: R | Crashed = job(item)
            except Exception as exc:
                result = Crashed(_one_line(exc))
            if progress:
                progress(index + 1, total)
            yield Done(index, result)
        return
    yield from _in_pool(job, items, count, progress)


def _in_pool(
    job: Callable[[T], R], items: Sequence[T], count: int, progress: Progress | None
) -> Iterator[Done[R]]:
    total = len(items)
    pool = ProcessPoolExecutor(max_workers=count, mp_context=_context())
    try:
        # One task per worker at a time, the next submitted only once the caller
        # has consumed a result (committed its row): workers never run ahead of
        # the commits, so a crash catches at most the photos being worked on.
        queue = iter(enumerate(items))
        pending: dict[Future[R], int] = {}

        def top_up() -> None:
            for index, item in queue:
                pending[pool.submit(job, item)] = index
                if len(pending) >= count:
                    return

        top_up()
        done_count = 0
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                index = pending.pop(future)
                try:
                    result: R | Crashed = future.result()
                except Exception as exc:  # includes BrokenProcessPool (worker killed)
                    result = Crashed(_one_line(exc))
                done_count += 1
                if progress:
                    progress(done_count, total)
                yield Done(index, result)
                top_up()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _context() -> multiprocessing.context.BaseContext:
    """`fork` while we are single-threaded (cheapest: Pillow is already loaded),
    `forkserver` once threads run, where forking could copy a held lock."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    _start_resource_tracker()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else None)


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with a real stderr.

    Textual (and other hosts) swap `sys.stderr` for a capture whose `fileno()`
    is -1; the tracker hands that descriptor to its child process and fails
    ("bad value(s) in fds_to_keep"), which would make every multi-core photo
    import fail inside the TUI. Starting it once with the process's original
    stderr (or /dev/null) avoids that; it is a no-op once the tracker runs.
    """
    from multiprocessing import resource_tracker

    capture = sys.stderr
    original = sys.__stderr__
    try:
        usable = original is not None and original.fileno() >= 0
    except (OSError, ValueError):
        usable = False
    with contextlib.ExitStack() as stack:
        real = original if usable else stack.enter_context(open(os.devnull, "w"))
        try:
            sys.stderr = real
            resource_tracker.ensure_running()
        finally:
            sys.stderr = capture


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if "terminated abruptly" in text:
        return "the image worker stopped abruptly (out of memory?)"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
