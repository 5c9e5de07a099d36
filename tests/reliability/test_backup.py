"""`journal backup -o FILE` / `journal restore FILE [--force]` (SQLite journals, by design)."""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import stat
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from journal.maintenance.doctor import diagnose
from journal.services.checkins import add_checkin
from journal.services.journal import open_journal
from journal.services.patients import add_patient
from journal.services.photos import import_photos
from journal.services.sessions import add_session
from journal.store import migrate
from journal.store.engine import make_engine

from ._support import child, journal_cli, kill_group, photo_variants, seed_for, spawn

PG_URL = "postgresql://nobody@127.0.0.1:9/none"  # never contacted: refused up front


def _fill(home, tmp_path, photos: int = 3) -> None:
    with open_journal(home) as journal:
        add_patient(journal, "Zoë Tanaka 🌸", concerns=["acne scars"])
        add_session(journal, "Zoë", date="2024-03-01", device="pen", depth="1.5", cost="300")
        add_checkin(journal, "Zoë", date="2024-03-02", symptoms={"redness": 5}, notes="ok")
        files = photo_variants(tmp_path / "src", photos)
        if files[:-1]:
            import_photos(journal, "Zoë", files[:-1], workers=1)
        import_photos(journal, "Zoë", files[-1:], keep_original=True, workers=1)


def _tree(root) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".orphaned" not in p.parts
    }


def _history(home) -> dict:
    from journal.services.reading import history_document, history_for

    return history_document(history_for(home, None, "Zoë"))


def test_backup_then_restore_gives_back_the_same_journal(sqlite_cli, home, tmp_path, capsys):
    _fill(home, tmp_path)
    archive = tmp_path / "backup.zip"

    made = sqlite_cli("backup", "-o", str(archive), "--json")
    assert made.code == 0, made.err
    doc = made.json()
    assert doc["verified"] is True and doc["photo_files"] == 7 and doc["missing"] == []
    assert doc["counts"]["patient"] == 1 and doc["counts"]["photo"] == 3
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600

    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["format"] == "microneedling-journal-backup"
        assert manifest["schema_revision"] == migrate.HEAD_REVISION
        assert set(zf.namelist()) == {"manifest.json", *manifest["members"]}
        for name, entry in manifest["members"].items():
            assert hashlib.sha256(zf.read(name)).hexdigest() == entry["sha256"]

    other = tmp_path / "elsewhere" / "home"
    from journal.cli.main import run

    with pytest.raises(SystemExit) as done:
        run(["--home", str(other), "restore", str(archive)])
    assert done.value.code == 0
    assert "Restored the journal to" in capsys.readouterr().out

    assert _history(other) == _history(home)
    assert _tree(other / "photos") == _tree(home / "photos")
    assert stat.S_IMODE(other.stat().st_mode) == 0o700
    assert stat.S_IMODE((other / "journal.db").stat().st_mode) == 0o600
    assert diagnose(other).healthy
    assert sorted(p.name for p in other.parent.iterdir()) == ["home"]  # no leftovers


def test_restore_refuses_a_home_with_records_unless_forced(sqlite_cli, home, tmp_path):
    _fill(home, tmp_path)
    archive = tmp_path / "b.zip"
    assert sqlite_cli("backup", "-o", str(archive)).code == 0
    with open_journal(home) as journal:
        add_patient(journal, "Added After The Backup")
    before = _tree(home)

    refused = sqlite_cli("restore", str(archive))
    assert refused.code == 2
    assert refused.err.count("\n") == 1 and "--force" in refused.err
    assert _tree(home) == before

    forced = sqlite_cli("restore", str(archive), "--force")
    assert forced.code == 0, forced.err
    assert "Replaced the journal at" in forced.out
    listed = sqlite_cli("patient", "list", "--json").json()
    assert [p["patient"]["display_name"] for p in listed] == ["Zoë Tanaka 🌸"]
    assert sorted(p.name for p in home.parent.iterdir()) == ["b.zip", "home", "src"]


def test_an_empty_home_needs_no_force(sqlite_cli, home, tmp_path):
    _fill(home, tmp_path, photos=1)
    archive = tmp_path / "b.zip"
    assert sqlite_cli("backup", "-o", str(archive)).code == 0
    fresh = tmp_path / "fresh"
    open_journal(fresh).close()  # `journal init` made it; it holds nothing yet
    from journal.maintenance.backup import restore

    report = restore(archive, fresh)
    assert report.replaced is True and report.counts["patient"] == 1


