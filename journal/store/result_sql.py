"""The stored course result's SQL, usable from a plain DB-API connection.

`journal.services.results` runs these statements through SQLAlchemy's
`exec_driver_sql`, which hands them to the driver as they are; a write path
that skips SQLAlchemy (the standard library's `sqlite3`) can run the very
same text with the same parameters. So nothing here imports SQLAlchemy:
values are bound the way SQLAlchemy's column types store them (a UUID as 32
hex digits and a date as ISO text on SQLite, native types on PostgreSQL).

`INSERT ... ON CONFLICT (course_id) DO UPDATE` is the same upsert on SQLite
(3.24 and later) and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from journal.core.results import CourseResult
from journal.store.rows import OVERVIEW_RESULT

TABLE = "course_result"
COLUMNS = OVERVIEW_RESULT  # one list: the provider-list readers select the same columns
_DATES = ("last_visit", "computed_for", "valid_from", "valid_until")


def _placeholder(name: str, paramstyle: str) -> str:
    """A named placeholder in the driver's style (sqlite3: named; psycopg: pyformat)."""
    return f"%({name})s" if paramstyle in ("pyformat", "format") else f":{name}"


def upsert_sql(paramstyle: str) -> str:
    """Insert a course's result, or overwrite the one stored for it."""
    values = ", ".join(_placeholder(c, paramstyle) for c in COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "course_id")
    return (
        f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({values})"
        f" ON CONFLICT (course_id) DO UPDATE SET {updates}"
    )


def delete_sql(paramstyle: str) -> str:
    """Forget one course's result (the course is gone)."""
    return f"DELETE FROM {TABLE} WHERE course_id = {_placeholder('course_id', paramstyle)}"


def bind(result: CourseResult, dialect: str) -> dict[str, Any]:
    """The statement's parameters for one result, stored as SQLAlchemy stores them."""
    values: dict[str, Any] = {c: getattr(result, c) for c in COLUMNS}
    if dialect == "sqlite":
        values["course_id"] = result.course_id.hex
        for name in _DATES:
            day = values[name]
            values[name] = day.isoformat() if day is not None else None
    return values


def bind_id(course_id: uuid.UUID, dialect: str) -> dict[str, Any]:
    return {"course_id": course_id.hex if dialect == "sqlite" else course_id}


def from_row(row: dict[str, Any]) -> CourseResult:
    """A stored row (read through SQLAlchemy, or raw from sqlite3) as a result."""
    values = {c: row[c] for c in COLUMNS}
    if not isinstance(values["course_id"], uuid.UUID):
        values["course_id"] = uuid.UUID(str(values["course_id"]))
    for name in _DATES:
        if isinstance(values[name], str):
            values[name] = dt.date.fromisoformat(values[name])
    return CourseResult(**values)
