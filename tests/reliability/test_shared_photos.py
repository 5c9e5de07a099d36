"""Two terminals, one PostgreSQL server: each sees the photos the other imports (issue 17).

Each "terminal" is its own process with its own home folder; only the
database is shared. A photo imported in one is in the other's gallery
thumbnails and compare view at once, with no folder in common.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys

import pytest
from conftest import PG_URL, throwaway_pg_database
from PIL import Image

from journal.imaging.synthetic import write_skin_photo
from journal.services.journal import open_journal
from journal.services.patients import add_patient
from journal.tui.data import load_patient

from ._support import journal_cli

pytestmark = pytest.mark.skipif(PG_URL is None, reason="needs JOURNAL_TEST_PG_URL")


def _photo(path, seed):
    write_skin_photo(
        path, seed=seed, severity=5, taken_at=dt.datetime(2024, 3, seed, 9), size=(480, 360)
    )
    return path


def test_a_photo_imported_at_one_terminal_shows_at_the_other(tmp_path, monkeypatch):
    monkeypatch.delenv("JOURNAL_PHOTO_STORE")  # the product's default for PostgreSQL
    front, room = tmp_path / "front-desk", tmp_path / "treatment-room"
    with throwaway_pg_database() as url:
        with open_journal(room, url) as journal:
            add_patient(journal, "Ana Lima")
            assert journal.photos.kind == "database"  # a new PostgreSQL journal's default
        before, after = _photo(tmp_path / "before.jpg", 1), _photo(tmp_path / "after.jpg", 9)
        for path in (before, after):  # the front desk imports, in its own process
            done = subprocess.run(
                journal_cli(front, url, "photo", "add", "-p", "Ana Lima", str(path)),
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 0, done.stderr

        with open_journal(room, url) as journal:  # the treatment room opens the compare view
            data = load_patient(journal, data_patient(journal), dt.date(2024, 4, 1))
            photos = data.history.photos
            assert len(photos) == 2 and set(data.thumbs) == {p.id for p in photos}
            for photo in photos:
                shown = data.displays[photo.id].read()
                assert shown is not None
                with Image.open(io.BytesIO(shown)) as image:
                    assert max(image.size) == 480  # the display copy, not a placeholder
        assert not any((front / "photos").rglob("*.jpg"))  # no folder was involved
        assert not any((room / "photos").rglob("*.jpg"))

        # and back: the treatment room imports, the front desk lists it
        extra = _photo(tmp_path / "extra.jpg", 20)
        with open_journal(room, url) as journal:
            from journal.services.photos import import_photos

            import_photos(journal, "Ana Lima", [extra], workers=1)
        listed = subprocess.run(
            [*journal_cli(front, url, "photo", "list", "-p", "Ana Lima")],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert listed.returncode == 0, listed.stderr
        assert listed.stdout.count("database:") == 3


def data_patient(journal):
    from journal.services.lookup import find_patient

    with journal.read() as db:
        return find_patient(db, "Ana Lima").id


def test_a_terminal_with_its_own_folder_keeps_using_the_database(tmp_path, monkeypatch):
    """The recorded store wins over a terminal's environment: every terminal agrees."""
    monkeypatch.delenv("JOURNAL_PHOTO_STORE")
    with throwaway_pg_database() as url:
        with open_journal(tmp_path / "a", url) as journal:
            assert journal.photos.kind == "database"
        monkeypatch.setenv("JOURNAL_PHOTOS_DIR", str(tmp_path / "elsewhere"))
        with open_journal(tmp_path / "b", url) as journal:
            assert journal.photos.kind == "database"


def test_journal_photos_dir_keeps_a_new_postgresql_journals_photos_in_a_folder(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("JOURNAL_PHOTO_STORE")
    monkeypatch.setenv("JOURNAL_PHOTOS_DIR", str(tmp_path / "shared"))
    with throwaway_pg_database() as url, open_journal(tmp_path / "a", url) as journal:
        assert journal.photos.kind == "folder"


def test_a_new_sqlite_journal_keeps_its_photos_in_the_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("JOURNAL_PHOTO_STORE")
    with open_journal(tmp_path / "a") as journal:
        assert journal.photos.kind == "folder"


def test_a_bad_photo_store_choice_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("JOURNAL_PHOTO_STORE", "cloud")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "journal",
            "--home",
            str(tmp_path / "a"),
            "photo",
            "list",
            "-p",
            "x",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "JOURNAL_PHOTO_STORE must be folder or database" in done.stderr
