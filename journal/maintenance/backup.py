"""`journal backup` and `journal restore`: one verified archive of a SQLite journal.

Format: a zip file (stdlib on every platform, random access, per-member CRC)
holding

    journal.db        a consistent snapshot taken with SQLite's online backup
                      API (never a file copy: a copy of a live WAL database
                      can miss committed pages or catch a half-written one)
    photos/<aa>/...   every file a photo row of that snapshot points to
    manifest.json     format, schema revision, counts, and the sha256 and
                      size of every other member (written last)

Photos are stored, not deflated (JPEG does not compress); the database is
deflated. The archive is written to a temporary name beside the target,
fsync'ed, read back completely and checked against the manifest, and only
then renamed into place: a backup that exists is a backup that verified.

Restore checks everything before it touches the home: the manifest, every
member's hash, the database's integrity, and that every photo row has its
files. It unpacks into a folder beside the home and swaps the two (one atomic
exchange on Linux, two renames elsewhere), keeping the old home as
`<home>.bak-<time>` until the restored journal has opened; only then is the old
one removed. A restore asked to stop (SIGTERM, SIGHUP: a closed terminal, a
`timeout`) stops at the next safe point and removes its unpacked copy; the
swap itself is never cut in half. Only SIGKILL or a power cut can leave a
folder beside the home, and `journal doctor` names it. PostgreSQL journals
are out of scope on purpose: pg_dump does that job better than any archive of
ours could, and holds the photos too when they live in the database
(docs/photos-in-postgresql.md says how).

A journal whose photos live in its database (`photo_store` = database) has
them in `journal.db` itself: the archive then holds no photo member, and
restore checks every photo row has its blob.

An encrypted journal's backup stays encrypted (docs/privacy.md): the snapshot
is taken through SQLCipher under the journal's key (the same bytes on disk as
the journal's own database), the key header is a member (`journal-keys.json`),
and the photo files are copied sealed, under their sealed names. Restoring
one needs the passphrase the journal had when it was backed up, or its
recovery key; without either, nothing is unpacked for good.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import secrets
import shutil
import signal
import sqlite3
import sys
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from journal.core.errors import InvalidValue, JournalError, JournalUnavailable
from journal.store import photostore, zipfiles
from journal.store.location import (
    DB_FILENAME,
    PHOTOS_DIRNAME,
    PRIVATE_DIR,
    PRIVATE_FILE,
    Location,
    refuse_symlink,
    resolve_location,
)

FORMAT = "microneedling-journal-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_MEMBER = "journal.db"
HEADER_MEMBER = "journal-keys.json"
PHOTO_PREFIX = "photos/"
CHUNK = 1 << 20
_TABLES = ("patient", "provider", "course", "session", "checkin", "photo", "review")
_OLD_TABLES = ("treatment",)  # sessions before schema 0003  rename-codemod: keep


class BackupRefused(JournalError):
    """A backup or restore that cannot or must not be done; nothing was changed."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    revision: str | None
    counts: dict[str, int]
    photo_files: int
    size: int
    missing: tuple[str, ...]  # files rows point to that were not on disk


@dataclass(frozen=True)
class Manifest:
    created_at: str
    revision: str | None
    counts: dict[str, int]
    members: dict[str, dict[str, Any]]
    missing: tuple[str, ...]


@dataclass(frozen=True)
class RestoreReport:
    home: Path
    revision: str | None
    counts: dict[str, int]
    photo_files: int
    replaced: bool  # an existing journal was replaced (with --force)


# -- backup -----------------------------------------------------------------------


def postgres_hint(location: Location) -> str:
    return (
        "backup and restore cover SQLite journals; this journal's records are on "
        "PostgreSQL: back it up with pg_dump (see docs/photos-in-postgresql.md, "
        f"and copy the photo folder {location.photos_dir} if its photos are files)"
    )


class _Keyed:
    """How to open a snapshot: the stdlib driver, or SQLCipher under the journal key."""

    def __init__(self, journal_key: bytes | None) -> None:
        from journal.store.sealed import Sealing

        self.key = journal_key
        self.pragma: str | None = None
        self.sealing: Sealing | None = None
        if journal_key is not None:
            from journal.store.keys import database_key_pragma

            self.pragma = database_key_pragma(journal_key)
            self.sealing = Sealing.for_journal(journal_key)

    def connect(self, path: Path | str, *, uri: bool = False, timeout: float = 5.0) -> Any:
        if self.pragma is None:
            return sqlite3.connect(path, uri=uri, timeout=timeout)
        import sqlcipher3

        conn = sqlcipher3.connect(str(path), uri=uri, timeout=timeout)
        conn.execute(self.pragma)
        return conn

    @property
    def errors(self) -> tuple[type[Exception], ...]:
        if self.pragma is None:
            return (sqlite3.Error,)
        import sqlcipher3

        return (sqlite3.Error, sqlcipher3.Error)


