"""The rules of edit, delete and undo, once, for every write path.

`journal.services.amend` runs them on an ORM session (every database, every
schema); `journal.store.sqlite_writer` runs them on a plain `sqlite3`
connection, so `journal checkin edit ID --pain 3`, `... delete ID --yes` and
`journal undo` on a current SQLite journal never import SQLAlchemy (it alone
costs more than the 300 ms a whole command may take). Both implement `Work`,
a small unit of work over plain rows (dicts of typed column values, as
`journal.store.rows` shapes them), so the validation, the change-log lines,
the tombstones, the photo trash and the messages cannot drift apart: tests
run the same command lines on both paths and compare output and database.

Nothing here imports SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
import getpass
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from journal.core.errors import InvalidValue, JournalError, NotFound
from journal.core.lookup import looks_like_id
from journal.core.vocab import SYMPTOM_KEYS, Vocabulary
from journal.services import convert
from journal.services.changelog import Change
from journal.services.fields import KINDS, EditableKind, complete, typo_words
from journal.store import snapshots
from journal.store.column_kinds import COLUMN_KINDS
from journal.store.rows import Row

LINKED_PHOTOS = "linked_photos"  # tombstone key: photos a deleted session/check-in had
# Restore order: a row's parents come back before it does.
PARENTS_FIRST = ("patient", "course", "session", "checkin", "review", "photo")
CHILDREN = ("session", "checkin", "review", "photo")  # what a course takes with it
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


class Logged(Protocol):
    """A stored change-log line as the rules read it (an ORM row or a plain one)."""

    id: Any
    batch_id: uuid.UUID
    at: dt.datetime
    actor: str
    action: str
    kind: str
    record_id: uuid.UUID
    patient_id: uuid.UUID | None
    field: str | None
    old: Any
    new: Any
    reverts: uuid.UUID | None


class Work(Protocol):
    """One write transaction over plain rows: what the rules need from a database.

    Rows are dicts of typed column values (`COLUMN_KINDS`); sessions and
    reviews also carry `provider_name`. The implementation keeps the stored
    course results of whatever it changes, in the same transaction.
    """

    def get(self, table: str, record_id: uuid.UUID) -> Row | None: ...

    def ids_between(self, table: str, low: uuid.UUID, high: uuid.UUID) -> list[uuid.UUID]:
        """Up to 6 ids of `table` in [low, high] (a prefix's range), in id order."""
        ...

    def find_patient(self, ref: str) -> Row: ...

    def course_patient(self, course_id: uuid.UUID) -> uuid.UUID | None: ...

    def children(self, table: str, course_id: uuid.UUID) -> list[Row]: ...

    def linked_photos(self, column: str, record_id: uuid.UUID) -> list[uuid.UUID]: ...

    def word_used(self, vocab: Vocabulary, word: str) -> bool: ...

    def relational(self, kind: EditableKind, row: Row, changes: Mapping[str, Any]) -> dict: ...

    def update(self, table: str, row: Row, columns: Mapping[str, Any]) -> Row:
        """Set these columns (and `updated_at`); the row as it now is."""
        ...

    def insert(self, table: str, values: Mapping[str, Any]) -> None: ...

    def delete(self, table: str, row: Row) -> None: ...

    def log(self, lines: list[dict[str, Any]]) -> list[Logged]:
        """Append change-log lines (given keys only: a key left out is stored as NULL)."""
        ...

    def batch(self, batch_id: uuid.UUID) -> list[Logged]: ...

    def latest_not_undone(self) -> uuid.UUID | None: ...

    def trash_photo_files(self, files: list[str], batch: uuid.UUID) -> None:
        """Inside the transaction: what a transactional photo store does at once."""
        ...

    def restore_photo_file(self, relative: str, batch: uuid.UUID) -> None: ...


def actor_name(by: str | None) -> str:
    """Who made a change: the name given with `--by`, else the account's user name."""
    from journal.core.values import parse_name

    if by is not None:
        return parse_name("by", by)
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def kind_of(name: str) -> EditableKind:
    found = KINDS.get(name)
    if found is None:
        raise InvalidValue("kind", name, "choose one of " + ", ".join(KINDS))
    return found


def word(table: str) -> str:
    return "check-in" if table == "checkin" else table


def change_of(row: Any) -> Change:
    """A change-log line from an ORM row or a Core row (same attribute names)."""
    return Change(
        id=row.id,
        batch_id=row.batch_id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        kind=word(row.kind),
        record_id=row.record_id,
        patient_id=row.patient_id,
        field=row.field,
        old=row.old,
        new=row.new,
        reverts=row.reverts,
    )


def photo_files(values: Mapping[str, Any]) -> list[str]:
    """The store paths of a photo's files, from its row's values (live row or tombstone)."""
    return [values[c] for c in ("display_path", "thumb_path", "original_path") if values.get(c)]


def snapshot(table: str, row: Row) -> dict[str, Any]:
    """Every column of a plain row as JSON values (what a tombstone keeps)."""
    return {c: snapshots.to_json(k, row[c]) for c, k in COLUMN_KINDS[table].items()}


# -- finding ---------------------------------------------------------------------------


def find_record(work: Work, kind: EditableKind, ref: str) -> Row:
    """The one record of this kind with this id or unique id prefix (4+ hex digits)."""
    if kind.table == "patient":
        return work.find_patient(ref)  # a patient is also named by name
    text = ref.strip()
    if not looks_like_id(text):
        raise InvalidValue(f"{kind.name} id", ref, "give its id or the first 4+ characters of it")
    try:
        exact = uuid.UUID(text)
    except ValueError:
        exact = None
    if exact is not None:
        found = [exact] if work.get(kind.table, exact) is not None else []
    else:
        # A prefix is a range of ids: an index range scan on both databases (ids
        # sort as their hex digits on SQLite's CHAR(32) and PostgreSQL's uuid).
        prefix = text.replace("-", "").lower()
        low, high = uuid.UUID(prefix.ljust(32, "0")), uuid.UUID(prefix.ljust(32, "f"))
        found = work.ids_between(kind.table, low, high)
    if not found:
        raise NotFound(f"no {kind.name} with id {ref!r}: see `journal history`")
    if len(found) > 1:
        shown = ", ".join(str(i)[:13] for i in found[:5])
        raise InvalidValue(f"{kind.name} id", ref, f"is ambiguous ({shown}); type more of it")
    row = work.get(kind.table, found[0])
    assert row is not None
    return row


def patient_id_of(work: Work, table: str, row: Row) -> uuid.UUID | None:
    if table == "patient":
        return row["id"]  # type: ignore[no-any-return]
    if table == "course":
        return row["patient_id"]  # type: ignore[no-any-return]
    return work.course_patient(row["course_id"])


# -- edit ------------------------------------------------------------------------------


def edit(
    work: Work,
    kind: EditableKind,
    ref: str,
    columns: dict[str, Any],
    changes: Mapping[str, Any],
    *,
    actor: str,
    expected_updated_at: dt.datetime | None = None,
) -> Outcome:
    """Change the parsed `columns` of the record `ref` names, logged; see `amend.edit`."""
    row = find_record(work, kind, ref)
    if expected_updated_at is not None and row["updated_at"] != expected_updated_at:
        raise EditConflict(
            f"this {kind.name} was changed elsewhere after you opened it: "
            "reload it, or save again to overwrite"
        )
    check_typos(work, kind, changes)
    columns |= work.relational(kind, row, changes)
    columns = _complete(kind, row, columns)
    batch = uuid.uuid4()
    patient_id = patient_id_of(work, kind.table, row)
    lines, row = apply_changes(
        work, kind.table, row, columns, actor=actor, patient_id=patient_id, batch=batch
    )
    if not lines:
        raise InvalidValue(kind.name, ref, "nothing to change: every value is as it was")
    logged = work.log(lines)
    if kind.table == "checkin":
        _still_records_something(row)
    fields = ", ".join(c.field or "" for c in logged)
    summary = f"Edited {kind.name} {str(row['id'])[:8]}: {fields}"
    record = CONVERT[kind.table](row)
    return Outcome(batch, summary, tuple(change_of(c) for c in logged), record)


def apply_changes(
    work: Work,
    table: str,
    row: Row,
    columns: Mapping[str, Any],
    *,
    actor: str,
    patient_id: uuid.UUID | None,
    batch: uuid.UUID,
) -> tuple[list[dict[str, Any]], Row]:
    """Set each column whose value really changes; its change-log line (old -> new).

    One rule for every edit, a record's fields or a red flag's status: a value
    equal to the stored one, compared as the JSON the log keeps, is no change.
    Returns the lines for `Work.log` and the row as it now is.
    """
    lines: list[dict[str, Any]] = []
    changed: dict[str, Any] = {}
    for column, value in columns.items():
        old = snapshots.field_to_json(table, column, row[column])
        new = snapshots.field_to_json(table, column, value)
        if old == new:
            continue
        lines.append(
            {
                "batch_id": batch,
                "actor": actor,
                "action": "edit",
                "kind": table,
                "record_id": row["id"],
                "patient_id": patient_id,
                "field": column,
                "old": old,
                "new": new,
            }
        )
        changed[column] = value
    if changed:
        row = work.update(table, row, changed)
    return lines, row


def check_typos(work: Work, kind: EditableKind, changes: Mapping[str, Any]) -> None:
    """A near miss of a known word is refused unless `custom`, exactly as on add."""
    for vocab, words in typo_words(kind.name, changes):
        refuse_typos(vocab, words, custom=bool(changes.get("custom")), used=work.word_used)


def refuse_typos(
    vocab: Vocabulary,
    values: Iterable[str] | Mapping[str, object],
    *,
    custom: bool,
    used: Any,
) -> None:
    """Refuse a near miss of a known word ("forhead") unless the user keeps their word.

    A near miss is a typo until the user says otherwise (`custom`), or until
    the journal already holds exactly that word (`used(vocab, word)`): a word
    kept once with `--custom` is accepted from then on without it.
    """
    from journal.core.errors import NeedsConfirmation

    if custom:
        return
    suspects = [(v, key) for v in values if (key := vocab.near_miss(v)) is not None]
    for value, key in suspects:
        if not used(vocab, vocab.normalize(value)):
            raise NeedsConfirmation(
                vocab.name, value.strip(), f"did you mean {key!r}?", confirm="custom"
            )


def _complete(kind: EditableKind, row: Row, columns: dict[str, Any]) -> dict[str, Any]:
    """Values that only make sense with the rest of the row: a currency needs a cost."""
    if kind.table == "session":
        current = {"cost": row["cost"], "currency": row["currency"], "areas": row["areas"]}
        columns = complete(kind.name, columns, current)
    if kind.table == "photo" and "taken_date" in columns:
        day: dt.date = columns.pop("taken_date")
        local = row["taken_at"].astimezone()
        moved = local.replace(year=day.year, month=day.month, day=day.day)
        columns["taken_at"] = moved.astimezone(dt.UTC)
        columns["taken_at_source"] = "user"
    return columns


def _still_records_something(row: Row) -> None:
    values = [row[k] for k in SYMPTOM_KEYS]
    values += [row["concerns"], row["gais"], row["verdict"], row["red_flags"], row["notes"]]
    if not any(v not in (None, {}, []) for v in values) and row["downtime"] is None:
        raise InvalidValue(
            "check-in", str(row["id"])[:8], "would record nothing: delete it instead"
        )


# -- delete ----------------------------------------------------------------------------


def delete(work: Work, kind: EditableKind, ref: str, *, actor: str) -> tuple[Outcome, list[str]]:
    """Remove the record `ref` names with its dependants; the outcome and its photo files."""
    row = find_record(work, kind, ref)
    logged, files, batch = delete_rows(work, kind.table, row, actor=actor)
    counts = count_words(c.kind for c in logged[1:])
    also = f" with {counts}" if counts else ""
    summary = f"Deleted {kind.name} {str(row['id'])[:8]}{also}"
    work.trash_photo_files(files, batch)
    return Outcome(batch, summary, tuple(change_of(c) for c in logged)), files


def delete_rows(
    work: Work, table: str, row: Row, *, actor: str
) -> tuple[list[Logged], list[str], uuid.UUID]:
    """Delete a row and its dependants inside the caller's transaction, logged.

    Returns the change-log lines, the photo files to move to the trash once
    the transaction has committed, and the batch id.
    """
    batch = uuid.uuid4()
    patient_id = patient_id_of(work, table, row)
    doomed = with_dependants(work, table, row)
    logged = work.log(
        [
            {
                "batch_id": batch,
                "actor": actor,
                "action": "delete",
                "kind": kind,
                "record_id": item["id"],
                "patient_id": patient_id,
                "old": _tombstone(work, kind, item),
            }
            for kind, item in doomed
        ]
    )
    files = [f for kind, item in doomed if kind == "photo" for f in photo_files(item)]
    for kind, item in reversed(doomed):  # dependants first
        work.delete(kind, item)
    return logged, files, batch


def _tombstone(work: Work, table: str, row: Row) -> dict[str, Any]:
    """The whole row, plus the photos that pointed at it (undo links them again)."""
    data = snapshot(table, row)
    if table in ("session", "checkin"):
        column = "session_id" if table == "session" else "checkin_id"
        data[LINKED_PHOTOS] = [str(i) for i in work.linked_photos(column, row["id"])]
    return data


def with_dependants(work: Work, table: str, row: Row) -> list[tuple[str, Row]]:
    """The row and every row that goes with it, parents first.

    A course takes its sessions, check-ins, reviews and photos with it; a
    session or check-in keeps its photos, which only lose the link (the
    database sets it to NULL, and undo puts the link back from the snapshot).
    """
    found: list[tuple[str, Row]] = [(table, row)]
    if table == "course":
        for child in CHILDREN:
            found += [(child, r) for r in work.children(child, row["id"])]
    return found


def count_words(tables: Iterable[str]) -> str:
    counted: dict[str, int] = {}
    for table in tables:
        counted[table] = counted.get(table, 0) + 1
    names = {"session": "session", "checkin": "check-in", "review": "review", "photo": "photo"}
    return ", ".join(
        f"{n} {names[t]}{'s' if n != 1 else ''}" for t, n in counted.items() if t in names
    )


# -- undo ------------------------------------------------------------------------------


def undo(work: Work, *, actor: str) -> Outcome:
    """Revert the latest edit or delete not yet undone, as a batch of its own."""
    latest = work.latest_not_undone()
    if latest is None:
        raise InvalidValue("undo", "", "nothing to undo")
    rows = work.batch(latest)
    batch = uuid.uuid4()
    if rows[0].action == "edit":
        lines = _undo_edit(work, rows, batch, actor)
        what = f"edit of {word(rows[0].kind)} {str(rows[0].record_id)[:8]}"
    else:
        lines = _undo_delete(work, rows, batch, actor)
        what = f"delete of {word(rows[0].kind)} {str(rows[0].record_id)[:8]}"
    logged = work.log(lines)
    return Outcome(batch, f"Undid the {what}", tuple(change_of(c) for c in logged))


def _undo_edit(
    work: Work, rows: list[Logged], batch: uuid.UUID, actor: str
) -> list[dict[str, Any]]:
    table = rows[0].kind
    row = work.get(table, rows[0].record_id)
    if row is None:
        raise InvalidValue("undo", "", f"the edited {word(table)} no longer exists")
    lines: list[dict[str, Any]] = []
    values: dict[str, Any] = {}
    for change in rows:
        assert change.field is not None
        current = snapshots.field_to_json(table, change.field, row[change.field])
        if current != change.new:
            raise InvalidValue(
                "undo", "", f"{word(table)} {change.field} was changed again since; edit it instead"
            )
        values[change.field] = snapshots.field_from_json(table, change.field, change.old)
        lines.append(_reverse(change, batch, actor, old=change.new, new=change.old))
    work.update(table, row, values)
    return lines


def _undo_delete(
    work: Work, rows: list[Logged], batch: uuid.UUID, actor: str
) -> list[dict[str, Any]]:
    ordered = sorted(rows, key=lambda c: PARENTS_FIRST.index(c.kind))
    for change in ordered:
        work.insert(change.kind, snapshots.restored(change.kind, change.old))
    for change in ordered:
        if change.kind == "photo":
            for relative in photo_files(change.old):
                work.restore_photo_file(relative, change.batch_id)
    _relink_photos(work, ordered)
    return [_reverse(c, batch, actor, old=None, new=c.old) for c in ordered]


def _relink_photos(work: Work, ordered: list[Logged]) -> None:
    """Photos that lost their session/check-in link when it was deleted get it back."""
    for change in ordered:
        if change.kind not in ("session", "checkin"):
            continue
        column = "session_id" if change.kind == "session" else "checkin_id"
        for photo_id in (uuid.UUID(i) for i in (change.old or {}).get(LINKED_PHOTOS, [])):
            photo = work.get("photo", photo_id)
            if photo is not None and photo[column] is None:
                work.update("photo", photo, {column: change.record_id})


def _reverse(change: Logged, batch: uuid.UUID, actor: str, *, old: Any, new: Any) -> dict:
    return {
        "batch_id": batch,
        "actor": actor,
        "action": "undo",
        "kind": change.kind,
        "record_id": change.record_id,
        "patient_id": change.patient_id,
        "field": change.field,
        "old": old,
        "new": new,
        "reverts": change.batch_id,
    }
