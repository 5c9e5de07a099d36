"""Read-only access to a PostgreSQL journal through psycopg alone, without SQLAlchemy.

On PostgreSQL `journal history --json` spent most of its 700-900 ms (whole
process) importing SQLAlchemy and its ORM (about 300 ms on a quiet machine)
and building the mapped models, before a single row was read. Like
`journal.store.sqlite_reader` for SQLite, this module reads the same tables
of a journal already at the current schema straight through the DB-API driver
and returns the plain rows of `journal.store.rows`, typed as SQLAlchemy reads
them back, so `journal.services.convert` builds the very same records (a test
compares the two readers on the same database).

The driver is psycopg, the one the ORM path uses: the same libpq, the same
connection string rules and the same Python types for every column, so
nothing is converted differently. Measured here (whole process, medians on a
busy 2-core machine): `import psycopg` 130-180 ms whatever `PSYCOPG_IMPL`
(`binary` and `python` load the same modules: most of the cost is
`psycopg.errors`, asyncio and importlib.metadata, not the libpq wrapper),
`import pg8000` about 100 ms; pg8000 would save a few tens of milliseconds
for a second driver with its own type conversions, which is not worth it.

Anything unusual returns None so the caller takes the ORM path, which
migrates or explains: a URL naming another driver (`postgresql+...://`), no
`alembic_version` table, an older or newer schema.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from journal.store.column_kinds import COLUMN_KINDS
from journal.store.key_row import SETTING as KEY_SETTING
from journal.store.rows import (
    OVERVIEW_PATIENT,
    PROVIDER_TABLES,
    Row,
    overview_kind,
    overview_sql,
)
from journal.store.schema import HEAD_REVISION

if TYPE_CHECKING:
    import psycopg

PLAIN_SCHEME = "postgresql://"


def _value(kind: str, raw: Any) -> Any:
    """One value from psycopg as SQLAlchemy reads it back (see `COLUMN_KINDS`).

    psycopg already returns UUIDs, dates, booleans, decoded JSON and Decimals;
    what SQLAlchemy adds is `UTCDateTime`'s conversion to UTC and the float of
    a `Numeric(asdecimal=False)` column.
    """
    if raw is None:
        return None
    if kind == "datetime":
        stamp: dt.datetime = raw
        return stamp.replace(tzinfo=dt.UTC) if stamp.tzinfo is None else stamp.astimezone(dt.UTC)
    if kind == "float":
        return float(raw)
    return raw


class PGReader:
    """An open read-only transaction on one connection; use as a context manager."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self._conn = connection
        # The journal's key header (journal.store.key_row) when it is encrypted: the
        # caller unlocks with it, as the ORM path would, before reading anything.
        self.key_header: bytes | None = None

    @staticmethod
    def handles(url: str) -> bool:
        """True for the plain `postgresql://` URLs the ORM path would open with psycopg."""
        return url.startswith(PLAIN_SCHEME)

    @classmethod
    def open(cls, url: str) -> PGReader | None:
        """A reader when `url` is a journal at the current schema, else None.

        A failure to connect is raised (`psycopg.OperationalError`): the caller
        says it as the ORM path would, rather than trying a second time.
        """
        if not cls.handles(url):
            return None
        try:
            import psycopg
        except ImportError:
            return None
        conn = psycopg.connect(url)
        try:
            # One snapshot for every query of this read, and never a write.
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            # An encrypted journal's key header is a setting row: read with the
            # version, for the caller to unlock before anything is read.
            row = conn.execute(
                "SELECT version_num, (SELECT value FROM setting WHERE name = %s)"
                " FROM alembic_version",
                (KEY_SETTING,),
            ).fetchone()
        except psycopg.Error:
            conn.close()
            return None
        if row is None or row[0] != HEAD_REVISION:
            conn.close()
            return None
        reader = cls(conn)
        reader.key_header = None if row[1] is None else str(row[1]).encode("utf-8")
        return reader

    def __enter__(self) -> PGReader:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._conn.rollback()
        finally:
            self._conn.close()

    def _rows(self, table: str, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        kinds = COLUMN_KINDS[table]
        cursor = self._conn.execute(sql, params)
        names = [d.name for d in cursor.description or ()]
        return [
            {n: _value(kinds.get(n, "plain"), v) for n, v in zip(names, raw, strict=True)}
            for raw in cursor.fetchall()
        ]

    def patient_names(self) -> list[tuple[uuid.UUID, str]]:
        return [(i, n) for i, n in self._conn.execute("SELECT id, display_name FROM patient")]

    def patients(self, patient_ids: Sequence[uuid.UUID]) -> list[Row]:
        sql = f"SELECT {_columns('patient')} FROM patient t WHERE t.id = ANY(%s)"
        return self._rows("patient", sql, (list(patient_ids),))

    def courses(self, patient_ids: Sequence[uuid.UUID]) -> list[Row]:
        sql = f"SELECT {_columns('course')} FROM course t WHERE t.patient_id = ANY(%s)"
        return self._rows("course", sql, (list(patient_ids),))

    def course_rows(self, table: str, course_ids: Sequence[uuid.UUID]) -> list[Row]:
        """Rows of a per-course table; sessions and reviews carry `provider_name`."""
        if table in PROVIDER_TABLES:
            sql = (
                f"SELECT {_columns(table)}, p.name AS provider_name FROM {table} t"
                " LEFT JOIN provider p ON p.id = t.provider_id"
            )
        else:
            sql = f"SELECT {_columns(table)} FROM {table} t"
        return self._rows(table, sql + " WHERE t.course_id = ANY(%s)", (list(course_ids),))

    def overview_rows(self) -> list[Row]:
        """The provider list's one query (see `SQLiteReader.overview_rows`), typed alike.

        JSON comes back as text and is decoded here, on a patient's first row
        only: psycopg would decode every row's copy (a fifth of the read).
        """
        import json

        from psycopg.types.string import TextLoader

        cursor = self._conn.cursor()
        for name in ("json", "jsonb"):
            cursor.adapters.register_loader(name, TextLoader)
        cursor.execute(overview_sql(OVERVIEW_PATIENT))
        names = [d.name for d in cursor.description or ()]
        typed = [(i, n, overview_kind(n)) for i, n in enumerate(names)]
        later = [t for t in typed if t[1] == "id" or t[1][:2] in ("c_", "r_")]
        json_columns = [n for _, n, k in typed if k == "json"]
        seen: set[Any] = set()
        found: list[Row] = []
        for raw in cursor.fetchall():
            first = raw[0] not in seen
            seen.add(raw[0])
            row = {n: _value(k, raw[i]) for i, n, k in (typed if first else later)}
            for name in json_columns if first else ():
                if row[name] is not None:
                    row[name] = json.loads(row[name])
            found.append(row)
        return found

    def changes(self, patient_id: uuid.UUID | None, limit: int | None) -> list[Row]:
        """The change log newest first, in the ORM's order (`at` descending, then id)."""
        sql = f"SELECT {_columns('change')} FROM change t"
        params: list[Any] = []
        if patient_id is not None:
            sql += " WHERE t.patient_id = %s"
            params.append(patient_id)
        sql += " ORDER BY t.at DESC, t.id"
        if limit is not None:
            sql += " LIMIT %s"
            params.append(limit)
        return self._rows("change", sql, params)


def _columns(table: str) -> str:
    """The model's columns, named: a column missing from the database fails here, not later."""
    return ", ".join(f"t.{name}" for name in COLUMN_KINDS[table])
