"""A write transaction on a current SQLite journal with the standard library alone.

The write-side twin of `journal.store.sqlite_reader`: `journal checkin edit`,
`... delete --yes` and `journal undo` must finish within 300 ms as whole
processes, and importing SQLAlchemy alone costs more than that here. This
module opens the journal's file with `sqlite3` (or SQLCipher's driver for an
encrypted journal) with the engine's pragmas, takes the write lock with
`BEGIN IMMEDIATE` retried on busy exactly as `Journal.write` does, and reads
and writes rows stored as SQLAlchemy's column types store them (a UUID as 32
hex digits, a timestamp as naive UTC text, JSON as `json.dumps` text), so
the ORM reads back what this wrote and a test compares both paths' files.

The rules (what an edit, delete or undo does) are not here: they are
`journal.services.amend_rules`, shared with the ORM path.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from journal.store.column_kinds import COLUMN_KINDS
from journal.store.rows import PROVIDER_TABLES, Row, chunked
from journal.store.schema import HEAD_REVISION
from journal.store.sqlite_reader import _value

WRITE_ATTEMPTS = 5  # BEGIN IMMEDIATE tries before "journal is busy" (`Journal.write` too)
RETRY_PAUSE_S = 0.05  # times the attempt number
BUSY_TIMEOUT_MS = 15_000  # as `journal.store.engine`
_STAMP = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's SQLite DATETIME text


def stored(kind: str, value: Any) -> Any:
    """A typed value as SQLAlchemy's column type stores it on SQLite (`_value`'s inverse)."""
    if kind == "json":
        return json.dumps(value)  # SQLAlchemy's JSON: None is stored as 'null'
    if value is None or kind == "plain":
        return value
    if kind == "uuid":
        return value.hex
    if kind == "date":
        return value.isoformat()
    if kind == "datetime":
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).replace(tzinfo=None).strftime(_STAMP)
    if kind == "bool":
        return 1 if value else 0
    if kind == "float":
        return float(value)
    return float(Decimal(value))  # decimal:N, stored as a float


def loaded(kind: str, raw: Any) -> Any:
    """A stored value, typed; a JSON number comes back as a number (NUMERIC affinity)."""
    if kind == "json" and isinstance(raw, int | float):
        return raw
    return _value(kind, raw)


def is_busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


class SQLiteWriter:
    """One write transaction (BEGIN IMMEDIATE); use as a context manager."""

    def __init__(self, connection: Any, driver: Any) -> None:
        self.conn = connection
        self.driver = driver  # sqlite3 or sqlcipher3: its `Error` is what a failure raises

    @classmethod
    def open(cls, db_file: Path, key_pragma: str | None = None) -> SQLiteWriter | None:
        """A writer on `db_file` when it is a journal at the current schema, else None."""
        driver: Any = sqlite3
        if key_pragma is not None:
            import importlib

            driver = importlib.import_module("sqlcipher3")
        try:
            conn = driver.connect(str(db_file), timeout=BUSY_TIMEOUT_MS / 1000)
            conn.isolation_level = None  # we say BEGIN and COMMIT ourselves
            if key_pragma is not None:
                conn.execute(key_pragma)
            for pragma in (
                f"busy_timeout = {BUSY_TIMEOUT_MS}",
                "synchronous = NORMAL",
                "foreign_keys = ON",
                "secure_delete = ON",
            ):
                conn.execute(f"PRAGMA {pragma}")
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            mode = conn.execute("PRAGMA journal_mode").fetchone()
        except (sqlite3.Error, driver.Error):
            return None
        if not revision or revision[0] != HEAD_REVISION or not mode or mode[0] != "wal":
            conn.close()
            return None
        return cls(conn, driver)

    def begin(self) -> None:
        """Take the write lock, retrying a busy journal as `Journal.write` does."""
        for attempt in range(WRITE_ATTEMPTS):
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except self.driver.OperationalError as exc:
                if not is_busy(exc) or attempt == WRITE_ATTEMPTS - 1:
                    raise
                time.sleep(RETRY_PAUSE_S * (attempt + 1))

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def close(self) -> None:
        self.conn.close()

    # -- reading ---------------------------------------------------------------------

    def _select(self, table: str) -> str:
        columns = ", ".join(f"t.{c}" for c in COLUMN_KINDS[table])
        if table in PROVIDER_TABLES:
            return (
                f"SELECT {columns}, p.name AS provider_name FROM {table} t"
                " LEFT JOIN provider p ON p.id = t.provider_id"
            )
        return f"SELECT {columns} FROM {table} t"

    def _typed(self, table: str, cursor: Any) -> list[Row]:
        kinds = COLUMN_KINDS[table]
        names = [d[0] for d in cursor.description]
        return [
            {n: loaded(kinds.get(n, "plain"), v) for n, v in zip(names, raw, strict=True)}
            for raw in cursor.fetchall()
        ]

    def rows(self, table: str, column: str, ids: Sequence[uuid.UUID]) -> list[Row]:
        """Rows of `table` whose `column` is one of `ids` (what the results loader reads)."""
        found: list[Row] = []
        for chunk in chunked(list(ids)):
            marks = ",".join("?" * len(chunk))
            sql = f"{self._select(table)} WHERE t.{column} IN ({marks})"
            found += self._typed(table, self.conn.execute(sql, [i.hex for i in chunk]))
        return found

    def get(self, table: str, record_id: uuid.UUID) -> Row | None:
        found = self.rows(table, "id", [record_id])
        return found[0] if found else None

    def ids_between(self, table: str, low: uuid.UUID, high: uuid.UUID) -> list[uuid.UUID]:
        sql = f"SELECT id FROM {table} WHERE id BETWEEN ? AND ? LIMIT 6"
        return [uuid.UUID(hex=i) for (i,) in self.conn.execute(sql, (low.hex, high.hex))]

    def column(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return [row[0] for row in self.conn.execute(sql, params)]

    def setting(self, name: str) -> str | None:
        found = self.column("SELECT value FROM setting WHERE name = ?", (name,))
        return found[0] if found else None

    def json_rows_containing(self, table: str, column: str, needles: set[str]) -> list[Any]:
        """Decoded `column` values whose JSON text contains one of `needles` (a LIKE).

        The statement `lookup.word_used` builds with SQLAlchemy's autoescaped
        `contains`: the same rows, the same order.
        """
        like = " OR ".join(
            f"(CAST(t.{column} AS VARCHAR) LIKE '%' || ? || '%' ESCAPE '/')" for _ in needles
        )
        escaped = [n.replace("/", "//").replace("%", "/%").replace("_", "/_") for n in needles]
        raws = self.column(f"SELECT t.{column} FROM {table} t WHERE {like}", escaped)
        return [json.loads(r) if r is not None else None for r in raws]

    # -- writing ---------------------------------------------------------------------

    def update(self, table: str, record_id: uuid.UUID, columns: Mapping[str, Any]) -> None:
        kinds = COLUMN_KINDS[table]
        values = dict(columns)
        if "updated_at" in kinds and "updated_at" not in values:  # the models' onupdate
            values["updated_at"] = dt.datetime.now(dt.UTC)
        sets = ", ".join(f"{c} = ?" for c in values)
        params = [stored(kinds[c], v) for c, v in values.items()]
        self.conn.execute(f"UPDATE {table} SET {sets} WHERE id = ?", [*params, record_id.hex])

    def insert(self, table: str, values: Mapping[str, Any]) -> None:
        """A row with the given columns (a column left out is stored as NULL)."""
        kinds = COLUMN_KINDS[table]
        names = ", ".join(values)
        marks = ", ".join("?" * len(values))
        params = [stored(kinds[c], v) for c, v in values.items()]
        self.conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", params)

    def delete(self, table: str, record_id: uuid.UUID) -> None:
        self.conn.execute(f"DELETE FROM {table} WHERE id = ?", (record_id.hex,))
