"""Noticing writes made by other processes, cheaply, so an open TUI can refresh itself.

Two mechanisms, one interface (`ChangeWatcher.changed()`: "did anything commit
since the last call?"), chosen by the database:

* SQLite: `PRAGMA data_version` on one dedicated connection held open for the
  watcher's lifetime. SQLite bumps the value whenever a commit made by ANY
  OTHER connection (another process, or another connection of this one) is
  visible; reading it costs microseconds and takes no lock, so the TUI polls it
  on a timer on its UI thread.
* PostgreSQL: LISTEN on the `journal_changed` channel. Migration 0007 installs
  statement-level triggers on every journal table that `pg_notify` it, so every
  writer notifies: this app, a colleague's CLI, a script, even psql. A daemon
  thread waits for notifications on a dedicated autocommit connection and sets
  a flag; `changed()` only reads and clears the flag, so it never blocks. If
  the connection drops, the thread reconnects and reports a change (a
  notification may have been missed while it was away).

Neither watcher ever raises from `changed()`: a watcher that cannot see is a
stale screen, not a crash. See docs/architecture.md, "Live views".
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from typing import Any, Protocol

from sqlalchemy import Engine

from journal.store.engine import sqlite_file

CHANNEL = "journal_changed"
RECONNECT_PAUSE_S = 1.0
WAIT_S = 0.5  # how long one wait for a notification blocks before checking for close()


class ChangeWatcher(Protocol):
    """Answers "has someone committed since I last asked?" without blocking."""

    def changed(self) -> bool: ...

    def close(self) -> None: ...


class NoWatcher:
    """For a database that cannot be watched (in memory): never reports a change."""

    def changed(self) -> bool:
        return False

    def close(self) -> None:
        return None


class SqliteWatcher:
    """Polls `PRAGMA data_version` on its own read-only connection."""

    def __init__(self, path: str, key_pragma: str | None = None) -> None:
        from urllib.parse import quote

        driver: Any = sqlite3
        self._errors: tuple[type[Exception], ...] = (sqlite3.Error,)
        if key_pragma is not None:  # an encrypted journal: SQLCipher, keyed first
            import sqlcipher3

            driver = sqlcipher3
            self._errors = (sqlite3.Error, sqlcipher3.Error)
        # mode=ro: the watcher must never be the connection that writes, locks or
        # creates anything; check_same_thread=False: opened in a worker, read on the UI thread.
        self._conn: Any = driver.connect(
            f"file:{quote(path)}?mode=ro", uri=True, check_same_thread=False
        )
        if key_pragma is not None:
            self._conn.execute(key_pragma)
        self._lock = threading.Lock()
        self._last = self._version()

    def _version(self) -> int | None:
        if self._conn is None:
            return None
        try:
            row = self._conn.execute("PRAGMA data_version").fetchone()
        except self._errors:
            return None
        return int(row[0]) if row else None

    def changed(self) -> bool:
        with self._lock:
            now = self._version()
            if now is None or now == self._last:
                return False
            self._last = now
            return True

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class PostgresWatcher:
    """LISTENs on `journal_changed` in a daemon thread; `changed()` reads a flag."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._flag = threading.Event()
        self._stop = threading.Event()
        self._conn: Any = None
        self._conn = self._connect()  # the first connection fails loudly, in the caller
        self._thread = threading.Thread(target=self._run, name="journal-listen", daemon=True)
        self._thread.start()

    def _connect(self) -> Any:
        import psycopg

        conn = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5)
        conn.execute(f"LISTEN {CHANNEL}")
        return conn

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self._conn is None:
                    self._conn = self._connect()
                    self._flag.set()  # may have missed notifications while away
                for _note in self._conn.notifies(timeout=WAIT_S, stop_after=1):
                    self._flag.set()
            except Exception:
                if self._stop.is_set():
                    return
                self._drop()
                self._stop.wait(RECONNECT_PAUSE_S)

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    def changed(self) -> bool:
        if self._flag.is_set():
            self._flag.clear()
            return True
        return False

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=WAIT_S * 4)
        self._drop()


def open_change_watcher(engine: Engine, key_pragma: str | None = None) -> ChangeWatcher:
    """A watcher for the database behind `engine` (opens its own connection).

    `key_pragma`: an encrypted journal's SQLCipher key statement; without it the
    watcher would read the encrypted file as noise and never see a change.
    """
    if engine.dialect.name == "postgresql":
        url = engine.url.set(drivername="postgresql")
        return PostgresWatcher(url.render_as_string(hide_password=False))
    path = sqlite_file(engine)
    if path is None:
        return NoWatcher()
    return SqliteWatcher(str(path), key_pragma)
