"""Live views: notice other processes' writes, and tell which patients they touched.

The TUI cannot import the store (import-linter contracts), so it reaches the
change watcher (`journal.store.watch`) through `watch_changes`. When the
watcher reports a commit, the provider's patient list asks `patient_versions`
which patients changed: one grouped query per table, a few milliseconds for a
1,000-patient clinic, so only those patients are scored again rather than the
whole clinic.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, select

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
        return open_change_watcher(journal.engine)
    except Exception:  # a watcher that cannot start is a stale screen, not a failure
        return NoWatcher()


def patient_versions(journal: Journal) -> dict[str, PatientVersion]:
    """Per patient, a value that changes whenever any of their records is added, edited or gone.

    Counts catch inserts and deletes, the newest `updated_at` catches edits,
    and the change log (which also records status changes) catches the rest.
    """
    found: dict[uuid.UUID, list[Any]] = {}
    with journal.read() as db:
        for pid, stamp in db.execute(select(PatientRow.id, PatientRow.updated_at)):
            found[pid] = [_iso(stamp)]
        for pid, count, stamp in db.execute(
            select(CourseRow.patient_id, func.count(), func.max(CourseRow.updated_at)).group_by(
                CourseRow.patient_id
            )
        ):
            found.setdefault(pid, []).extend(("course", count, _iso(stamp)))
        for child in (SessionRow, CheckInRow, PhotoRow, ReviewRow):
            for pid, count, stamp in db.execute(
                select(CourseRow.patient_id, func.count(), func.max(child.updated_at))
                .join(child, child.course_id == CourseRow.id)
                .group_by(CourseRow.patient_id)
            ):
                found.setdefault(pid, []).extend((child.__tablename__, count, _iso(stamp)))
        for logged, count, stamp in db.execute(
            select(ChangeRow.patient_id, func.count(), func.max(ChangeRow.at))
            .where(ChangeRow.patient_id.is_not(None))
            .group_by(ChangeRow.patient_id)
        ):
            if logged is not None:
                found.setdefault(logged, []).extend(("change", count, _iso(stamp)))
    return {str(pid): tuple(parts) for pid, parts in found.items() if parts}


def _iso(stamp: dt.datetime | None) -> str | None:
    return stamp.isoformat() if stamp is not None else None
