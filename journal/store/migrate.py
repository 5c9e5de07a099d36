"""Bring a database to the packaged schema head when a journal opens.

Alembic costs ~100 ms to import and walk its scripts, so opening checks the
stored revision first with one query and only runs Alembic when it differs
from `HEAD_REVISION` (a test keeps the constant equal to the scripts' head).
Concurrent first opens are serialised: a file lock beside a SQLite database,
an advisory lock on PostgreSQL.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from journal.core.errors import JournalDamaged, JournalReadOnly, JournalUnavailable
from journal.store.engine import explain_database_error, sqlite_file
from journal.store.schema import HEAD_REVISION

__all__ = [
    "HEAD_REVISION",
    "detect_revision",
    "downgrade",
    "ensure_schema",
    "schema_state",
    "stamp",
    "upgrade",
]
EMPTY, FOREIGN, UNVERSIONED, VERSIONED = "empty", "foreign", "unversioned", "versioned"
MISSING_VERSION_TABLE = "missing schema version table"
_PG_LOCK_KEY = 0x6A6F75726E616C  # "journal"


def migrations_dir() -> Path:
    """The Alembic script folder, in the checkout or inside the installed wheel."""
    import journal.migrations

    return Path(journal.migrations.__file__).parent


def stored_revision(connection: Connection) -> str | None:
    """The revision recorded in the database, or None when there is no version table.

    Only a missing table means "no revision": any other failure (a damaged
    page, a full disk) propagates, so it is never mistaken for an empty journal.
    """
    try:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError as exc:
        connection.rollback()
        if _is_missing_table(exc):
            return None
        raise


def _is_missing_table(exc: DBAPIError) -> bool:
    first = str(exc.orig).strip().lower()
    return "no such table" in first or ("relation" in first and "does not exist" in first)


def journal_table_names() -> set[str]:
    from journal.store.models import Base

    return {t.name for t in Base.metadata.sorted_tables}


def schema_state(connection: Connection) -> tuple[str, list[str]]:
    """What the database holds before anything is migrated, and the tables that say so.

    empty        no tables at all: a new journal, migrate it
    versioned    an Alembic version table (the normal case)
    unversioned  journal tables but no version table (someone dropped it)
    foreign      tables, none of them a journal's: someone else's database
    """
    from sqlalchemy import inspect

    tables = sorted(inspect(connection).get_table_names())
    if "alembic_version" in tables:
        return VERSIONED, tables
    if not tables:
        return EMPTY, tables
    ours = journal_table_names()
    if ours & set(tables):
        return UNVERSIONED, tables
    return FOREIGN, tables


def foreign_message(tables: list[str]) -> str:
    shown = ", ".join(tables[:3]) + (", ..." if len(tables) > 3 else "")
    return (
        f"the database holds tables that are not a journal's ({shown}): not a journal database;"
        " nothing was changed (point --home or --db at a journal)"
    )


def _shape(connection: Connection) -> set[tuple[str, ...]]:
    """Tables, columns and named indexes: what tells one revision's schema from another."""
    from sqlalchemy import inspect

    inspector = inspect(connection)
    found: set[tuple[str, ...]] = set()
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        found.add(("table", table))
        found |= {("column", table, c["name"]) for c in inspector.get_columns(table)}
        found |= {
            ("index", table, str(i["name"]))
            for i in inspector.get_indexes(table)
            if str(i["name"]).startswith("ix_")
        }
    return found


def known_revisions() -> list[str]:
    """Every packaged revision, oldest first (file names start with the revision)."""
    names = sorted(p.name for p in (migrations_dir() / "versions").glob("[0-9]*_*.py"))
    return [name.split("_", 1)[0] for name in names]


def detect_revision(connection: Connection) -> str | None:
    """The packaged revision whose schema is exactly the one present, else None.

    Each revision is built in a scratch in-memory database and compared by
    tables, columns and indexes, so no hand-kept fingerprint can go stale.
    """
    from sqlalchemy import create_engine

    present = _shape(connection)
    scratch = create_engine("sqlite://")
    try:
        for revision in reversed(known_revisions()):
            with scratch.connect() as conn:
                for table in reversed(_tables(conn)):
                    conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}"')
                conn.commit()
            upgrade(scratch, revision)
            with scratch.connect() as conn:
                if _shape(conn) == present:
                    return revision
    finally:
        scratch.dispose()
    return None


def _tables(conn: Connection) -> list[str]:
    from sqlalchemy import inspect

    return list(inspect(conn).get_table_names())


def stamp(engine: Engine, revision: str) -> None:
    """Record `revision` as the schema present without running any migration."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.stamp(config, revision)
        conn.commit()


def is_current(engine: Engine) -> bool:
    with engine.connect() as conn:
        return stored_revision(conn) == HEAD_REVISION


@contextlib.contextmanager
def _migration_lock(engine: Engine, lock_path: Path | None) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})
                conn.commit()
        return
    if lock_path is None:
        yield
        return
    try:
        import fcntl
    except ImportError:  # Windows: SQLite's own locking has to do
        yield
        return
    if os.path.islink(lock_path):
        raise JournalUnavailable(f"{lock_path} is a symbolic link; the journal never follows links")
    fd = os.open(lock_path, os.O_CREAT | os.O_RDWR | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run Alembic's upgrade on `engine` (slow path; imports Alembic lazily)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
        conn.commit()


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)
        conn.commit()


def ensure_schema(
    engine: Engine, lock_path: Path | None = None, *, read_only: bool = False
) -> None:
    """Migrate to head unless already there; refuse what must not be migrated.

    Refused before any statement changes the database: a foreign database
    (tables, none of them a journal's), journal tables without a version table
    (`journal doctor --repair` restores it), a schema from a newer release, and
    a read-only journal that would need migrating.
    """
    try:
        if is_current(engine):
            return
        with contextlib.ExitStack() as stack:
            if not read_only:
                stack.enter_context(_migration_lock(engine, lock_path))
            with engine.connect() as conn:
                state, tables = schema_state(conn)
                current = stored_revision(conn) if state == VERSIONED else None
            if state == FOREIGN:
                raise JournalUnavailable(foreign_message(tables))
            if state == UNVERSIONED:
                raise JournalDamaged(
                    f"the journal database is damaged: {MISSING_VERSION_TABLE};"
                    " run `journal doctor --repair`"
                )
            if current == HEAD_REVISION:
                return
            if current is not None and current not in known_revisions():
                raise JournalUnavailable(
                    f"journal schema {current!r} is newer than this version of journal; upgrade it"
                )
            if read_only:
                raise JournalReadOnly(
                    "the journal is read-only and its schema needs upgrading;"
                    " make it writable once to upgrade it"
                )
            upgrade(engine)
    except DBAPIError as exc:
        raise explain_database_error(exc, sqlite_file(engine)) from None
