"""`journal doctor [--repair]`: one verdict per check, exit 0 healthy / 1 problems."""

from __future__ import annotations

import os
import sqlite3
import stat
import time

import pytest

from journal.maintenance.doctor import diagnose
from journal.services.patients import add_patient
from journal.services.photos import import_photos, photo_path
from journal.store import migrate
from journal.store.engine import make_engine

from ._support import assert_decodes, photo_variants

CHECKS = [
    "database",
    "schema",
    "photos",
    "results",
    "erasures",
    "orphans",
    "temp files",
    "deleted photos",
    "permissions",
]
TWO_HOURS_AGO = time.time() - 7200


def _seed(journal, tmp_path):
    """Three imported photos, the last with its original kept."""
    add_patient(journal, "Ana Lima")
    files = photo_variants(tmp_path / "src", 3)
    plain = import_photos(journal, "Ana Lima", files[:2], workers=1).imported
    kept = import_photos(journal, "Ana Lima", files[2:], keep_original=True, workers=1).imported
    journal.close()
    return [*plain, *kept]


@pytest.fixture
def photos(journal, tmp_path):
    return _seed(journal, tmp_path)


@pytest.fixture
def sqlite_photos(sqlite_journal, tmp_path):
    return _seed(sqlite_journal, tmp_path)


def _age(path) -> None:
    os.utime(path, (TWO_HOURS_AGO, TWO_HOURS_AGO))


def test_a_healthy_journal_passes_every_check(cli, photos):
    result = cli("doctor")
    assert result.code == 0, result.out + result.err
    lines = result.out.splitlines()
    for name in CHECKS:
        assert any(line.startswith("ok") and f" {name} " in line for line in lines), name
    assert lines[-1] == "Healthy."

    doc = cli("doctor", "--json").json()
    assert doc["healthy"] is True
    assert [c["name"] for c in doc["checks"]] == CHECKS
    assert {c["status"] for c in doc["checks"]} == {"ok"}
    assert "3 photo(s), 7 file(s)" in doc["checks"][2]["summary"]


def test_missing_and_damaged_photo_files_are_problems(cli, journal, photos):
    display = photo_path(journal, photos[0])
    thumb = photo_path(journal, photos[1], "thumb")
    display.unlink()
    thumb.write_bytes(thumb.read_bytes()[:500])  # a half-written copy, as a bad sync leaves

    result = cli("doctor", "--json")
    assert result.code == 1
    photos_check = next(c for c in result.json()["checks"] if c["name"] == "photos")
    assert photos_check["status"] == "problem"
    assert photos_check["summary"].startswith("2 of 3 photos have missing or damaged files")
    details = " ".join(photos_check["details"])
    assert "missing" in details and "does not decode" in details
    assert str(photos[0].id).replace("-", "")[:8] in details

    repaired = cli("doctor", "--repair")  # nothing to rebuild from: still a problem
    assert repaired.code == 1
    assert "PROBLEM   photos" in repaired.out


def test_repair_renders_lost_derivatives_again_from_a_kept_original(cli, journal, photos):
    kept = photos[2]
    display, thumb = photo_path(journal, kept), photo_path(journal, kept, "thumb")
    display.unlink()
    thumb.write_bytes(b"\xff\xd8\xff garbage")

    result = cli("doctor", "--repair")
    assert result.code == 0, result.out
    assert "repaired  photos" in result.out
    assert_decodes(display)
    assert_decodes(thumb)
    assert cli("doctor").code == 0


def test_an_original_whose_bytes_changed_is_reported(cli, journal, photos):
    original = photo_path(journal, photos[2], "original")
    data = bytearray(original.read_bytes())
    data[-10] ^= 0xFF
    original.write_bytes(bytes(data))

    result = cli("doctor", "--json")
    assert result.code == 1
    check = next(c for c in result.json()["checks"] if c["name"] == "photos")
    assert any("no longer match" in line for line in check["details"])


