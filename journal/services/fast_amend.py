"""Edit, delete and undo on a current SQLite journal without SQLAlchemy.

`journal checkin edit ID --pain 3`, `journal checkin delete ID --yes` and
`journal undo` took 600-700 ms as whole processes, half of it importing
SQLAlchemy. For a current-schema SQLite journal (plain or encrypted) whose
photos live in the folder store, these run the very rules of the ORM path
(`journal.services.amend_rules`) on `SQLiteWork`, a unit of work over a
`sqlite3` connection under BEGIN IMMEDIATE (`journal.store.sqlite_writer`),
and keep the stored course results in the same transaction with the same
two pieces the ORM path uses (`core.results.course_result`,
`store.result_sql`). Anything else (PostgreSQL, an older schema, a journal
that has not chosen its photo store yet or keeps photos in the database, a
link, a read-only journal, a change naming another record) returns None and
the caller takes the ORM path, which migrates, decides and refuses as always.

`JOURNAL_ORM_WRITES=1` sends every write to the ORM path: the tests run the
same command lines both ways and compare output and database contents.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journal.core.lookup import match_patient
from journal.core.vocab import AREAS, CONCERNS, SERUMS, Vocabulary
from journal.services import amend_rules as rules
from journal.services.amend_rules import Outcome
from journal.services.fields import EditableKind, parse_changes
from journal.store.location import Location, owner_read_only, resolve_location
from journal.store.rows import Row, chunked
from journal.store.sqlite_writer import SQLiteWriter

ORM_SWITCH = "JOURNAL_ORM_WRITES"
_CHILD_TABLES = ("session", "checkin", "review", "photo", "flag")
_LOGGED = ("delete", "undo", "erase")
_NEVER_FAST = frozenset({"provider", "course", "patient"})  # they name another record


@dataclass
class StoredChange:
    """A change-log line as `amend_rules.Logged` reads it."""

    id: uuid.UUID
    batch_id: uuid.UUID
    at: dt.datetime
    actor: str
    action: str
    kind: str
    record_id: uuid.UUID
    patient_id: uuid.UUID | None = None
    field: str | None = None
    old: Any = None
    new: Any = None
    reverts: uuid.UUID | None = None


class SQLiteWork:
    """`amend_rules.Work` on a plain sqlite3 transaction; notes the courses it touches.

    What it notes is what `results.note_flush` notes on the ORM path: the
    course of every row written or deleted (before and after a move), every
    course of a patient written, and the courses a delete's or undo's
    change-log line names.
    """

    def __init__(self, writer: SQLiteWriter, photos_dir: Path) -> None:
        self.w = writer
        self.photos_dir = photos_dir
        self.courses: set[uuid.UUID] = set()
        self.patients: set[uuid.UUID] = set()

    def _note(self, table: str, row: Mapping[str, Any]) -> None:
        if table in _CHILD_TABLES and row.get("course_id") is not None:
            self.courses.add(row["course_id"])
        elif table == "course":
            self.courses.add(row["id"])
        elif table == "patient":
            self.patients.add(row["id"])

    def get(self, table: str, record_id: uuid.UUID) -> Row | None:
        return self.w.get(table, record_id)

    def ids_between(self, table: str, low: uuid.UUID, high: uuid.UUID) -> list[uuid.UUID]:
        return self.w.ids_between(table, low, high)

    def find_patient(self, ref: str) -> Row:
        names = [
            (uuid.UUID(hex=i), n)
            for i, n in self.w.conn.execute("SELECT id, display_name FROM patient")
        ]
        found = match_patient(
            ref,
            names,
            lambda ids: {r["id"]: r["birth_year"] for r in self.w.rows("patient", "id", ids)},
        )
        row = self.w.get("patient", found)
        assert row is not None
        return row

    def course_patient(self, course_id: uuid.UUID) -> uuid.UUID | None:
        found = self.w.column("SELECT patient_id FROM course WHERE id = ?", (course_id.hex,))
        return uuid.UUID(hex=found[0]) if found else None

    def children(self, table: str, course_id: uuid.UUID) -> list[Row]:
        return self.w.rows(table, "course_id", [course_id])

    def linked_photos(self, column: str, record_id: uuid.UUID) -> list[uuid.UUID]:
        sql = f"SELECT id FROM photo WHERE {column} = ?"
        return [uuid.UUID(hex=i) for i in self.w.column(sql, (record_id.hex,))]

    def word_used(self, vocab: Vocabulary, word: str) -> bool:
        """`lookup.word_used` on this connection: the same columns, LIKE and check."""
        import json

        columns: list[tuple[str, str]] = []
        if vocab is AREAS:
            columns = [("course", "areas"), ("session", "areas"), ("session", "depth_by_area")]
            if self.w.column("SELECT id FROM photo WHERE area = ? LIMIT 1", (word,)):
                return True
        elif vocab is CONCERNS:
            columns = [("patient", "concerns"), ("course", "concerns"), ("checkin", "concerns")]
        elif vocab is SERUMS:
            columns = [("session", "serums")]
        needles = {json.dumps(word), json.dumps(word, ensure_ascii=False)}
        for table, column in columns:
            found = self.w.json_rows_containing(table, column, needles)
            if any(word in (items or ()) for items in found):
                return True
        return False

    def relational(self, kind: EditableKind, row: Row, changes: Mapping[str, Any]) -> dict:
        assert not _NEVER_FAST & set(changes), "a change naming a record takes the ORM path"
        return {}

    def update(self, table: str, row: Row, columns: Mapping[str, Any]) -> Row:
        self._note(table, row)
        self._note(table, {**row, **columns})
        self.w.update(table, row["id"], columns)
        found = self.w.get(table, row["id"])
        assert found is not None
        return found

    def insert(self, table: str, values: Mapping[str, Any]) -> None:
        self._note(table, values)
        self.w.insert(table, values)

    def delete(self, table: str, row: Row) -> None:
        self._note(table, row)
        self.w.delete(table, row["id"])

    def log(self, lines: list[dict[str, Any]]) -> list[Any]:
        logged = []
        for line in lines:
            values = {"id": uuid.uuid4(), "at": dt.datetime.now(dt.UTC), **line}
            self.w.insert("change", values)
            change = StoredChange(**values)
            logged.append(change)
            if change.action in _LOGGED:
                self._note_change(change)
        return logged

    def _note_change(self, change: StoredChange) -> None:
        if change.kind == "course":
            self.courses.add(change.record_id)
        elif change.kind == "patient":
            self.patients.add(change.record_id)
        for values in (change.old, change.new):
            if isinstance(values, dict) and values.get("course_id"):
                with contextlib.suppress(ValueError):
                    self.courses.add(uuid.UUID(str(values["course_id"])))

    def batch(self, batch_id: uuid.UUID) -> list[Any]:
        cursor = self.w.conn.execute(
            "SELECT id, batch_id, at, actor, action, kind, record_id, patient_id, field, old,"
            " new, reverts FROM change WHERE batch_id = ?",
            (batch_id.hex,),
        )
        return [StoredChange(**r) for r in self.w._typed("change", cursor)]

    def latest_not_undone(self) -> uuid.UUID | None:
        """`amend._latest_not_undone`'s two index walks, as SQL."""
        where = (
            "c.action IN ('edit', 'delete') AND NOT EXISTS"
            " (SELECT u.id FROM change u WHERE u.reverts = c.batch_id)"
        )
        newest = self.w.column(
            f"SELECT c.at FROM change c WHERE {where} ORDER BY c.at DESC LIMIT 1"
        )
        if not newest:
            return None
        sql = f"SELECT c.batch_id FROM change c WHERE {where} AND c.at = ? ORDER BY c.id LIMIT 1"
        found = self.w.column(sql, (newest[0],))
        return uuid.UUID(hex=found[0]) if found else None

    def trash_photo_files(self, files: list[str], batch: uuid.UUID) -> None:
        """Nothing inside the transaction: the folder store moves files after the commit."""

    def restore_photo_file(self, relative: str, batch: uuid.UUID) -> None:
        from journal.store.photostore import FolderStore

        FolderStore(self.photos_dir).restore_from_trash(relative, batch)

    def keep_results(self, today: dt.date) -> None:
        """`results.keep_results` on this connection: recompute what was touched, upsert."""
        from journal.core.results import course_result
        from journal.services.course_records import assemble
        from journal.store import result_sql

        courses = set(self.courses)
        for chunk in chunked(sorted(self.patients)):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT id FROM course WHERE patient_id IN ({marks})"
            courses.update(uuid.UUID(hex=i) for i in self.w.column(sql, [p.hex for p in chunk]))
        if not courses:
            return
        wanted = sorted(courses)
        found = assemble(self.w.rows, wanted)
        results = [course_result(r, today) for r in found]
        if results:
            self.w.conn.executemany(
                result_sql.upsert_sql("named"), [result_sql.bind(r, "sqlite") for r in results]
            )
        gone = set(wanted) - {r.course.id for r in found}
        if gone:
            self.w.conn.executemany(
                result_sql.delete_sql("named"),
                [result_sql.bind_id(i, "sqlite") for i in sorted(gone)],
            )


