"""`journal doctor`: check that a journal is whole, and optionally repair what is safe.

A journal can be hurt by things outside its control: a full disk, a killed
process, a sync tool that copied half a folder, a restore of an old backup.
The doctor answers "is everything still there?" with one verdict per check:

* database     SQLite `PRAGMA integrity_check` (or `quick_check`) and
               `foreign_key_check`; on PostgreSQL: the server answers and every
               table and column of the schema exists.
* schema       the stored Alembic revision against the packaged head.
* results      every course's stored result (score, verdict, red flags, last
               visit: what the provider list reads) equals a fresh computation
               from its records; `--repair` recomputes them all.
* photos       every photo row has its display copy and thumbnail, and they
               decode; a kept original still hashes to the row's sha256.
* orphans      files in the photo store that no row points to.
* temp files   hidden temporary files left by interrupted writes.
* permissions  home 0700, database and photo files 0600 (health data); no
               symbolic links where the journal keeps its files.
* keys         an encrypted journal only (docs/privacy.md): the key header
               parses and is intact, the passphrase or recovery key unlocks
               it, and the key opens the database; the photo check then
               verifies every sealed file's authentication tag, and the
               orphan check names photo files left in clear.

It never opens the journal the normal way (that would create or migrate it
and hide what it found). `repair=True` does only what loses nothing: migrate
to head, re-render a damaged display copy or thumbnail from a kept original,
move unreferenced and temporary files aside into
`photos/.orphaned/<timestamp>/` (never deleted: the doctor cannot know a file
is worthless), restore a dropped schema version table by recognising the
schema actually present, and restore private permissions. It never follows a
symbolic link (it reports one), never adopts a foreign database, and names a
full disk or a read-only one as such rather than calling the journal damaged.
Files younger than `grace` are left alone and not counted as problems: a photo
import writes its files before it commits their rows, and an import may be
running right now.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import stat
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journal.store import photostore
from journal.store.location import (
    PRIVATE_DIR,
    PRIVATE_FILE,
    Location,
    resolve_location,
    set_mode,
)
from journal.store.photostore import ORPHANED_DIRNAME

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from journal.store.keys import Header
    from journal.store.sealed import Sealing

OK, PROBLEM, REPAIRED, SKIPPED = "ok", "problem", "repaired", "skipped"
DEFAULT_GRACE_S = 3600.0
MAX_DETAILS = 50
_SHARD = re.compile(r"^[0-9a-f]{2}$")


@dataclass(frozen=True)
class Check:
    """One verdict: `status` is ok, problem, repaired or skipped; `summary` is one line."""

    name: str
    status: str
    summary: str
    details: tuple[str, ...] = ()

    @property
    def healthy(self) -> bool:
        return self.status != PROBLEM


@dataclass(frozen=True)
class DoctorReport:
    home: Path
    database: str
    checks: tuple[Check, ...]
    moved_to: Path | None = None

    @property
    def healthy(self) -> bool:
        return all(c.healthy for c in self.checks)

    @property
    def problems(self) -> int:
        return sum(not c.healthy for c in self.checks)

    def check(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)


@dataclass
class _Context:
    location: Location
    repair: bool
    quick: bool
    grace_s: float
    now: float
    engine: Engine | None = None
    photo_rows: list[dict[str, Any]] | None = None
    stamp: str = ""
    rows_readable: bool = True  # False when there is no schema, or a newer one
    moved: list[Path] = field(default_factory=list)
    sealing: Sealing | None = None  # an encrypted journal's photo keys, once unlocked
    key_pragma: str | None = None  # and its database key

    @property
    def aside_dir(self) -> Path:
        return self.location.photos_dir / ORPHANED_DIRNAME / self.stamp


def diagnose(
    home: str | os.PathLike[str] | None = None,
    db_url: str | None = None,
    *,
    location: Location | None = None,
    repair: bool = False,
    quick: bool = False,
    grace_s: float = DEFAULT_GRACE_S,
) -> DoctorReport:
    """Run every check in order; later checks are skipped when the database is unusable."""
    location = location or resolve_location(home, db_url)
    ctx = _Context(
        location=location,
        repair=repair,
        quick=quick,
        grace_s=grace_s,
        now=time.time(),
        stamp=dt.datetime.now().strftime("%Y%m%d-%H%M%S"),
    )
    checks: list[Check] = []
    try:
        keys_check = _check_keys(ctx)
        if keys_check is not None:
            checks.append(keys_check)
            if keys_check.status == PROBLEM:
                return _report(ctx, checks, [_skipped(n, "keys") for n in _AFTER_KEYS])
        checks.append(_check_database(ctx))
        usable = checks[-1].status != PROBLEM
        if usable and ctx.location.sqlite_path is None:  # its header is a row: read it now
            keys_check = _check_keys(ctx)
            if keys_check is not None:
                checks.append(keys_check)
                if keys_check.status == PROBLEM:
                    return _report(ctx, checks, [_skipped(n, "keys") for n in _AFTER_KEYS[1:]])
        checks.append(_check_schema(ctx) if usable else _skipped("schema", "database"))
        readable = usable and ctx.rows_readable
        at_head = usable and checks[-1].status in (OK, REPAIRED)
        checks.append(_check_photos(ctx) if readable else _skipped("photos", checks[-1].name))
        checks.append(_check_results(ctx) if at_head else _skipped("results", "schema"))
        if readable:
            checks.append(_check_erasures(ctx))
        checks.append(_check_orphans(ctx) if readable else _skipped("orphans", checks[-1].name))
        checks.append(_check_temp_files(ctx))
        checks.append(_check_deleted_photos(ctx))
        checks.append(_check_permissions(ctx))
    finally:
        if ctx.engine is not None:
            ctx.engine.dispose()
    return _report(ctx, checks, [])


def _report(ctx: _Context, checks: list[Check], rest: list[Check]) -> DoctorReport:
    return DoctorReport(
        home=ctx.location.home,
        database=_describe_db(ctx.location),
        checks=(*checks, *rest),
        moved_to=ctx.aside_dir if ctx.moved else None,
    )


_AFTER_KEYS = ("database", "schema", "photos", "orphans")


def _skipped(name: str, cause: str) -> Check:
    return Check(name, SKIPPED, f"not checked until the {cause} problem above is fixed")


def _describe_db(location: Location) -> str:
    path = location.sqlite_path
    if path is not None:
        return str(path)
    url = location.db_url
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"  # never print a password


# -- database ---------------------------------------------------------------------


def _check_database(ctx: _Context) -> Check:
    from sqlalchemy.exc import DBAPIError

    from journal.store.engine import make_engine

    db_file = ctx.location.sqlite_path
    if db_file is not None and os.path.islink(db_file):
        return Check("database", PROBLEM, f"{db_file} is a symbolic link; not followed")
    if ctx.location.is_sqlite and db_file is not None and not db_file.is_file():
        return Check("database", PROBLEM, f"no journal database at {db_file}")
    try:
        ctx.engine = make_engine(ctx.location.db_url, key_pragma=ctx.key_pragma)
        if ctx.engine.dialect.name == "sqlite":
            return _sqlite_integrity(ctx, ctx.engine)
        return _postgres_health(ctx.engine)
    except DBAPIError as exc:
        if ctx.key_pragma is not None:
            return _key_does_not_open(exc, db_file)
        return Check("database", PROBLEM, _unreadable(exc, db_file))


def _unreadable(exc: Exception, db_file: Path | None) -> str:
    """Why the database cannot be read, and the safe next step for that cause.

    A full disk or a read-only file system damage nothing: "restore a backup"
    would be the wrong advice there.
    """
    from journal.core.errors import DiskFull, JournalReadOnly
    from journal.store.engine import explain_database_error, free_bytes

    explained = explain_database_error(exc, db_file)
    if isinstance(explained, DiskFull):
        free = free_bytes(db_file.parent if db_file else None)
        left = f" ({free // 1024} KB free)" if free is not None else ""
        return (
            f"the disk is full{left}: free space and run journal doctor again;"
            " nothing is known to be damaged"
        )
    if isinstance(explained, JournalReadOnly):
        return f"cannot read the database: {explained}; it is read-only, not damaged"
    hint = "; restore a backup (journal restore)" if db_file is not None else ""
    return f"cannot read the database: {_first_line(getattr(exc, 'orig', exc))}{hint}"


def _sqlite_integrity(ctx: _Context, engine: Engine) -> Check:
    from sqlalchemy.exc import DBAPIError

    pragma = "quick_check" if ctx.quick else "integrity_check"
    with engine.connect() as conn:
        try:
            found = [row[0] for row in conn.exec_driver_sql(f"PRAGMA {pragma}")]
        except DBAPIError as exc:
            # integrity_check gives up with "malformed" where quick_check still lists pages
            conn.rollback()
            found = [_first_line(exc.orig)]
            with contextlib.suppress(DBAPIError):
                found += [row[0] for row in conn.exec_driver_sql("PRAGMA quick_check")]
            found = [line for line in found if line != "ok"]
        broken_links = list(conn.exec_driver_sql("PRAGMA foreign_key_check"))
        version = conn.exec_driver_sql("SELECT sqlite_version()").scalar()
        shape = _schema_shape_problems(conn)
    problems = [part for line in found if line != "ok" for part in line.splitlines()]
    problems += [
        f"{table} row {rowid} points to a missing {parent} row"
        for table, rowid, parent, _fk in broken_links
    ]
    size = _size_text(ctx.location.sqlite_path)
    if problems:
        return Check(
            "database",
            PROBLEM,
            f"{pragma} found {len(problems)} problem(s); restore a backup (journal restore)",
            tuple(problems[:MAX_DETAILS]),
        )
    if shape:
        return Check("database", PROBLEM, "the schema is incomplete", tuple(shape[:MAX_DETAILS]))
    return Check("database", OK, f"SQLite {version} {pragma}: ok, foreign keys: ok ({size})")


def _postgres_health(engine: Engine) -> Check:
    with engine.connect() as conn:
        version = conn.exec_driver_sql("SHOW server_version").scalar()
        shape = _schema_shape_problems(conn)
    if shape:
        return Check(
            "database",
            PROBLEM,
            f"PostgreSQL {version} answers, but the schema is incomplete",
            tuple(shape[:MAX_DETAILS]),
        )
    return Check("database", OK, f"PostgreSQL {version} answers; every table and column exists")


def _schema_shape_problems(conn: Any) -> list[str]:
    """Tables and columns the models expect but the database lacks.

    An empty database is not a problem here (the schema check says it needs
    migrating); a half-present schema is. Neither is a database at an older
    revision: its tables are that revision's (0003 renamed the sessions
    table), and the schema check reports it and `--repair` migrates it.
    """
    from sqlalchemy import inspect

    from journal.store import migrate
    from journal.store.models import Base

    stored = migrate.stored_revision(conn)
    if stored is not None and stored != migrate.HEAD_REVISION:
        return []
    inspector = inspect(conn)
    existing = set(inspector.get_table_names())
    tables = Base.metadata.sorted_tables
    if not existing & {t.name for t in tables}:
        return []
    missing: list[str] = []
    for table in tables:
        if table.name not in existing:
            missing.append(f"table {table.name} is missing")
            continue
        have = {c["name"] for c in inspector.get_columns(table.name)}
        missing += [
            f"column {table.name}.{c.name} is missing" for c in table.columns if c.name not in have
        ]
    return missing


# -- schema -----------------------------------------------------------------------


def _check_schema(ctx: _Context) -> Check:
    from journal.store import migrate

    assert ctx.engine is not None
    with ctx.engine.connect() as conn:
        state, tables = migrate.schema_state(conn)
        stored = migrate.stored_revision(conn) if state == migrate.VERSIONED else None
    head = migrate.HEAD_REVISION
    if state == migrate.FOREIGN:
        ctx.rows_readable = False
        return Check("schema", PROBLEM, migrate.foreign_message(tables))
    if state == migrate.UNVERSIONED:
        return _missing_version_table(ctx)
    if stored == head:
        return Check("schema", OK, f"at revision {head} (current)")
    known = stored is None or any((migrate.migrations_dir() / "versions").glob(f"{stored}_*.py"))
    if not known:
        ctx.rows_readable = False
        return Check(
            "schema",
            PROBLEM,
            f"at revision {stored}, made by a newer release of journal (this one knows {head});"
            " upgrade journal",
        )
    where = "empty (no schema yet)" if stored is None else f"at revision {stored}"
    if not ctx.repair:
        ctx.rows_readable = stored is not None
        return Check("schema", PROBLEM, f"{where}, head is {head}; --repair migrates it")
    lock = ctx.location.home / ".migrate.lock" if ctx.location.sqlite_path else None
    migrate.ensure_schema(ctx.engine, lock)
    return Check("schema", REPAIRED, f"was {where}; migrated to {head}")


def _missing_version_table(ctx: _Context) -> Check:
    """Journal tables without Alembic's version table: recognise the schema, stamp it.

    Migrating "from nothing" would try to create tables that exist; the
    records are fine, only the note of which revision they are at is gone.
    """
    from journal.store import migrate

    assert ctx.engine is not None
    records = _record_count(ctx.engine)
    what = f"{migrate.MISSING_VERSION_TABLE} ({records} record(s) present)"
    with ctx.engine.connect() as conn:
        found = migrate.detect_revision(conn)
    if found is None:
        ctx.rows_readable = False
        return Check(
            "schema",
            PROBLEM,
            f"{what}; the tables match no known revision: restore a backup (journal restore)",
        )
    if not ctx.repair:
        return Check(
            "schema", PROBLEM, f"{what}; the tables match revision {found}; --repair restores it"
        )
    migrate.stamp(ctx.engine, found)
    lock = ctx.location.home / ".migrate.lock" if ctx.location.sqlite_path else None
    migrate.ensure_schema(ctx.engine, lock)
    return Check(
        "schema",
        REPAIRED,
        f"{what}: recognised revision {found}, restored the version table,"
        f" migrated to {migrate.HEAD_REVISION}",
    )


def _record_count(engine: Engine) -> int:
    from sqlalchemy import func, select

    from journal.store.models import Base

    total = 0
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            try:
                total += int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)
            except Exception:  # a missing table is the database check's finding
                conn.rollback()
    return total


# -- stored course results ----------------------------------------------------------


def _check_results(ctx: _Context) -> Check:
    """Stored results against their records: a finding names each course that differs.

    Repairing recomputes every course under the journal's write lock, so a
    writer committing meanwhile cannot be overwritten with an older result.
    """
    from journal.services.results import rebuild_results, result_mismatches
    from journal.store.engine import for_writing

    assert ctx.engine is not None
    with ctx.engine.connect() as conn:
        found = result_mismatches(conn)
    if not found:
        return Check("results", OK, "every course's stored result matches its records")
    details = tuple(f"course {cid.hex[:8]}: {why}" for cid, why in found[:MAX_DETAILS])
    what = f"{len(found)} course result(s) differ from their records"
    if not ctx.repair:
        return Check("results", PROBLEM, f"{what}; --repair recomputes them", details)
    with for_writing(ctx.engine).begin() as conn:
        total = rebuild_results(conn)
    return Check("results", REPAIRED, f"{what}: recomputed all {total}", details)


# -- photos -----------------------------------------------------------------------


def _load_photo_rows(ctx: _Context) -> list[dict[str, Any]]:
    if ctx.photo_rows is None:
        from sqlalchemy import select

        from journal.store.models import PhotoRow

        assert ctx.engine is not None
        table = PhotoRow.__table__
        columns = ("id", "sha256", "display_path", "thumb_path", "original_path")
        with ctx.engine.connect() as conn:
            result = conn.execute(select(*(table.c[name] for name in columns)))
            ctx.photo_rows = [dict(row._mapping) for row in result]
    return ctx.photo_rows


def _photo_store_kind(ctx: _Context) -> str:
    """The store the journal's `photo_store` setting names (folder when unset)."""
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from journal.store.models import SettingRow
    from journal.store.photostore import DATABASE, FOLDER, SETTING

    assert ctx.engine is not None
    try:
        with ctx.engine.connect() as conn:
            query = select(SettingRow.value).where(SettingRow.name == SETTING)
            value = conn.execute(query).scalar()
    except SQLAlchemyError:  # an older schema (no `setting` table yet): photos were files
        return FOLDER
    return DATABASE if value == DATABASE else FOLDER


