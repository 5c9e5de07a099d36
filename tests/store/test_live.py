"""Change watchers: SQLite's data_version and PostgreSQL's LISTEN/NOTIFY (revision 0007).

Real databases, real second connections: a write through a second `Journal`
(its own engine and pool, as another process would have) must be seen by the
watcher, and nothing else must be.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import text

from journal.services.checkins import add_checkin
from journal.services.journal import open_journal
from journal.services.live import patient_versions, watch_changes
from journal.services.patients import add_patient
from journal.services.sessions import add_session
from journal.store import migrate
from journal.store.models import Base


def seen(watcher: Any, limit: float = 2.0) -> bool:
    """Whether the watcher reports a change within `limit` seconds."""
    end = time.perf_counter() + limit
    while time.perf_counter() < end:
        if watcher.changed():
            return True
        time.sleep(0.02)
    return False


def test_a_write_by_another_connection_is_seen_once(journal, home, journal_url):
    add_patient(journal, "Alex Rivera")
    watcher = watch_changes(journal)
    other = open_journal(home, journal_url)
    try:
        assert not seen(watcher, 0.3), "nothing was written yet"
        add_session(other, "Alex Rivera", date="2026-04-01", device="pen", depth="1.0")
        assert seen(watcher)
        assert not seen(watcher, 0.3), "one write is reported once"
        with other.read() as db:  # a read is not a change
            db.execute(text("SELECT count(*) FROM patient")).scalar()
        assert not seen(watcher, 0.3)
    finally:
        other.close()
        watcher.close()
    assert not watcher.changed(), "a closed watcher answers, and says nothing changed"


def test_patient_versions_change_only_for_the_patient_written_to(journal):
    alex = str(add_patient(journal, "Alex Rivera").id)
    bea = str(add_patient(journal, "Bea Okafor").id)
    add_session(journal, alex, date="2026-04-01", device="pen", depth="1.0")
    add_session(journal, bea, date="2026-04-02", device="pen", depth="1.0")
    before = patient_versions(journal)
    add_checkin(journal, bea, date="2026-04-04", symptoms={"redness": 2})
    after = patient_versions(journal)
    assert after[alex] == before[alex]
    assert after[bea] != before[bea]


def test_every_journal_table_notifies_on_postgresql(journal, journal_url):
    if journal_url is None:
        # SQLite watches PRAGMA data_version instead: the revision leaves no trigger there.
        with journal.engine.connect() as conn:
            triggers = conn.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars()
            assert list(triggers) == []
        return
    with journal.engine.connect() as conn:
        triggered = set(
            conn.execute(
                text(
                    "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                    " WHERE t.tgname = 'journal_changed_notify'"
                )
            ).scalars()
        )
    assert {t.name for t in Base.metadata.sorted_tables} <= triggered


def test_revision_0007_goes_down_and_up(journal, journal_url):
    migrate.downgrade(journal.engine, "0006")
    migrate.upgrade(journal.engine)
    add_patient(journal, "Alex Rivera")
    if journal_url is not None:
        with journal.engine.connect() as conn:
            count = conn.execute(
                text("SELECT count(*) FROM pg_trigger WHERE tgname = 'journal_changed_notify'")
            ).scalar()
        assert count == len(Base.metadata.sorted_tables)


def test_an_encrypted_journal_is_watched_too(tmp_path):
    """The watcher reads SQLCipher's file under the key; without it no change would show."""
    from journal.services.crypt import init_encrypted
    from journal.services.unlock import Secret

    home = tmp_path / "vault"
    init_encrypted("correct horse battery", home)
    secret = Secret("passphrase", "correct horse battery")
    first = open_journal(home, secret=secret)
    other = open_journal(home, secret=secret)
    watcher = watch_changes(first)
    try:
        assert type(watcher).__name__ == "SqliteWatcher"
        assert not seen(watcher, 0.3), "nothing was written yet"
        add_patient(other, "Alex Rivera")
        assert seen(watcher)
    finally:
        watcher.close()
        other.close()
        first.close()
