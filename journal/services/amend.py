"""Correcting the record: edit, delete, undo, and the change log that remembers each.

Every edit and delete writes its change-log rows in the same transaction as
the change itself, so the log can never disagree with the records: an edit
logs each changed field's old and new value, a delete logs the whole row of
everything it removes (its tombstone, which is also what undo puts back).
One user action is one batch; `undo` reverts the latest batch that has not
been undone, as a new batch of its own, so the log only ever grows.

A patient's erasure is the one change that cannot be undone: see `erase`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import aliased, object_session

from journal.core.errors import InvalidValue
from journal.services import amend_rules as rules
from journal.services import convert
from journal.services.amend_rules import (
    EditConflict,
    Outcome,
    actor_name,
    change_of,
    kind_of,
    photo_files,
)
from journal.services.changelog import Change
from journal.services.fields import EditableKind, parse_changes, provider_name
from journal.services.journal import Journal
from journal.services.lookup import course_for_new_record, find_patient, provider_by_name
from journal.store.models import (
    ChangeRow,
    CheckInRow,
    CourseRow,
    FlagRow,
    PatientRow,
    PhotoRow,
    ReviewRow,
    SessionRow,
)
from journal.store.rows import Row

MODELS: dict[str, Any] = {
    "patient": PatientRow,
    "course": CourseRow,
    "session": SessionRow,
    "checkin": CheckInRow,
    "review": ReviewRow,
    "photo": PhotoRow,
    "flag": FlagRow,  # status changes only: a flag is never deleted, it is derived
}


class OrmWork:
    """`amend_rules.Work` on an ORM session: every database, every schema.

    Rows go out as plain dicts (`convert.plain`); the ORM objects behind them
    stay in the session's identity map, so `update` sets attributes on the
    very object the session tracks and `Journal.write` keeps the stored
    course results from what it flushed.
    """

    def __init__(self, db: DbSession, journal: Journal | None = None) -> None:
        self.db = db
        self.journal = journal

    def _obj(self, table: str, row: Row) -> Any:
        return self.db.get(MODELS[table], row["id"])

    def get(self, table: str, record_id: uuid.UUID) -> Row | None:
        found = self.db.get(MODELS[table], record_id)
        return dict(convert.plain(found)) if found is not None else None

    def ids_between(self, table: str, low: uuid.UUID, high: uuid.UUID) -> list[uuid.UUID]:
        model = MODELS[table]
        return list(self.db.scalars(select(model.id).where(model.id.between(low, high)).limit(6)))

    def find_patient(self, ref: str) -> Row:
        return dict(convert.plain(find_patient(self.db, ref)))

    def course_patient(self, course_id: uuid.UUID) -> uuid.UUID | None:
        return self.db.scalar(select(CourseRow.patient_id).where(CourseRow.id == course_id))

    def children(self, table: str, course_id: uuid.UUID) -> list[Row]:
        model = MODELS[table]
        rows = self.db.scalars(select(model).where(model.course_id == course_id))
        return [dict(convert.plain(r)) for r in rows]

    def linked_photos(self, column: str, record_id: uuid.UUID) -> list[uuid.UUID]:
        linked = getattr(PhotoRow, column)
        return list(self.db.scalars(select(PhotoRow.id).where(linked == record_id)))

    def word_used(self, vocab: Any, word: str) -> bool:
        from journal.services.lookup import word_used

        return word_used(self.db, vocab, word)

    def relational(self, kind: EditableKind, row: Row, changes: Mapping[str, Any]) -> dict:
        return _relational(self.db, kind, self._obj(kind.table, row), changes)

    def update(self, table: str, row: Row, columns: Mapping[str, Any]) -> Row:
        obj = self._obj(table, row) if table != "flag" else self._flag(row)
        for column, value in columns.items():
            setattr(obj, column, value)
        self.db.flush()
        return dict(convert.plain(obj))

    def _flag(self, row: Row) -> Any:
        return self.db.get(FlagRow, row["id"]) if row.get("id") is not None else None

    def insert(self, table: str, values: Mapping[str, Any]) -> None:
        self.db.add(MODELS[table](**values))
        self.db.flush()

    def delete(self, table: str, row: Row) -> None:
        # One flush each: the ORM knows no course->session link to order them itself.
        self.db.delete(self._obj(table, row))
        self.db.flush()

    def log(self, lines: list[dict[str, Any]]) -> list[Any]:
        logged = [ChangeRow(**line) for line in lines]
        self.db.add_all(logged)
        self.db.flush()
        return logged

    def batch(self, batch_id: uuid.UUID) -> list[Any]:
        return list(self.db.scalars(select(ChangeRow).where(ChangeRow.batch_id == batch_id)))

    def latest_not_undone(self) -> uuid.UUID | None:
        return _latest_not_undone(self.db)

    def trash_photo_files(self, files: list[str], batch: uuid.UUID) -> None:
        assert self.journal is not None
        trash_photo_files(self.journal, files, batch, self.db)

    def restore_photo_file(self, relative: str, batch: uuid.UUID) -> None:
        assert self.journal is not None
        self.journal.photos.restore_from_trash(relative, batch, self.db)


# -- finding ---------------------------------------------------------------------------


def find_record(db: DbSession, kind: EditableKind, ref: str) -> Any:
    """The one ORM record of this kind with this id or unique id prefix (4+ hex digits)."""
    row = rules.find_record(OrmWork(db), kind, ref)
    return db.get(MODELS[kind.table], row["id"])


def patient_id_of(db: DbSession, table: str, row: Any) -> uuid.UUID | None:
    return rules.patient_id_of(OrmWork(db), table, dict(convert.plain(row)))


# -- edit ------------------------------------------------------------------------------


def edit(
    journal: Journal,
    kind_name: str,
    ref: str,
    changes: Mapping[str, Any],
    *,
    by: str | None = None,
    expected_updated_at: dt.datetime | None = None,
) -> Outcome:
    """Change the fields given; refuse values an add would refuse, or nothing to change."""
    kind = kind_of(kind_name)
    columns = parse_changes(kind, changes)
    actor = actor_name(by)
    with journal.write() as db:
        return rules.edit(
            OrmWork(db, journal),
            kind,
            ref,
            columns,
            changes,
            actor=actor,
            expected_updated_at=expected_updated_at,
        )


def apply_changes(
    table: str,
    row: Any,
    columns: Mapping[str, Any],
    *,
    actor: str,
    patient_id: uuid.UUID | None,
    batch: uuid.UUID,
) -> list[ChangeRow]:
    """`amend_rules.apply_changes` on an ORM row; the caller adds the lines it returns."""
    db = object_session(row)
    assert db is not None
    lines, _ = rules.apply_changes(
        _RowWork(db, row),
        table,
        dict(convert.plain(row)),
        columns,
        actor=actor,
        patient_id=patient_id,
        batch=batch,
    )
    return [ChangeRow(**line) for line in lines]


class _RowWork(OrmWork):
    """An `OrmWork` that updates one given ORM row (a flag status may not be flushed yet)."""

    def __init__(self, db: DbSession, row: Any) -> None:
        super().__init__(db)
        self._row = row

    def update(self, table: str, row: Row, columns: Mapping[str, Any]) -> Row:
        for column, value in columns.items():
            setattr(self._row, column, value)
        return dict(convert.plain(self._row))


def _relational(
    db: DbSession, kind: EditableKind, row: Any, changes: Mapping[str, Any]
) -> dict[str, Any]:
    """Fields whose value names another record: a provider, a course, a patient."""
    found: dict[str, Any] = {}
    if "provider" in changes:
        if kind.table not in ("session", "review"):
            raise InvalidValue("field", "provider", f"a {kind.name} has no provider")
        provider = provider_by_name(db, provider_name(changes["provider"]))
        found["provider_id"] = provider.id if provider is not None else None
    if "patient" in changes or "course" in changes:
        if kind.table in ("patient", "course"):
            raise InvalidValue("field", "course", f"a {kind.name} cannot be moved")
        patient = (
            find_patient(db, changes["patient"])
            if changes.get("patient")
            else db.get(PatientRow, patient_id_of(db, kind.table, row))
        )
        assert patient is not None
        found["course_id"] = course_for_new_record(db, patient, changes.get("course")).id
    return found


# -- delete ----------------------------------------------------------------------------


def delete(journal: Journal, kind_name: str, ref: str, *, by: str | None = None) -> Outcome:
    """Remove a record with what cannot live without it; undo puts every row back."""
    kind = kind_of(kind_name)
    if kind.table == "patient":
        raise InvalidValue(
            "patient", ref, "a patient is erased, not deleted: `journal patient delete` (final)"
        )
    actor = actor_name(by)
    journal.recheck_photo_store()  # `photos move` in another process since
    journal.photos  # noqa: B018 - decide the photo store before the write lock is held
    with journal.write() as db:
        outcome, files = rules.delete(OrmWork(db, journal), kind, ref, actor=actor)
    trash_photo_files(journal, files, outcome.batch_id)
    return outcome


def delete_rows(
    db: DbSession, table: str, row: Any, *, actor: str
) -> tuple[list[str], list[str], uuid.UUID]:
    """Delete a row and its dependants inside the caller's transaction, logged.

    Returns the tables of the rows removed, the photo files to move to the
    trash once the transaction has committed, and the batch id.
    """
    logged, files, batch = rules.delete_rows(
        OrmWork(db), table, dict(convert.plain(row)), actor=actor
    )
    return [c.kind for c in logged], files, batch


def delete_preview(journal: Journal, kind_name: str, ref: str) -> str:
    """What a delete would remove, in words, for the confirmation question."""
    kind = kind_of(kind_name)
    with journal.read() as db:
        work = OrmWork(db)
        row = rules.find_record(work, kind, ref)
        doomed = rules.with_dependants(work, kind.table, row)
        counts = rules.count_words(t for t, _ in doomed[1:])
        when = row.get("date") or row.get("taken_at")
        label = row.get("title") or (when.isoformat()[:10] if when else "")
        also = f" with {counts}" if counts else ""
        return f"Delete {kind.name} {str(row['id'])[:8]} ({label}){also}"


def trash_photo_files(
    journal: Journal, files: list[str], batch: uuid.UUID, db: DbSession | None = None
) -> None:
    """Keep a deleted photo's files out of the live store until undo or the grace period ends.

    Called twice by a delete: inside its transaction (`db` given) and after
    the commit; each store acts at its own moment. The database store marks
    its rows in the delete's transaction, so the photo and its files vanish
    together. The folder moves files after the commit: a crash in between
    leaves files no row points to (`journal doctor` sets them aside), never a
    row without its files.
    """
    store = journal.photos
    if store.transactional != (db is not None):
        return
    for relative in files:
        store.move_to_trash(relative, batch, db)


# -- undo ------------------------------------------------------------------------------


def undo(journal: Journal, *, by: str | None = None) -> Outcome:
    """Revert the latest edit or delete not yet undone, as a batch of its own."""
    actor = actor_name(by)
    journal.recheck_photo_store()  # `photos move` in another process since
    journal.photos  # noqa: B018 - decide the photo store before the write lock is held
    with journal.write() as db:
        return rules.undo(OrmWork(db, journal), actor=actor)


def _latest_not_undone(db: DbSession) -> uuid.UUID | None:
    """The batch of the newest edit or delete that no undo reverts (ties: lowest row id).

    Two steps so each is an index walk: the newest such moment (`ix_change_at`,
    newest first, stopping at the first hit), then the lowest row id at it.
    Ordering by (at, id) in one query made SQLite sort the whole log.
    """
    candidates = (ChangeRow.action.in_(("edit", "delete")), ~_undone(ChangeRow.batch_id))
    newest = db.scalar(
        select(ChangeRow.at).where(*candidates).order_by(ChangeRow.at.desc()).limit(1)
    )
    if newest is None:
        return None
    return db.scalar(
        select(ChangeRow.batch_id)
        .where(*candidates, ChangeRow.at == newest)
        .order_by(ChangeRow.id)
        .limit(1)
    )


def _undone(batch_id: Any) -> Any:
    """Whether an undo reverts this batch: one index lookup (ix_change_reverts) per row.

    Walking the log newest first, the latest batch not undone is usually
    among the first rows; `NOT IN (every reverted batch)` built the whole
    list of undos first, on every undo.
    """
    undo = aliased(ChangeRow)
    return select(undo.id).where(undo.reverts == batch_id).exists()


# -- the log ---------------------------------------------------------------------------


def change_log(
    journal: Journal, patient_ref: str | None = None, *, limit: int | None = None
) -> list[Change]:
    """The change log, newest first; one patient's changes with `patient_ref`."""
    with journal.read() as db:
        table = ChangeRow.__table__
        stmt = select(table).order_by(table.c.at.desc(), table.c.id)
        if patient_ref is not None:
            stmt = stmt.where(table.c.patient_id == find_patient(db, patient_ref).id)
        if limit is not None:
            stmt = stmt.limit(limit)
        # Core rows, not ORM instances: the log can hold many thousand lines.
        return [change_of(row) for row in db.execute(stmt)]


