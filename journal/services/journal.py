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

Opening is also where the journal decides what it may touch: it never follows
a symbolic link at the home, the database or the photo folder; it sets modes
only on what it creates itself; it refuses to turn a non-empty folder that is
not a journal into one (unless asked to adopt it); and a journal its owner made
read-only (database 0400, home 0500) is opened read-only, never made writable
again. Any database failure leaves here as one line (`explain_database_error`):
damaged, disk full, read-only, busy; never SQL text or its parameters.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from journal.core.errors import JournalDamaged, JournalError, JournalReadOnly, JournalUnavailable
from journal.services.unlock import Secret, journal_key
from journal.store.engine import explain_database_error, for_writing, make_engine
from journal.store.keys import database_key_pragma
from journal.store.location import (
    DB_FILENAME,
    KEYS_FILENAME,
    PHOTOS_DIRNAME,
    Location,
    owner_read_only,
    prepare_private_dir,
    prepare_private_file,
    refuse_symlink,
    resolve_location,
)
from journal.store.migrate import ensure_schema
from journal.store.photostore import PhotoStore
from journal.store.sealed import Sealing

WRITE_ATTEMPTS = 5
RETRY_PAUSE_S = 0.05


class Journal:
    """A handle on one journal; cheap to keep open for a TUI's lifetime."""

    def __init__(
        self,
        location: Location,
        engine: Engine,
        read_only: str | None = None,
        sealing: Sealing | None = None,
        key_pragma: str | None = None,
    ) -> None:
        self.location = location
        self.engine = engine
        self.read_only = read_only  # why the journal may not be changed, or None
        self.sealing = sealing  # an encrypted journal's photo keys (docs/privacy.md)
        # SQLCipher's key statement, for the few tools that open the file themselves
        # (erasure's VACUUM): a plain sqlite3 connection reads an encrypted file as noise.
        self.key_pragma = key_pragma
        # A PostgreSQL journal's header id when opened (None: not encrypted): writers
        # check it under the write lock, since `journal encrypt` can run meanwhile.
        self.key_id: str | None = None
        self._new_read_db = sessionmaker(engine, expire_on_commit=False)
        self._new_write_db = sessionmaker(for_writing(engine), expire_on_commit=False)
        self._photos: PhotoStore | None = None
        # Every flush notes the courses it touched; `write` recomputes their stored
        # results before committing (journal.services.results).
        event.listen(self._new_write_db, "after_flush", _note_flush)

    @property
    def photos_dir(self) -> Path:
        """The photo folder (a folder-backed journal's store; maintenance notes live there)."""
        return self.location.photos_dir

    @property
    def photos(self) -> PhotoStore:
        """Where this journal's photo files live: the one door to their bytes.

        Decided on first use (commands that never touch a photo pay nothing)
        from the `photo_store` setting every terminal reads; see `photo_backend`.
        """
        if self._photos is None:
            from journal.store.photodb import open_store

            kind = photo_backend(self)
            self._photos = open_store(
                kind, root=self.location.photos_dir, engine=self.engine, sealing=self.sealing
            )
        return self._photos

    def forget_photo_store(self) -> None:
        """Read the `photo_store` setting again on next use (after `photos move`)."""
        self._photos = None

    def recheck_photo_store(self, db: DbSession | None = None) -> bool:
        """True, and the store forgotten, when the `photo_store` setting names
        another store than the one this handle opened.

        A long-lived handle (a running TUI) would otherwise keep writing to and
        reading from the store it opened with after `journal photos move` in
        another process. One primary-key read: in `db` (a write transaction, so
        the answer holds until its commit: the move switches under the same
        write lock) or a short read of its own. Nothing opened yet: nothing to do.

        On PostgreSQL the same read also finds the key header: a journal
        encrypted or decrypted by another command since this handle opened
        would otherwise get photos written in the layout it no longer has, so
        that is refused in one line (open the journal again).
        """
        postgres = self.location.sqlite_path is None
        if self._photos is None and not postgres:
            return False
        from sqlalchemy import select

        from journal.store import key_row
        from journal.store.models import SettingRow
        from journal.store.photostore import BACKENDS, SETTING

        names = (SETTING, key_row.SETTING) if postgres else (SETTING,)
        query = select(SettingRow.name, SettingRow.value).where(SettingRow.name.in_(names))
        if db is None:
            with self.read() as reading:
                values = dict(reading.execute(query).all())
        else:
            values = dict(db.execute(query).all())
        if postgres:
            header = values.get(key_row.SETTING)
            now = key_row.journal_id(None if header is None else header.encode("utf-8"))
            if now != self.key_id:
                raise JournalUnavailable(
                    "the journal was encrypted, decrypted or re-keyed by another command since"
                    " it was opened here: close it and open it again"
                )
        value = values.get(SETTING)
        if self._photos is not None and value in BACKENDS and value != self._photos.kind:
            self._photos = None
            return True
        return False

    @contextlib.contextmanager
    def read(self) -> Iterator[DbSession]:
        """A session for queries; nothing it does is committed."""
        with self._new_read_db() as db:
            try:
                yield db
            except IntegrityError:
                raise
            except DBAPIError as exc:
                raise self._explain(exc) from None
            db.rollback()

    @contextlib.contextmanager
    def write(self) -> Iterator[DbSession]:
        """A transaction committed on success and rolled back on any error."""
        if self.read_only is not None:
            raise JournalReadOnly(f"journal is read-only ({self.read_only}): cannot change it")
        with self._begin_write() as db:
            try:
                yield db
                _keep_results(db)
                _commit(db)
            except IntegrityError:  # a rule the service may expect and answer itself
                db.rollback()
                raise
            except DBAPIError as exc:  # disk full, damaged page, lock lost: one line
                db.rollback()
                raise self._explain(exc) from None
            except BaseException:
                db.rollback()
                raise

    def _begin_write(self) -> DbSession:
        """A session whose transaction already holds the write lock (SQLite).

        Beginning eagerly is what makes a retry safe: no statement of the unit
        of work has run yet, so giving up and starting again loses nothing.
        """
        for attempt in range(WRITE_ATTEMPTS):
            db = self._new_write_db()
            try:
                db.connection()
                return db
            except OperationalError as exc:
                db.close()
                if not _is_busy(exc) or attempt == WRITE_ATTEMPTS - 1:
                    raise self._explain(exc) from None
                time.sleep(RETRY_PAUSE_S * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def _explain(self, exc: BaseException) -> JournalError:
        return explain_database_error(exc, self.location.sqlite_path)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def photo_backend(journal: Journal) -> str:
    """Which photo store the journal uses: its `photo_store` setting, decided once.

    A journal without the setting gets one: the database for a PostgreSQL
    journal that holds no photo yet and was not given a folder
    (`JOURNAL_PHOTOS_DIR`), else the folder (SQLite; and a PostgreSQL journal
    whose photos already sit in terminals' folders keeps them there until
    `journal photos move`). `JOURNAL_PHOTO_STORE` picks either for a journal
    that holds no photo yet. Recording it means every terminal agrees, whatever
    its own environment says. A read-only journal is told, never written.
    """
    from sqlalchemy import select

    from journal.store.models import PhotoRow, SettingRow
    from journal.store.photostore import BACKENDS, DATABASE, FOLDER, SETTING

    with journal.read() as db:
        value = db.scalar(select(SettingRow.value).where(SettingRow.name == SETTING))
        if value in BACKENDS:
            return str(value)
        empty = db.scalar(select(PhotoRow.id).limit(1)) is None
    location = journal.location
    if location.photo_store is not None and empty:
        chosen = location.photo_store
    elif not location.is_sqlite and empty and not location.photos_dir_chosen:
        chosen = DATABASE
    else:
        chosen = FOLDER
    if journal.read_only is not None:
        return chosen
    try:
        with journal.write() as db:
            if db.get(SettingRow, SETTING) is None:
                db.add(SettingRow(name=SETTING, value=chosen))
            else:  # another terminal decided first: theirs stands
                chosen = str(db.get(SettingRow, SETTING).value)  # type: ignore[union-attr]
    except IntegrityError:
        return photo_backend(journal)
    return chosen


def _note_flush(db: DbSession, context: Any) -> None:
    from journal.services.results import note_flush

    note_flush(db, context)


def _keep_results(db: DbSession) -> None:
    """Stored course results follow their records in the same transaction, whoever wrote them.

    Done here, once, rather than in each service: an add, an edit, a delete,
    an undo, a flag status and an archive import all end in this commit.
    """
    from journal.services.results import keep_results

    keep_results(db)


def _commit(db: DbSession) -> None:
    """Commit once: under BEGIN IMMEDIATE a WAL commit waits for no other writer.

    A failure here (disk full, I/O error) means the changes are lost; `write()`
    rolls back and says so in one line. Retrying would only hide it.
    """
    db.commit()


def _is_busy(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text


def explain_failure(
    exc: BaseException, home: str | os.PathLike[str] | None = None, db_url: str | None = None
) -> JournalError | None:
    """One safe line for a database failure that escaped a service, else None.

    The front ends' last resort: they cannot import SQLAlchemy themselves.
    """
    import sqlite3

    if not isinstance(exc, SQLAlchemyError | sqlite3.Error):
        return None
    try:
        db_file = resolve_location(home, db_url).sqlite_path
    except JournalError:
        db_file = None
    if isinstance(exc, DBAPIError | sqlite3.Error):
        return explain_database_error(exc, db_file)
    name = db_file.name if db_file is not None else "the journal database"
    return JournalDamaged(
        f"{name} does not match the journal's schema ({type(exc).__name__}); run `journal doctor`"
    )


_JOURNAL_MARKERS = (
    DB_FILENAME,
    PHOTOS_DIRNAME,
    f"{DB_FILENAME}-wal",
    ".migrate.lock",
    KEYS_FILENAME,
    f"{KEYS_FILENAME}.pending",
)


def _refuse_foreign_folder(home: Path) -> None:
    """A folder that holds other things is not silently turned into a journal."""
    try:
        entries = {entry.name for entry in os.scandir(home)}
    except FileNotFoundError:
        return
    except OSError as exc:
        raise JournalUnavailable(f"cannot read journal folder {home}: {exc.strerror}") from None
    if entries and not entries & set(_JOURNAL_MARKERS):
        raise JournalUnavailable(
            f"{home} is not empty and is not a journal; choose an empty or new folder,"
            " or run `journal init --adopt` to make this one a journal"
        )


def _read_only_reason(location: Location) -> str | None:
    """Why the owner made this journal read-only (a chmod), or None if it is writable."""
    db_file = location.sqlite_path
    for path, what in (
        (location.home, "home folder"),
        (db_file, "journal.db"),
        (location.photos_dir, "photos folder"),
    ):
        if path is not None and path.exists() and owner_read_only(path):
            return f"{what} {path} is {oct(path.lstat().st_mode & 0o777)[2:]}"
    return None


def open_journal(
    home: str | os.PathLike[str] | None = None,
    db_url: str | None = None,
    *,
    location: Location | None = None,
    adopt: bool = False,
    secret: Secret | None = None,
) -> Journal:
    """Open (creating and migrating if needed) the journal at `home` / `db_url`.

    `adopt=True` (`journal init --adopt`) lets a non-empty folder that is not a
    journal yet become one; its own mode and files are left as they are.
    `secret` unlocks an encrypted journal; without it the front end's source
    is asked (`journal.services.unlock`), and a refusal touches nothing.
    """
    location = location or resolve_location(home, db_url)
    db_file = location.sqlite_path
    refuse_symlink(location.home, "journal home")
    refuse_symlink(location.photos_dir, "photos folder")
    if db_file is not None:
        for suffix in ("", "-wal", "-shm"):
            refuse_symlink(db_file.with_name(db_file.name + suffix), "journal database")
    key = journal_key(location, secret) if db_file is not None else None
    key_pragma = database_key_pragma(key) if key is not None else None
    if not adopt and location.home.is_dir():
        _refuse_foreign_folder(location.home)
    read_only = _read_only_reason(location)
    if read_only is None:
        prepare_private_dir(location.home, "journal home")
        prepare_private_dir(location.photos_dir, "photos folder")
        if db_file is not None:
            prepare_private_dir(db_file.parent, "database folder")
            prepare_private_file(db_file)
    elif db_file is not None and not db_file.is_file():
        raise JournalReadOnly(f"journal is read-only ({read_only}) and holds no journal.db yet")
    engine = make_engine(
        location.db_url, read_only=db_file if read_only else None, key_pragma=key_pragma
    )
    lock = location.home / ".migrate.lock" if db_file is not None else None
    key_id: str | None = None
    try:
        ensure_schema(engine, lock, read_only=read_only is not None)
        if db_file is None:  # PostgreSQL: the header is a row (journal.store.key_row)
            from journal.store import key_row

            stored = key_row.load(engine)
            key = journal_key(location, secret, stored=stored)
            key_id = key_row.journal_id(stored)
    except BaseException:
        engine.dispose()
        raise
    sealing = Sealing.for_journal(key) if key is not None else None
    journal = Journal(location, engine, read_only, sealing, key_pragma)
    journal.key_id = key_id
    return journal
