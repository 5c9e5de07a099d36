"""Stored course results: kept true by every write, read by the provider list in one query.

Keeping. `Journal.write` notes, after every flush of its session, which
courses the flushed rows belong to (`note_flush`: new, edited and deleted
sessions, check-ins, reviews, photos, flag statuses, courses and patients,
plus the change-log rows of deletes and undos), and just before the commit
recomputes those courses (`keep_results`) and upserts their rows, in the same
transaction. No service does anything for it: an add, an edit, a delete, an
undo, a flag status, an archive import and an erasure (whose rows go by
cascade) are all covered because they all write through `Journal.write`.

Reading. `overview` reads every patient with each course's status and stored
result in one query (patient LEFT JOIN course LEFT JOIN course_result, on the
course's patient index and the result's primary key). A course whose row is
missing, of an older formula, or not valid for the day asked (see
`journal.core.results`) is recomputed from its records; when the day is the
real today and the journal is writable, the fresh rows are then stored so the
next read is one query again.

The computation is `journal.core.results.course_result` (pure) and the SQL is
`journal.store.result_sql` (no SQLAlchemy), so a write path without SQLAlchemy
can keep the table with the same two pieces.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, MetaData, Table, bindparam, func, select, type_coerce
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import attributes

from journal.core import records
from journal.core.results import CourseResult, course_result
from journal.services.course_records import assemble
from journal.services.listing import OverviewRows, PatientOverview
from journal.store import result_sql
from journal.store.models import (
    Base,
    ChangeRow,
    CheckInRow,
    CourseResultRow,
    CourseRow,
    FlagRow,
    PatientRow,
    PhotoRow,
    ProviderRow,
    ReviewRow,
    SessionRow,
)
from journal.store.rows import PROVIDER_TABLES, Row, chunked

if TYPE_CHECKING:
    from journal.services.journal import Journal

__all__ = [
    "PatientOverview",
    "keep_results",
    "load_course_records",
    "note_flush",
    "overview",
    "rebuild_results",
    "refresh_results",
    "result_mismatches",
    "stored_results",
]

_COURSES = "journal.results.courses"
_PATIENTS = "journal.results.patients"
_CHILDREN = (SessionRow, CheckInRow, ReviewRow, PhotoRow, FlagRow)
_LOGGED = ("delete", "undo", "erase")
BATCH = 200  # courses scored and upserted per round when rebuilding a whole journal


# -- keeping -------------------------------------------------------------------------


def note_flush(db: DbSession, _context: Any) -> None:
    """`after_flush` listener: remember the courses whose inputs this flush changed.

    After the flush the new rows have their ids, and the session still lists
    what it flushed as new, dirty and deleted (with each attribute's history,
    so a row moved to another course touches both).
    """
    courses: set[uuid.UUID] = db.info.setdefault(_COURSES, set())
    patients: set[uuid.UUID] = db.info.setdefault(_PATIENTS, set())
    for obj in (*db.new, *db.dirty, *db.deleted):
        if isinstance(obj, _CHILDREN):
            courses.add(obj.course_id)
            courses.update(attributes.get_history(obj, "course_id").deleted or ())
        elif isinstance(obj, CourseRow):
            courses.add(obj.id)
        elif isinstance(obj, PatientRow):
            patients.add(obj.id)
        elif isinstance(obj, ChangeRow) and obj.action in _LOGGED:
            _note_change(obj, courses, patients)


def _note_change(change: ChangeRow, courses: set[uuid.UUID], patients: set[uuid.UUID]) -> None:
    """A delete's tombstone or an undo names its course even when the row is gone."""
    if change.kind == "course":
        courses.add(change.record_id)
    elif change.kind == "patient":
        patients.add(change.record_id)
    for values in (change.old, change.new):
        if isinstance(values, dict) and values.get("course_id"):
            with contextlib.suppress(ValueError):
                courses.add(uuid.UUID(str(values["course_id"])))


def keep_results(db: DbSession, today: dt.date | None = None) -> None:
    """Recompute the results of the courses this transaction touched (before its commit)."""
    db.flush()
    courses: set[uuid.UUID] = db.info.pop(_COURSES, set())
    patients: set[uuid.UUID] = db.info.pop(_PATIENTS, set())
    courses.discard(None)  # type: ignore[arg-type,unused-ignore]
    if patients:
        for chunk in chunked(sorted(patients)):
            courses.update(db.scalars(select(CourseRow.id).where(CourseRow.patient_id.in_(chunk))))
    if courses:
        refresh_results(db.connection(), courses, today or dt.date.today())


