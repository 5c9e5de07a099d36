"""`journal doctor` on a journal whose photos live in the database (issue 17)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from journal.imaging.synthetic import write_skin_photo
from journal.maintenance.doctor import diagnose
from journal.services.patients import add_patient
from journal.services.photos import import_photos
from journal.store.models import PhotoBlobRow


@pytest.fixture
def photos(journal, tmp_path):
    from journal.services.photomove import move_photos

    move_photos(journal, "database")  # an empty journal switches at once
    add_patient(journal, "Ana Lima")
    paths = []
    for i in range(2):
        path = tmp_path / f"p{i}.jpg"
        write_skin_photo(
            path, seed=i, severity=5, taken_at=dt.datetime(2024, 3, 1 + i, 9), size=(320, 240)
        )
        paths.append(path)
    return import_photos(journal, "Ana Lima", paths, workers=1).imported


def _url(journal):
    return None if journal.location.is_sqlite else journal.location.db_url


def test_database_photos_that_are_whole_pass(journal, photos, home):
    assert journal.photos.kind == "database"
    report = diagnose(home, _url(journal), grace_s=0)
    assert report.check("photos").status == "ok", report.check("photos")
    assert "hash right" in report.check("photos").summary
    assert report.check("orphans").status == "ok"


def test_a_damaged_or_missing_database_photo_is_named(journal, photos, home):
    with journal.write() as db:
        db.execute(
            update(PhotoBlobRow)
            .where(PhotoBlobRow.sha256 == photos[0].sha256, PhotoBlobRow.which == "display")
            .values(data=b"not the bytes")
        )
    journal.photos.remove([photos[1].thumb_path])

    check = diagnose(home, _url(journal), grace_s=0).check("photos")

    assert check.status == "problem"
    label0, label1 = (str(p.id).replace("-", "")[:8] for p in photos)
    assert f"photo {label0} display: damaged: its bytes do not match their hash" in check.details
    assert f"photo {label1} thumb: missing from the database" in check.details


def test_an_unreferenced_database_photo_is_marked_deleted_on_repair(journal, photos, home):
    stray = "ab/" + "ab" * 32 + "-display.jpg"
    journal.photos.write_bytes(stray, b"stray")

    found = diagnose(home, _url(journal), grace_s=0).check("orphans")
    assert found.status == "problem" and found.details == (stray,)

    fixed = diagnose(home, _url(journal), grace_s=0, repair=True).check("orphans")
    assert fixed.status == "repaired" and journal.photos.read_bytes(stray) is None
    assert diagnose(home, _url(journal), grace_s=0).check("orphans").status == "ok"


def test_deleted_database_photos_past_the_grace_period_are_purged(journal, photos, home):
    """As the folder store's `.trash/` expires, so do blobs kept for undo: a deleted
    photo is health data nobody wants once undo can no longer bring it back."""
    from sqlalchemy import func, select

    from journal.services.amend import delete

    old, recent = photos
    delete(journal, "photo", str(old.id))
    delete(journal, "photo", str(recent.id))
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
    with journal.write() as db:
        db.execute(
            update(PhotoBlobRow)
            .where(PhotoBlobRow.sha256 == old.sha256)
            .values(trashed_at=long_ago)
        )

    def blobs(sha: str) -> int:
        with journal.read() as db:
            query = select(func.count()).where(PhotoBlobRow.sha256 == sha)
            return db.scalar(query.select_from(PhotoBlobRow)) or 0

    found = diagnose(home, _url(journal), grace_s=0).check("deleted photos")
    assert found.status == "problem" and "older than 30 days" in found.summary
    assert blobs(old.sha256) == 2  # reported, not yet purged
    fixed = diagnose(home, _url(journal), repair=True, grace_s=0).check("deleted photos")
    assert fixed.status == "repaired"
    assert blobs(old.sha256) == 0
    assert blobs(recent.sha256) == 2  # still within the grace period: undo works
    again = diagnose(home, _url(journal), grace_s=0).check("deleted photos")
    assert again.status == "ok"
