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
