"""The fast readers read exactly what the ORM path reads, and step aside when they must.

`history_for` (behind `history`, `score` and `plan`) reads a current SQLite
journal with `sqlite3` and a current PostgreSQL journal with psycopg alone,
skipping SQLAlchemy; anything unusual goes to the ORM path, which creates,
migrates and explains. Each test runs on SQLite and, when
`JOURNAL_TEST_PG_URL` is set, on PostgreSQL.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from journal.core.errors import JournalError, JournalUnavailable
from journal.services import convert
from journal.services.checkins import add_checkin
from journal.services.history import patient_history
from journal.services.journal import open_journal
from journal.services.patients import add_patient
from journal.services.reading import history_document, history_for
from journal.services.reviews import add_review
from journal.services.sessions import add_session
from journal.store.location import resolve_location
from journal.store.pg_reader import PGReader
from journal.store.sqlite_reader import SQLiteReader

PG_URL = os.environ.get("JOURNAL_TEST_PG_URL")
needs_pg = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: set JOURNAL_TEST_PG_URL")


@pytest.fixture
def pg_url():
    from conftest import throwaway_pg_database

    with throwaway_pg_database() as url:
        yield url


def _fill(journal) -> None:
    """Every column kind: UUIDs, dates, times, JSON lists and maps, floats, decimals, booleans."""
    add_patient(
        journal, "Fay", birth_year="1984", concerns=["wrinkles"], screening=["isotretinoin"]
    )
    add_patient(journal, "Gil")
    add_checkin(journal, "Fay", date="2026-01-01", concerns=["wrinkles=7"], notes="baseline")
    add_session(
        journal,
        "Fay",
        date="2026-01-02",
        provider="Dr. Q",
        depth="cheeks=1.25,forehead=0.5",
        cost="99.99",
        serums=["PRP", "my own serum"],
        pain="3",
    )
    add_session(journal, "Fay", date="2026-02-02", depth="1.5")  # no provider: a NULL join
    add_checkin(
        journal,
        "Fay",
        date="2026-01-03",
        symptoms={"redness": 4},
        downtime=False,
        gais="improved",
        verdict="not-sure",
        flags=["blistering"],
        notes="Zoë: ça brûle",
    )
    add_review(journal, "Fay", date="2026-01-30", provider="Dr. Q", goodman_baron="2")


def _reader(home: Path, url: str | None):
    location = resolve_location(home, url)
    if url is None:
        return SQLiteReader.open(location.sqlite_path)
    return PGReader.open(url)


def test_the_fast_reader_reads_what_the_orm_reads(journal, home, journal_url):
    _fill(journal)
    orm = patient_history(journal, "Fay")
    reader = _reader(home, journal_url)
    assert reader is not None  # the path history_for takes
    with reader:
        assert sorted(name for _, name in reader.patient_names()) == ["Fay", "Gil"]
        fast_rows = convert.histories(reader, [orm.patient.id])[0]
    assert fast_rows == orm
    fast = history_for(home, journal_url, "fay")
    assert fast == orm
    assert history_document(fast) == history_document(orm)
    assert history_for(home, journal_url, "Gil") == patient_history(journal, "Gil")


def test_a_schema_not_at_head_takes_the_orm_path(journal, home, journal_url):
    """An unknown stored revision: the fast reader steps aside and the ORM path refuses it."""
    _fill(journal)
    from sqlalchemy import text

    with journal.write() as db:
        db.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    assert _reader(home, journal_url) is None
    with pytest.raises(JournalUnavailable, match="newer than this version"):
        history_for(home, journal_url, "Fay")


@needs_pg
def test_a_new_home_on_postgresql_is_prepared_by_the_orm_path(tmp_path, pg_url):
    """The first read through a new home creates it, as `open_journal` always has."""
    with open_journal(tmp_path / "home", pg_url) as journal:
        _fill(journal)
        fresh = tmp_path / "other-home"
        assert history_for(fresh, pg_url, "Fay") == patient_history(journal, "Fay")
    assert (fresh / "photos").is_dir()


def _free_port() -> int:
    with socket.socket() as s:  # a port nothing listens on once closed
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@needs_pg
@pytest.mark.parametrize(
    "where",
    ["refused", "no such database", "invalid port", "unknown option"],
)
def test_a_failed_connection_is_said_as_the_orm_path_says_it(tmp_path, pg_url, where):
    """The server refused, the database is missing, libpq or psycopg refuse the URL."""
    base = pg_url.rsplit("/", 1)[0]
    url = {
        "refused": f"postgresql://nobody@127.0.0.1:{_free_port()}/nothing",
        "no such database": f"{base}/no_such_journal_db",
        "invalid port": "postgresql://nobody@127.0.0.1:99999/nothing",
        "unknown option": f"{pg_url}?no_such_option=1",
    }[where]
    home = tmp_path / "home"
    with open_journal(home, pg_url):
        pass  # a home in place: the fast reader is the one asked first
    with pytest.raises(JournalError) as orm:
        open_journal(home, url)
    with pytest.raises(JournalError) as fast:
        history_for(home, url, "Fay")
    assert (type(fast.value), str(fast.value)) == (type(orm.value), str(orm.value))


def test_a_url_naming_a_driver_takes_the_orm_path():
    """`postgresql+psycopg2://` and friends are the ORM's to open (another driver)."""
    assert PGReader.open("postgresql+psycopg://nobody@127.0.0.1:1/x") is None
    assert not PGReader.handles("postgresql+psycopg2://x/y")
