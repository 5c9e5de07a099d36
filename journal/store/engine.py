"""Engine creation with the connection settings a journal depends on.

SQLite gets WAL (readers never block the writer, so the TUI stays usable while
a CLI import runs), enforced foreign keys (SQLite ignores them by default) and
a busy timeout (a second writer waits instead of failing with "database is
locked").

SQLite transactions are begun by SQLAlchemy, not by the `sqlite3` driver (the
documented pysqlite recipe: driver autocommit plus a "begin" event). The
driver's legacy mode only opens a transaction at the first INSERT/UPDATE, so
the reads a service does before writing (find the patient, pick the course,
look up a provider by name) run outside the transaction: two processes can
both decide "no default course yet" and both create one. Taking control of
BEGIN fixes two things:

* a read-only unit of work gets one consistent snapshot (plain ``BEGIN``);
* a unit of work tagged as a write (see `for_writing`) starts with ``BEGIN
  IMMEDIATE``: it takes SQLite's single write lock before its first read, so
  its reads cannot go stale and the busy timeout applies to the lock wait. A
  deferred transaction that read first and then tries to write after another
  writer committed gets SQLITE_BUSY at once (no busy wait, no retry helps),
  which is the failure mode this avoids.

PostgreSQL runs READ COMMITTED, where the same read-then-write pattern races
too (two default courses, or a unique-name provider inserted twice and one
writer failing). A write unit of work there first takes a transaction-scoped
advisory lock, so writes to one journal are serialised exactly as on SQLite
while reads stay fully concurrent; journal writes are a few milliseconds, so
the queue is short even for a busy clinic.

A deferred ``BEGIN`` is emitted lazily, just before the first statement that is
not a PRAGMA: SQLite ignores some pragmas inside a transaction (Alembic's
environment turns ``foreign_keys`` off before a batch migration), which is
exactly what the driver's legacy mode used to allow.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event

BUSY_TIMEOUT_MS = 15_000
WRITE_OPTION = "journal_write"
PG_WRITE_LOCK_KEY = 0x6A6F75726E6177  # "journaw": distinct from the migration lock
_PENDING_BEGIN = "journal_pending_begin"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Autocommit at the driver level: SQLAlchemy's "begin" event emits BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    """Start the transaction: now and IMMEDIATE for writes, lazily DEFERRED otherwise."""
    if conn.get_execution_options().get(WRITE_OPTION):
        conn.info.pop(_PENDING_BEGIN, None)
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.info[_PENDING_BEGIN] = True


def _sqlite_before_execute(
    conn: Connection,
    cursor: Any,
    statement: str,
    _parameters: Any,
    _context: Any,
    _executemany: bool,
) -> None:
    if not conn.info.get(_PENDING_BEGIN):
        return
    if statement.lstrip()[:6].upper() == "PRAGMA":
        return
    conn.info.pop(_PENDING_BEGIN, None)
    cursor.execute("BEGIN")


def _sqlite_end(conn: Connection) -> None:
    conn.info.pop(_PENDING_BEGIN, None)


def _postgres_begin(conn: Connection) -> None:
    """Serialise write units of work (see the module docstring); reads pass freely."""
    if conn.get_execution_options().get(WRITE_OPTION):
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK_KEY})")


def make_engine(url: str) -> Engine:
    """An engine for `url` with the journal's pragmas applied to every connection."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "before_cursor_execute", _sqlite_before_execute)
        event.listen(engine, "commit", _sqlite_end)
        event.listen(engine, "rollback", _sqlite_end)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "begin", _postgres_begin)
    return engine


def for_writing(engine: Engine) -> Engine:
    """A view of `engine` (same pool) whose transactions take the write lock first.

    SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock.
    """
    return engine.execution_options(**{WRITE_OPTION: True})
