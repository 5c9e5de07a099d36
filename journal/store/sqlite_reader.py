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
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from journal.store.column_kinds import COLUMN_KINDS
from journal.store.rows import (
    OVERVIEW_PATIENT,
    PROVIDER_TABLES,
    Row,
    chunked,
    overview_kind,
    overview_sql,
)
from journal.store.schema import HEAD_REVISION


def parse_stamp(raw: str) -> dt.datetime:
    """A stored timestamp as SQLAlchemy reads it back: aware, in UTC."""
    stamp = dt.datetime.fromisoformat(raw)
    return stamp.replace(tzinfo=dt.UTC) if stamp.tzinfo is None else stamp.astimezone(dt.UTC)


def _value(kind: str, raw: Any) -> Any:
    """One stored value as SQLAlchemy would read it back (see `COLUMN_KINDS`)."""
    if raw is None or kind == "plain":
        return raw
    if kind == "uuid":
        return uuid.UUID(hex=raw)
    if kind == "date":
        return dt.date.fromisoformat(raw)
    if kind == "datetime":
        return parse_stamp(raw)
    if kind == "json":
        return json.loads(raw)
    if kind == "bool":
        return bool(raw)
    if kind == "float":
        return float(raw)
    scale = int(kind.partition(":")[2])  # decimal:N, stored by SQLite as a float
    return Decimal(f"{raw:.{scale}f}")


class SQLiteReader:
    """An open read-only connection; use as a context manager."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection

    @classmethod
    def open(cls, db_file: Path | None, key_pragma: str | None = None) -> SQLiteReader | None:
        """A reader when `db_file` is a journal at the current schema, else None.

        `key_pragma` reads an encrypted journal through SQLCipher's driver,
        which speaks the same DB-API (and raises its own `Error` classes).
        """
        if db_file is None or not db_file.is_file():
            return None
        driver: Any = sqlite3
        if key_pragma is not None:
            import importlib

            driver = importlib.import_module("sqlcipher3")
        try:
            conn = driver.connect(f"file:{db_file}?mode=ro", uri=True, timeout=15)
            if key_pragma is not None:
                conn.execute(key_pragma)
            conn.execute("PRAGMA busy_timeout = 15000")
            stored = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except (sqlite3.Error, driver.Error):
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

    def _rows(self, table: str, sql: str, params: tuple[Any, ...] = ()) -> list[Row]:
        kinds = COLUMN_KINDS[table]
        cursor = self._conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [
            {n: _value(kinds.get(n, "plain"), v) for n, v in zip(names, raw, strict=True)}
            for raw in cursor.fetchall()
        ]

    def patient_names(self) -> list[tuple[uuid.UUID, str]]:
        return [
            (uuid.UUID(hex=i), n)
            for i, n in self._conn.execute("SELECT id, display_name FROM patient")
        ]

    def patients(self, patient_ids: Sequence[uuid.UUID]) -> list[Row]:
        return self._in(
            "patient", f"SELECT {_columns('patient')} FROM patient t", "t.id", patient_ids
        )

    def courses(self, patient_ids: Sequence[uuid.UUID]) -> list[Row]:
        sql = f"SELECT {_columns('course')} FROM course t"
        return self._in("course", sql, "t.patient_id", patient_ids)

    def course_rows(self, table: str, course_ids: Sequence[uuid.UUID]) -> list[Row]:
        """Rows of a per-course table; sessions and reviews carry `provider_name`."""
        if table in PROVIDER_TABLES:
            sql = (
                f"SELECT {_columns(table)}, p.name AS provider_name FROM {table} t"
                " LEFT JOIN provider p ON p.id = t.provider_id"
            )
        else:
            sql = f"SELECT {_columns(table)} FROM {table} t"
        return self._in(table, sql, "t.course_id", course_ids)

    def overview_rows(self) -> list[Row]:
        """The provider list's one query: every patient with each course and its stored result.

        A patient's columns keep their names; a course's come as `c_<name>` and
        its result's as `r_<name>`, each typed as SQLAlchemy reads it back. A
        patient's own columns are typed on their first row only (later rows of
        the same patient carry just `id`): a clinic has five courses a patient,
        and decoding the same JSON five times was most of the read.
        """
        cursor = self._conn.execute(overview_sql(OVERVIEW_PATIENT))
        names = [d[0] for d in cursor.description]
        typed = [(i, n, overview_kind(n)) for i, n in enumerate(names)]
        later = [t for t in typed if t[1] == "id" or t[1][:2] in ("c_", "r_")]
        seen: set[Any] = set()
        found: list[Row] = []
        for raw in cursor.fetchall():
            first = raw[0] not in seen
            seen.add(raw[0])
            found.append({n: _value(k, raw[i]) for i, n, k in (typed if first else later)})
        return found

    def overview_raw(self) -> tuple[list[str], list[tuple[Any, ...]]]:
        """`overview_rows`' query with its columns' names and every value as stored.

        For the provider list's launch read (`journal.services.listing`), which
        types only what it shows; `overview_patient` types a row's patient.
        """
        cursor = self._conn.execute(overview_sql(OVERVIEW_PATIENT))
        return [d[0] for d in cursor.description], cursor.fetchall()

    def changes(
        self, patient_id: uuid.UUID | None, limit: int | None, *, full: bool = True
    ) -> list[tuple[Any, ...]]:
        """The change log newest first, as stored: ids as hex, `at` as text, values as JSON.

        The same order as the ORM's (`at` descending, then id); left raw because
        `journal log` prints 10,000 of them (see `journal.services.changelog`).
        `full=False` reads only what a text line shows: when, who, what, the
        record's short id, and a field's old and new value (never a tombstone).
        """
        if full:
            columns = (
                "id, batch_id, at, actor, action, kind, record_id, patient_id, field, old, new,"
                " reverts"
            )
        else:
            shown = "CASE WHEN field IS NULL THEN NULL ELSE {} END"
            columns = (
                "NULL, NULL, at, actor, action, kind, lower(substr(record_id, 1, 8)), NULL,"
                f" field, {shown.format('old')}, {shown.format('new')}, NULL"
            )
        sql = f"SELECT {columns} FROM change"
        params: list[Any] = []
        if patient_id is not None:
            sql += " WHERE patient_id = ?"
            params.append(patient_id.hex)
        sql += " ORDER BY at DESC, id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return self._conn.execute(sql, params).fetchall()

    def _in(self, table: str, sql: str, column: str, ids: Sequence[uuid.UUID]) -> list[Row]:
        found: list[Row] = []
        for chunk in chunked(list(ids)):
            marks = ",".join("?" * len(chunk))
            found += self._rows(
                table, f"{sql} WHERE {column} IN ({marks})", tuple(i.hex for i in chunk)
            )
        return found


def overview_patient(names: Sequence[str], raw: Sequence[Any]) -> Row:
    """The patient's columns of an `overview_raw` row, typed as `overview_rows` types them."""
    return {n: _value(overview_kind(n), raw[i]) for i, n in enumerate(names) if n in _PATIENT}


_PATIENT = frozenset(OVERVIEW_PATIENT)


def _columns(table: str) -> str:
    """The model's columns, named: a column missing from the file fails here, not later."""
    return ", ".join(f"t.{name}" for name in COLUMN_KINDS[table])
