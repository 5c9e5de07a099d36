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
import getpass
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import aliased

from journal.core.errors import InvalidValue, JournalError, NotFound
from journal.core.lookup import looks_like_id
from journal.services import convert
from journal.services.changelog import Change
from journal.services.fields import (
    KINDS,
    EditableKind,
    complete,
    parse_changes,
    provider_name,
    typo_words,
)
from journal.services.journal import Journal
from journal.services.lookup import course_for_new_record, find_patient, provider_by_name
from journal.store import snapshots
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

MODELS: dict[str, Any] = {
    "patient": PatientRow,
    "course": CourseRow,
    "session": SessionRow,
    "checkin": CheckInRow,
    "review": ReviewRow,
    "photo": PhotoRow,
    "flag": FlagRow,  # status changes only: a flag is never deleted, it is derived
}
LINKED_PHOTOS = "linked_photos"  # tombstone key: photos a deleted session/check-in had
# Restore order: a row's parents come back before it does.
PARENTS_FIRST = ("patient", "course", "session", "checkin", "review", "photo")
CONVERT = {
    "patient": convert.patient,
    "course": convert.course,
    "session": convert.session,
    "checkin": convert.checkin,
    "review": convert.review,
    "photo": convert.photo,
}


class EditConflict(JournalError):
    """The record changed after the form that edits it was opened."""

    exit_code = 2


@dataclass(frozen=True)
class Outcome:
    """What an edit, delete or undo did: its batch, a sentence, the record if one remains."""

    batch_id: uuid.UUID
    summary: str
    changes: tuple[Change, ...]
    record: Any = None


def actor_name(by: str | None) -> str:
    """Who made a change: the name given with `--by`, else the account's user name."""
    from journal.core.values import parse_name

    if by is not None:
        return parse_name("by", by)
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


# -- finding ---------------------------------------------------------------------------


def kind_of(name: str) -> EditableKind:
    found = KINDS.get(name)
    if found is None:
        raise InvalidValue("kind", name, "choose one of " + ", ".join(KINDS))
    return found


def find_record(db: DbSession, kind: EditableKind, ref: str) -> Any:
    """The one record of this kind with this id or unique id prefix (4+ hex digits)."""
    model = MODELS[kind.table]
    if kind.table == "patient":
        return find_patient(db, ref)  # a patient is also named by name
    text = ref.strip()
    if not looks_like_id(text):
        raise InvalidValue(f"{kind.name} id", ref, "give its id or the first 4+ characters of it")
    try:
        exact = uuid.UUID(text)
    except ValueError:
        exact = None
    if exact is not None:
        found = [exact] if db.get(model, exact) is not None else []
    else:
        # A prefix is a range of ids: an index range scan on both databases (ids
        # sort as their hex digits on SQLite's CHAR(32) and PostgreSQL's uuid).
        prefix = text.replace("-", "").lower()
        low, high = uuid.UUID(prefix.ljust(32, "0")), uuid.UUID(prefix.ljust(32, "f"))
        found = list(db.scalars(select(model.id).where(model.id.between(low, high)).limit(6)))
    if not found:
        raise NotFound(f"no {kind.name} with id {ref!r}: see `journal history`")
    if len(found) > 1:
        shown = ", ".join(str(i)[:13] for i in found[:5])
        raise InvalidValue(f"{kind.name} id", ref, f"is ambiguous ({shown}); type more of it")
    return db.get(model, found[0])