# -- when the fast path answers -----------------------------------------------------------


def _eligible(location: Location) -> Path | None:
    """The database file when nothing about the journal needs the ORM path's opening."""
    from journal.services.reading import any_link, settled_home

    db_file = location.sqlite_path
    if os.environ.get(ORM_SWITCH) or not location.is_sqlite or db_file is None:
        return None
    if not db_file.is_file() or any_link(location.home, location.photos_dir, db_file):
        return None
    if not settled_home(location) or owner_read_only(db_file) or not os.access(db_file, os.W_OK):
        return None
    return db_file


@contextlib.contextmanager
def _transaction(
    home: str | None, db_url: str | None, *, photos: bool
) -> Iterator[SQLiteWork | None]:
    """A unit of work committed on success (stored results kept), or None: take the ORM path."""
    location = resolve_location(home, db_url)
    db_file = _eligible(location)
    if db_file is None:
        yield None
        return
    from journal.services.unlock import journal_key

    key = journal_key(location)
    pragma = None
    if key is not None:
        from journal.store.keys import database_key_pragma

        pragma = database_key_pragma(key)
    writer = SQLiteWriter.open(db_file, pragma)
    if writer is None:
        yield None
        return
    try:
        if photos:
            from journal.store.photostore import FOLDER, SETTING

            if writer.setting(SETTING) != FOLDER:  # undecided, or the database store
                yield None
                return
        try:
            writer.begin()
            work = SQLiteWork(writer, location.photos_dir)
            yield work
            work.keep_results(dt.date.today())
            writer.commit()
        except writer.driver.Error as exc:
            writer.rollback()
            from journal.store.engine import explain_database_error

            raise explain_database_error(exc, db_file) from None
        except BaseException:
            writer.rollback()
            raise
    finally:
        writer.close()


