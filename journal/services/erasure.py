"""Erasing a patient: everything of theirs goes, recoverable by no one from the journal.

A delete can be undone because its tombstone keeps the whole row; an erasure
must not be, so it removes the patient, every record of theirs, every
change-log entry that holds their data (tombstones included) and every photo
file (live, and deleted ones waiting for undo), and keeps one tombstone
without personal data: that patient id was erased, when and by whom.

Rows removed from SQLite leave their bytes in free pages and in the WAL until
they are overwritten. Journals run with `secure_delete` on (freed pages are
zeroed, see `journal.store.engine`); the erasure then checkpoints the WAL
into the database, truncates it, and vacuums. PostgreSQL keeps dead rows
until VACUUM, which runs on the journal's tables afterwards; the server's
own WAL archive and any backup are outside the journal: the user has to
delete those (the docs say so).
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session as DbSession

from journal.services import convert
from journal.services.amend import actor_name, photo_files
from journal.services.journal import Journal
from journal.services.lookup import find_patient
from journal.store import photostore
from journal.store.location import refuse_symlink
from journal.store.models import ChangeRow, CourseRow, PhotoRow

ERASE_TABLES = (
    "patient",
    "course",
    "session",
    "checkin",
    "photo",
    "review",
    "flag",
    "change",
    "photo_blob",  # a database-backed journal's photo bytes (migration 0010)
)


@dataclass(frozen=True)
class Erasure:
    patient_id: uuid.UUID
    records: int
    photo_files: int
    compacted: bool  # SQLite free pages and WAL rewritten (False: another program held it)


def erase_preview(journal: Journal, patient_ref: str) -> str:
    """The confirmation question: whom and how much, and that it is final."""
    with journal.read() as db:
        patient = find_patient(db, patient_ref)
        courses = [
            c.id for c in db.scalars(select(CourseRow).where(CourseRow.patient_id == patient.id))
        ]
        photos = (
            db.scalar(select(PhotoRow.id).where(PhotoRow.course_id.in_(courses)).limit(1))
            if courses
            else None
        )
        what = "every record" + (" and photo" if photos else "")
        return (
            f"Erase {patient.display_name} ({str(patient.id)[:8]}) with {what}: "
            "this cannot be undone"
        )


def erase_patient(journal: Journal, patient_ref: str, *, by: str | None = None) -> Erasure:
    """Remove a patient and everything of theirs; keep a tombstone without personal data."""
    actor = actor_name(by)
    journal.recheck_photo_store()  # `photos move` in another process since
    store = journal.photos  # decided before the write lock is held
    removed = 0
    marker: Path | None = None
    with journal.write() as db:
        patient = find_patient(db, patient_ref)
        patient_id = patient.id
        files = _their_files(db, patient_id)
        records = _count(db, patient_id)
        if store.transactional:  # the bytes go in the same commit as the rows
            removed = sum(store.erase(rel, batch, db) for rel, batch in files)
        else:
            marker = _mark_pending(journal.photos_dir, patient_id, files, store)
        db.execute(delete(ChangeRow).where(ChangeRow.patient_id == patient_id))
        db.delete(patient)  # courses follow by cascade; their records by ON DELETE CASCADE
        db.flush()
        db.add(
            ChangeRow(
                batch_id=uuid.uuid4(),
                actor=actor,
                action="erase",
                kind="patient",
                record_id=patient_id,
                patient_id=None,
            )
        )
    if marker is not None:
        removed = _remove_files(store, files)
        marker.unlink(missing_ok=True)
    compacted = _compact(journal)
    return Erasure(patient_id, records, removed, compacted)


PENDING_DIRNAME = ".erasing"


def _mark_pending(
    photos_dir: Path,
    patient_id: uuid.UUID,
    files: list[tuple[str, uuid.UUID | None]],
    store: photostore.PhotoStore | None = None,
) -> Path:
    """Before the commit, note which files the erasure will remove.

    The files go after the rows commit; a process killed in between would
    leave them as orphans, which `doctor` sets aside, not removes. The note
    (the files' names on disk and the patient's id only, nothing personal)
    lets `finish_pending` complete the removal instead. On an encrypted
    journal those are the sealed names: a store name holds the photo's
    sha256, which the sealed layout keeps off the disk (docs/privacy.md).
    """
    folder = photos_dir / PENDING_DIRNAME
    refuse_symlink(photos_dir, "photo folder")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    refuse_symlink(folder, "photo folder")
    marker = folder / f"{patient_id.hex}.json"
    on_disk = store.stored_name if isinstance(store, photostore.FolderStore) else str
    entries = [[on_disk(relative), batch.hex if batch else None] for relative, batch in files]
    marker.write_text(json.dumps({"patient_id": str(patient_id), "stored_files": entries}))
    return marker


def finish_pending(
    photos_dir: Path,
    patient_exists: Callable[[uuid.UUID], bool],
    store: photostore.PhotoStore | None = None,
) -> int:
    """Complete erasures a killed process left half done; returns the files removed.

    A note whose patient is still in the journal belongs to an erasure that
    never committed: it is dropped and nothing is removed. `store` is the
    journal's folder store (an encrypted journal's maps names to sealed ones);
    a note holds the names on disk (`stored_files`), or store names (`files`)
    when an older version wrote it.
    """
    store = store or photostore.FolderStore(photos_dir)
    folder = photos_dir / PENDING_DIRNAME
    if folder.is_symlink() or not folder.is_dir():
        return 0
    removed = 0
    for marker in sorted(folder.glob("*.json")):
        try:
            note = json.loads(marker.read_text())
            patient_id = uuid.UUID(note["patient_id"])
            on_disk = "stored_files" in note
            listed = note["stored_files"] if on_disk else note["files"]
            files = [(str(rel), uuid.UUID(b) if b else None) for rel, b in listed]
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not ours to judge: doctor reports the folder as it is
        if not patient_exists(patient_id):
            if on_disk and isinstance(store, photostore.FolderStore):
                removed += _remove_stored(store, files)
            else:
                removed += _remove_files(store, files)
        marker.unlink(missing_ok=True)
    return removed


def _their_files(db: DbSession, patient_id: uuid.UUID) -> list[tuple[str, uuid.UUID | None]]:
    """Store-relative paths of their live photos, and of deleted ones still kept for undo."""
    courses = select(CourseRow.id).where(CourseRow.patient_id == patient_id)
    found: list[tuple[str, uuid.UUID | None]] = []
    for photo in db.scalars(select(PhotoRow).where(PhotoRow.course_id.in_(courses))):
        found += [(p, None) for p in photo_files(convert.plain(photo))]
    deleted = select(ChangeRow).where(
        ChangeRow.patient_id == patient_id, ChangeRow.kind == "photo", ChangeRow.action == "delete"
    )
    for change in db.scalars(deleted):
        found += [(p, change.batch_id) for p in photo_files(change.old or {})]
    return found


def _count(db: DbSession, patient_id: uuid.UUID) -> int:
    from sqlalchemy import func

    from journal.store.models import CheckInRow, ReviewRow, SessionRow

    courses = select(CourseRow.id).where(CourseRow.patient_id == patient_id)
    total = 1 + (db.scalar(select(func.count()).select_from(courses.subquery())) or 0)
    for model in (SessionRow, CheckInRow, ReviewRow, PhotoRow):
        total += db.scalar(select(func.count()).where(model.course_id.in_(courses))) or 0
    return total


def _remove_files(store: photostore.PhotoStore, files: list[tuple[str, uuid.UUID | None]]) -> int:
    """Unlink every file; a shared content hash is impossible (one photo row per hash)."""
    return sum(store.erase(relative, batch) for relative, batch in files)


def _remove_stored(store: photostore.FolderStore, files: list[tuple[str, uuid.UUID | None]]) -> int:
    """Unlink files by their names on disk (a pending note's); a name that
    leaves the store is skipped, never followed."""
    removed = 0
    for name, batch in files:
        with contextlib.suppress(ValueError):
            removed += store.erase_stored(name, batch)
    return removed


def _compact(journal: Journal) -> bool:
    """Rewrite the database so no freed page or WAL frame still holds the patient."""
    db_file = journal.location.sqlite_path
    if db_file is not None:
        import sqlite3

        journal.engine.dispose()  # our own pooled connections must not pin the WAL
        driver: Any = sqlite3
        if journal.key_pragma is not None:  # SQLCipher: the key before any other statement
            import sqlcipher3

            driver = sqlcipher3
        conn = driver.connect(str(db_file), isolation_level=None, timeout=15)
        try:
            if journal.key_pragma is not None:
                conn.execute(journal.key_pragma)
            conn.execute("PRAGMA secure_delete = ON")
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            conn.execute("VACUUM")
            busy_after = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        except driver.OperationalError:
            return False  # another program holds a read snapshot: doctor finishes later
        finally:
            conn.close()
        return not busy and not busy_after
    with journal.engine.connect() as pg:
        auto = pg.execution_options(isolation_level="AUTOCOMMIT")
        for table in ERASE_TABLES:
            auto.exec_driver_sql(f'VACUUM "{table}"')
    return True


__all__ = ["Erasure", "erase_patient", "erase_preview", "finish_pending"]