def patient_id_of(db: DbSession, table: str, row: Any) -> uuid.UUID | None:
    if table == "patient":
        return row.id  # type: ignore[no-any-return]
    if table == "course":
        return row.patient_id  # type: ignore[no-any-return]
    return db.scalar(select(CourseRow.patient_id).where(CourseRow.id == row.course_id))


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
        row = find_record(db, kind, ref)
        if expected_updated_at is not None and row.updated_at != expected_updated_at:
            raise EditConflict(
                f"this {kind.name} was changed elsewhere after you opened it: "
                "reload it, or save again to overwrite"
            )
        _check_typos(db, kind, changes)
        columns |= _relational(db, kind, row, changes)
        columns = _complete(kind, row, columns)
        batch = uuid.uuid4()
        patient_id = patient_id_of(db, kind.table, row)
        logged = apply_changes(
            kind.table, row, columns, actor=actor, patient_id=patient_id, batch=batch
        )
        if not logged:
            raise InvalidValue(kind.name, ref, "nothing to change: every value is as it was")
        db.add_all(logged)
        db.flush()
        if kind.table == "checkin":
            _still_records_something(row)
        record = CONVERT[kind.table](row)
        fields = ", ".join(c.field or "" for c in logged)
        summary = f"Edited {kind.name} {str(row.id)[:8]}: {fields}"
        return Outcome(batch, summary, tuple(change_of(c) for c in logged), record)


def apply_changes(
    table: str,
    row: Any,
    columns: Mapping[str, Any],
    *,
    actor: str,
    patient_id: uuid.UUID | None,
    batch: uuid.UUID,
) -> list[ChangeRow]:
    """Set each column whose value really changes; return its change-log line (old -> new).

    One rule for every edit, a record's fields or a red flag's status: a value
    equal to the stored one, compared as the JSON the log keeps, is no change.
    The caller adds the lines in the same transaction as the row.
    """
    logged: list[ChangeRow] = []
    for column, value in columns.items():
        old = snapshots.field_to_json(table, column, getattr(row, column))
        new = snapshots.field_to_json(table, column, value)
        if old == new:
            continue
        logged.append(
            ChangeRow(
                batch_id=batch,
                actor=actor,
                action="edit",
                kind=table,
                record_id=row.id,
                patient_id=patient_id,
                field=column,
                old=old,
                new=new,
            )
        )
        setattr(row, column, value)
    return logged


def _check_typos(db: DbSession, kind: EditableKind, changes: Mapping[str, Any]) -> None:
    """A near miss of a known word is refused unless `custom`, exactly as on add."""
    from journal.services.lookup import check_typos

    for vocab, words in typo_words(kind.name, changes):
        check_typos(db, vocab, words, custom=bool(changes.get("custom")))


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


def _complete(kind: EditableKind, row: Any, columns: dict[str, Any]) -> dict[str, Any]:
    """Values that only make sense with the rest of the row: a currency needs a cost."""
    if kind.table == "session":
        current = {"cost": row.cost, "currency": row.currency, "areas": row.areas}
        columns = complete(kind.name, columns, current)
    if kind.table == "photo" and "taken_date" in columns:
        day: dt.date = columns.pop("taken_date")
        local = row.taken_at.astimezone()
        moved = local.replace(year=day.year, month=day.month, day=day.day)
        columns["taken_at"] = moved.astimezone(dt.UTC)
        columns["taken_at_source"] = "user"
    return columns


def _still_records_something(row: CheckInRow) -> None:
    from journal.core.vocab import SYMPTOM_KEYS

    values = [getattr(row, k) for k in SYMPTOM_KEYS]
    values += [row.concerns, row.gais, row.verdict, row.red_flags, row.notes]
    if not any(v not in (None, {}, []) for v in values) and row.downtime is None:
        raise InvalidValue("check-in", str(row.id)[:8], "would record nothing: delete it instead")


# -- delete ----------------------------------------------------------------------------


def delete(journal: Journal, kind_name: str, ref: str, *, by: str | None = None) -> Outcome:
    """Remove a record with what cannot live without it; undo puts every row back."""
    kind = kind_of(kind_name)
    if kind.table == "patient":
        raise InvalidValue(
            "patient", ref, "a patient is erased, not deleted: `journal patient delete` (final)"
        )
    actor = actor_name(by)
    journal.photos  # noqa: B018 - decide the photo store before the write lock is held
    with journal.write() as db:
        row = find_record(db, kind, ref)
        logged, files, batch = _delete(db, kind.table, row, actor)
        counts = _count_words(c.kind for c in logged[1:])
        also = f" with {counts}" if counts else ""
        summary = f"Deleted {kind.name} {str(row.id)[:8]}{also}"
        outcome = Outcome(batch, summary, tuple(change_of(c) for c in logged))
        trash_photo_files(journal, files, batch, db)
    trash_photo_files(journal, files, batch)
    return outcome