def _key_of(location: Location) -> bytes | None:
    """The journal key of an encrypted journal (asking as every command does), else None."""
    from journal.services.unlock import journal_key

    return journal_key(location)


def backup(
    output: str | os.PathLike[str],
    home: str | os.PathLike[str] | None = None,
    db_url: str | None = None,
    *,
    location: Location | None = None,
) -> BackupReport:
    """Write a verified archive of the journal to `output` (replacing an older file)."""
    location = location or resolve_location(home, db_url)
    db_file = location.sqlite_path
    if not location.is_sqlite or db_file is None:
        raise BackupRefused(postgres_hint(location))
    if not db_file.is_file():
        raise BackupRefused(f"no journal at {location.home} (nothing to back up)")
    keyed = _Keyed(_key_of(location))
    target = Path(output).expanduser().absolute()
    if target.is_dir():
        raise InvalidValue("output", str(output), "is a folder; give a file name, e.g. journal.zip")
    if not target.parent.is_dir():
        raise InvalidValue("output", str(output), f"folder {target.parent} does not exist")
    with _private_tempdir(target.parent, f".{target.name}.") as work:
        snapshot = work / DB_MEMBER
        _snapshot(db_file, snapshot, keyed)
        revision, counts, referenced, missing_blobs = _describe_snapshot(snapshot, keyed)
        temp = work / "archive.zip"
        store = photostore.FolderStore(location.photos_dir, keyed.sealing)
        header = location.header_path if keyed.key is not None else None
        members, missing = _write_archive(
            temp, snapshot, store, referenced, revision, counts, header, missing_blobs
        )
        verify_archive(temp)
        os.replace(temp, target)
        photostore.fsync_dir(target.parent)
    return BackupReport(
        path=target,
        revision=revision,
        counts=counts,
        photo_files=sum(1 for m in members if m.startswith(PHOTO_PREFIX)),
        size=target.stat().st_size,
        missing=tuple(missing),
    )


def _snapshot(db_file: Path, destination: Path, keyed: _Keyed) -> None:
    """SQLite's online backup: one consistent state even while others write.

    An encrypted journal's snapshot is written by SQLCipher under the same
    key, so it never exists in clear, not even in the work folder.
    """
    try:
        source = keyed.connect(f"file:{db_file}?mode=ro", uri=True, timeout=15)
    except keyed.errors as exc:
        raise JournalUnavailable(f"cannot read {db_file}: {exc}") from None
    _private_file(destination)
    target = keyed.connect(destination)
    try:
        source.execute("PRAGMA busy_timeout = 15000")
        source.backup(target)  # pages=-1: all in one step, one snapshot
        target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        status = target.execute("PRAGMA integrity_check").fetchone()[0]
    except keyed.errors as exc:
        raise JournalUnavailable(f"cannot snapshot {db_file}: {exc}") from None
    finally:
        target.close()
        source.close()
    if status != "ok":
        raise JournalUnavailable(
            f"the journal database is damaged ({status}); run journal doctor before backing up"
        )


def _describe_snapshot(
    db: Path, keyed: _Keyed
) -> tuple[str | None, dict[str, int], list[str], list[str]]:
    """Revision, counts, the photo files to copy, and (database store) the ones missing.

    A journal whose photos live in its database has nothing to copy: its
    photo files are rows of the snapshot; those a photo row names but the
    snapshot lacks are reported like missing files.
    """
    conn = keyed.connect(f"file:{db}?mode=ro", uri=True)
    try:
        revision = _revision(conn)
        counts = {t: _count(conn, t) for t in _TABLES}
        referenced: set[str] = set()
        if counts.get("photo"):
            for row in conn.execute("SELECT display_path, thumb_path, original_path FROM photo"):
                referenced.update(p for p in row if p)
        if _photos_in_database(conn):
            return revision, counts, [], sorted(referenced - _blob_names(conn))
    finally:
        conn.close()
    return revision, counts, sorted(referenced), []


