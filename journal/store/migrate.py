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

from journal.core.errors import JournalUnavailable
from journal.store.schema import HEAD_REVISION

__all__ = ["HEAD_REVISION", "downgrade", "ensure_schema", "upgrade"]
_PG_LOCK_KEY = 0x6A6F75726E616C  # "journal"


def migrations_dir() -> Path:
    """The Alembic script folder, in the checkout or inside the installed wheel."""
    import journal.migrations

    return Path(journal.migrations.__file__).parent


def stored_revision(connection: Connection) -> str | None:
    """The revision recorded in the database, or None for an empty one."""
    try:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        connection.rollback()
        return None


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
    fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
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


def ensure_schema(engine: Engine, lock_path: Path | None = None) -> None:
    """Migrate to head unless already there; refuse a journal from a newer release."""
    try:
        if is_current(engine):
            return
        with _migration_lock(engine, lock_path):
            with engine.connect() as conn:
                current = stored_revision(conn)
            if current == HEAD_REVISION:
                return
            if current is not None and not any(
                (migrations_dir() / "versions").glob(f"{current}_*.py")
            ):
                raise JournalUnavailable(
                    f"journal schema {current!r} is newer than this version of journal; upgrade it"
                )
            upgrade(engine)
    except DBAPIError as exc:
        raise JournalUnavailable(f"cannot open the journal database: {exc.orig}") from None