def _check_photo_blobs(ctx: _Context) -> Check:
    """Database photos: every row's files present, and (unless --quick) their bytes
    hash to the digest written with them. Streamed row by row: bounded memory."""
    from sqlalchemy import select

    from journal.store.models import PhotoBlobRow as B
    from journal.store.photostore import digest, parse_name

    rows = _load_photo_rows(ctx)
    assert ctx.engine is not None
    wanted: dict[tuple[str, str], str] = {}
    for row in rows:
        label = str(row["id"]).replace("-", "")[:8]
        for which in ("display", "thumb", "original"):
            rel = row[f"{which}_path"]
            if rel is None:
                continue
            try:
                sha, kind, _ext = parse_name(rel)
            except ValueError:
                wanted[(rel, which)] = label
                continue
            wanted[(sha, kind)] = label
    found: dict[tuple[str, str], str | None] = {}
    columns = (B.sha256, B.which, B.digest) if ctx.quick else (B.sha256, B.which, B.digest, B.data)
    with ctx.engine.connect() as conn:
        result = conn.execution_options(yield_per=50).execute(
            select(*columns).where(B.trashed_batch.is_(None))
        )
        for item in result:
            key = (item.sha256, item.which)
            if key not in wanted:
                continue
            bad = not ctx.quick and digest(bytes(item.data)) != item.digest
            found[key] = "damaged: its bytes do not match their hash" if bad else None
    problems = []
    damaged = set()
    for (sha, which), label in wanted.items():
        why = found.get((sha, which), "missing from the database")
        if why is not None:
            damaged.add(label)
            problems.append(f"photo {label} {which}: {why}")
    checked = f"{len(rows)} photo(s), {len(wanted)} file(s) in the database"
    if problems:
        return Check(
            "photos",
            PROBLEM,
            f"{len(damaged)} of {len(rows)} photos have missing or damaged files;"
            " re-import them or restore a backup",
            tuple(problems[:MAX_DETAILS]),
        )
    mode = "present" if ctx.quick else "present and hash right"
    return Check("photos", OK, f"{checked}: all {mode}")