def _photos_in_database(conn: Any) -> bool:
    try:
        row = conn.execute(
            "SELECT value FROM setting WHERE name = ?", (photostore.SETTING,)
        ).fetchone()
    except Exception:  # an older schema: no setting table, photos were files
        return False
    return bool(row and row[0] == photostore.DATABASE)


def _blob_names(conn: Any) -> set[str]:
    """The store names of the live photo files a database-backed journal holds."""
    rows = conn.execute(
        "SELECT sha256, which, extension FROM photo_blob WHERE trashed_batch IS NULL"
    )
    names: set[str] = set()
    for sha, which, ext in rows:
        with contextlib.suppress(ValueError):
            names.add(photostore.relative_path(sha, which, ext))
    return names


def _revision(conn: Any) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except Exception:  # sqlite3.Error or SQLCipher's: no version table
        return None
    return row[0] if row else None


def _count(conn: Any, table: str) -> int:
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except Exception:  # sqlite3.Error or SQLCipher's: no such table
        return 0


def _write_archive(
    path: Path,
    snapshot: Path,
    store: photostore.FolderStore,
    referenced: list[str],
    revision: str | None,
    counts: dict[str, int],
    header: Path | None = None,
    missing_blobs: list[str] | None = None,
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Photo files are copied as stored: a sealed store's sealed, under sealed names."""
    members: dict[str, dict[str, Any]] = {}
    missing: list[str] = list(missing_blobs or ())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as raw:
        with zipfile.ZipFile(raw, "w", allowZip64=True) as archive:
            members[DB_MEMBER] = _add(archive, DB_MEMBER, snapshot, zipfile.ZIP_DEFLATED)
            if header is not None:
                members[HEADER_MEMBER] = _add(archive, HEADER_MEMBER, header, zipfile.ZIP_DEFLATED)
            for rel in referenced:
                try:
                    name = store.stored_name(rel)
                    source = store.path(rel)
                except ValueError:
                    missing.append(rel)
                    continue
                if not source.is_file():
                    missing.append(rel)
                    continue
                members[PHOTO_PREFIX + name] = _add(
                    archive, PHOTO_PREFIX + name, source, zipfile.ZIP_STORED
                )
            manifest = {
                "format": FORMAT,
                "version": FORMAT_VERSION,
                "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "schema_revision": revision,
                "counts": counts,
                "members": members,
                "missing": missing,
                "encrypted": header is not None,
            }
            archive.writestr(
                MANIFEST, json.dumps(manifest, indent=1, sort_keys=True), zipfile.ZIP_DEFLATED
            )
        raw.flush()
        os.fsync(raw.fileno())
    return members, missing


def _add(archive: zipfile.ZipFile, name: str, source: Path, method: int) -> dict[str, Any]:
    """Copy a file into the archive while hashing exactly the bytes written."""
    info = zipfile.ZipInfo(name, date_time=_zip_time(source))
    info.compress_type = method
    info.external_attr = (0o100000 | PRIVATE_FILE) << 16
    with source.open("rb") as src, archive.open(info, "w", force_zip64=True) as dst:
        return zipfiles.digest_blocks(zipfiles.blocks_of(src, CHUNK), dst.write)


def _zip_time(path: Path) -> tuple[int, int, int, int, int, int]:
    stamp = dt.datetime.fromtimestamp(path.stat().st_mtime)
    stamp = max(stamp, dt.datetime(1980, 1, 1))
    return (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)


# -- verification -----------------------------------------------------------------


def verify_archive(path: str | os.PathLike[str]) -> Manifest:
    """Read every member back and check it against the manifest; raise on any doubt."""
    name = os.fspath(path)
    try:
        with zipfile.ZipFile(name) as archive:
            manifest = _read_manifest(archive, name)
            listed = set(manifest.members) | {MANIFEST}
            present = set(archive.namelist())
            if present - listed:
                extra = sorted(present - listed)[0]
                raise _bad(name, f"holds {extra!r}, which the manifest does not list")
            for member, expected in manifest.members.items():
                if member not in present:
                    raise _bad(name, f"is missing {member!r}")
                with archive.open(member) as fh:
                    found = zipfiles.digest_blocks(zipfiles.blocks_of(fh, CHUNK))
                if found != {"sha256": expected.get("sha256"), "size": expected.get("size")}:
                    raise _bad(name, f"member {member!r} does not match its manifest hash")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise _bad(name, f"is damaged or not a journal backup ({exc})") from None
    except OSError as exc:
        raise InvalidValue("archive", name, f"cannot be read: {exc.strerror or exc}") from None
    return manifest


def _read_manifest(archive: zipfile.ZipFile, name: str) -> Manifest:
    try:
        raw = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise _bad(name, "has no manifest.json: not a journal backup") from None
    except (ValueError, UnicodeDecodeError):
        raise _bad(name, "has an unreadable manifest.json") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise _bad(name, "is not a journal backup (unknown manifest format)")
    if raw.get("version") != FORMAT_VERSION:
        raise _bad(name, f"uses backup format version {raw.get('version')!r}; upgrade journal")
    members = raw.get("members")
    if not isinstance(members, dict) or DB_MEMBER not in members:
        raise _bad(name, "has no database in its manifest")
    for member in members:
        _check_member_name(name, member)
    return Manifest(
        created_at=str(raw.get("created_at", "")),
        revision=raw.get("schema_revision"),
        counts=dict(raw.get("counts") or {}),
        members=members,
        missing=tuple(raw.get("missing") or ()),
    )


def _check_member_name(archive: str, member: str) -> None:
    """Only the database, the key header and photo-store paths; nothing that could
    leave the folder."""
    if member in (DB_MEMBER, HEADER_MEMBER):
        return
    if not member.startswith(PHOTO_PREFIX):
        raise _bad(archive, f"holds an unexpected member {member!r}")
    rel = member.removeprefix(PHOTO_PREFIX)
    if not zipfiles.is_safe_member(rel) or len(PurePosixPath(rel).parts) != 2:
        raise _bad(archive, f"holds an unsafe path {member!r}")


def _bad(archive: str, reason: str) -> InvalidValue:
    return InvalidValue("archive", archive, reason)


# -- restore ----------------------------------------------------------------------


def restore(
    archive: str | os.PathLike[str],
    home: str | os.PathLike[str] | None = None,
    db_url: str | None = None,
    *,
    force: bool = False,
    location: Location | None = None,
) -> RestoreReport:
    """Replace (or create) the journal home with the archive's contents, all or nothing."""
    location = location or resolve_location(home, db_url)
    if not location.is_sqlite:
        raise BackupRefused(postgres_hint(location))
    home_path = location.home
    refuse_symlink(home_path, "journal home")  # the swap must replace a folder, not a link
    if location.sqlite_path != home_path / DB_FILENAME or location.photos_dir != (
        home_path / PHOTOS_DIRNAME
    ):
        raise BackupRefused(
            "restore needs the standard layout (journal.db and photos/ inside the home); "
            "unset JOURNAL_PHOTOS_DIR and --db/JOURNAL_DB_URL and pass --home"
        )
    leftovers = restore_leftovers(home_path)
    if not home_path.exists() and leftovers:
        raise BackupRefused(
            f"an earlier restore was interrupted: the previous journal is in {leftovers[0]}; "
            f"rename it back to {home_path} (or remove it) first"
        )
    holds = _holds_data(home_path)
    if holds and not force:
        raise BackupRefused(
            f"{home_path} already holds a journal ({holds}); pass --force to replace it"
        )
    archive_path = Path(archive).expanduser().absolute()
    manifest = verify_archive(archive_path)
    _check_revision(archive_path, manifest.revision)
    home_path.parent.mkdir(parents=True, exist_ok=True)
    with _stop_only_when_safe() as stop_point:
        staging = Path(tempfile.mkdtemp(prefix=f".{home_path.name}.restore-", dir=home_path.parent))
        try:
            staging.chmod(PRIVATE_DIR)
            photo_files = _unpack(archive_path, manifest, staging, stop_point)
            keyed = _Keyed(_archive_key(staging, home_path, manifest))
            names = _verify_unpacked(archive_path, staging, manifest, keyed)
            _vet_photo_files(archive_path, staging, keyed, names)
            stop_point()
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)  # only ever our own unpacked copy
            raise
        replaced = _swap_in(staging, home_path)
    return RestoreReport(
        home=home_path,
        revision=manifest.revision,
        counts=manifest.counts,
        photo_files=photo_files,
        replaced=replaced,
    )


