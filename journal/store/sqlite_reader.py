"""Read-only access to a SQLite journal with the standard library alone.

Importing SQLAlchemy costs about 200 ms on a modest machine, more than the
whole budget of a command such as `journal history --json` (300 ms as a whole
process). For reads of a journal that is already at the current schema, this
module reads the same tables with `sqlite3` and returns light row objects that
`journal.services.convert` turns into the very same records as the ORM path
(a test compares the two). Anything else (a missing file, an older schema,
PostgreSQL) returns None so the caller takes the ORM path, which migrates.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from journal.store.schema import HEAD_REVISION

_UUID_COLUMNS = {"id", "patient_id", "course_id", "provider_id", "treatment_id", "checkin_id"}
_DATE_COLUMNS = {"date"}
_DATETIME_COLUMNS = {"created_at", "updated_at", "taken_at"}
_JSON_COLUMNS = {
    "concerns",
    "screening",
    "areas",
    "adjuncts",
    "depth_by_area",
    "red_flags",
}
_BOOL_COLUMNS = {"downtime"}


def _value(column: str, raw: Any) -> Any:
    if raw is None:
        return None
    if column in _UUID_COLUMNS:
        return uuid.UUID(hex=raw)
    if column in _DATE_COLUMNS:
        return dt.date.fromisoformat(raw)
    if column in _DATETIME_COLUMNS:
        stamp = dt.datetime.fromisoformat(raw)
        return stamp.replace(tzinfo=dt.UTC) if stamp.tzinfo is None else stamp.astimezone(dt.UTC)
    if column in _JSON_COLUMNS:
        return json.loads(raw)
    if column in _BOOL_COLUMNS:
        return bool(raw)
    if column == "cost":
        return Decimal(f"{raw:.2f}")
    if column == "depth_mm":
        return float(raw)
    return raw


class SQLiteReader:
    """An open read-only connection; use as a context manager."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection

    @classmethod
    def open(cls, db_file: Path | None) -> SQLiteReader | None:
        """A reader when `db_file` is a journal at the current schema, else None."""
        if db_file is None or not db_file.is_file():
            return None
        try:
            conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=15)
            conn.execute("PRAGMA busy_timeout = 15000")
            stored = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error:
            return None
        if not stored or stored[0] != HEAD_REVISION:
            conn.close()
            return None
        return cls(conn)

    def __enter__(self) -> SQLiteReader:
        self._conn.execute("BEGIN")  # one snapshot for every query of this read
        return self

    def __exit__(self, *exc: object) -> None:
        self._conn.rollback()
        self._conn.close()

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[SimpleNamespace]:
        cursor = self._conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [
            SimpleNamespace(**{n: _value(n, v) for n, v in zip(names, raw, strict=True)})
            for raw in cursor.fetchall()
        ]

    def patient_names(self) -> list[tuple[uuid.UUID, str]]:
        return [
            (uuid.UUID(hex=i), n)
            for i, n in self._conn.execute("SELECT id, display_name FROM patient")
        ]

    def patient(self, patient_id: uuid.UUID) -> SimpleNamespace:
        return self.rows("SELECT * FROM patient WHERE id = ?", (patient_id.hex,))[0]

    def courses(self, patient_id: uuid.UUID) -> list[SimpleNamespace]:
        return self.rows(
            "SELECT * FROM course WHERE patient_id = ? ORDER BY created_at", (patient_id.hex,)
        )

    def course_rows(self, table: str, course_ids: list[uuid.UUID]) -> list[SimpleNamespace]:
        """Rows of a per-course table in the order the ORM path uses."""
        if not course_ids:
            return []
        marks = ",".join("?" * len(course_ids))
        order = {
            "treatment": "t.date, t.created_at",
            "checkin": "t.date, t.created_at",
            "photo": "t.taken_at, t.created_at",
            "review": "t.date, t.created_at",
        }[table]
        with_provider = table in ("treatment", "review")
        select = "t.*, p.name AS provider_name" if with_provider else "t.*"
        join = " LEFT JOIN provider p ON p.id = t.provider_id" if with_provider else ""
        found = self.rows(
            f"SELECT {select} FROM {table} t{join} WHERE t.course_id IN ({marks}) ORDER BY {order}",
            tuple(c.hex for c in course_ids),
        )
        if with_provider:
            for row in found:
                name = row.__dict__.pop("provider_name")
                row.provider = SimpleNamespace(name=name) if name is not None else None
        return found