def _check_blob_orphans(ctx: _Context) -> Check:
    """Database photo files no photo row refers to; --repair marks them deleted, so
    they are purged after the grace period like any deleted photo (never at once)."""
    import uuid

    from sqlalchemy import select, tuple_, update

    from journal.store.engine import for_writing
    from journal.store.models import PhotoBlobRow as B
    from journal.store.photostore import relative_path

    referenced: set[str] = set()
    for row in _load_photo_rows(ctx):
        referenced.update(row[k] for k in ("display_path", "thumb_path", "original_path") if row[k])
    assert ctx.engine is not None
    with ctx.engine.connect() as conn:
        live = conn.execute(
            select(B.sha256, B.which, B.extension).where(B.trashed_batch.is_(None))
        ).all()
    orphans = [(sha, which, ext) for sha, which, ext in live]
    orphans = [o for o in orphans if relative_path(*o) not in referenced]
    if not orphans:
        return Check("orphans", OK, "no database photo file without its photo")
    details = tuple(relative_path(*o) for o in orphans[:MAX_DETAILS])
    if not ctx.repair:
        return Check(
            "orphans",
            PROBLEM,
            f"{len(orphans)} database photo file(s) no photo points to; --repair marks them"
            " deleted (purged after the grace period)",
            details,
        )
    batch = uuid.uuid4()
    with for_writing(ctx.engine).begin() as conn:
        conn.execute(
            update(B)
            .where(tuple_(B.sha256, B.which).in_([(sha, which) for sha, which, _ in orphans]))
            .values(trashed_batch=batch, trashed_at=dt.datetime.now(dt.UTC))
        )
    return Check("orphans", REPAIRED, f"marked {len(orphans)} file(s) deleted", details)


