"""An open journal: its location, database engine and photo folder.

Opening creates the home (owner-only permissions), creates and migrates the
database, and hands out short transactions. Every write goes through `write()`
so a failure anywhere rolls back everything that command did.

Several processes may write one SQLite journal at once (the TUI and a CLI
import, two scripts). `write()` therefore takes SQLite's write lock when the
unit of work begins (BEGIN IMMEDIATE, see `journal.store.engine`): the
service's reads and writes then see one state that nobody else can change
underneath, and waiting for the lock is covered by the busy timeout. If the
lock is still taken after that, the begin is retried a few times (nothing has
been done yet, so retrying is safe) before the user gets a one-line
"journal is busy" error instead of a traceback.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from journal.core.errors import JournalUnavailable
from journal.store.engine import for_writing, make_engine
from journal.store.location import (
    Location,
    prepare_private_dir,
    prepare_private_file,
    resolve_location,
)
from journal.store.migrate import ensure_schema

WRITE_ATTEMPTS = 5
RETRY_PAUSE_S = 0.05


class Journal:
    """A handle on one journal; cheap to keep open for a TUI's lifetime."""

    def __init__(self, location: Location, engine: Engine) -> None:
        self.location = location
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(for_writing(engine), expire_on_commit=False)

    @property
    def photos_dir(self) -> Path:
        return self.location.photos_dir

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries; nothing it does is committed."""
        with self._sessions() as session:
            yield session
            session.rollback()

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction committed on success and rolled back on any error."""
        with self._begin_write() as session:
            try:
                yield session
                _commit(session)
            except OperationalError as exc:  # disk full, I/O error, lock lost: one line
                session.rollback()
                raise JournalUnavailable(_busy_message(exc)) from None
            except BaseException:
                session.rollback()
                raise

    def _begin_write(self) -> Session:
        """A session whose transaction already holds the write lock (SQLite).

        Beginning eagerly is what makes a retry safe: no statement of the unit
        of work has run yet, so giving up and starting again loses nothing.
        """
        for attempt in range(WRITE_ATTEMPTS):
            session = self._write_sessions()
            try:
                session.connection()
                return session
            except OperationalError as exc:
                session.close()
                if not _is_busy(exc) or attempt == WRITE_ATTEMPTS - 1:
                    raise JournalUnavailable(_busy_message(exc)) from None
                time.sleep(RETRY_PAUSE_S * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _commit(session: Session) -> None:
    """Commit once: under BEGIN IMMEDIATE a WAL commit waits for no other writer.

    A failure here (disk full, I/O error) means the changes are lost; `write()`
    rolls back and says so in one line. Retrying would only hide it.
    """
    session.commit()


def _is_busy(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text


def _busy_message(exc: OperationalError) -> str:
    if _is_busy(exc):
        return (
            "the journal is busy: another program kept it locked for too long; "
            "try again in a moment"
        )
    first = str(exc.orig).strip().splitlines()
    return f"cannot save to the journal: {first[0] if first else type(exc.orig).__name__}"


def open_journal(
    home: str | os.PathLike[str] | None = None,
    db_url: str | None = None,
    *,
    location: Location | None = None,
) -> Journal:
    """Open (creating and migrating if needed) the journal at `home` / `db_url`."""
    location = location or resolve_location(home, db_url)
    prepare_private_dir(location.home)
    prepare_private_dir(location.photos_dir)
    db_file = location.sqlite_path
    if db_file is not None:
        prepare_private_dir(db_file.parent)
        prepare_private_file(db_file)
    engine = make_engine(location.db_url)
    lock = location.home / ".migrate.lock" if db_file is not None else None
    try:
        ensure_schema(engine, lock)
    except BaseException:
        engine.dispose()
        raise
    return Journal(location, engine)
