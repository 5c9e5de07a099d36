"""Live views: notice other processes' writes, and tell which patients they touched.

The TUI cannot import the store (import-linter contracts), so it reaches the
change watcher (`journal.store.watch`) through `watch_changes`. When the
watcher reports a commit, the provider's patient list asks `patient_versions`
which patients changed: one grouped query per table, a few milliseconds for a
1,000-patient clinic, so only those patients are scored again rather than the
whole clinic.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, String, func, literal, select, type_coerce, union_all

from journal.services.journal import Journal
from journal.store.models import (
    ChangeRow,
    CheckInRow,
    CourseRow,
    PatientRow,
    PhotoRow,
    ReviewRow,
    SessionRow,
)
from journal.store.watch import ChangeWatcher, NoWatcher, open_change_watcher

__all__ = ["ChangeWatcher", "PatientVersion", "patient_versions", "watch_changes"]

PatientVersion = tuple[Any, ...]


def watch_changes(journal: Journal) -> ChangeWatcher:
    """A watcher on the journal's database; the caller closes it.

    Opening one costs a connection (and a thread on PostgreSQL): call it off the UI thread.
    """
    try:
        return open_change_watcher(journal.engine, journal.key_pragma)
    except Exception:  # a watcher that cannot start is a stale screen, not a failure
        return NoWatcher()


def patient_versions(journal: Journal) -> dict[str, PatientVersion]:
    """Per patient, a value that changes whenever any of their records is added, edited or gone.

    Per patient and table, the row count (inserts, deletes) and the newest
    `updated_at` (edits); the change log counts too, as it also records edits
    made on a machine whose clock runs behind. One query; the rows are plain
    strings and numbers, so a 1,000-patient clinic costs a few milliseconds.
    """
    parts: list[Select[Any, Any, Any]] = [
        select(
            PatientRow.id.label("pid"),
            literal("patient").label("kind"),
            PatientRow.updated_at.label("at"),
        ),
        select(CourseRow.patient_id, literal("course"), CourseRow.updated_at),
    ]
    for child in (SessionRow, CheckInRow, PhotoRow, ReviewRow):
        parts.append(
            select(CourseRow.patient_id, literal(child.__tablename__), child.updated_at).join(
                child, child.course_id == CourseRow.id
            )
        )
    parts.append(
        select(ChangeRow.patient_id, literal("change"), ChangeRow.at).where(
            ChangeRow.patient_id.is_not(None)
        )
    )
    every = union_all(*parts).subquery()
    stmt = select(
        type_coerce(every.c.pid, String),  # raw: turning 10,000 values into UUIDs costs more
        every.c.kind,
        func.count(),
        type_coerce(func.max(every.c.at), String),
    ).group_by(every.c.pid, every.c.kind)
    found: dict[Any, list[Any]] = {}
    with journal.read() as db:
        raw_ids = db.execute(select(type_coerce(PatientRow.id, String), PatientRow.id)).all()
        for pid, kind, count, stamp in db.execute(stmt):
            found.setdefault(pid, []).append((kind, count, stamp))
    return {str(key): tuple(sorted(found.get(raw, ()))) for raw, key in raw_ids}