def _archive_key(staging: Path, home: Path, manifest: Manifest) -> bytes | None:
    """The journal key of an encrypted backup: its header, unlocked by the passphrase
    the journal had when it was backed up, or by its recovery key (asked as every
    command asks). The key is kept for the restored home, so the journal opens
    after the swap without asking again."""
    from journal.services import unlock
    from journal.store.location import resolve_location

    if HEADER_MEMBER not in manifest.members:
        return None
    key = unlock.journal_key(resolve_location(staging, None))
    if key is not None:
        unlock.remember_key(resolve_location(home, None), key)
    return key


def restore_leftovers(home: Path) -> list[Path]:
    """Folders an interrupted restore left beside `home` (newest first)."""
    parent = home.parent
    if not parent.is_dir():
        return []
    found = [
        p
        for p in parent.iterdir()
        if p.is_dir()
        and (p.name.startswith(f"{home.name}.bak-") or p.name.startswith(f".{home.name}.restore-"))
    ]
    return sorted(found, key=lambda p: p.name, reverse=True)


def _holds_data(home: Path) -> str | None:
    """Why `home` counts as holding a journal, or None when it is absent or empty."""
    if not home.exists():
        return None
    if not home.is_dir():
        return "it is a file"
    ignorable = {DB_FILENAME, f"{DB_FILENAME}-wal", f"{DB_FILENAME}-shm", ".migrate.lock"}
    for entry in home.iterdir():
        if entry.name == PHOTOS_DIRNAME and entry.is_dir():
            if any(p.is_file() for p in entry.rglob("*")):
                return "photo files"
        elif entry.name not in ignorable:
            return f"other files, e.g. {entry.name}"
    db = home / DB_FILENAME
    if not db.is_file() or db.stat().st_size == 0:
        return None
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=15)
        try:
            rows = sum(_count(conn, t) for t in (*_TABLES, *_OLD_TABLES))
        finally:
            conn.close()
    except sqlite3.Error:
        return "a database that cannot be read"
    return f"{rows} records" if rows else None