def _check_photos(ctx: _Context) -> Check:
    if ctx.sealing is not None:
        return _check_sealed_photos(ctx, ctx.sealing)
    if _photo_store_kind(ctx) == "database":
        return _check_photo_blobs(ctx)
    rows = _load_photo_rows(ctx)
    root = ctx.location.photos_dir
    verdicts = _verify_files(root, rows, ctx.quick)
    problems: list[str] = []
    damaged: set[str] = set()
    repaired: list[str] = []
    for row in rows:
        bad = {
            which: why
            for which in ("display", "thumb", "original")
            if row[f"{which}_path"] is not None
            and (why := _verdict(verdicts, row, which)) is not None
        }
        if not bad:
            continue
        label = str(row["id"]).replace("-", "")[:8]
        if ctx.repair and "original" not in bad and row["original_path"]:
            failure = _rerender(root, row, list(bad))
            if failure is None:
                repaired.append(f"photo {label}: re-rendered {', '.join(bad)} from the original")
                continue
            bad["repair"] = failure
        damaged.add(label)
        problems += [f"photo {label} {which}: {why}" for which, why in bad.items()]
    checked = f"{len(rows)} photo(s), {len(verdicts)} file(s)"
    if problems:
        return Check(
            "photos",
            PROBLEM,
            f"{len(damaged)} of {len(rows)} photos have missing or damaged files;"
            " re-import them or restore a backup",
            tuple((repaired + problems)[:MAX_DETAILS]),
        )
    if repaired:
        return Check("photos", REPAIRED, f"{checked}: repaired {len(repaired)}", tuple(repaired))
    mode = "exist" if ctx.quick else "exist and decode"
    return Check("photos", OK, f"{checked}: all {mode}")


