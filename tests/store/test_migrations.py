"""Migrations: upgrade from empty, down to base and back, models match, fast path."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from journal.core.errors import JournalUnavailable
from journal.services.journal import open_journal
from journal.store import migrate
from journal.store.engine import make_engine
from journal.store.location import resolve_location

TABLES = {"patient", "provider", "course", "session", "checkin", "photo", "review"}


def _engine(home: Path, url: str | None):
    location = resolve_location(home, url)
    location.home.mkdir(parents=True, exist_ok=True)
    return make_engine(location.db_url)


def test_upgrade_from_empty_creates_every_table(home, journal_url):
    engine = _engine(home, journal_url)
    migrate.ensure_schema(engine)
    names = set(inspect(engine).get_table_names())
    assert names >= TABLES
    with engine.connect() as conn:
        assert migrate.stored_revision(conn) == migrate.HEAD_REVISION
    engine.dispose()


def test_downgrade_to_base_and_back(home, journal_url):
    engine = _engine(home, journal_url)
    migrate.upgrade(engine)
    migrate.downgrade(engine, "base")
    assert not TABLES & set(inspect(engine).get_table_names())
    migrate.upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()


def test_models_match_migrations(home, journal_url):
    """`alembic check`: autogenerate finds nothing to add after upgrading to head."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from journal.store.models import Base

    engine = _engine(home, journal_url)
    migrate.upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_head_constant_matches_the_scripts():
    """The fast path trusts HEAD_REVISION; it must be the scripts' real head."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(migrate.migrations_dir()))
    assert ScriptDirectory.from_config(config).get_heads() == [migrate.HEAD_REVISION]


def test_fast_path_skips_alembic_when_current(home, journal_url, monkeypatch):
    open_journal(home, journal_url).close()

    def boom(*_a, **_k):
        raise AssertionError("alembic ran although the schema was current")

    monkeypatch.setattr(migrate, "upgrade", boom)
    open_journal(home, journal_url).close()


def test_journal_from_a_newer_release_is_refused(home, journal_url):
    open_journal(home, journal_url).close()
    engine = _engine(home, journal_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(JournalUnavailable, match="newer"):
        open_journal(home, journal_url)


def test_alembic_ini_works_from_the_checkout(tmp_path, monkeypatch):
    """`alembic upgrade head` from the checkout migrates ./journal.db."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(root / "alembic.ini"), "upgrade", "head"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    engine = make_engine(f"sqlite:///{tmp_path / 'journal.db'}")
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()


def _schema_names(engine) -> dict[str, set[str]]:
    """Every table's columns, constraint and index names, as the database reports them."""
    inspector = inspect(engine)
    names: dict[str, set[str]] = {}
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        found = {f"column {c['name']}" for c in inspector.get_columns(table)}
        found.add(f"pk {inspector.get_pk_constraint(table)['name']}")
        found |= {f"fk {fk['name']}" for fk in inspector.get_foreign_keys(table)}
        found |= {f"ck {ck['name']}" for ck in inspector.get_check_constraints(table)}
        found |= {f"uq {uq['name']}" for uq in inspector.get_unique_constraints(table)}
        found |= {f"ix {ix['name']}" for ix in inspector.get_indexes(table)}
        names[table] = found
    return names


def _fill(journal) -> tuple[dict, dict]:
    """Two patients' sessions with serums, and photos linked to sessions (or to none)."""
    import datetime as dt

    from journal.services.patients import add_patient
    from journal.services.sessions import add_session
    from journal.store.models import PhotoRow

    serums, links, courses = {}, {}, {}
    for name in ("Ana", "Ben"):
        add_patient(journal, name)
        for n, used in enumerate((["prp"], ["hyaluronic-acid", "my-own-serum"], [])):
            s = add_session(journal, name, date=f"2026-0{n + 1}-02", serums=used)
            serums[s.id], courses[s.id] = s.serums, s.course_id
    with journal.write() as db:
        for n, (session_id, _) in enumerate([*serums.items(), (None, None)]):
            row = PhotoRow(
                course_id=courses.get(session_id, next(iter(courses.values()))),
                session_id=session_id,
                kind="before",
                taken_at=dt.datetime(2026, 1, 2, 10, n, tzinfo=dt.UTC),
                taken_at_source="exif",
                sha256=f"{n:064x}",
                width=10,
                height=10,
                display_path=f"d/{n}.jpg",
                thumb_path=f"t/{n}.jpg",
            )
            db.add(row)
            db.flush()
            links[row.id] = session_id
    return serums, links


# rename-codemod: off  (revision 0002 has the old names)
def test_a_0002_journal_with_data_upgrades_to_0003_intact(home, journal_url):
    """treatment -> session, adjuncts -> serums, photo.treatment_id -> session_id: no row lost.

    The journal is filled at head, taken down to 0002 (its tables then carry the old
    names, checked against a fresh 0002 schema) and upgraded again; every session,
    serum list and photo link must read back the same, and the names must equal a
    fresh head schema's.
    """
    import sqlalchemy as sa

    from journal.services.history import patient_history

    journal = open_journal(home, journal_url)
    serums, links = _fill(journal)
    engine = journal.engine
    fresh_head = _schema_names(engine)
    assert not [n for names in fresh_head.values() for n in names if "treatment" in n]

    migrate.downgrade(engine, "0002")
    old = _schema_names(engine)
    assert "treatment" in old and "session" not in old
    assert {"column adjuncts", "pk pk_treatment", "ix ix_treatment_provider_id"} <= old["treatment"]
    assert {"column treatment_id", "fk fk_photo_treatment_id_treatment"} <= old["photo"]
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT id, adjuncts FROM treatment").columns(
                sa.column("id", sa.Uuid()), sa.column("adjuncts", sa.JSON())
            )
        ).all()
        photo_links = conn.execute(
            text("SELECT id, treatment_id FROM photo").columns(
                sa.column("id", sa.Uuid()), sa.column("treatment_id", sa.Uuid())
            )
        ).all()
    assert {i: tuple(v) for i, v in stored} == serums
    assert dict(photo_links) == links
    journal.close()

    journal = open_journal(home, journal_url)  # migrates on open, as a user's journal would
    engine = journal.engine
    with engine.connect() as conn:
        assert migrate.stored_revision(conn) == migrate.HEAD_REVISION
    assert _schema_names(engine) == fresh_head
    histories = [patient_history(journal, name) for name in ("Ana", "Ben")]
    assert {s.id: s.serums for h in histories for s in h.sessions} == serums
    assert {p.id: p.session_id for h in histories for p in h.photos} == links
    journal.close()


# rename-codemod: on


def test_0002_schema_from_a_downgrade_equals_a_fresh_0002(home, journal_url):
    """The downgrade restores the 0002 names exactly (so a round trip is lossless)."""
    engine = _engine(home, journal_url)
    migrate.upgrade(engine, "0002")
    fresh = _schema_names(engine)
    migrate.upgrade(engine)
    migrate.downgrade(engine, "0002")
    assert _schema_names(engine) == fresh
    engine.dispose()
