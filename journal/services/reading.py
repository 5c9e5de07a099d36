"""Fast reads for commands that only look: no SQLAlchemy import when it can be avoided.

`history_for` reads a current SQLite journal through the standard library
(see `journal.store.sqlite_reader`) and falls back to SQLAlchemy, which
creates and migrates, for everything else. Both readers keep the contract of
`journal.store.rows` and feed the same `convert.histories`; a test holds them
equal.
"""

from __future__ import annotations

import os
from typing import Any

from journal.core import records
from journal.core.lookup import match_patient
from journal.core.records import day_offset, to_jsonable
from journal.services import convert
from journal.store.location import resolve_location
from journal.store.sqlite_reader import SQLiteReader


def history_for(
    home: str | os.PathLike[str] | None, db_url: str | None, patient_ref: str
) -> records.PatientHistory:
    """The complete history of the patient `patient_ref` names."""
    location = resolve_location(home, db_url)
    reader = SQLiteReader.open(location.sqlite_path) if location.is_sqlite else None
    if reader is None:
        from journal.services.history import patient_history
        from journal.services.journal import open_journal

        with open_journal(location=location) as journal:
            return patient_history(journal, patient_ref)
    with reader:
        patient_id = match_patient(patient_ref, reader.patient_names())
        return convert.histories(reader, [patient_id])[0]


def history_document(history: records.PatientHistory) -> dict[str, Any]:
    """The `history --json` document: every record with its id, check-ins with their day."""
    doc: dict[str, Any] = to_jsonable(history)
    by_course: dict[Any, list[records.Treatment]] = {}
    for t in history.treatments:
        by_course.setdefault(t.course_id, []).append(t)
    for item, checkin in zip(doc["checkins"], history.checkins, strict=True):
        item["day"] = day_offset(checkin.date, by_course.get(checkin.course_id, []))
    return doc