def _verdict(verdicts: dict[str, str | None], row: dict[str, Any], which: str) -> str | None:
    found = verdicts[row[f"{which}_path"]]
    if which != "original" or found is None or not found.startswith("sha256:"):
        return found
    digest = found.removeprefix("sha256:")
    return None if digest == row["sha256"] else "the bytes no longer match the photo's sha256"


def _verify_files(root: Path, rows: list[dict[str, Any]], quick: bool) -> dict[str, str | None]:
    """Store path -> None when the file is good, else a reason (originals: 'sha256:<hex>').

    Paths shared by several rows are checked once; decoding runs on a few
    threads because Pillow releases the GIL while it decodes.
    """
    jobs: dict[str, Callable[[], str | None]] = {}
    for row in rows:
        for which in ("display", "thumb", "original"):
            rel = row[f"{which}_path"]
            if rel is None or rel in jobs:
                continue
            jobs[rel] = _job(root, rel, which == "original", quick)
    workers = max(1, min(8, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = pool.map(lambda job: job(), jobs.values())
        return dict(zip(jobs, results, strict=True))


def _job(root: Path, rel: str, is_original: bool, quick: bool) -> Callable[[], str | None]:
    def run() -> str | None:
        try:
            path = photostore.resolve(root, rel)
        except ValueError:
            return "its path points outside the photo store"
        if _linked(root, path):
            return f"is a symbolic link, not followed ({rel})"
        if not path.is_file():
            return f"missing ({rel})"
        if quick:
            return None if path.stat().st_size else f"empty ({rel})"
        if is_original:
            return "sha256:" + _sha256(path)
        return _decode_problem(path, rel)

    return run


def _decode_problem(path: Path, rel: str) -> str | None:
    """None if the JPEG decodes to the end (at 1/8 scale: every byte still parsed)."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            if image.format == "JPEG":
                image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
    except Exception as exc:
        return f"does not decode ({rel}: {_first_line(exc)})"
    return None


def _linked(root: Path, path: Path) -> bool:
    """True if `path` or its shard folder is a symbolic link (never read through one)."""
    return path.is_symlink() or path.parent.is_symlink() or root.is_symlink()


def _rerender(root: Path, row: dict[str, Any], bad: list[str]) -> str | None:
    """Write fresh derivatives from the kept original; None on success, else why not."""
    from journal.core.errors import BadPhoto
    from journal.imaging import pipeline

    paths = [row["original_path"], *(row[f"{which}_path"] for which in bad)]
    if any(_linked(root, photostore.resolve(root, rel)) for rel in paths):
        return "a symbolic link is in the way; remove it first"
    try:
        done = pipeline.process(photostore.resolve(root, row["original_path"]))
    except (BadPhoto, ValueError, OSError) as exc:
        return f"could not re-render from the original: {_first_line(exc)}"
    data = {"display": done.rendered.display, "thumb": done.rendered.thumb}
    for which in bad:
        photostore.write_file(root, row[f"{which}_path"], data[which])
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- orphans and temp files -------------------------------------------------------


def _store_files(root: Path) -> Iterator[tuple[str, Path, bool]]:
    """(store-relative path, path, is_temp) of every file in the shard folders."""
    if root.is_symlink() or not root.is_dir():
        return
    for shard in sorted(root.iterdir()):
        if shard.is_symlink() or not (shard.is_dir() and _SHARD.match(shard.name)):
            continue
        for path in sorted(shard.iterdir()):
            if path.is_file() and not path.is_symlink():
                yield f"{shard.name}/{path.name}", path, path.name.startswith(".")


def _check_erasures(ctx: _Context) -> Check:
    """A patient erasure killed after its commit leaves their photo files behind; finish it
    before the orphan check would merely set them aside (kept, which erasure must not)."""
    from journal.services.erasure import PENDING_DIRNAME, finish_pending

    folder = ctx.location.photos_dir / PENDING_DIRNAME
    pending = sorted(folder.glob("*.json")) if folder.is_dir() and not folder.is_symlink() else []
    if not pending:
        return Check("erasures", OK, "none interrupted")
    if not ctx.repair:
        return Check(
            "erasures",
            PROBLEM,
            f"{len(pending)} patient erasure(s) interrupted; --repair removes their files",
        )
    from sqlalchemy import select

    from journal.store.models import PatientRow

    assert ctx.engine is not None
    with ctx.engine.connect() as conn:

        def exists(patient_id: Any) -> bool:
            found = conn.execute(select(PatientRow.id).where(PatientRow.id == patient_id))
            return found.first() is not None

        store = photostore.FolderStore(ctx.location.photos_dir, ctx.sealing)
        removed = finish_pending(ctx.location.photos_dir, exists, store)
    return Check(
        "erasures", REPAIRED, f"finished {len(pending)} erasure(s): {removed} file(s) removed"
    )


def _check_orphans(ctx: _Context) -> Check:
    if _photo_store_kind(ctx) == "database":
        return _check_blob_orphans(ctx)
    if ctx.sealing is not None:
        return _check_sealed_orphans(ctx, ctx.sealing)
    referenced: set[str] = set()
    for row in _load_photo_rows(ctx):
        referenced.update(row[k] for k in ("display_path", "thumb_path", "original_path") if row[k])
    found = [
        (rel, path)
        for rel, path, is_temp in _store_files(ctx.location.photos_dir)
        if not is_temp and rel not in referenced
    ]
    return _files_verdict(ctx, "orphans", "file(s) no photo points to", "unreferenced files", found)


def _check_temp_files(ctx: _Context) -> Check:
    found = [(rel, p) for rel, p, is_temp in _store_files(ctx.location.photos_dir) if is_temp]
    check = _files_verdict(
        ctx,
        "temp files",
        "temporary file(s) left by interrupted writes",
        "leftover temp files",
        found,
    )
    leftovers = _restore_leftovers(ctx.location.home)
    if not leftovers:
        return check
    note = "; a restore was interrupted: see " + ", ".join(str(p) for p in leftovers)
    return Check(check.name, PROBLEM, check.summary + note, (*check.details, *map(str, leftovers)))


def _check_deleted_photos(ctx: _Context) -> Check:
    """Files of deleted photos wait in `photos/.trash/` (or, in the database store, as
    `photo_blob` rows marked with their delete batch) so undo can bring them back; after
    the grace period they are purged, since a deleted photo is health data nobody wants."""
    import shutil

    from journal.store import photostore

    expired = photostore.expired_trash(ctx.location.photos_dir, ctx.now)
    in_db = _expired_blob_batches(ctx)
    days = photostore.TRASH_GRACE_DAYS
    if not expired and not in_db:
        return Check("deleted photos", OK, f"none older than {days} days")
    names = [p.name for p in expired] + [b.hex for b in in_db]
    details = tuple(names[:MAX_DETAILS])
    if not ctx.repair:
        return Check(
            "deleted photos",
            PROBLEM,
            f"{len(names)} batch(es) of deleted photos older than {days} days;"
            " --repair purges them (undo can no longer bring them back)",
            details,
        )
    for batch in expired:
        shutil.rmtree(batch, ignore_errors=True)
    _purge_blob_batches(ctx, in_db)
    return Check("deleted photos", REPAIRED, f"purged {len(names)} batch(es)", details)


def _blob_limit(ctx: _Context) -> dt.datetime:
    from journal.store import photostore

    return dt.datetime.fromtimestamp(ctx.now - photostore.TRASH_GRACE_DAYS * 86400, dt.UTC)


def _expired_blob_batches(ctx: _Context) -> list[uuid.UUID]:
    """Delete batches whose `photo_blob` rows were marked longer ago than the grace
    period (one indexed query; none when the database or its table is not there)."""
    if ctx.engine is None or not ctx.rows_readable:
        return []
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from journal.store.models import PhotoBlobRow as B

    query = (
        select(B.trashed_batch)
        .where(B.trashed_batch.is_not(None), B.trashed_at < _blob_limit(ctx))
        .distinct()
    )
    try:
        with ctx.engine.connect() as conn:
            found = [b for b in conn.execute(query).scalars() if b is not None]
    except SQLAlchemyError:  # an older schema (no `photo_blob` yet): nothing kept there
        return []
    return sorted(found, key=lambda b: b.hex)


def _purge_blob_batches(ctx: _Context, batches: list[uuid.UUID]) -> None:
    """Delete the expired rows for good (a batch marked again since is re-checked by
    its `trashed_at`, so an undo-able photo is never taken)."""
    if not batches or ctx.engine is None:
        return
    from sqlalchemy import delete

    from journal.store.engine import for_writing
    from journal.store.models import PhotoBlobRow as B

    with for_writing(ctx.engine).begin() as conn:
        conn.execute(delete(B).where(B.trashed_batch.in_(batches), B.trashed_at < _blob_limit(ctx)))


def _restore_leftovers(home: Path) -> list[Path]:
    from journal.maintenance.backup import restore_leftovers

    return restore_leftovers(home)


def _files_verdict(
    ctx: _Context, name: str, what: str, none: str, found: list[tuple[str, Path]]
) -> Check:
    recent = [(rel, p) for rel, p in found if ctx.now - _mtime(p) < ctx.grace_s]
    old = [(rel, p) for rel, p in found if (rel, p) not in recent]
    young = (
        f"; {len(recent)} younger than {_minutes(ctx.grace_s)} left alone (an import may be"
        " running)"
        if recent
        else ""
    )
    if not old:
        return Check(name, OK, f"no {none}{young}")
    details = tuple(rel for rel, _ in old[:MAX_DETAILS])
    if not ctx.repair:
        return Check(name, PROBLEM, f"{len(old)} {what}; --repair moves them aside{young}", details)
    for rel, path in old:
        _move_aside(ctx, rel, path)
    where = ctx.aside_dir.relative_to(ctx.location.photos_dir.parent)
    return Check(name, REPAIRED, f"moved {len(old)} {what} to {where}/{young}", details)


def _move_aside(ctx: _Context, rel: str, path: Path) -> None:
    from journal.store.location import refuse_symlink

    target = ctx.aside_dir / rel
    for folder in (ctx.aside_dir.parent, ctx.aside_dir, target.parent):
        refuse_symlink(folder, "folder")  # a planted link must not take the files elsewhere
    target.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    os.replace(path, target)
    ctx.moved.append(target)
    with contextlib.suppress(OSError):
        path.parent.rmdir()  # an emptied shard folder


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g} min"


# -- permissions ------------------------------------------------------------------


def _check_permissions(ctx: _Context) -> Check:
    loose: list[tuple[Path, int]] = []
    links: list[Path] = []
    for path, wanted in _private_paths(ctx.location):
        try:
            info = path.lstat()
        except OSError:
            continue
        if stat.S_ISLNK(info.st_mode):
            links.append(path)
        elif stat.S_IMODE(info.st_mode) & 0o077:
            loose.append((path, wanted))
    link_lines = tuple(f"{p} is a symbolic link; not followed, remove it" for p in links)
    if not loose and not links:
        return Check("permissions", OK, "home and photo folders 0700, files 0600")
    details = tuple(f"{p} is readable by others" for p, _ in loose[:MAX_DETAILS])
    details = (*link_lines[:MAX_DETAILS], *details)
    if links and not ctx.repair:
        found = f"{len(links)} symbolic link(s) where the journal keeps its files"
        loose_note = f" and {len(loose)} path(s) readable by other users" if loose else ""
        return Check("permissions", PROBLEM, f"{found}{loose_note}; remove the links", details)
    if not ctx.repair:
        return Check(
            "permissions",
            PROBLEM,
            f"{len(loose)} path(s) readable by other users; --repair restricts them",
            details,
        )
    for path, wanted in loose:
        set_mode(path, wanted, directory=wanted == PRIVATE_DIR)  # never through a link
    if links:
        return Check(
            "permissions",
            PROBLEM,
            f"restricted {len(loose)} path(s); {len(links)} symbolic link(s) left alone:"
            " remove them",
            details,
        )
    return Check(
        "permissions", REPAIRED, f"restricted {len(loose)} path(s) to their owner", details
    )


def _private_paths(location: Location) -> Iterator[tuple[Path, int]]:
    """Every path the journal keeps private; links are yielded too (to be reported), never
    entered: os.walk does not descend into them and nothing here follows one."""
    home = location.home
    if home.is_symlink() or home.is_dir():
        yield home, PRIVATE_DIR
    db = location.sqlite_path
    if db is not None:
        for suffix in ("", "-wal", "-shm"):
            candidate = db.with_name(db.name + suffix)
            if candidate.is_symlink() or candidate.is_file():
                yield candidate, PRIVATE_FILE
    root = location.photos_dir
    if root.is_symlink():
        yield root, PRIVATE_DIR
        return
    if not root.is_dir():
        return
    yield root, PRIVATE_DIR
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            yield Path(dirpath, name), PRIVATE_DIR
        for name in filenames:
            yield Path(dirpath, name), PRIVATE_FILE


# -- helpers ----------------------------------------------------------------------


def _size_text(path: Path | None) -> str:
    if path is None or not path.exists():
        return "in memory"
    size = float(path.stat().st_size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return ""  # pragma: no cover


def _first_line(exc: object) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# -- an encrypted journal (docs/privacy.md) --------------------------------------------


def _check_keys(ctx: _Context) -> Check | None:
    """The key header of an encrypted journal: parses, is intact, and unlocks.

    None for a plaintext journal (no check to show). The secret comes from the
    front end's source, as for every command; a wrong one is a finding, never
    a hint of the content.
    """
    from journal.services.unlock import journal_key
    from journal.store import keys

    if ctx.location.sqlite_path is None:  # PostgreSQL: the header is a row, once connected
        if ctx.engine is None:
            return None
        from journal.store import key_row

        try:
            stored = key_row.load(ctx.engine)
        except Exception:  # no schema yet: the schema check says so
            return None
        if stored is None:
            return None
        try:
            parsed = keys.parse(stored, key_row.WHERE)[0]
            key = journal_key(ctx.location, stored=stored)
        except keys.KeyProblem as exc:
            return Check("keys", PROBLEM, exc.message)
        assert key is not None
        return _keys_open(ctx, parsed, key, "; photos sealed, records left to the server")
    header = ctx.location.header_path
    if not header.exists() and not keys.pending_path(header).exists():
        return None
    try:
        parsed_file = keys.header_of(header) if header.exists() else None
        key = journal_key(ctx.location)
    except keys.KeyProblem as exc:
        return Check("keys", PROBLEM, exc.message)
    if key is None or parsed_file is None:  # a conversion a kill interrupted was settled
        return Check("keys", OK, "an interrupted conversion was settled: the journal is plain")
    ctx.key_pragma = keys.database_key_pragma(key)
    return _keys_open(ctx, parsed_file, key, "")


def _keys_open(ctx: _Context, parsed: Header, key: bytes, more: str) -> Check:
    """The header unlocked: keep the photo keys for the checks after, and say so."""
    from journal.store.sealed import Sealing

    ctx.sealing = Sealing.for_journal(key)
    kdf = parsed.kdf
    return Check(
        "keys",
        OK,
        f"key header intact (Argon2id {kdf.memory_kib // 1024} MiB, {kdf.time_cost} passes);"
        f" the passphrase unlocks it{more}",
    )


def _key_does_not_open(exc: Exception, db_file: Path | None) -> Check:
    """The header unlocked, yet SQLCipher cannot read the database with its key."""
    name = db_file.name if db_file is not None else "the database"
    return Check(
        "database",
        PROBLEM,
        f"the journal key does not open {name} ({_first_line(getattr(exc, 'orig', exc))}):"
        " the header and the database do not belong together; restore a backup",
    )


def _check_sealed_photos(ctx: _Context, sealing: Sealing) -> Check:
    """Every sealed photo file present and authentic (its AES-GCM tag verifies), and
    unless --quick, the display copy and thumbnail decode and a kept original still
    hashes to its row's sha256. One file in memory at a time."""
    from journal.store.photodb import open_store
    from journal.store.sealed import SealedFileDamaged

    assert ctx.engine is not None
    kind = _photo_store_kind(ctx)
    store = open_store(kind, root=ctx.location.photos_dir, engine=ctx.engine, sealing=sealing)
    rows = _load_photo_rows(ctx)
    problems: list[str] = []
    damaged: set[str] = set()
    files = 0
    for row in rows:
        label = str(row["id"]).replace("-", "")[:8]
        for which in ("display", "thumb", "original"):
            rel = row[f"{which}_path"]
            if rel is None:
                continue
            files += 1
            try:
                data = store.read_bytes(rel)
            except SealedFileDamaged as exc:
                why: str | None = exc.reason
            except ValueError:
                why = "its path points outside the photo store"
            else:
                why = "missing" if data is None else None
                if data is not None and not ctx.quick:
                    why = _plain_problem(data, which, row["sha256"])
            if why is not None:
                damaged.add(label)
                problems.append(f"photo {label} {which}: {why}")
    checked = f"{len(rows)} photo(s), {files} sealed file(s)"
    if problems:
        return Check(
            "photos",
            PROBLEM,
            f"{len(damaged)} of {len(rows)} photos have missing, altered or damaged files;"
            " re-import them or restore a backup",
            tuple(problems[:MAX_DETAILS]),
        )
    mode = "authentic" if ctx.quick else "authentic and decode"
    return Check("photos", OK, f"{checked}: all {mode}")


def _plain_problem(data: bytes, which: str, sha256: str) -> str | None:
    """What is wrong with an unsealed file's bytes (an original: its hash), or None."""
    import io

    if which == "original":
        found = hashlib.sha256(data).hexdigest()
        return None if found == sha256 else "the bytes no longer match the photo's sha256"
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format == "JPEG":
                image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
    except Exception as exc:
        return f"does not decode ({_first_line(exc)})"
    return None


def _check_sealed_orphans(ctx: _Context, sealing: Sealing) -> Check:
    """Sealed files no photo points to (set aside like any orphan), and photo files left
    in clear beside an encrypted journal (an interrupted conversion): a finding of
    their own, since moving them aside would keep them in clear."""
    store = photostore.FolderStore(ctx.location.photos_dir, sealing)
    referenced: set[str] = set()
    for row in _load_photo_rows(ctx):
        for key in ("display_path", "thumb_path", "original_path"):
            with contextlib.suppress(ValueError):
                if row[key]:
                    referenced.add(store.stored_name(row[key]))
    root = ctx.location.photos_dir
    clear, sealed_names = photostore.stored_names(root)
    if clear:
        return Check(
            "orphans",
            PROBLEM,
            f"{len(clear)} photo file(s) in clear beside the encrypted journal (an interrupted"
            " conversion); run `journal encrypt` again to seal or remove them",
        )
    found = [(rel, root / rel) for rel in sealed_names if rel not in referenced]
    return _files_verdict(ctx, "orphans", "file(s) no photo points to", "unreferenced files", found)