def test_stray_and_temp_files_are_moved_aside_never_deleted(cli, home, photos):
    shard = home / "photos" / "ab"
    shard.mkdir(mode=0o700)
    orphan = shard / ("ab" + "0" * 62 + "-display.jpg")
    orphan.write_bytes(b"an orphan's bytes")
    temp = home / "photos" / photos[0].sha256[:2] / ".x-thumb.jpg.1a2b3c.tmp"
    temp.write_bytes(b"half a thumbnail")
    for path in (orphan, temp):
        path.chmod(0o600)
        _age(path)

    found = cli("doctor", "--json")
    assert found.code == 1
    by_name = {c["name"]: c for c in found.json()["checks"]}
    assert by_name["orphans"]["status"] == "problem"
    assert by_name["orphans"]["details"] == [f"ab/{orphan.name}"]
    assert by_name["temp files"]["status"] == "problem"

    fixed = cli("doctor", "--repair", "--json").json()
    assert fixed["healthy"] is True
    statuses = {c["name"]: c["status"] for c in fixed["checks"]}
    assert statuses["orphans"] == statuses["temp files"] == "repaired"
    assert not orphan.exists() and not temp.exists()
    aside = list((home / "photos" / ".orphaned").rglob("*"))
    kept = {p.name: p.read_bytes() for p in aside if p.is_file()}
    assert kept == {orphan.name: b"an orphan's bytes", temp.name: b"half a thumbnail"}
    assert fixed["moved_to"].startswith(str(home / "photos" / ".orphaned"))
    assert cli("doctor").code == 0


def test_fresh_stray_files_are_left_alone_while_an_import_may_run(cli, home, photos):
    shard = home / "photos" / "cd"
    shard.mkdir(mode=0o700)
    fresh = shard / ("cd" + "1" * 62 + "-thumb.jpg")
    fresh.write_bytes(b"being imported right now")
    fresh.chmod(0o600)

    result = cli("doctor")
    assert result.code == 0, result.out
    assert "1 younger than 60 min left alone" in result.out
    cli("doctor", "--repair")
    assert fresh.exists()


def test_a_damaged_sqlite_file_fails_the_integrity_check(sqlite_cli, home, sqlite_photos):
    cli = sqlite_cli
    db = home / "journal.db"
    conn = sqlite3.connect(db)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'ix_checkin_course_id_date'"
    ).fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with db.open("r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\x0d" + b"\xa5" * 64)  # a leaf page header with nonsense cell counts

    result = cli("doctor", "--json")
    assert result.code == 1
    database = result.json()["checks"][0]
    assert database["status"] == "problem"
    assert "journal restore" in database["summary"]
    assert any("btreeInitPage" in line or "malformed" in line for line in database["details"])


def test_a_file_that_is_not_a_database_is_reported(sqlite_cli, home):
    cli = sqlite_cli
    home.mkdir(mode=0o700)
    (home / "journal.db").write_bytes(b"this is not SQLite" * 100)
    result = cli("doctor")
    assert result.code == 1
    assert "PROBLEM   database     cannot read the database" in result.out
    assert "skipped   photos" in result.out


def test_no_journal_is_a_problem_not_a_new_journal(sqlite_cli, home):
    cli = sqlite_cli
    result = cli("doctor")
    assert result.code == 1
    assert "no journal database" in result.out
    assert not (home / "journal.db").exists()


def test_an_old_schema_is_reported_then_migrated_by_repair(cli, home, journal_url, photos):
    engine = make_engine(journal_url or f"sqlite:///{home / 'journal.db'}")
    migrate.downgrade(engine, "0001")
    engine.dispose()

    found = cli("doctor")
    assert found.code == 1
    assert f"at revision 0001, head is {migrate.HEAD_REVISION}" in found.out
    assert "ok        photos" in found.out  # an older schema is still checked

    fixed = cli("doctor", "--repair")
    assert fixed.code == 0, fixed.out
    assert f"migrated to {migrate.HEAD_REVISION}" in fixed.out


