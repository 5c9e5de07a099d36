"""A home, database or photo folder someone else shaped: links, foreign files, read-only, damage.

Issue 9, items 1, 3 (damaged database, dropped column), 5 and 6: the journal
never follows a link it did not make, never changes the mode of what it did not
create, never adopts someone else's database, opens a read-only journal
read-only, and answers damage, a full disk or a missing version table with one
line that names the cause (never SQL text or a patient's name).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, event

from journal.maintenance.doctor import diagnose
from journal.services.journal import open_journal
from journal.services.patients import add_patient
from journal.services.photos import import_photos
from journal.store.schema import HEAD_REVISION

from ._support import journal_cli, photo_variants

NAME = "Zoë Secretname"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def _seeded(home: Path) -> None:
    with open_journal(home) as journal:
        add_patient(journal, NAME)


# -- 1. links, empty homes, modes, adoption, read-only -------------------------------


def test_a_linked_database_is_refused_and_its_target_left_alone(sqlite_cli, home, tmp_path):
    target = tmp_path / "someone-elses.txt"
    target.write_text("not yours")
    target.chmod(0o644)
    home.mkdir()
    (home / "journal.db").symlink_to(target)

    result = sqlite_cli("patient", "list")
    assert result.code == 2
    line = _one_line(result.err)
    assert "symbolic link" in line and str(home / "journal.db") in line
    assert _mode(target) == 0o644
    assert target.read_text() == "not yours"


@pytest.mark.parametrize("which", ["home", "photos", "journal.db-wal"])
def test_a_linked_home_photo_folder_or_wal_is_refused(tmp_path, capsys, which):
    from journal.cli.main import run

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o755)
    elsewhere.chmod(0o755)
    home = tmp_path / "home"
    if which == "home":
        home.symlink_to(elsewhere, target_is_directory=True)
    else:
        _seeded(home)
        link = home / which
        if link.exists():
            os.rename(link, tmp_path / "moved")
        link.symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(SystemExit) as exited:
        run(["--home", str(home), "patient", "list"])
    assert exited.value.code == 2
    assert "symbolic link" in _one_line(capsys.readouterr().err)
    assert _mode(elsewhere) == 0o755
    assert list(elsewhere.iterdir()) == []


def test_doctor_repair_never_changes_modes_through_a_link(sqlite_cli, home, tmp_path):
    _seeded(home)
    outside = tmp_path / "outside"
    outside.mkdir()
    outside.chmod(0o755)
    (outside / "file.txt").write_text("x")
    (outside / "file.txt").chmod(0o644)
    (home / "photos" / "ab").symlink_to(outside, target_is_directory=True)
    (home / "photos" / "stray.jpg").symlink_to(outside / "file.txt")

    found = sqlite_cli("doctor")
    assert found.code == 1
    assert "symbolic link" in found.out
    repaired = sqlite_cli("doctor", "--repair")
    assert repaired.code == 1  # links are reported for the owner to remove, never followed
    assert _mode(outside) == 0o755
    assert _mode(outside / "file.txt") == 0o644


def test_a_linked_shard_folder_takes_no_photo_writes(sqlite_cli, home, tmp_path):
    _seeded(home)
    outside = tmp_path / "outside"
    outside.mkdir()
    photos = photo_variants(tmp_path / "src", 1)
    import hashlib

    shard = hashlib.sha256(photos[0].read_bytes()).hexdigest()[:2]
    (home / "photos" / shard).symlink_to(outside, target_is_directory=True)
    result = sqlite_cli("photo", "add", "-p", NAME, str(photos[0]))
    assert result.code != 0
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("how", ["flag", "env"])
def test_an_empty_home_is_a_usage_error(tmp_path, monkeypatch, capsys, how):
    from journal.cli.main import run

    monkeypatch.chdir(tmp_path)
    tmp_path.chmod(0o755)
    args = ["--home", ""] if how == "flag" else []
    if how == "env":
        monkeypatch.setenv("JOURNAL_HOME", "")
    with pytest.raises(SystemExit) as exited:
        run([*args, "patient", "list"])
    assert exited.value.code == 2
    assert "empty" in _one_line(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []
    assert _mode(tmp_path) == 0o755


def test_the_journal_sets_modes_only_on_what_it_creates(sqlite_cli, home):
    home.mkdir()
    home.chmod(0o755)  # the owner's choice for their own folder
    assert sqlite_cli("init").code == 0
    assert _mode(home) == 0o755
    assert _mode(home / "journal.db") == 0o600
    assert _mode(home / "photos") == 0o700


def test_a_folder_holding_other_things_is_adopted_only_when_asked(sqlite_cli, home):
    home.mkdir()
    (home / "taxes-2024.pdf").write_bytes(b"%PDF")
    refused = sqlite_cli("patient", "list")
    assert refused.code == 2
    assert "journal init --adopt" in _one_line(refused.err)
    assert sorted(p.name for p in home.iterdir()) == ["taxes-2024.pdf"]

    assert sqlite_cli("init", "--adopt").code == 0
    assert sqlite_cli("patient", "list").code == 0  # a journal now
    assert (home / "taxes-2024.pdf").read_bytes() == b"%PDF"


@pytest.mark.parametrize("made_read_only", ["journal.db", "home"])
def test_a_journal_its_owner_made_read_only_is_opened_read_only(sqlite_cli, home, made_read_only):
    _seeded(home)
    target = home / "journal.db" if made_read_only == "journal.db" else home
    mode = 0o400 if made_read_only == "journal.db" else 0o500
    before = (home / "journal.db").read_bytes()
    target.chmod(mode)
    try:
        shown = sqlite_cli("patient", "list")
        assert shown.code == 0
        assert NAME in shown.out
        assert "read-only" in _one_line(shown.err)

        refused = sqlite_cli("patient", "add", "Someone Else")
        assert refused.code == 2
        assert "read-only" in refused.err and "Traceback" not in refused.err
        assert _mode(target) == mode  # never silently made writable again
    finally:
        target.chmod(0o700 if target.is_dir() else 0o600)
    assert (home / "journal.db").read_bytes() == before


# -- 3. damage and dropped columns: one line, exit 1, no SQL, no names ------------------


def _damage_a_page(db: Path) -> None:
    """Scribble over the patient table's root page (what a bad sector or sync tool does)."""
    conn = sqlite3.connect(db)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'patient'").fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with db.open("r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\x0d" + b"\xa5" * 64)


