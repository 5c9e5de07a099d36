"""Helpers for the reliability tests: child processes, photo files, store invariants."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

CHILD = Path(__file__).with_name("_child.py")
SMALL = (640, 480)


def seed_for(name: str) -> int:
    """A fresh random seed per run (or JOURNAL_TEST_SEED to replay one), printed for the log."""
    chosen = os.environ.get("JOURNAL_TEST_SEED")
    seed = int(chosen) if chosen else random.SystemRandom().randrange(2**32)
    print(f"{name}: random seed {seed} (replay with JOURNAL_TEST_SEED={seed})")
    return seed


def spawn(args: list[str], log: Path) -> subprocess.Popen[str]:
    """A child in its own process group, so a kill takes its worker processes too."""
    return subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=log.open("a"),
        text=True,
        start_new_session=True,
    )


def child(mode: str, home: Path, url: str | None, *rest: str) -> list[str]:
    return [sys.executable, str(CHILD), mode, str(home), url or "-", *rest]


def journal_cli(home: Path, url: str | None, *args: str) -> list[str]:
    db = ["--db", url] if url else []
    return [sys.executable, "-m", "journal", "--home", str(home), *db, *args]


def wait_for_line(proc: subprocess.Popen[str], wanted: str, timeout: float = 60.0) -> None:
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if selector.select(timeout=deadline - time.monotonic()):
                line = proc.stdout.readline()
                if not line:
                    raise AssertionError(f"child exited before {wanted!r} (code {proc.wait()})")
                if line.strip() == wanted:
                    return
        raise AssertionError(f"child did not say {wanted!r} within {timeout} s")
    finally:
        selector.close()


def kill_group(proc: subprocess.Popen[str]) -> list[str]:
    """SIGKILL the child and everything it started; return what it printed."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.stdout is not None
    out = proc.stdout.read()
    proc.stdout.close()
    return out.splitlines()


def photo_variants(folder: Path, count: int, *, seed: int = 7) -> list[Path]:
    """`count` distinct JPEGs (different bytes, same picture) for the price of one.

    A COM segment right after SOI changes the bytes and so the sha256 without
    re-encoding, which keeps the crash tests spending their time importing.
    """
    from journal.imaging.synthetic import write_skin_photo

    folder.mkdir(parents=True, exist_ok=True)
    base = folder / "base.jpg"
    taken = dt.datetime(2024, 5, 1, 9, 30)
    write_skin_photo(base, seed=seed, severity=6, taken_at=taken, size=SMALL)
    data = base.read_bytes()
    paths = []
    for i in range(count):
        text = f"variant {i}".encode()
        segment = b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text
        path = folder / f"IMG_{i:04d}.jpg"
        path.write_bytes(data[:2] + segment + data[2:])
        paths.append(path)
    base.unlink()
    return paths


def visible_store_files(photos_dir: Path) -> tuple[list[Path], list[Path]]:
    """(complete-looking files, hidden temp files) in the shard folders."""
    visible, hidden = [], []
    if photos_dir.is_dir():
        for shard in photos_dir.iterdir():
            if shard.is_dir() and len(shard.name) == 2:
                for path in shard.iterdir():
                    (hidden if path.name.startswith(".") else visible).append(path)
    return visible, hidden


def assert_decodes(path: Path) -> None:
    """The whole file is there: Pillow decodes it to the last byte."""
    from PIL import Image

    with Image.open(path) as image:
        image.load()