def test_loose_permissions_are_restricted(cli, home, journal, photos):
    display = photo_path(journal, photos[0])
    display.chmod(0o644)
    home.chmod(0o755)
    assert cli("doctor").code == 1
    assert cli("doctor", "--repair").code == 0
    assert stat.S_IMODE(display.stat().st_mode) == 0o600
    assert stat.S_IMODE(home.stat().st_mode) == 0o700


def test_an_unreachable_postgresql_server_is_reported(tmp_path):
    report = diagnose(tmp_path / "home", "postgresql://nobody@127.0.0.1:9/none")
    assert not report.healthy
    assert report.check("database").summary.startswith("cannot read the database")
    assert "nobody@" not in report.database  # no credentials in the output
    assert report.check("photos").status == "skipped"


def test_deleted_photo_files_are_kept_for_undo_then_purged_after_the_grace_period(journal, photos):
    """Within 30 days undo can bring a deleted photo back; after that repair purges it."""
    from journal.services.amend import delete, undo
    from journal.services.history import patient_history
    from journal.store import photostore

    assert photos
    doomed = patient_history(journal, "Ana Lima").photos[0]
    delete(journal, "photo", str(doomed.id))
    trash = journal.photos_dir / photostore.TRASH_DIRNAME
    assert list(trash.rglob("*.jpg"))
    healthy = diagnose(location=journal.location)
    assert {c.name: c.status for c in healthy.checks}["deleted photos"] == "ok"

    undo(journal)
    assert photo_path(journal, doomed).is_file() and not list(trash.rglob("*.jpg"))

    delete(journal, "photo", str(doomed.id))
    old = time.time() - (photostore.TRASH_GRACE_DAYS + 1) * 86400
    for batch in trash.iterdir():
        os.utime(batch, (old, old))
    found = {c.name: c for c in diagnose(location=journal.location).checks}["deleted photos"]
    assert found.status == "problem" and "older than 30 days" in found.summary
    fixed = {c.name: c for c in diagnose(location=journal.location, repair=True).checks}
    assert fixed["deleted photos"].status == "repaired"
    assert not list(trash.rglob("*.jpg"))


def test_an_erasure_killed_after_its_commit_is_finished_by_repair(journal, photos, monkeypatch):
    """The erased patient's photo files are removed, never merely set aside as orphans."""
    from journal.services import erasure

    def killed(*_args, **_kwargs):
        raise KeyboardInterrupt  # the process dies between the commit and the file removal

    monkeypatch.setattr(erasure, "_remove_files", killed)
    with pytest.raises(KeyboardInterrupt):
        erasure.erase_patient(journal, "Ana Lima")
    monkeypatch.undo()
    store = journal.photos_dir
    left = [p for p in store.rglob("*.jpg") if ".erasing" not in p.parts]
    assert left  # the rows are gone, the files are not yet

    found = {c.name: c for c in diagnose(location=journal.location, grace_s=0).checks}
    assert found["erasures"].status == "problem"
    fixed = {c.name: c for c in diagnose(location=journal.location, repair=True, grace_s=0).checks}
    assert fixed["erasures"].status == "repaired"
    assert not list(store.rglob("*.jpg")), "an erased patient's photo survived, e.g. in .orphaned"
    assert not list((store / erasure.PENDING_DIRNAME).glob("*.json"))


def test_a_note_of_an_erasure_that_never_committed_removes_nothing(journal, photos):
    from journal.services import erasure
    from journal.services.history import patient_history

    history = patient_history(journal, "Ana Lima")
    files = [(p.display_path, None) for p in history.photos]
    erasure._mark_pending(journal.photos_dir, history.patient.id, files)  # then "killed"
    fixed = {c.name: c for c in diagnose(location=journal.location, repair=True).checks}
    assert fixed["erasures"].status == "repaired"
    assert all((journal.photos_dir / p.display_path).is_file() for p in history.photos)
