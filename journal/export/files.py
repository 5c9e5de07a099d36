"""Writing export files so that a failure never leaves half a file behind.

An export is health data a user may mail to a clinic: it is written owner-only
(0600) under a temporary name in the target folder and renamed into place, so
a crash, a full disk or an exception in a renderer leaves either the previous
file or nothing, never a truncated PDF that looks complete.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from journal.core.errors import JournalError

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def prepare_target(out: Path) -> Path:
    """Check `out` can be written as a file; create its folder (0700) if needed."""
    out = Path(out).expanduser()
    if out.is_dir():
        raise JournalError(f"output {out} is a folder; give a file name")
    folder = out.parent
    if folder.exists() and not folder.is_dir():
        raise JournalError(f"output folder {folder} is not a folder")
    folder.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    return out


@contextlib.contextmanager
def atomic_file(out: Path) -> Iterator[Path]:
    """Yield a temporary path next to `out`; rename it over `out` on success."""
    out = prepare_target(out)
    temp = out.with_name(f".{out.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    os.close(fd)
    try:
        yield temp
        os.chmod(temp, PRIVATE_FILE)
        os.replace(temp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


def write_bytes(out: Path, data: bytes) -> Path:
    """Write `data` to `out` atomically, owner-only."""
    with atomic_file(out) as temp:
        temp.write_bytes(data)
    return Path(out).expanduser()
