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

import os
import re
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event

from journal.core.errors import (
    DiskFull,
    JournalDamaged,
    JournalError,
    JournalReadOnly,
    JournalUnavailable,
)

BUSY_TIMEOUT_MS = 15_000
WRITE_OPTION = "journal_write"
PG_WRITE_LOCK_KEY = 0x6A6F75726E6177  # "journaw": distinct from the migration lock
_PENDING_BEGIN = "journal_pending_begin"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Autocommit at the driver level: SQLAlchemy's "begin" event emits BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if not cursor.execute("PRAGMA query_only").fetchone()[0] and _ours_or_empty(cursor):
        cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    # Health data: a deleted row's bytes are zeroed, not left in a free page.
    cursor.execute("PRAGMA secure_delete = ON")
    cursor.close()


def _ours_or_empty(cursor: Any) -> bool:
    """Only a journal (or a new, empty file) is switched to WAL: the mode is stored in
    the file, and a foreign database must be left exactly as it was found."""
    tables, versioned = cursor.execute(
        "SELECT count(*), count(*) FILTER (WHERE name = 'alembic_version')"
        " FROM sqlite_master WHERE type = 'table'"
    ).fetchone()
    return not tables or bool(versioned)


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


def _read_only_connect(db_file: Path, key_pragma: str | None = None) -> Any:
    """A sqlite3 connection that cannot write, for a journal its owner made read-only.

    `mode=ro` still wants to create the WAL's shared-memory file; in a folder
    nobody may write to, the database is opened `immutable` instead (nobody
    can be changing it there either). `key_pragma` opens an encrypted journal
    (SQLCipher's driver, same interface).
    """
    from urllib.parse import quote

    driver: Any = sqlite3 if key_pragma is None else _sqlcipher()
    base = f"file:{quote(str(db_file))}"
    timeout = BUSY_TIMEOUT_MS / 1000

    def connect(query: str) -> Any:
        conn = driver.connect(f"{base}?{query}", uri=True, timeout=timeout, check_same_thread=False)
        if key_pragma is not None:
            conn.execute(key_pragma)
        return conn

    try:
        conn = connect("mode=ro")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except driver.OperationalError as exc:
        if "unable to open" not in str(exc) and "readonly" not in str(exc):
            raise
        conn = connect("mode=ro&immutable=1")
    conn.execute("PRAGMA query_only = ON")
    return conn


def _sqlcipher() -> Any:
    """SQLCipher's DB-API module (the `encrypt` extra); the stdlib's interface, encrypted."""
    import sqlcipher3

    return sqlcipher3


def _encrypted_connect(db_file: Path, key_pragma: str) -> Any:
    """A SQLCipher connection keyed before anything else runs (the key must come first).

    The raw-key form skips SQLCipher's own PBKDF2: the passphrase already went
    through Argon2id once (`journal.store.keys`), and each pooled connection
    would otherwise pay 256,000 PBKDF2 rounds again.
    """
    conn = _sqlcipher().connect(
        str(db_file), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
    )
    conn.execute(key_pragma)
    return conn


def make_engine(
    url: str, *, read_only: Path | None = None, key_pragma: str | None = None
) -> Engine:
    """An engine for `url` with the journal's pragmas applied to every connection.

    `read_only` names a SQLite file to open without write access (the owner
    made the journal read-only; it must stay exactly as it is). `key_pragma`
    (from `journal.store.keys.database_key_pragma`) opens an encrypted SQLite
    journal through SQLCipher: SQLAlchemy's pysqlite dialect driving the
    `sqlcipher3` module, so errors map exactly as for sqlite3.
    """
    if url.startswith("sqlite"):
        if read_only is not None:
            path = read_only
            engine = create_engine(
                url,
                creator=lambda: _read_only_connect(path, key_pragma),
                **_module(key_pragma),
            )
        elif key_pragma is not None:
            db_file = Path(url.partition(":///")[2].split("?", 1)[0])
            engine = create_engine(
                url,
                creator=lambda: _encrypted_connect(db_file, key_pragma),
                **_module(key_pragma),
            )
        else:
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


def _module(key_pragma: str | None) -> dict[str, Any]:
    return {} if key_pragma is None else {"module": _sqlcipher()}


def for_writing(engine: Engine) -> Engine:
    """A view of `engine` (same pool) whose transactions take the write lock first.

    SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock.
    """
    return engine.execution_options(**{WRITE_OPTION: True})