def live_deletions(
    db: DbSession, patient_id: uuid.UUID
) -> list[tuple[str, uuid.UUID, dt.datetime]]:
    """(table, record id, when) of the patient's deletes that no undo has reverted."""
    undone = select(ChangeRow.reverts).where(ChangeRow.reverts.is_not(None))
    stmt = (
        select(ChangeRow.kind, ChangeRow.record_id, ChangeRow.at)
        .where(ChangeRow.patient_id == patient_id, ChangeRow.action == "delete")
        .where(ChangeRow.batch_id.not_in(undone))
        .order_by(ChangeRow.at, ChangeRow.record_id)
    )
    return [(kind, record_id, at) for kind, record_id, at in db.execute(stmt)]


def amended_ids(journal: Journal, patient_id: uuid.UUID) -> set[uuid.UUID]:
    """Records of a patient that were edited since they were added (exports mark them)."""
    with journal.read() as db:
        stmt = (
            select(ChangeRow.record_id)
            .where(ChangeRow.patient_id == patient_id)
            .where(ChangeRow.action.in_(("edit", "undo")))
        )
        return set(db.scalars(stmt))


__all__ = [
    "Change",
    "EditConflict",
    "Outcome",
    "apply_changes",
    "change_log",
    "change_of",
    "delete",
    "edit",
    "find_record",
    "photo_files",
    "undo",
]