def _check_revision(archive: Path, revision: str | None) -> None:
    from journal.store.migrate import migrations_dir

    if revision is None:
        raise _bad(str(archive), "holds a database without a journal schema")
    if not any((migrations_dir() / "versions").glob(f"{revision}_*.py")):
        raise _bad(
            str(archive),
            f"was made by a newer release of journal (schema {revision}); upgrade journal first",
        )


class RestoreStopped(JournalError):
    """A termination signal arrived during a restore; the unpacked copy was removed."""

    exit_code = 130


@contextlib.contextmanager
def _stop_only_when_safe() -> Iterator[Callable[[], None]]:
    """Defer SIGTERM/SIGHUP to safe points, so a stopped restore cleans up after itself.

    Python's default for these signals is to die at once, skipping every
    `finally`: the unpacked copy would stay beside the home. While a restore
    runs they only note that a stop was asked; `stop_point()` raises at the
    moments where stopping loses nothing. Once the swap has begun it runs to
    its end, and the signal is delivered again afterwards.
    """
    asked: list[int] = []

    def note(signum: int, _frame: object) -> None:
        asked.append(signum)

    def stop_point() -> None:
        if asked:
            raise RestoreStopped("restore stopped by a signal; the journal was not changed")

    watched = [getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n)]
    if threading.current_thread() is not threading.main_thread():
        yield stop_point
        return
    previous = {sig: signal.signal(sig, note) for sig in watched}
    try:
        yield stop_point
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if asked:
        signal.raise_signal(asked[0])


def _unpack(
    archive: Path, manifest: Manifest, staging: Path, stop_point: Callable[[], None]
) -> int:
    """Extract every member into `staging`, hashing again what lands on disk."""
    photos = staging / PHOTOS_DIRNAME
    photos.mkdir(mode=PRIVATE_DIR)
    count = 0
    with zipfile.ZipFile(archive) as zf:
        for member, expected in manifest.members.items():
            stop_point()
            if member == DB_MEMBER:
                target = staging / DB_FILENAME
            elif member == HEADER_MEMBER:
                target = staging / HEADER_MEMBER
            else:
                target = photostore.resolve(photos, member.removeprefix(PHOTO_PREFIX))
                target.parent.mkdir(mode=PRIVATE_DIR, exist_ok=True)
                count += 1
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
            with os.fdopen(fd, "wb") as out, zf.open(member) as src:
                written = zipfiles.digest_blocks(zipfiles.blocks_of(src, CHUNK), out.write)
                out.flush()
                os.fsync(out.fileno())
            if written["sha256"] != expected["sha256"]:
                raise _bad(str(archive), f"member {member!r} changed while it was restored")
    return count