def fast_enough(changes: Mapping[str, Any]) -> bool:
    """Whether an edit with these fields can be answered here (none names another record)."""
    return not _NEVER_FAST & set(changes)


def edit(
    home: str | None,
    db_url: str | None,
    kind_name: str,
    ref: str,
    changes: Mapping[str, Any],
    *,
    by: str | None = None,
) -> Outcome | None:
    """`amend.edit` on a current SQLite journal; None: take the ORM path."""
    if not fast_enough(changes):
        return None
    with _transaction(home, db_url, photos=False) as work:
        if work is None:
            return None
        kind = rules.kind_of(kind_name)
        columns = parse_changes(kind, changes)
        actor = rules.actor_name(by)
        return rules.edit(work, kind, ref, columns, changes, actor=actor)


def delete(
    home: str | None, db_url: str | None, kind_name: str, ref: str, *, by: str | None = None
) -> Outcome | None:
    """`amend.delete` on a current SQLite journal with folder photos; None: the ORM path."""
    from journal.core.errors import InvalidValue

    files: list[str] = []
    with _transaction(home, db_url, photos=True) as work:
        if work is None:
            return None
        kind = rules.kind_of(kind_name)
        if kind.table == "patient":
            raise InvalidValue(
                "patient", ref, "a patient is erased, not deleted: `journal patient delete` (final)"
            )
        outcome, files = rules.delete(work, kind, ref, actor=rules.actor_name(by))
        photos_dir = work.photos_dir
    if files:  # after the commit, as the folder store does on the ORM path
        from journal.store.photostore import FolderStore

        store = FolderStore(photos_dir)
        for relative in files:
            store.move_to_trash(relative, outcome.batch_id)
    return outcome


def undo(home: str | None, db_url: str | None, *, by: str | None = None) -> Outcome | None:
    """`amend.undo` on a current SQLite journal with folder photos; None: the ORM path."""
    with _transaction(home, db_url, photos=True) as work:
        if work is None:
            return None
        return rules.undo(work, actor=rules.actor_name(by))


Runner = Callable[..., Outcome | None]
__all__ = ["ORM_SWITCH", "SQLiteWork", "delete", "edit", "undo"]