# -- what a database failure means, in one line without SQL or values ----------------

DISK_FULL = "disk full: free space and try again"
LOW_SPACE_BYTES = 1 << 20
_IDENT = r"[\"\w.]+"


def free_bytes(folder: Path | None) -> int | None:
    """Bytes an ordinary user may still write on `folder`'s file system, if known."""
    if folder is None or not hasattr(os, "statvfs"):
        return None
    try:
        info = os.statvfs(folder)
    except OSError:
        return None
    return info.f_bavail * info.f_frsize


def read_only_fs(folder: Path | None) -> bool:
    if folder is None or not hasattr(os, "statvfs"):
        return False
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def explain_database_error(exc: BaseException, db_file: Path | None = None) -> JournalError:
    """Turn any SQLAlchemy / sqlite3 / driver failure into one safe line.

    Only the driver's own first line is looked at, and only known shapes of it
    are repeated (a table or column name); never the SQL statement or its
    parameters, which hold patient names. A full disk often shows up as
    "disk I/O error" (SQLite cannot grow its shared-memory file), so an I/O
    error on a file system with almost no space left is called a full disk.
    """
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    first = lines[0].strip() if lines else ""
    text = first.lower()
    code = getattr(orig, "sqlite_errorname", "") or ""
    sqlite = isinstance(orig, sqlite3.Error) or db_file is not None
    name = db_file.name if db_file is not None else ("journal.db" if sqlite else "")
    name = name or "the journal database"
    folder = db_file.parent if db_file is not None else None
    if "database or disk is full" in text or code == "SQLITE_FULL" or "no space left" in text:
        return DiskFull(DISK_FULL)
    if "disk i/o error" in text or code.startswith("SQLITE_IOERR"):
        space = free_bytes(folder)
        if space is not None and space < LOW_SPACE_BYTES:
            return DiskFull(DISK_FULL)
        if read_only_fs(folder):
            return JournalReadOnly(f"{name} is on a read-only file system: showing, not changing")
        return JournalDamaged(
            f"{name} cannot be read: disk I/O error (the disk or file system failed);"
            " run `journal doctor`"
        )
    if "readonly" in text or "read-only" in text or code.startswith("SQLITE_READONLY"):
        where = "on a read-only file system" if read_only_fs(folder) else "read-only"
        return JournalReadOnly(f"{name} is {where}: cannot change it")
    if "locked" in text or "busy" in text:
        return JournalUnavailable(
            "the journal is busy: another program kept it locked for too long; "
            "try again in a moment"
        )
    missing = _missing_part(first)
    if missing:
        return JournalDamaged(f"{name} is damaged: {missing}; run `journal doctor`")
    if any(w in text for w in ("malformed", "corrupt", "not a database")) or code in (
        "SQLITE_CORRUPT",
        "SQLITE_NOTADB",
    ):
        return JournalDamaged(f"{name} is damaged: {first}; run `journal doctor`")
    if not sqlite and type(orig).__name__ == "OperationalError":
        return JournalUnavailable(f"cannot open the journal database: {first}")
    kind = code or type(orig).__name__
    return JournalDamaged(f"{name} is damaged or unreadable ({kind}); run `journal doctor`")


def _missing_part(first: str) -> str | None:
    """'table X is missing' / 'column X is missing' from SQLite's and PostgreSQL's words."""
    for pattern, what in (
        (rf"^no such table: ({_IDENT})$", "table {} is missing"),
        (rf"^no such column: ({_IDENT})$", "column {} is missing"),
        (rf"^table ({_IDENT}) has no column named ({_IDENT})$", "column {}.{} is missing"),
        (rf"^column ({_IDENT}) does not exist$", "column {} is missing"),
        (rf"^relation ({_IDENT}) does not exist$", "table {} is missing"),
        (
            rf"^column ({_IDENT}) of relation ({_IDENT}) does not exist$",
            "column {1}.{0} is missing",
        ),
    ):
        found = re.match(pattern, first)
        if found:
            return what.format(*(g.strip('"') for g in found.groups()))
    return None


def sqlite_file(engine: Engine) -> Path | None:
    """The database file behind a SQLite engine (to name it and look at its disk)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database.startswith(":memory:"):
        return None
    return Path(database.removeprefix("file:").split("?", 1)[0])
