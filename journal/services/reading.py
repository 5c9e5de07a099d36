"""Fast reads for commands that only look: no SQLAlchemy import when it can be avoided.

`history_for` reads a current SQLite journal through the standard library
(see `journal.store.sqlite_reader`) and falls back to SQLAlchemy, which
creates and migrates, for everything else. Both readers keep the contract of
`journal.store.rows` and feed the same `convert.histories`; a test holds them
equal.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from journal.core import records
from journal.core.lookup import match_patient
from journal.core.records import day_offset, to_jsonable
from journal.services import convert
from journal.store.location import Location, resolve_location
from journal.store.sqlite_reader import SQLiteReader


def history_for(
    home: str | os.PathLike[str] | None, db_url: str | None, patient_ref: str
) -> records.PatientHistory:
    """The complete history of the patient `patient_ref` names."""
    location = resolve_location(home, db_url)
    db_file = location.sqlite_path
    reader = None
    linked = db_file is not None and any_link(location.home, location.photos_dir, db_file)
    if location.is_sqlite and db_file is not None and not linked:
        reader = open_reader(location, db_file)
    if reader is not None:
        try:
            return _read_fast(reader, patient_ref)
        except (sqlite3.Error, AttributeError, *driver_errors()):  # type: ignore[misc]
            pass  # a damaged or altered database: the ORM path below says what is wrong
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


def any_link(home: Path, photos: Path, db_file: Path) -> bool:
    """A link where open_journal refuses one (home, photos, database, WAL, SHM).

    The fast reads never follow one: they leave it to the ORM path, which
    refuses it with the usual message.
    """
    near_db = [db_file.with_name(db_file.name + suffix) for suffix in ("", "-wal", "-shm")]
    return any(os.path.islink(p) for p in (home, photos, *near_db))


def _read_fast(reader: SQLiteReader, patient_ref: str) -> records.PatientHistory:
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
