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
committed. The module-level functions are this folder layout's primitives.

Since issue 17 a journal's photos live in one of two stores behind one
interface, `PhotoStore` (see docs/photos-in-postgresql.md):

* `FolderStore`: the layout above (the default for SQLite journals, and
  whenever `JOURNAL_PHOTOS_DIR` names a folder).
* `DatabaseStore` (journal/store/photodb.py, apart so this module and the
  archive reader never import SQLAlchemy): the same names as rows of
  `photo_blob`, written in the caller's transaction, so a photo's row and its
  bytes commit (or vanish) together (the default for a new PostgreSQL journal).

Every reader and writer of photo bytes goes through a store; nothing outside
this module opens a photo file by its path. Each backend has exactly one pair
that turns stored bytes into photo bytes and back (`_load` / `_dump`): on an
encrypted journal that is where sealing (journal/store/sealed.py) wraps them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from journal.store.location import PRIVATE_DIR, PRIVATE_FILE, refuse_symlink
from journal.store.sealed import SealedFileDamaged, Sealing

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
        # Every missing level 0700: `mkdir(parents=True)` gives the ones above the
        # last the umask's mode (a conversion's `.trash/<batch>/` was 0755).
        _private_dir(folder.parent)
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
# Where `journal doctor --repair` sets aside files no photo row names (never deleted).
ORPHANED_DIRNAME = ".orphaned"