def _rewrite(archive, target, change) -> None:
    """Copy an archive member by member, letting `change(name, data)` alter any of them."""
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(target, "w") as dst:
        for name in src.namelist():
            data = change(name, src.read(name))
            if data is not None:
                dst.writestr(name, data)


def _flip_photo(name, data):
    if name.startswith("photos/") and name.endswith("-display.jpg"):
        return data[:-20] + bytes(b ^ 0xFF for b in data[-20:])
    return data


def _drop_db(name, data):
    return None if name == "journal.db" else data


def _newer_schema(name, data):
    if name == "manifest.json":
        manifest = json.loads(data)
        manifest["schema_revision"] = "9999"
        return json.dumps(manifest)
    return data


def _unsafe_name(name, data):
    if name == "manifest.json":
        manifest = json.loads(data)
        manifest["members"]["photos/../../escape.txt"] = {"sha256": "0" * 64, "size": 1}
        return json.dumps(manifest)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_flip_photo, "does not match its manifest hash"),
        (_drop_db, "is missing 'journal.db'"),
        (_newer_schema, "newer release"),
        (_unsafe_name, "unsafe path"),
    ],
)
def test_a_bad_archive_is_refused_before_anything_changes(
    sqlite_cli, home, tmp_path, change, message
):
    _fill(home, tmp_path, photos=2)
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    assert sqlite_cli("backup", "-o", str(good)).code == 0
    _rewrite(good, bad, change)
    before = _tree(home)

    result = sqlite_cli("restore", str(bad), "--force")
    assert result.code == 2
    assert message in result.err and result.err.count("\n") == 1
    assert _tree(home) == before
    assert not [p for p in home.parent.iterdir() if "restore" in p.name or ".bak" in p.name]


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"just some text", "damaged or not a journal backup"), (None, "damaged or not")],
)
def test_damaged_or_foreign_files_are_refused(sqlite_cli, home, tmp_path, content, message):
    _fill(home, tmp_path, photos=1)
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    assert sqlite_cli("backup", "-o", str(good)).code == 0
    data = good.read_bytes()
    bad.write_bytes(content if content is not None else data[: len(data) // 2])
    result = sqlite_cli("restore", str(bad), "--force")
    assert result.code == 2 and message in result.err


def test_postgresql_journals_are_pointed_to_pg_dump(sqlite_cli, tmp_path):
    for args in (["backup", "-o", str(tmp_path / "x.zip")], ["restore", str(tmp_path / "x.zip")]):
        result = sqlite_cli("--db", PG_URL, *args)
        assert result.code == 2
        assert "pg_dump" in result.err and "SQLite" in result.err
        assert result.err.count("\n") == 1
    assert not (tmp_path / "x.zip").exists()


def test_backup_usage_errors_are_one_line(sqlite_cli, home, tmp_path):
    nothing = sqlite_cli("backup", "-o", str(tmp_path / "a.zip"))
    assert nothing.code == 2 and "nothing to back up" in nothing.err
    open_journal(home).close()
    folder = sqlite_cli("backup", "-o", str(tmp_path))
    assert folder.code == 2 and "is a folder" in folder.err
    nowhere = sqlite_cli("backup", "-o", str(tmp_path / "no" / "such" / "a.zip"))
    assert nowhere.code == 2 and "does not exist" in nowhere.err


def test_an_older_schema_backup_is_migrated_when_restored(sqlite_cli, home, tmp_path):
    """A 0001 backup (table `session`, `serums`) restores at head with every record."""
    _fill(home, tmp_path, photos=1)
    before = _history(home)
    engine = make_engine(f"sqlite:///{home / 'journal.db'}")
    migrate.downgrade(engine, "0001")
    engine.dispose()
    archive = tmp_path / "old.zip"
    made = sqlite_cli("backup", "-o", str(archive), "--json")
    assert made.json()["schema_revision"] == "0001"

    other = tmp_path / "restored"
    from journal.maintenance.backup import restore

    restore(archive, other)
    conn = sqlite3.connect(other / "journal.db")
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == (
        migrate.HEAD_REVISION
    )
    conn.close()
    # Going down to 0001 dropped the photos' derived readings (quality, measures,
    # comparison: migration 0009); they are read again at the first compare.
    assert _without_readings(_history(other)) == _without_readings(before)


def _without_readings(history: dict) -> dict:
    derived = {"quality", "measures", "comparison"}
    photos = [{k: v for k, v in p.items() if k not in derived} for p in history["photos"]]
    return {**history, "photos": photos}


def test_backups_taken_while_photos_are_imported_are_consistent(tmp_path):
    """The snapshot and the photo files agree although another process keeps importing."""
    from journal.maintenance.backup import backup, verify_archive

    home, log = tmp_path / "home", tmp_path / "child.log"
    with open_journal(home) as journal:
        add_patient(journal, "Crash Test")
    files = photo_variants(tmp_path / "src", 60)
    proc = spawn(child("photos", home, None, *map(str, files)), log)
    try:
        _wait_for_a_photo(home / "journal.db", proc)  # a loaded machine starts the child late
        counts = []
        for i in range(4):
            time.sleep(0.3)
            report = backup(tmp_path / f"b{i}.zip", home)
            manifest = verify_archive(report.path)
            assert report.missing == () and manifest.missing == ()
            with zipfile.ZipFile(report.path) as zf:
                db = tmp_path / f"snap{i}.db"
                db.write_bytes(zf.read("journal.db"))
                names = set(zf.namelist())
            conn = sqlite3.connect(db)
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            rows = conn.execute("SELECT display_path, thumb_path FROM photo").fetchall()
            conn.close()
            assert all(f"photos/{d}" in names and f"photos/{t}" in names for d, t in rows)
            counts.append(len(rows))
    finally:
        kill_group(proc)
    assert counts == sorted(counts) and counts[-1] > 0


def _wait_for_a_photo(db: Path, proc: subprocess.Popen[bytes], limit: float = 90.0) -> None:
    """Until the importing child has committed its first photo (bounded, not a fixed sleep)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        conn = sqlite3.connect(db, timeout=15)
        try:
            if conn.execute("SELECT count(*) FROM photo").fetchone()[0]:
                return
        except sqlite3.OperationalError:
            pass  # the schema may not exist for a moment
        finally:
            conn.close()
        time.sleep(0.05)
    raise AssertionError("the importing process committed no photo in time")


def test_a_killed_restore_leaves_either_journal_never_none(tmp_path):
    """Kill `journal restore --force` at random moments: the home always opens whole."""
    rng = random.Random(seed_for("restore kills"))
    home, log = tmp_path / "home", tmp_path / "child.log"
    _fill(home, tmp_path, photos=4)
    archive = tmp_path / "b.zip"
    from journal.maintenance.backup import backup

    backup(archive, home)
    with open_journal(home) as journal:
        add_patient(journal, "Only In The Old Journal")
    outcomes = {"old": 0, "new": 0}
    for _ in range(6):
        proc = spawn(journal_cli(home, None, "restore", str(archive), "--force"), log)
        time.sleep(rng.uniform(0.2, 1.2))
        kill_group(proc)
        assert (home / "journal.db").is_file(), "the home vanished"
        with open_journal(home) as journal:
            from journal.services.patients import list_patients

            names = {p.patient.display_name for p in list_patients(journal)}
        outcomes["old" if "Only In The Old Journal" in names else "new"] += 1
        assert "Zoë Tanaka 🌸" in names
        report = diagnose(home, None, grace_s=0)
        assert report.check("database").status == "ok"
        assert report.check("photos").status == "ok"
        for leftover in tmp_path.iterdir():  # what the user would tidy after a crash
            if leftover.name.startswith((".home.restore-", "home.bak-")):
                import shutil

                shutil.rmtree(leftover)
        if "Only In The Old Journal" not in names:
            with open_journal(home) as journal:
                add_patient(journal, "Only In The Old Journal")
    print(f"restore kills: 6; journal afterwards old/new: {outcomes}")


@pytest.mark.parametrize("atomic_exchange", [True, False])
def test_the_old_home_comes_back_when_the_restored_one_will_not_open(
    sqlite_cli, home, tmp_path, monkeypatch, atomic_exchange
):
    from journal.maintenance import backup as backup_service
    from journal.services import journal as journal_service

    _fill(home, tmp_path, photos=1)
    archive = tmp_path / "b.zip"
    assert sqlite_cli("backup", "-o", str(archive)).code == 0
    with open_journal(home) as journal:
        add_patient(journal, "Only In The Old Journal")
    before = _tree(home)
    if not atomic_exchange:  # the two-rename path of other platforms
        monkeypatch.setattr(backup_service, "_exchange", lambda _a, _b: False)

    def refuse(*_args, **_kwargs):
        raise RuntimeError("simulated failure while opening the restored journal")

    with monkeypatch.context() as patched:
        patched.setattr(journal_service, "open_journal", refuse)
        with pytest.raises(RuntimeError, match="simulated"):
            backup_service.restore(archive, home, force=True)
    assert _tree(home) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.zip", "home", "src"]

    report = backup_service.restore(archive, home, force=True)  # and without the failure
    assert report.replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.zip", "home", "src"]
