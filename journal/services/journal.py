"""An open journal: its location, database engine and photo folder.

Opening creates the home (owner-only permissions), creates and migrates the
database, and hands out short transactions. Every write goes through `write()`
so a failure anywhere rolls back everything that command did.
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
from journal.store.engine import make_engine
from journal.store.location import (
    Location,
    prepare_private_dir,
    prepare_private_file,
    resolve_location,
)
from journal.store.migrate import ensure_schema

WRITE_ATTEMPTS = 5


class Journal:
    """A handle on one journal; cheap to keep open for a TUI's lifetime."""

    def __init__(self, location: Location, engine: Engine) -> None:
        self.location = location
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

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
        with self._sessions() as session:
            try:
                yield session
                _commit_with_retry(session)
            except BaseException:
                session.rollback()
                raise

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _commit_with_retry(session: Session) -> None:
    """Commit, retrying a few times when another writer holds SQLite's lock.

    The busy timeout already waits; this covers the rare case where SQLite
    refuses at once (a reader upgrading to a writer under WAL).
    """
    for attempt in range(WRITE_ATTEMPTS):
        try:
            session.commit()
            return
        except OperationalError as exc:
            if "locked" not in str(exc.orig) or attempt == WRITE_ATTEMPTS - 1:
                raise JournalUnavailable(f"cannot save to the journal: {exc.orig}") from None
            time.sleep(0.05 * (attempt + 1))


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