def _drop_column(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE patient DROP COLUMN birth_year")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("harm", [_damage_a_page, _drop_column], ids=["page", "column"])
@pytest.mark.parametrize(
    "command",
    [("patient", "list"), ("history", "-p", "Zoë"), ("patient", "add", "Another Person")],
    ids=["list", "history", "add"],
)
def test_a_damaged_journal_is_one_line_exit_1_without_sql_or_names(sqlite_cli, home, harm, command):
    _seeded(home)
    harm(home / "journal.db")
    result = sqlite_cli(*command)
    assert result.code == 1, result.err
    line = _one_line(result.err)
    assert "journal.db is damaged" in line and "journal doctor" in line
    for leak in ("SELECT", "INSERT", "Secretname", "Another Person", "[SQL", "sqlalche.me"):
        assert leak not in line


def test_a_dropped_column_is_named(sqlite_cli, home):
    _seeded(home)
    _drop_column(home / "journal.db")
    assert "column patient.birth_year is missing" in sqlite_cli("patient", "list").err


def test_the_terminal_ui_shows_one_line_for_a_damaged_journal(home):
    from textual.widgets import Static

    from journal.tui.app import JournalApp

    _seeded(home)
    _damage_a_page(home / "journal.db")
    app = JournalApp(home=home)

    async def scenario() -> str:
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in range(20):
                await pilot.pause(0.05)
                if not list(app.workers):
                    break
            return str(app.query_one("#opening", Static).content)

    shown = asyncio.run(scenario())
    assert shown.startswith("Cannot open the journal: journal.db is damaged")
    assert "Secretname" not in shown


# -- 5. a foreign SQLite file -------------------------------------------------------------


def test_a_foreign_sqlite_database_is_refused_unchanged_and_not_healthy(sqlite_cli, home):
    home.mkdir()
    db = home / "journal.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer TEXT)")
    conn.execute("INSERT INTO invoices (customer) VALUES ('ACME')")
    conn.commit()
    conn.close()
    before = db.read_bytes()

    result = sqlite_cli("patient", "list")
    assert result.code == 2
    assert "not a journal" in _one_line(result.err)
    assert db.read_bytes() == before

    doctor = sqlite_cli("doctor", "--repair")
    assert doctor.code == 1
    assert "not a journal" in doctor.out
    assert not diagnose(home, None).healthy
    assert db.read_bytes() == before
    tables = sqlite3.connect(db).execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == [("invoices",)]


# -- 6. failure paths: no leftovers, the real cause named --------------------------------


@contextlib.contextmanager
def _page_limit(pages_more: int) -> Iterator[None]:
    """SQLite's own size limit: writes past it fail with SQLITE_FULL, as on a full disk."""

    def limit(dbapi_connection: object, _record: object) -> None:
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        count = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {count + pages_more}")
        cursor.close()

    event.listen(Engine, "connect", limit)
    try:
        yield
    finally:
        event.remove(Engine, "connect", limit)


