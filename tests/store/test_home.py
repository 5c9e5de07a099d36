"""Journal home resolution, permissions and SQLite settings."""

from __future__ import annotations

import stat

from sqlalchemy import text

from journal.services.journal import open_journal
from journal.store.location import resolve_location


def test_flag_beats_environment_beats_default(tmp_path):
    env = {"JOURNAL_HOME": str(tmp_path / "env-home")}
    assert resolve_location(tmp_path / "flag", env=env).home == tmp_path / "flag"
    assert resolve_location(None, env=env).home == tmp_path / "env-home"
    default = resolve_location(None, env={})
    assert "microneedling-journal" in str(default.home)


def test_db_url_and_photos_dir_can_move(tmp_path):
    env = {
        "JOURNAL_DB_URL": "postgresql://u@localhost/clinic",
        "JOURNAL_PHOTOS_DIR": str(tmp_path / "pics"),
    }
    loc = resolve_location(tmp_path / "h", env=env)
    assert loc.db_url == "postgresql://u@localhost/clinic"
    assert loc.photos_dir == tmp_path / "pics"
    assert resolve_location(tmp_path / "h", "sqlite:///x.db", env=env).db_url == "sqlite:///x.db"


def test_home_is_private(tmp_path):
    home = tmp_path / "home"
    open_journal(home).close()
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "photos").stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "journal.db").stat().st_mode) == 0o600


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(tmp_path):
    with open_journal(tmp_path / "home") as journal, journal.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_home_that_is_a_file_is_a_clear_error(tmp_path, capsys):
    from journal.cli.main import run

    blocker = tmp_path / "file"
    blocker.write_text("x")
    try:
        run(["--home", str(blocker), "init"])
    except SystemExit as exc:
        assert exc.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a folder" in err
