"""How `Journal.write()` and `read()` begin their transactions, and how a failed write ends."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import event, select, text

from journal.core.errors import JournalUnavailable
from journal.services.journal import open_journal
from journal.services.patients import add_patient
from journal.store.models import PatientRow


def test_sqlite_writes_take_the_lock_first_and_reads_get_one_snapshot(sqlite_journal):
    raw: list[str] = []

    @event.listens_for(sqlite_journal.engine, "after_cursor_execute")
    def record(_conn, cursor, statement, *_rest) -> None:
        raw.append(statement.strip().split("\n")[0])

    add_patient(sqlite_journal, "Ana")
    assert raw[0] == "BEGIN IMMEDIATE"
    raw.clear()
    with sqlite_journal.read() as db:
        db.scalars(select(PatientRow)).all()
        in_transaction = db.connection().connection.dbapi_connection.in_transaction
    assert in_transaction  # the deferred BEGIN came before the first SELECT


@pytest.mark.postgres
def test_a_write_that_reads_first_makes_other_writers_wait(home, journal_url):
    """The unit of work's reads cannot go stale: a second writer waits for its commit."""
    first, second = open_journal(home, journal_url), open_journal(home, journal_url)
    read_done = threading.Event()
    committed: dict[str, float] = {}

    def slow_writer() -> None:
        with first.write() as db:
            db.scalars(select(PatientRow)).all()  # decide on what it read...
            read_done.set()
            time.sleep(0.4)
            db.add(PatientRow(display_name="First", concerns=[], screening=[]))  # ...then write
        committed["first"] = time.monotonic()

    try:
        thread = threading.Thread(target=slow_writer)
        thread.start()
        assert read_done.wait(10)
        add_patient(second, "Second")
        committed["second"] = time.monotonic()
        thread.join(10)
        assert committed["second"] > committed["first"]
        with second.read() as db:
            assert sorted(db.scalars(select(PatientRow.display_name))) == ["First", "Second"]
    finally:
        first.close()
        second.close()


def test_a_write_that_fails_in_the_database_is_one_line_and_rolls_back(sqlite_journal):
    add_patient(sqlite_journal, "Ana")
    refused = pytest.raises(JournalUnavailable, match=r"journal\.db is read-only: cannot change it")
    with refused, sqlite_journal.write() as db:
        db.add(PatientRow(display_name="Ben", concerns=[], screening=[]))
        db.flush()
        db.execute(text("PRAGMA query_only = ON"))
        db.add(PatientRow(display_name="Cleo", concerns=[], screening=[]))
        db.flush()
    sqlite_journal.engine.dispose()  # drop the query_only connection
    with sqlite_journal.read() as db:
        assert list(db.scalars(select(PatientRow.display_name))) == ["Ana"]