def test_a_full_database_says_disk_full(sqlite_cli, home):
    _seeded(home)
    with _page_limit(0):  # free pages (left by migrations) fill first, then the file must grow
        for _ in range(100):
            result = sqlite_cli(
                "checkin", "add", "-p", "Zoë", "-d", "2024-05-02", "--notes", "n" * 9000
            )
            if result.code != 0:
                break
    assert result.code == 1, result.err
    assert _one_line(result.err) == "journal: error: disk full: free space and try again"
    assert sqlite_cli("patient", "list").code == 0  # nothing damaged once the limit is gone


@contextlib.contextmanager
def _tiny_disk(where: Path, size: str = "1m") -> Iterator[Path]:
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(disk: Path) -> Path:
    filler = disk / "filler"
    with contextlib.suppress(OSError), filler.open("wb") as fh:
        while True:
            fh.write(b"\0" * 4096)
            fh.flush()
    return filler


def test_doctor_and_commands_name_a_full_disk(tmp_path, capsys):
    from journal.cli.main import run

    with _tiny_disk(tmp_path / "disk") as disk:
        home = disk / "home"
        _seeded(home)
        (home / "journal.db-shm").unlink(missing_ok=True)
        (home / "journal.db-wal").unlink(missing_ok=True)
        filler = _fill(disk)
        report = diagnose(home, None)
        summary = report.check("database").summary
        assert "disk is full" in summary and "restore a backup" not in summary
        with pytest.raises(SystemExit) as exited:
            run(["--home", str(home), "patient", "add", "Another Person"])
        assert exited.value.code == 1
        assert "disk full: free space and try again" in _one_line(capsys.readouterr().err)
        filler.unlink()
        assert diagnose(home, None).healthy  # nothing was damaged


def test_a_restore_that_runs_out_of_space_leaves_nothing_beside_the_home(tmp_path):
    from journal.maintenance.backup import backup, restore

    source = tmp_path / "source"
    _seeded(source)
    with open_journal(source) as journal:
        import_photos(journal, NAME, photo_variants(tmp_path / "src", 6), workers=1)
    backup(tmp_path / "b.zip", source)
    with _tiny_disk(tmp_path / "disk", "300k") as disk:
        with pytest.raises(OSError):
            restore(tmp_path / "b.zip", disk / "home")
        assert list(disk.iterdir()) == []


def test_a_stopped_restore_leaves_nothing_beside_the_home(tmp_path):
    """SIGTERM (a closed terminal, `timeout`) used to kill the restore mid-unpack."""
    from journal.maintenance.backup import backup

    source = tmp_path / "source"
    _seeded(source)
    with open_journal(source) as journal:
        import_photos(journal, NAME, photo_variants(tmp_path / "src", 40), workers=1)
    archive = tmp_path / "b.zip"
    backup(archive, source)
    target = tmp_path / "target"
    target.mkdir()
    home = target / "home"
    code = [sys.executable, "-c", "import time; time.sleep(0)"]
    assert subprocess.run(code, check=False).returncode == 0
    stopped = 0
    for delay in (0.6, 0.9, 1.2, 1.5, 2.0):
        proc = subprocess.Popen(
            journal_cli(home, None, "restore", str(archive), "--force"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline and proc.poll() is None:
            staging = [p for p in target.iterdir() if p.name.startswith(".home.restore-")]
            if staging and any(staging[0].rglob("*.jpg")):
                break  # unpacking has begun: stop it now
            time.sleep(0.01)
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
        stopped += proc.returncode != 0
        assert "Traceback" not in err
        assert sorted(p.name for p in target.iterdir() if p.name != "home") == []
        if home.exists():
            assert diagnose(home, None, grace_s=0).healthy
    assert stopped, "the restore always finished before the signal; nothing was tested"


def test_a_dropped_version_table_is_named_and_repaired(sqlite_cli, home):
    _seeded(home)
    conn = sqlite3.connect(home / "journal.db")
    conn.execute("DROP TABLE alembic_version")
    conn.commit()
    conn.close()

    refused = sqlite_cli("patient", "list")
    assert refused.code == 1
    assert "missing schema version table" in _one_line(refused.err)

    found = sqlite_cli("doctor")
    assert found.code == 1
    assert "missing schema version table (1 record(s) present)" in found.out
    assert "empty (no schema yet)" not in found.out

    fixed = sqlite_cli("doctor", "--repair")
    assert fixed.code == 0, fixed.out
    assert f"recognised revision {HEAD_REVISION}" in fixed.out
    listed = sqlite_cli("patient", "list")
    assert listed.code == 0 and NAME in listed.out
