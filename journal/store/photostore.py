"""The content-addressed photo store: files named after the original's sha256.

Layout under the store root (a journal's `photos/` folder)::

    <aa>/<sha256>-display.jpg      long edge 2048, no metadata
    <aa>/<sha256>-thumb.jpg        long edge 320, no metadata
    <aa>/<sha256>-original.<ext>   only with --keep-original, the bytes as given

`<aa>` is the first two hex digits of the hash, so no folder grows to hundreds
of thousands of entries. Naming by content makes a re-import of the same bytes
land on the same files (nothing to rewrite) and lets several processes write at
once without coordination: a file is written under a hidden temporary name in
its final folder, fsync'ed and renamed over the target, so a reader or a crash
never sees half a photo. Callers learn which files they newly created, which
is what they remove when the database row that would refer to them is not
committed. This module knows nothing of images or of the database.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from journal.store.location import PRIVATE_DIR, PRIVATE_FILE, refuse_symlink

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_EXTENSION = re.compile(r"^[a-z0-9]{1,5}$")
WHICH = ("display", "thumb", "original")


@dataclass(frozen=True)
class StoredFiles:
    """Where one photo's files are (relative to the root) and which this call created."""

    display: str
    thumb: str
    original: str | None
    created: tuple[str, ...]


def relative_path(sha256: str, which: str, extension: str = "jpg") -> str:
    """The store-relative POSIX path of one of a photo's files."""
    if not _SHA256.match(sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    if which not in WHICH:
        raise ValueError(f"unknown photo file {which!r}: choose one of {', '.join(WHICH)}")
    if not _EXTENSION.match(extension):
        raise ValueError(f"bad file extension {extension!r}")
    ext = extension if which == "original" else "jpg"
    return f"{sha256[:2]}/{sha256}-{which}.{ext}"


def resolve(root: Path, relative: str) -> Path:
    """The absolute path of a stored file, refusing anything that leaves the root.

    Paths come back from the database, which a restore or a merge may have
    filled; a crafted `../../.ssh/...` must never be opened or deleted.
    """
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or any(p in ("..", ".") for p in parts):
        raise ValueError(f"photo path {relative!r} is not inside the photo store")
    return root.joinpath(*parts)


def has_derivatives(root: Path, sha256: str) -> bool:
    """True when the display copy and the thumbnail of this content are both stored."""
    return all(
        resolve(root, relative_path(sha256, which)).is_file() for which in ("display", "thumb")
    )


def put(
    root: Path,
    sha256: str,
    *,
    display: bytes | None,
    thumb: bytes | None,
    original: bytes | None = None,
    original_extension: str | None = None,
) -> StoredFiles:
    """Store a photo's files; `None` for display/thumb means "already stored, keep".

    On any error the files this call created are removed again before the
    error propagates, so a failed write leaves the store as it was.
    """
    planned: list[tuple[str, bytes | None]] = [
        (relative_path(sha256, "display"), display),
        (relative_path(sha256, "thumb"), thumb),
    ]
    original_rel = None
    if original is not None:
        original_rel = relative_path(sha256, "original", original_extension or "bin")
        planned.append((original_rel, original))
    created: list[str] = []
    try:
        for rel, data in planned:
            if data is not None and write_file(root, rel, data):
                created.append(rel)
    except BaseException:
        remove(root, created)
        raise
    return StoredFiles(planned[0][0], planned[1][0], original_rel, tuple(created))


def write_file(root: Path, relative: str, data: bytes) -> bool:
    """Write `data` atomically at `relative`; True if the file did not exist before.

    An existing file with the same bytes is left untouched (no rewrite, no
    mtime change); one with different bytes is replaced, which repairs a
    damaged copy without ever exposing a partial file.
    """
    target = resolve(root, relative)
    folder = target.parent
    _private_dir(folder)
    existed = target.exists()
    if existed and _same_content(target, data):
        return False
    temp = folder / f".{target.name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_dir(folder)
    return not existed


def remove(root: Path, relatives: Iterable[str]) -> None:
    """Best-effort removal of stored files (and of shard folders left empty)."""
    for rel in relatives:
        path = resolve(root, rel)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # only succeeds when empty


def _same_content(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _private_dir(folder: Path) -> None:
    """Create a shard folder 0700 whatever the umask says."""
    try:
        folder.mkdir(mode=PRIVATE_DIR)
    except FileExistsError:
        refuse_symlink(folder, "photo folder")  # a planted link must not take writes elsewhere
        return
    except FileNotFoundError:
        folder.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
    folder.chmod(PRIVATE_DIR)


def fsync_dir(folder: Path) -> None:
    """Make the rename itself durable; some filesystems refuse, which is harmless."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- deleted photos ------------------------------------------------------------------------

TRASH_DIRNAME = ".trash"
TRASH_GRACE_DAYS = 30


def trash_path(root: Path, relative: str, batch: uuid.UUID) -> Path:
    """Where a deleted photo's file waits for undo: `.trash/<batch>/<shard>/<file>`."""
    resolve(root, relative)  # the same refusal of paths that leave the store
    return root / TRASH_DIRNAME / batch.hex / relative


def move_to_trash(root: Path, relative: str, batch: uuid.UUID) -> None:
    """Take a file out of the live store, keeping it for undo (best effort: a file
    already gone is simply not there to keep)."""
    source = resolve(root, relative)
    target = trash_path(root, relative, batch)
    refuse_symlink(root, "photo folder")
    _private_dir(target.parent)
    with contextlib.suppress(FileNotFoundError):
        os.replace(source, target)
    with contextlib.suppress(OSError):
        source.parent.rmdir()


def restore_from_trash(root: Path, relative: str, batch: uuid.UUID) -> bool:
    """Put a file back in the live store; False when it is neither there nor in the trash."""
    target = resolve(root, relative)
    source = trash_path(root, relative, batch)
    if target.is_file():
        return True
    if not source.is_file():
        return False
    _private_dir(target.parent)
    os.replace(source, target)
    with contextlib.suppress(OSError):
        source.parent.rmdir()
        source.parent.parent.rmdir()
    return True


def expired_trash(root: Path, now: float, grace_days: int = TRASH_GRACE_DAYS) -> list[Path]:
    """Batches of deleted photo files older than the grace period (doctor purges them)."""
    trash = root / TRASH_DIRNAME
    if trash.is_symlink() or not trash.is_dir():
        return []
    limit = now - grace_days * 86400
    return [
        batch
        for batch in sorted(trash.iterdir())
        if batch.is_dir() and not batch.is_symlink() and batch.stat().st_mtime < limit
    ]