def delete_rows(
    db: DbSession, table: str, row: Any, *, actor: str
) -> tuple[list[str], list[str], uuid.UUID]:
    """Delete a row and its dependants inside the caller's transaction, logged.

    Returns the tables of the rows removed, the photo files to move to the
    trash once the transaction has committed, and the batch id.
    """
    logged, files, batch = _delete(db, table, row, actor)
    return [c.kind for c in logged], files, batch


def _delete(
    db: DbSession, table: str, row: Any, actor: str
) -> tuple[list[ChangeRow], list[str], uuid.UUID]:
    batch = uuid.uuid4()
    patient_id = patient_id_of(db, table, row)
    doomed = _with_dependants(db, table, row)
    logged = [
        ChangeRow(
            batch_id=batch,
            actor=actor,
            action="delete",
            kind=kind,
            record_id=item.id,
            patient_id=patient_id,
            old=_tombstone(db, kind, item),
        )
        for kind, item in doomed
    ]
    db.add_all(logged)
    files = [
        f for kind, item in doomed if kind == "photo" for f in photo_files(convert.plain(item))
    ]
    for _, item in reversed(doomed):  # dependants first, one flush each: the ORM
        db.delete(item)  # knows no course->session link to order them itself
        db.flush()
    return logged, files, batch


def _tombstone(db: DbSession, table: str, row: Any) -> dict[str, Any]:
    """The whole row, plus the photos that pointed at it (undo links them again)."""
    data = snapshots.snapshot(table, row)
    if table in ("session", "checkin"):
        column = PhotoRow.session_id if table == "session" else PhotoRow.checkin_id
        linked = db.scalars(select(PhotoRow.id).where(column == row.id))
        data[LINKED_PHOTOS] = [str(i) for i in linked]
    return data


def delete_preview(journal: Journal, kind_name: str, ref: str) -> str:
    """What a delete would remove, in words, for the confirmation question."""
    kind = kind_of(kind_name)
    with journal.read() as db:
        row = find_record(db, kind, ref)
        doomed = _with_dependants(db, kind.table, row)
        counts = _count_words(t for t, _ in doomed[1:])
        when = getattr(row, "date", None) or getattr(row, "taken_at", None)
        label = getattr(row, "title", None) or (when.isoformat()[:10] if when else "")
        also = f" with {counts}" if counts else ""
        return f"Delete {kind.name} {str(row.id)[:8]} ({label}){also}"


def _with_dependants(db: DbSession, table: str, row: Any) -> list[tuple[str, Any]]:
    """The row and every row that goes with it, parents first.

    A course takes its sessions, check-ins, reviews and photos with it; a
    session or check-in keeps its photos, which only lose the link (the
    database sets it to NULL, and undo puts the link back from the snapshot).
    """
    found: list[tuple[str, Any]] = [(table, row)]
    if table == "course":
        for child, model in (
            ("session", SessionRow),
            ("checkin", CheckInRow),
            ("review", ReviewRow),
            ("photo", PhotoRow),
        ):
            found += [
                (child, r) for r in db.scalars(select(model).where(model.course_id == row.id))
            ]
    return found


def _count_words(tables: Any) -> str:
    counted: dict[str, int] = {}
    for table in tables:
        counted[table] = counted.get(table, 0) + 1
    names = {"session": "session", "checkin": "check-in", "review": "review", "photo": "photo"}
    return ", ".join(
        f"{n} {names[t]}{'s' if n != 1 else ''}" for t, n in counted.items() if t in names
    )


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


def photo_files(values: Mapping[str, Any]) -> list[str]:
    """The store paths of a photo's files, from its row's values (live row or tombstone)."""
    return [values[c] for c in ("display_path", "thumb_path", "original_path") if values.get(c)]


# -- undo ------------------------------------------------------------------------------


