"""`journal photos move`: every photo changes store, verified, and nothing is lost."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import stored_photo_files
from sqlalchemy import select

from journal.core.errors import InvalidValue, JournalDamaged
from journal.imaging.synthetic import write_skin_photo
from journal.services.amend import delete, undo
from journal.services.journal import open_journal
from journal.services.patients import add_patient
from journal.services.photomove import move_photos
from journal.services.photos import import_photos, list_photos, read_photo
from journal.store.models import SettingRow
from journal.store.photostore import SETTING, FolderStore


def _photos(journal, tmp_path, count=3):
    add_patient(journal, "Ana Lima")
    paths = []
    for i in range(count):
        path = tmp_path / f"p{i}.jpg"
        write_skin_photo(
            path, seed=i, severity=5, taken_at=dt.datetime(2024, 3, 1 + i, 9), size=(320, 240)
        )
        paths.append(path)
    return import_photos(journal, "Ana Lima", paths, workers=1).imported


def _setting(journal) -> str | None:
    with journal.read() as db:
        return db.scalar(select(SettingRow.value).where(SettingRow.name == SETTING))


def _everything(journal) -> dict[str, bytes | None]:
    return {
        f"{p.id}-{which}": read_photo(journal, p, which)
        for p in list_photos(journal, "Ana Lima")
        for which in ("display", "thumb")
    }


def test_folder_to_database_and_back_keeps_every_byte(journal, tmp_path, home):
    photos = _photos(journal, tmp_path)
    before = _everything(journal)
    assert journal.photos.kind == "folder" and None not in before.values()

    report = move_photos(journal, "database")

    assert report.switched and report.files == 6 and report.verified == 6
    assert report.copied == 6 and report.removed == 6
    assert journal.photos.kind == "database" and _setting(journal) == "database"
    assert _everything(journal) == before
    assert list(FolderStore(home / "photos").stored()) == []  # old copies gone
    with open_journal(home, journal.location.db_url) as other:  # another terminal agrees
        assert other.photos.kind == "database" and _everything(other) == before

    back = move_photos(journal, "folder")

    assert back.switched and journal.photos.kind == "folder" and _everything(journal) == before
    assert stored_photo_files(journal) == sorted(
        n for p in photos for n in (p.display_path, p.thumb_path)
    )


def test_a_deleted_photo_moves_too_and_undo_brings_it_back(journal, tmp_path):
    photos = _photos(journal, tmp_path, count=2)
    delete(journal, "photo", str(photos[0].id))
    assert read_photo(journal, photos[0]) is None

    move_photos(journal, "database")
    undo(journal)

    assert read_photo(journal, photos[0]) is not None
    assert len(list_photos(journal, "Ana Lima")) == 2


def test_a_rerun_after_the_switch_removes_what_was_left(journal, tmp_path, home):
    photos = _photos(journal, tmp_path, count=2)
    folder = FolderStore(home / "photos")
    move_photos(journal, "database")
    for p in photos:  # as if the move was killed before removing the old copies
        folder.write_bytes(p.display_path, read_photo(journal, p))

    again = move_photos(journal, "database")

    assert not again.switched and again.removed == 2 and list(folder.stored()) == []
    assert journal.photos.kind == "database"


def test_a_missing_file_stops_the_move_before_the_switch(journal, tmp_path):
    photos = _photos(journal, tmp_path, count=2)
    journal.photos.path(photos[1].thumb_path).unlink()

    with pytest.raises(JournalDamaged, match="missing from the folder store"):
        move_photos(journal, "database")

    assert journal.photos.kind == "folder" and _setting(journal) == "folder"
    assert read_photo(journal, photos[0]) is not None


def test_an_unknown_store_is_refused(journal):
    with pytest.raises(InvalidValue, match="choose database or folder"):
        move_photos(journal, "cloud")


def test_the_cli_moves_and_refuses_bad_input_in_one_line(cli, journal, tmp_path):
    _photos(journal, tmp_path, count=1)

    bad = cli("photos", "move", "--to", "s3")
    assert bad.code == 2 and bad.out == ""
    assert bad.err.count("\n") == 1 and "choose database or folder" in bad.err

    done = cli("photos", "move", "--to", "database", "--json")
    assert done.code == 0, done.err
    assert done.json()["to"] == "database" and done.json()["files"] == 2
