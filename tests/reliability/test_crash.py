"""Crash safety: SIGKILL real processes at random moments, then prove nothing was lost.

After every kill: the journal opens, the database passes its integrity check,
every photo row has files that decode, no half-written file is visible under
a photo's name (temporary files are hidden), every acknowledged unit of work
is there, and at most the one in flight is there without acknowledgement.
A batch `journal photo add` commits photo by photo: a killed batch keeps every
photo it committed, leaves at most the photos in flight (one per worker) as
files without rows, and running it again after the crash completes it.
"""

from __future__ import annotations

import os
import random
import time

import pytest
from sqlalchemy import func, select

from journal.maintenance.doctor import diagnose
from journal.services.journal import open_journal
from journal.services.patients import add_patient
from journal.store.models import CheckInRow, PhotoRow, SessionRow

from ._support import (
    assert_decodes,
    child,
    journal_cli,
    kill_group,
    photo_variants,
    seed_for,
    spawn,
    visible_store_files,
    wait_for_line,
)

PHOTO_KILLS = 14
BATCH_KILLS = 8
RECORD_KILLS = 10


def _photo_shas(home, url=None) -> set[str]:
    with open_journal(home, url) as journal, journal.read() as db:
        return set(db.scalars(select(PhotoRow.sha256)))


def _assert_store_sound(home, url=None) -> int:
    """Database sound, every row's files decode, visible files complete; returns temp count."""
    report = diagnose(home, url, grace_s=0)
    assert report.check("database").status == "ok", report.check("database")
    assert report.check("schema").status == "ok", report.check("schema")
    assert report.check("photos").status == "ok", report.check("photos").details
    visible, hidden = visible_store_files(home / "photos")
    for path in visible:
        assert_decodes(path)
    assert all(p.name.endswith(".tmp") for p in hidden), hidden
    return len(hidden)


def test_killed_photo_imports_lose_at_most_the_photo_in_flight(tmp_path):
    rng = random.Random(seed_for("photo kills"))
    home, log = tmp_path / "home", tmp_path / "child.log"
    with open_journal(home) as journal:
        add_patient(journal, "Crash Test")
    files = photo_variants(tmp_path / "src", 150)
    sha_of = {str(p): _sha(p) for p in files}
    acked: set[str] = set()
    unacked = temp_files = 0
    for _ in range(PHOTO_KILLS):
        before = _photo_shas(home)
        pending = [p for p, sha in sha_of.items() if sha not in before]
        proc = spawn(child("photos", home, None, *pending[:40]), log)
        wait_for_line(proc, "ready")
        # Up to a second: a photo now takes its quality reading and the course's stored
        # result with it, and a busy machine must still commit a few between kills.
        time.sleep(rng.uniform(0.0, 1.0))
        lines = kill_group(proc)
        now = {line.split()[1] for line in lines if line.startswith("ok ")}
        new = _photo_shas(home) - before
        assert now <= new, "an acknowledged photo is missing after the crash"
        assert len(new - now) <= 1, "more than the photo in flight was committed unacknowledged"
        acked |= now
        unacked += len(new - now)
        temp_files = _assert_store_sound(home)
    print(
        f"photo kills: {PHOTO_KILLS}; imported {len(acked)}; committed but unacknowledged:"
        f" {unacked}; temp files left: {temp_files}"
    )
    assert len(acked) >= 3  # the children really imported between kills
    orphans = diagnose(home, None, grace_s=0).check("orphans")
    assert len(orphans.details) <= 3, orphans  # at most the last in-flight photo's files