def refresh_results(conn: Connection, course_ids: Iterable[uuid.UUID], today: dt.date) -> int:
    """Recompute and upsert these courses' results; forget those of courses that are gone."""
    wanted = sorted(set(course_ids))
    found = load_course_records(conn, wanted)
    _store(conn, [course_result(r, today) for r in found])
    gone = set(wanted) - {r.course.id for r in found}
    if gone:
        dialect = conn.dialect
        conn.exec_driver_sql(
            result_sql.delete_sql(dialect.paramstyle),
            [result_sql.bind_id(i, dialect.name) for i in sorted(gone)],
        )
    return len(found)


def _store(conn: Connection, results: Sequence[CourseResult]) -> None:
    if not results:
        return
    dialect = conn.dialect
    conn.exec_driver_sql(
        result_sql.upsert_sql(dialect.paramstyle),
        [result_sql.bind(r, dialect.name) for r in results],
    )


def rebuild_results(
    conn: Connection, today: dt.date | None = None, *, reflected: bool = False
) -> int:
    """Recompute every course's result (migration 0008's fill, `doctor --repair`).

    `reflected` reads the tables as the database has them rather than as the
    models describe them: a migration runs at its own revision, before later
    ones have added their columns.
    """
    today = today or dt.date.today()
    courses = _Typed("course", conn, reflected)
    ids = [row[0] for row in conn.execute(select(courses.columns["id"]))]
    for chunk in chunked(sorted(ids), BATCH):
        _store(conn, [course_result(r, today) for r in load_course_records(conn, chunk, reflected)])
    return len(ids)


# -- loading the records of some courses ----------------------------------------------------


def load_course_records(
    conn: Connection | DbSession, course_ids: Sequence[uuid.UUID], reflected: bool = False
) -> list[records.CourseRecord]:
    """The complete records of these courses (those that exist), in a handful of queries."""
    if not course_ids:
        return []
    return assemble(_Reader(conn, reflected).rows, course_ids)


class _Typed:
    """A table's columns typed as the models type them.

    Normally the model's own table. Reflected: the table as the database has
    it now, each column read through its model type (so a UUID still comes
    back as a UUID on SQLite), and model columns the database lacks yet
    missing from `columns` (the reader fills them with None).
    """

    def __init__(self, name: str, conn: Any, reflected: bool) -> None:
        model = Base.metadata.tables[name]
        self.model = model
        if not reflected:
            self.table: Any = model
            self.columns: dict[str, Any] = {c.name: c for c in model.columns}
            self.exprs: dict[str, Any] = dict(self.columns)
            return
        bind = conn.connection() if isinstance(conn, DbSession) else conn
        self.table = Table(name, MetaData(), autoload_with=bind)
        self.exprs = {
            c.name: type_coerce(self.table.c[c.name], c.type)
            for c in model.columns
            if c.name in self.table.c
        }
        self.columns = {name: expr.label(name) for name, expr in self.exprs.items()}

    def __getitem__(self, name: str) -> Any:
        """The column to filter on (typed, unlabelled)."""
        return self.exprs[name]


class _Reader:
    """Rows of a table whose `column` is one of `ids`, shaped as `CoreReader` shapes them."""

    def __init__(self, conn: Any, reflected: bool) -> None:
        self._conn = conn
        self._reflected = reflected
        self._tables: dict[str, _Typed] = {}

    def rows(self, name: str, column: str, ids: Sequence[uuid.UUID]) -> list[Row]:
        key = (name, column)
        if self._reflected:
            if name not in self._tables:
                self._tables[name] = _Typed(name, self._conn, True)
            stmt, missing = _statement(self._tables[name], column)
        else:
            if key not in _STATEMENTS:  # built once: this runs inside every write
                _STATEMENTS[key] = _statement(_Typed(name, self._conn, False), column)
            stmt, missing = _STATEMENTS[key]
        found: list[Row] = []
        for chunk in chunked(list(ids)):
            result = self._conn.execute(stmt, {"ids": chunk})
            found += [missing | dict(row._mapping) for row in result]
        return found


