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