def undo(journal: Journal, *, by: str | None = None) -> Outcome:
    """Revert the latest edit or delete not yet undone, as a batch of its own."""
    actor = actor_name(by)
    journal.photos  # noqa: B018 - decide the photo store before the write lock is held
    with journal.write() as db:
        latest = _latest_not_undone(db)
        if latest is None:
            raise InvalidValue("undo", "", "nothing to undo")
        rows = list(db.scalars(select(ChangeRow).where(ChangeRow.batch_id == latest)))
        batch = uuid.uuid4()
        if rows[0].action == "edit":
            logged = _undo_edit(db, rows, batch, actor)
            what = f"edit of {_word(rows[0].kind)} {str(rows[0].record_id)[:8]}"
        else:
            logged = _undo_delete(journal, db, rows, batch, actor)
            what = f"delete of {_word(rows[0].kind)} {str(rows[0].record_id)[:8]}"
        db.add_all(logged)
        db.flush()
        return Outcome(batch, f"Undid the {what}", tuple(change_of(c) for c in logged))


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


def _undo_edit(
    db: DbSession, rows: list[ChangeRow], batch: uuid.UUID, actor: str
) -> list[ChangeRow]:
    table = rows[0].kind
    row = db.get(MODELS[table], rows[0].record_id)
    if row is None:
        raise InvalidValue("undo", "", f"the edited {_word(table)} no longer exists")
    logged: list[ChangeRow] = []
    for change in rows:
        assert change.field is not None
        current = snapshots.field_to_json(table, change.field, getattr(row, change.field))
        if current != change.new:
            raise InvalidValue(
                "undo",
                "",
                f"{_word(table)} {change.field} was changed again since; edit it instead",
            )
        setattr(row, change.field, snapshots.field_from_json(table, change.field, change.old))
        logged.append(_reverse(change, batch, actor, old=change.new, new=change.old))
    return logged


def _undo_delete(
    journal: Journal, db: DbSession, rows: list[ChangeRow], batch: uuid.UUID, actor: str
) -> list[ChangeRow]:
    store = journal.photos
    ordered = sorted(rows, key=lambda c: PARENTS_FIRST.index(c.kind))
    for change in ordered:
        values = snapshots.restored(change.kind, change.old)
        db.add(MODELS[change.kind](**values))
        db.flush()
    for change in ordered:
        if change.kind == "photo":
            for relative in photo_files(change.old):
                store.restore_from_trash(relative, change.batch_id, db)
    _relink_photos(db, ordered)
    return [_reverse(c, batch, actor, old=None, new=c.old) for c in ordered]


def _relink_photos(db: DbSession, ordered: list[ChangeRow]) -> None:
    """Photos that lost their session/check-in link when it was deleted get it back."""
    for change in ordered:
        if change.kind not in ("session", "checkin"):
            continue
        column = PhotoRow.session_id if change.kind == "session" else PhotoRow.checkin_id
        for photo_id in _unlinked_photos(change):
            photo = db.get(PhotoRow, photo_id)
            if photo is not None and getattr(photo, column.key) is None:
                setattr(photo, column.key, change.record_id)


def _unlinked_photos(change: ChangeRow) -> list[uuid.UUID]:
    return [uuid.UUID(i) for i in (change.old or {}).get(LINKED_PHOTOS, [])]


def _reverse(change: ChangeRow, batch: uuid.UUID, actor: str, *, old: Any, new: Any) -> ChangeRow:
    return ChangeRow(
        batch_id=batch,
        actor=actor,
        action="undo",
        kind=change.kind,
        record_id=change.record_id,
        patient_id=change.patient_id,
        field=change.field,
        old=old,
        new=new,
        reverts=change.batch_id,
    )


def _word(table: str) -> str:
    return "check-in" if table == "checkin" else table


def change_of(row: Any) -> Change:
    """A change-log line from an ORM row or a Core row (same attribute names)."""
    return Change(
        id=row.id,
        batch_id=row.batch_id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        kind=_word(row.kind),
        record_id=row.record_id,
        patient_id=row.patient_id,
        field=row.field,
        old=row.old,
        new=row.new,
        reverts=row.reverts,
    )


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