_STATEMENTS: dict[tuple[str, str], tuple[Any, dict[str, None]]] = {}


def _statement(typed: _Typed, column: str) -> tuple[Any, dict[str, None]]:
    """SELECT the table's rows whose `column` is in the expanding list `:ids`."""
    selected: list[Any] = list(typed.columns.values())
    with_provider = typed.model.name in PROVIDER_TABLES
    if with_provider:
        selected.append(ProviderRow.name.label("provider_name"))
    ids = bindparam("ids", expanding=True, type_=typed.model.c[column].type)
    stmt = select(*selected).select_from(typed.table).where(typed[column].in_(ids))
    if with_provider:
        stmt = stmt.outerjoin(ProviderRow, ProviderRow.id == typed.table.c.provider_id)
    missing = {c.name: None for c in typed.model.columns if c.name not in typed.columns}
    return stmt, missing


# -- reading: the provider list in one query --------------------------------------------------


def overview(
    journal: Journal, today: dt.date, patient_ids: Sequence[uuid.UUID] | None = None
) -> list[PatientOverview]:
    """Every patient (or those named), by name, with their stored results: one query."""
    patient = PatientRow.__table__
    course = CourseRow.__table__
    result = CourseResultRow.__table__
    stmt = (
        select(
            patient,
            course.c.id.label("c_id"),
            course.c.title.label("c_title"),
            course.c.status.label("c_status"),
            course.c.created_at.label("c_created_at"),
            *(result.c[name].label(f"r_{name}") for name in result_sql.COLUMNS),
        )
        .select_from(
            patient.outerjoin(course, course.c.patient_id == patient.c.id).outerjoin(
                result, result.c.course_id == course.c.id
            )
        )
        .order_by(func.lower(patient.c.display_name), patient.c.created_at, patient.c.id)
    )
    grouped = OverviewRows.empty()
    with journal.read() as db:
        chunks = chunked(list(patient_ids)) if patient_ids is not None else [None]
        for chunk in chunks:
            query = stmt if chunk is None else stmt.where(patient.c.id.in_(chunk))
            for row in db.execute(query):
                grouped.add(row._mapping)
        stale = grouped.stale(today)
        fresh = {r.course.id: course_result(r, today) for r in load_course_records(db, stale)}
    grouped.stored.update(fresh)
    if fresh and today == dt.date.today():
        _store_fresh(journal, list(fresh))
    return grouped.overviews(today)


def _store_fresh(journal: Journal, course_ids: list[uuid.UUID]) -> None:
    """Keep what a read had to recompute, so the next read is one query again (best effort)."""
    from journal.core.errors import JournalError

    if journal.read_only is not None:
        return
    try:
        with journal.write() as db:
            refresh_results(db.connection(), course_ids, dt.date.today())
    except JournalError:  # busy or read-only: the next read recomputes, nothing is lost
        pass


# -- checking (journal doctor) --------------------------------------------------------------


def stored_results(conn: Connection) -> dict[uuid.UUID, CourseResult]:
    table = CourseResultRow.__table__
    return {
        r.course_id: r
        for r in (result_sql.from_row(dict(row._mapping)) for row in conn.execute(select(table)))
    }


def result_mismatches(conn: Connection) -> list[tuple[uuid.UUID, str]]:
    """Courses whose stored result differs from a fresh computation, and how.

    Each stored row is recomputed for the day it was computed for (a result
    is a function of the records and that day), so a row that is merely old
    but still exact is not a finding; a missing row, or one of an older
    formula, is.
    """
    stored = stored_results(conn)
    ids = sorted(row[0] for row in conn.execute(select(CourseRow.id)))
    found: list[tuple[uuid.UUID, str]] = []
    for chunk in chunked(ids, BATCH):
        for record in load_course_records(conn, chunk):
            cid = record.course.id
            have = stored.get(cid)
            if have is None:
                found.append((cid, "no stored result"))
                continue
            fresh = course_result(record, have.computed_for)
            if have != fresh:
                fields = [
                    name
                    for name in result_sql.COLUMNS
                    if getattr(have, name) != getattr(fresh, name)
                ]
                found.append((cid, "stored " + ", ".join(fields) + " differ from the records"))
    return found