def _verify_unpacked(
    archive: Path, staging: Path, manifest: Manifest, keyed: _Keyed
) -> dict[str, str]:
    """The restored database is sound and every photo row has its files (in the photo
    folder, sealed names for an encrypted journal; or as blobs in the database).

    Returns each photo file's store name by the name it has on disk.
    """
    db = staging / DB_FILENAME
    conn = keyed.connect(db)
    blobs: set[str] | None = None
    try:
        status = conn.execute("PRAGMA integrity_check").fetchone()[0]
        revision = _revision(conn)
        paths: set[str] = set()
        for row in conn.execute("SELECT display_path, thumb_path, original_path FROM photo"):
            paths.update(p for p in row if p)
        if _photos_in_database(conn):
            blobs = _blob_names(conn)
    except keyed.errors as exc:
        raise _bad(str(archive), f"holds an unreadable database ({exc})") from None
    finally:
        conn.close()
    if status != "ok":
        raise _bad(str(archive), f"holds a damaged database ({status})")
    if revision != manifest.revision:
        raise _bad(str(archive), "holds a database that does not match its manifest")
    store = photostore.FolderStore(staging / PHOTOS_DIRNAME, keyed.sealing)
    wanted = paths - set(manifest.missing)
    if blobs is not None:
        absent = sorted(wanted - blobs)
    else:
        absent = sorted(p for p in wanted if not store.present([p]))
    if absent:
        raise _bad(str(archive), f"lacks {len(absent)} photo file(s), e.g. {absent[0]}")
    names: dict[str, str] = {}
    for name in paths:
        with contextlib.suppress(ValueError):
            names[store.stored_name(name)] = name
    return names


def _vet_photo_files(archive: Path, staging: Path, keyed: _Keyed, names: dict[str, str]) -> None:
    """Every unpacked photo file passes the checks an archive import's do.

    A backup is a door into the photo store like any other: a file that does
    not decode (garbage, a bomb, a truncated image) refuses the restore before
    anything is swapped in; a display copy or thumbnail carrying metadata (as
    archive imports before this check could store) is re-encoded in place.
    """
    from journal.core.errors import BadPhoto
    from journal.imaging import pipeline
    from journal.store.sealed import SealedFileDamaged

    photos = staging / PHOTOS_DIRNAME
    sealing = keyed.sealing
    for path in sorted(p for p in photos.rglob("*") if p.is_file()):
        relative = path.relative_to(photos).as_posix()
        data = path.read_bytes()
        try:
            plain = data if sealing is None else sealing.unseal(data, relative)
            vetted = pipeline.vet_store_file(plain, PHOTO_PREFIX + names.get(relative, relative))
        except BadPhoto as exc:
            raise _bad(str(archive), f"member {exc.path!r} {exc.reason}") from None
        except SealedFileDamaged as exc:
            raise _bad(str(archive), f"member {PHOTO_PREFIX + relative!r} {exc.reason}") from None
        if vetted is not plain:
            stored = vetted if sealing is None else sealing.seal(vetted, relative)
            photostore.write_file(photos, relative, stored)


def _swap_in(staging: Path, home: Path) -> bool:
    """Put `staging` where `home` is; the old home survives until the new one opens.

    After the swap the staging path never holds the old home for long: it is
    renamed to `<home>.bak-...` at once, and that name is what an interrupted
    restore leaves behind for the user (and `journal doctor`) to find.
    """
    from journal.services.journal import open_journal

    if not home.exists():
        try:
            os.rename(staging, home)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        photostore.fsync_dir(home.parent)
        try:
            open_journal(home, None).close()
        except BaseException:
            shutil.rmtree(home, ignore_errors=True)  # the restored copy, nothing else
            raise
        return False
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    old = home.with_name(f"{home.name}.bak-{stamp}-{secrets.token_hex(3)}")
    if _exchange(staging, home):  # atomic: the home is never absent
        os.rename(staging, old)
    else:
        os.rename(home, old)
        try:
            os.rename(staging, home)
        except BaseException:
            os.rename(old, home)
            shutil.rmtree(staging, ignore_errors=True)
            raise
    photostore.fsync_dir(home.parent)
    try:
        open_journal(home, None).close()
    except BaseException:
        failed = home.with_name(f".{home.name}.failed-restore-{secrets.token_hex(3)}")
        os.rename(home, failed)
        os.rename(old, home)
        shutil.rmtree(failed, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return True


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with renameat2(RENAME_EXCHANGE) where Linux has it."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(result == 0)


# -- file helpers -----------------------------------------------------------------


@contextlib.contextmanager
def _private_tempdir(parent: Path, prefix: str) -> Iterator[Path]:
    """A 0700 work folder on the target's file system (renames stay atomic), always removed."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        path.chmod(PRIVATE_DIR)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _private_file(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    os.close(fd)
