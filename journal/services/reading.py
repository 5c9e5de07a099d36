"""Fast reads for commands that only look: no SQLAlchemy import when it can be avoided.

`history_for` reads a current SQLite journal through the standard library
(see `journal.store.sqlite_reader`), a current PostgreSQL journal through
psycopg alone (`journal.store.pg_reader`), and falls back to SQLAlchemy,
which creates and migrates, for everything else. Every reader keeps the
contract of `journal.store.rows` and feeds the same `convert.histories`;
tests hold them equal.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any, Protocol

from journal.core import records
from journal.core.lookup import match_patient
from journal.core.records import day_offset, to_jsonable
from journal.services import convert
from journal.store.location import (
    DB_FILENAME,
    PHOTOS_DIRNAME,
    Location,
    owner_read_only,
    resolve_location,
)
from journal.store.pg_reader import PGReader
from journal.store.rows import RowSource
from journal.store.sqlite_reader import SQLiteReader


class FastReader(RowSource, Protocol):
    """What `SQLiteReader` and `PGReader` both offer: one read-only snapshot."""

    def __enter__(self) -> FastReader: ...

    def __exit__(self, *exc: object) -> None: ...

    def patient_names(self) -> list[tuple[Any, str]]: ...


def history_for(
    home: str | os.PathLike[str] | None, db_url: str | None, patient_ref: str
) -> records.PatientHistory:
    """The complete history of the patient `patient_ref` names."""
    location = resolve_location(home, db_url)
    db_file = location.sqlite_path
    linked = db_file is not None and any_link(location.home, location.photos_dir, db_file)
    if location.is_sqlite and db_file is not None and not linked:
        reader = open_reader(location, db_file)
        if reader is not None:
            try:
                return _read_fast(reader, patient_ref)
            except (sqlite3.Error, AttributeError, *driver_errors()):  # type: ignore[misc]
                pass  # a damaged or altered database: the ORM path below says what is wrong
    elif PGReader.handles(location.db_url) and settled_home(location):
        history = _read_pg(location, patient_ref)
        if history is not None:
            return history
    from journal.services.history import patient_history
    from journal.services.journal import open_journal

    with open_journal(location=location) as journal:
        return patient_history(journal, patient_ref)


def open_reader(location: Location, db_file: Path) -> SQLiteReader | None:
    """The fast reader, unlocking an encrypted journal first (one line if that fails)."""
    from journal.services.unlock import journal_key

    key = journal_key(location)
    if key is None:
        return SQLiteReader.open(db_file)
    from journal.store.keys import database_key_pragma

    return SQLiteReader.open(db_file, database_key_pragma(key))


def driver_errors() -> tuple[type[BaseException], ...]:
    """SQLCipher's error class, when its driver is loaded (an encrypted journal's reads)."""
    import sys

    cipher = sys.modules.get("sqlcipher3")
    return (cipher.Error,) if cipher is not None else ()


def _read_pg(location: Location, patient_ref: str) -> records.PatientHistory | None:
    """The history read through psycopg alone; None when the ORM path must answer."""
    import psycopg

    reader = open_pg_reader(location)
    if reader is None:
        return None
    try:
        return _read_fast(reader, patient_ref)
    except (psycopg.Error, AttributeError):
        return None  # an altered database: the ORM path says what is wrong


def open_pg_reader(location: Location, *, unlock: bool = True) -> PGReader | None:
    """A `PGReader` on the journal, or None when the ORM path must open it.

    A connection the server refused or that failed on the way (a wrong
    password, no such database, nobody listening) is said at once, in the ORM
    path's own words (`explain_database_error`): trying a second time would
    only double a timeout. A connection string libpq refuses before trying
    ("connection is bad: ..."), or any other error, goes to the ORM path,
    which reads the URL its own way and says what it always said.

    An encrypted journal (its photos sealed, its key header a row) is unlocked
    here as `open_journal` would, with the same refusals (no secret, a wrong
    one, a passphrase given for a plain journal), though the records read
    here are in clear: every command asks alike. `unlock=False` leaves that
    to the caller (the UI's list, which lets its passphrase screen ask).
    """
    import psycopg

    from journal.services.unlock import journal_key

    try:
        reader = PGReader.open(location.db_url)
    except psycopg.OperationalError as exc:
        if str(exc).startswith("connection is bad:"):
            return None
        from journal.store.engine import explain_database_error

        raise explain_database_error(exc) from None
    except psycopg.Error:
        return None
    if reader is not None and unlock:
        try:
            journal_key(location, stored=reader.key_header)
        except BaseException:
            reader.__exit__(None, None, None)
            raise
    return reader


_JOURNAL_MARKERS = (DB_FILENAME, PHOTOS_DIRNAME, f"{DB_FILENAME}-wal", ".migrate.lock")


def settled_home(location: Location) -> bool:
    """True when opening the journal would not touch or refuse its folders.

    `open_journal` creates a missing home or photo folder, refuses a link or
    a folder full of other things, and opens a read-only journal with a
    notice; a fast read skips it only when none of that applies, so the
    first read of a new PostgreSQL journal still prepares its home.
    """
    home, photos = location.home, location.photos_dir
    if os.path.islink(home) or os.path.islink(photos):
        return False
    if not home.is_dir() or not photos.is_dir():
        return False
    if owner_read_only(home) or owner_read_only(photos):
        return False
    try:
        entries = {entry.name for entry in os.scandir(home)}
    except OSError:
        return False
    return not entries or bool(entries & set(_JOURNAL_MARKERS))


def any_link(home: Path, photos: Path, db_file: Path) -> bool:
    """A link where open_journal refuses one (home, photos, database, WAL, SHM).

    The fast reads never follow one: they leave it to the ORM path, which
    refuses it with the usual message.
    """
    near_db = [db_file.with_name(db_file.name + suffix) for suffix in ("", "-wal", "-shm")]
    return any(os.path.islink(p) for p in (home, photos, *near_db))


def _read_fast(reader: FastReader, patient_ref: str) -> records.PatientHistory:
    with reader:
        patient_id = match_patient(
            patient_ref,
            reader.patient_names(),
            lambda ids: {row["id"]: row["birth_year"] for row in reader.patients(ids)},
        )
        return convert.histories(reader, [patient_id])[0]


def history_document(history: records.PatientHistory) -> dict[str, Any]:
    """The `history --json` document: every record with its id, check-ins with their day."""
    doc: dict[str, Any] = to_jsonable(history)
    by_course: dict[Any, list[records.Session]] = {}
    for t in history.sessions:
        by_course.setdefault(t.course_id, []).append(t)
    for item, checkin in zip(doc["checkins"], history.checkins, strict=True):
        item["day"] = day_offset(checkin.date, by_course.get(checkin.course_id, []))
    return doc