def _sha(path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_killed_batch_photo_add_keeps_what_it_committed_and_completes_when_rerun(tmp_path):
    rng = random.Random(seed_for("batch kills"))
    home, log = tmp_path / "home", tmp_path / "child.log"
    with open_journal(home) as journal:
        add_patient(journal, "Crash Test")
    files = photo_variants(tmp_path / "src", 8 * BATCH_KILLS)
    batches = [files[i : i + 8] for i in range(0, len(files), 8)]
    in_flight_files = 2 * ((os.cpu_count() or 1) + 1)  # display + thumb per photo in flight
    landed = stray = 0
    left_before: set[str] = set()
    for batch in batches:
        shas = {_sha(p) for p in batch}
        command = journal_cli(home, None, "photo", "add", "-p", "Crash Test", *map(str, batch))
        proc = spawn(command, log)
        time.sleep(rng.uniform(0.3, 1.6))
        kill_group(proc)
        landed += len(_photo_shas(home) & shas)
        _assert_store_sound(home)  # every committed photo has sound files
        orphans = set(diagnose(home, None, grace_s=0).check("orphans").details)
        new = orphans - left_before  # earlier kills' leftovers wait for the re-run
        assert len(new) <= in_flight_files, sorted(new)
        stray += len(new)
        left_before = orphans
    # The user runs the command again: everything lands, files left by the crashes are adopted.
    command = journal_cli(home, None, "photo", "add", "-p", "Crash Test", *map(str, files))
    done = spawn(command, log)
    assert done.wait(timeout=120) == 0, log.read_text()[-2000:]
    kill_group(done)
    assert _photo_shas(home) == {_sha(p) for p in files}
    temp_files = _assert_store_sound(home)
    report = diagnose(home, None, grace_s=0, repair=True)
    assert report.check("orphans").status == "ok", report.check("orphans")
    assert report.healthy, report.checks
    assert diagnose(home, None, grace_s=0).healthy
    print(
        f"batch kills: {BATCH_KILLS}; photos committed before the kills: {landed}; "
        f"unreferenced files seen after kills: {stray}; temp files moved aside: {temp_files}"
    )


def _acked(lines: list[str], kind: str) -> set[str]:
    """Notes the child acknowledged; a line cut short by the kill counts as in flight."""
    words = [line.split() for line in lines]
    return {w[2] for w in words if len(w) == 3 and w[:2] == ["ok", kind]}


def _notes(home, url) -> tuple[set[str], set[str]]:
    with open_journal(home, url) as journal, journal.read() as db:
        sessions = set(db.scalars(select(SessionRow.notes)))
        checkins = set(db.scalars(select(CheckInRow.notes)))
        broken = db.scalar(
            select(func.count()).select_from(CheckInRow).where(CheckInRow.concerns.is_(None))
        )
        assert not broken
    return sessions, checkins


@pytest.mark.postgres
def test_killed_session_and_checkin_writes_keep_every_committed_record(
    tmp_path, db_kind, journal_url
):
    rng = random.Random(seed_for(f"record kills ({db_kind})"))
    home, log = tmp_path / "home", tmp_path / "child.log"
    with open_journal(home, journal_url) as journal:
        add_patient(journal, "Crash Test")
    acked_t: set[str] = set()
    acked_c: set[str] = set()
    unacked = 0
    for cycle in range(RECORD_KILLS):
        before_t, before_c = _notes(home, journal_url)
        proc = spawn(child("records", home, journal_url, f"c{cycle}"), log)
        wait_for_line(proc, "ready")
        time.sleep(rng.uniform(0.02, 0.4))
        lines = kill_group(proc)
        now_t = _acked(lines, "session")
        now_c = _acked(lines, "checkin")
        after_t, after_c = _notes(home, journal_url)
        new = (after_t - before_t) | (after_c - before_c)
        assert now_t <= after_t and now_c <= after_c, "an acknowledged record was lost"
        assert len(new - now_t - now_c) <= 1, "more than the record in flight is unacknowledged"
        acked_t |= now_t
        acked_c |= now_c
        unacked += len(new - now_t - now_c)
        report = diagnose(home, journal_url, grace_s=0)
        assert report.check("database").status == "ok", report.check("database")
    final_t, final_c = _notes(home, journal_url)
    assert acked_t <= final_t and acked_c <= final_c
    assert acked_t and acked_c  # the children did real work between kills
    with open_journal(home, journal_url) as journal, journal.read() as db:
        courses = db.scalar(select(func.count(func.distinct(SessionRow.course_id))))
    assert courses <= 1  # a killed first write never leaves a second default course
    print(
        f"record kills ({db_kind}): {RECORD_KILLS}; acknowledged {len(acked_t)} sessions and"
        f" {len(acked_c)} check-ins; committed but unacknowledged: {unacked}"
    )


def _log_agrees_with_records(home, url) -> int:
    """Every check-in's notes are what the log's latest change says; deleted ones are gone."""
    from journal.services.amend import live_deletions
    from journal.store.models import ChangeRow, PatientRow

    with open_journal(home, url) as journal, journal.read() as db:
        patient_id = db.scalar(select(PatientRow.id))
        present = {c.id: c.notes for c in db.scalars(select(CheckInRow))}
        gone = {rid for kind, rid, _ in live_deletions(db, patient_id) if kind == "checkin"}
        assert not (gone & set(present)), "a deleted check-in is still there"
        latest: dict = {}
        for change in db.scalars(
            select(ChangeRow).where(ChangeRow.field == "notes").order_by(ChangeRow.at)
        ):
            latest[change.record_id] = change.new
        for record_id, notes in present.items():
            if record_id in latest:
                assert notes == latest[record_id], "a record and its change log disagree"
        batches = db.scalar(select(func.count(func.distinct(ChangeRow.batch_id))))
    return batches or 0


@pytest.mark.postgres
def test_killed_edits_deletes_and_undos_leave_records_and_log_in_step(
    tmp_path, db_kind, journal_url
):
    from journal.services.checkins import add_checkin

    rng = random.Random(seed_for(f"amend kills ({db_kind})"))
    home, log = tmp_path / "home", tmp_path / "child.log"
    with open_journal(home, journal_url) as journal:
        add_patient(journal, "Crash Test")
        for n in range(12):
            add_checkin(journal, "Crash Test", date="2024-05-02", notes=f"seed-{n}")
    acked = 0
    for cycle in range(RECORD_KILLS):
        proc = spawn(child("amend", home, journal_url, f"a{cycle}"), log)
        wait_for_line(proc, "ready")
        time.sleep(rng.uniform(0.05, 0.5))
        lines = kill_group(proc)
        acked += sum(1 for line in lines if line.startswith("ok "))
        _log_agrees_with_records(home, journal_url)
        report = diagnose(home, journal_url, grace_s=0)
        assert report.check("database").status == "ok", report.check("database")
    assert acked, "the children did real work between kills"
    print(f"amend kills ({db_kind}): {RECORD_KILLS}; acknowledged changes {acked}")


def test_killed_fast_path_edits_deletes_and_undos_leave_records_and_log_in_step(tmp_path):
    """The plain-sqlite write path (no SQLAlchemy) under kills: old state or new, never half."""
    from journal.services.checkins import add_checkin

    rng = random.Random(seed_for("fast amend kills"))
    home, log = tmp_path / "home", tmp_path / "child.log"
    with open_journal(home) as journal:
        add_patient(journal, "Crash Test")
        for n in range(12):
            add_checkin(journal, "Crash Test", date="2024-05-02", notes=f"seed-{n}")
        journal.photos  # noqa: B018 - the folder store recorded, as any first photo does
    acked = 0
    for cycle in range(RECORD_KILLS):
        proc = spawn(child("fastamend", home, None, f"f{cycle}"), log)
        wait_for_line(proc, "ready")
        time.sleep(rng.uniform(0.05, 0.5))
        lines = kill_group(proc)
        acked += sum(1 for line in lines if line.startswith("ok "))
        _log_agrees_with_records(home, None)
        report = diagnose(home, None, grace_s=0)
        assert report.check("database").status == "ok", report.check("database")
        with open_journal(home) as journal, journal.read() as db:
            from journal.services.results import result_mismatches

            assert result_mismatches(db.connection()) == []
    assert acked, "the children did real work between kills"


MOVE_KILLS = 6


def _every_photo_readable(home, url) -> tuple[str, int]:
    """The journal opens and every photo's display and thumbnail decode; (store, count)."""
    import io

    from PIL import Image

    from journal.services.photos import read_photo
    from journal.store.models import PhotoRow

    with open_journal(home, url) as journal:
        with journal.read() as db:
            photos = [convert_photo(row) for row in db.scalars(select(PhotoRow))]
        for photo in photos:
            for which in ("display", "thumb"):
                data = read_photo(journal, photo, which)
                assert data is not None, f"{which} of a photo unreadable from {journal.photos}"
                with Image.open(io.BytesIO(data)) as image:
                    image.load()
        return journal.photos.kind, len(photos)


def convert_photo(row):
    from journal.services import convert

    return convert.photo(row)


@pytest.mark.postgres
def test_a_killed_photos_move_leaves_every_photo_readable_and_a_rerun_finishes(
    tmp_path, db_kind, journal_url
):
    """SIGKILL `journal photos move` at random moments, both ways: the journal always
    opens with every photo readable from the store it names, and a re-run completes."""
    from journal.services.photos import import_photos
    from journal.store.photostore import FolderStore

    rng = random.Random(seed_for(f"move kills ({db_kind})"))
    home, log = tmp_path / "home", tmp_path / "child.log"
    with open_journal(home, journal_url) as journal:
        add_patient(journal, "Crash Test")
        files = photo_variants(tmp_path / "src", 60)
        assert len(import_photos(journal, "Crash Test", files, workers=1).imported) == 60
    seen: set[str] = set()
    for cycle in range(MOVE_KILLS):
        target = "database" if cycle < MOVE_KILLS // 2 else "folder"
        proc = spawn(journal_cli(home, journal_url, "photos", "move", "--to", target), log)
        time.sleep(rng.uniform(0.3, 1.5))
        kill_group(proc)
        store, count = _every_photo_readable(home, journal_url)
        assert count == 60
        seen.add(store)
        if cycle == MOVE_KILLS // 2 - 1 or cycle == MOVE_KILLS - 1:  # finish this direction
            done = spawn(journal_cli(home, journal_url, "photos", "move", "--to", target), log)
            assert done.wait(timeout=120) == 0, log.read_text()[-2000:]
            kill_group(done)
            store, count = _every_photo_readable(home, journal_url)
            assert store == target and count == 60
            if target == "database":
                assert list(FolderStore(home / "photos").stored()) == []  # old copies gone
    print(f"move kills ({db_kind}): {MOVE_KILLS}; stores seen right after a kill: {sorted(seen)}")