def set_aside_files(root: Path) -> int:
    """How many files `journal doctor --repair` set aside under `root` (in clear, as
    they were found: a conversion does not touch them, and says so)."""
    folder = root / ORPHANED_DIRNAME
    if folder.is_symlink() or not folder.is_dir():
        return 0
    return sum(1 for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


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


# -- one interface, two backends -----------------------------------------------------------

FOLDER = "folder"
DATABASE = "database"
BACKENDS = (FOLDER, DATABASE)
#: The `setting` row that says where a journal's photos live (every terminal reads it).
SETTING = "photo_store"
_NAME = re.compile(r"^([0-9a-f]{2})/([0-9a-f]{64})-(display|thumb|original)\.([a-z0-9]{1,5})$")


def parse_name(relative: str) -> tuple[str, str, str]:
    """(sha256, which, extension) of a store name; ValueError for anything else.

    The database store accepts only names the folder layout would produce, so
    a crafted path from a restore or merge is refused the same way in both.
    """
    found = _NAME.match(relative)
    if found is None or found.group(1) != found.group(2)[:2]:
        raise ValueError(f"photo path {relative!r} is not inside the photo store")
    return found.group(2), found.group(3), found.group(4)


def digest(data: bytes) -> str:
    """The sha256 of stored bytes, as hex (what a move and the doctor verify)."""
    return hashlib.sha256(data).hexdigest()


class PhotoStore(Protocol):
    """Where a journal's photo files live; every photo read and write goes through one.

    Names are the store-relative paths the `photo` rows hold
    (`relative_path`). `db` is the caller's open write transaction (a
    SQLAlchemy Session or Connection): a transactional store writes inside it,
    so the files commit with the rows; the folder store ignores it and writes
    at once (callers then write files before the commit and trash them after,
    see `transactional`).
    """

    kind: str
    transactional: bool
    sealing: Sealing | None  # an encrypted journal's keys: every file sealed

    def describe(self, relative: str) -> str:
        """Where a file is, for a person (a path, or `database:<name>`)."""
        ...

    def read_bytes(self, relative: str) -> bytes | None:
        """A live file's bytes, or None when it is missing or unreadable; a sealed
        file that fails authentication raises `SealedFileDamaged` (one line)."""
        ...

    def read_many(self, relatives: Iterable[str]) -> dict[str, bytes]:
        """Several small files at once (a gallery's thumbnails: one query)."""
        ...

    def present(self, relatives: Iterable[str]) -> set[str]:
        """Which of these names are stored (live), without reading their bytes."""
        ...

    def has_derivatives(self, sha256: str) -> bool:
        """True when this content's display copy and thumbnail are both stored."""
        ...

    def write_bytes(self, relative: str, data: bytes, db: Any = None) -> bool:
        """Store `data` under `relative`; True when it was not stored before."""
        ...

    def put(
        self,
        sha256: str,
        *,
        display: bytes | None,
        thumb: bytes | None,
        original: bytes | None = None,
        original_extension: str | None = None,
        db: Any = None,
    ) -> StoredFiles:
        """Store a photo's files (`None`: already stored, keep); see the module `put`."""
        ...

    def remove(self, relatives: Iterable[str], db: Any = None) -> None:
        """Remove live files (best effort: one already gone is fine)."""
        ...

    def move_to_trash(self, relative: str, batch: uuid.UUID, db: Any = None) -> None:
        """Take a deleted photo's file out of the live store, kept for undo."""
        ...

    def restore_from_trash(self, relative: str, batch: uuid.UUID, db: Any = None) -> bool:
        """Undo's half: put a file back; False when it is neither live nor kept."""
        ...

    def erase(self, relative: str, batch: uuid.UUID | None, db: Any = None) -> bool:
        """Remove a file for good, live (`batch` None) or kept for undo; True if it was there."""
        ...

    def read_trashed(self, relative: str, batch: uuid.UUID) -> bytes | None:
        """A deleted photo's file kept for undo (`photos move` takes it along)."""
        ...

    def stored(self) -> Iterator[str]:
        """The name of every live file (doctor, `photos move`)."""
        ...


class FolderStore:
    """The content-addressed folder (`photos/` in the home, or `JOURNAL_PHOTOS_DIR`).

    With `sealing` (an encrypted journal, docs/privacy.md) every file is
    sealed (AES-256-GCM, a fresh nonce per write) and stored under its sealed
    name (`HMAC(names key, sha256:which)`), so neither a file's bytes nor its
    name tell what photo it is. Callers keep using the plaintext store names
    the photo rows hold; `stored_name` is the one place that maps them.
    """

    kind = FOLDER
    transactional = False

    def __init__(self, root: Path, sealing: Sealing | None = None) -> None:
        self.root = root
        self.sealing = sealing

    def __repr__(self) -> str:
        return f"FolderStore({self.root}{', sealed' if self.sealing else ''})"

    def stored_name(self, relative: str) -> str:
        """The name a file has on disk: the store name, or its sealed name."""
        if self.sealing is None:
            resolve(self.root, relative)  # the same refusal of names that leave the root
            return relative
        sha, which, _ext = parse_name(relative)
        return self.sealing.name(sha, which)

    def path(self, relative: str) -> Path:
        """The file's path, refusing names that leave the root (maintenance tools only)."""
        return resolve(self.root, self.stored_name(relative))

    def describe(self, relative: str) -> str:
        return os.fspath(self.path(relative))

    def _load(self, stored: bytes, relative: str) -> bytes:
        """Stored bytes to photo bytes: the one reading seam (unsealed when sealed)."""
        if self.sealing is None:
            return stored
        return self.sealing.unseal(stored, self.stored_name(relative))

    def _dump(self, data: bytes, relative: str) -> bytes:
        """Photo bytes to stored bytes: the one writing seam (sealed when sealed)."""
        if self.sealing is None:
            return data
        return self.sealing.seal(data, self.stored_name(relative))

    def read_bytes(self, relative: str) -> bytes | None:
        """The bytes, None when missing; a sealed file failing authentication raises
        `SealedFileDamaged` (one line naming the file), never returns altered bytes."""
        try:
            path = self.path(relative)
            if path.is_symlink():
                return None  # a planted link is never followed
            stored = path.read_bytes()
        except (OSError, ValueError):
            return None
        return self._load(stored, relative)

    def read_many(self, relatives: Iterable[str]) -> dict[str, bytes]:
        """Several files; a damaged sealed one is left out like a missing one (the
        others still open, `journal doctor` names it)."""
        found: dict[str, bytes] = {}
        for rel in relatives:
            try:
                data = self.read_bytes(rel)
            except SealedFileDamaged:
                continue
            if data is not None:
                found[rel] = data
        return found

    def present(self, relatives: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for rel in relatives:
            try:
                if self.path(rel).is_file():
                    found.add(rel)
            except ValueError:
                continue
        return found

    def has_derivatives(self, sha256: str) -> bool:
        names = [relative_path(sha256, "display"), relative_path(sha256, "thumb")]
        return len(self.present(names)) == 2

    def write_bytes(self, relative: str, data: bytes, db: Any = None) -> bool:
        if self.sealing is None:
            return write_file(self.root, relative, data)
        existed = self.path(relative).is_file()
        if existed:  # a fresh nonce never repeats: compare the plaintext, keep a good copy
            with contextlib.suppress(SealedFileDamaged):
                if self.read_bytes(relative) == data:
                    return False
        write_file(self.root, self.stored_name(relative), self._dump(data, relative))
        return not existed

    def put(
        self,
        sha256: str,
        *,
        display: bytes | None,
        thumb: bytes | None,
        original: bytes | None = None,
        original_extension: str | None = None,
        db: Any = None,
    ) -> StoredFiles:
        if self.sealing is None:
            return put(
                self.root,
                sha256,
                display=display,
                thumb=thumb,
                original=original,
                original_extension=original_extension,
            )
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
                if data is not None and self.write_bytes(rel, data):
                    created.append(rel)
        except BaseException:
            self.remove(created)
            raise
        return StoredFiles(planned[0][0], planned[1][0], original_rel, tuple(created))

    def remove(self, relatives: Iterable[str], db: Any = None) -> None:
        names = []
        for rel in relatives:
            with contextlib.suppress(ValueError):
                names.append(self.stored_name(rel))
        remove(self.root, names)

    def move_to_trash(self, relative: str, batch: uuid.UUID, db: Any = None) -> None:
        move_to_trash(self.root, self.stored_name(relative), batch)

    def restore_from_trash(self, relative: str, batch: uuid.UUID, db: Any = None) -> bool:
        return restore_from_trash(self.root, self.stored_name(relative), batch)

    def erase(self, relative: str, batch: uuid.UUID | None, db: Any = None) -> bool:
        return self.erase_stored(self.stored_name(relative), batch)

    def erase_stored(self, name: str, batch: uuid.UUID | None) -> bool:
        """`erase` by the name the file has on disk (`stored_name`): an erasure's
        pending note keeps those, so a sealed store's note names no photo's hash."""
        path = trash_path(self.root, name, batch) if batch is not None else resolve(self.root, name)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True

    def write_trashed(self, relative: str, batch: uuid.UUID, data: bytes) -> None:
        """A deleted photo's file written straight into the trash (a conversion
        carries files kept for undo across layouts)."""
        target = trash_path(self.root, self.stored_name(relative), batch)
        write_file(self.root, target.relative_to(self.root).as_posix(), self._dump(data, relative))

    def read_trashed(self, relative: str, batch: uuid.UUID) -> bytes | None:
        try:
            path = trash_path(self.root, self.stored_name(relative), batch)
            if path.is_symlink():
                return None
            stored = path.read_bytes()
        except (OSError, ValueError):
            return None
        return self._load(stored, relative)

    def stored(self) -> Iterator[str]:
        """Every live file's store name (plaintext layout); a sealed store's names
        cannot be turned back into store names, so it lists its `stored_names`."""
        if self.sealing is not None:
            yield from stored_names(self.root)[1]
            return
        yield from stored_names(self.root)[0]


_SEALED_NAME = re.compile(r"^([0-9a-f]{2})/([0-9a-f]{64})$")


def stored_names(root: Path) -> tuple[list[str], list[str]]:
    """(plaintext-layout names, sealed-layout names) of the live files under `root`.

    A conversion (`journal encrypt` / `decrypt`) uses it to find what an
    interrupted run left in the other layout; hidden temporary files and
    anything else are neither.
    """
    plain: list[str] = []
    sealed_files: list[str] = []
    if root.is_symlink() or not root.is_dir():
        return plain, sealed_files
    for shard in sorted(root.iterdir()):
        if len(shard.name) != 2 or shard.is_symlink() or not shard.is_dir():
            continue
        for entry in sorted(shard.iterdir()):
            if not entry.is_file() or entry.is_symlink():
                continue
            rel = f"{shard.name}/{entry.name}"
            found = _SEALED_NAME.match(rel)
            if found is not None and found.group(1) == found.group(2)[:2]:
                sealed_files.append(rel)
                continue
            with contextlib.suppress(ValueError):
                parse_name(rel)
                plain.append(rel)
    return plain, sealed_files
