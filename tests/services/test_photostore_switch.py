"""A long-lived journal handle (a running TUI) follows `journal photos move` made
by another process: its next photo write and read go to the new store, and an
import the move overtook is refused in one line, leaving nothing behind."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from journal.core.errors import JournalUnavailable
from journal.imaging.synthetic import write_skin_photo
from journal.services.journal import open_journal
from journal.services.patients import add_patient
from journal.services.photomove import move_photos
from journal.services.photos import import_photos, read_photo
from journal.tui.data import load_patient


def _skin(tmp_path: Path, name: str, seed: int) -> Path:
    path = tmp_path / name
    write_skin_photo(
        path, seed=seed, severity=4, taken_at=dt.datetime(2024, 3, seed), size=(320, 240)
    )
    return path


def _folder_files(home: Path) -> list[Path]:
    root = home / "photos"
    return sorted(p for p in root.rglob("*.jpg")) if root.exists() else []


@pytest.fixture
def two(home: Path, journal_url: str | None, tmp_path: Path) -> Any:
    """Two handles on one folder-backed journal with one photo: the TUI's and another's."""
    tui = open_journal(home, journal_url)
    other = open_journal(home, journal_url)
    add_patient(tui, "Ana Lima")
    import_photos(tui, "Ana Lima", [_skin(tmp_path, "first.jpg", 1)])
    assert tui.photos.kind == "folder"
    yield tui, other
    tui.close()
    other.close()


def test_the_next_write_and_read_go_to_the_store_moved_to(two, home, tmp_path):
    tui, other = two
    move_photos(other, "database")
    assert _folder_files(home) == []
    (photo,) = import_photos(tui, "Ana Lima", [_skin(tmp_path, "second.jpg", 2)]).imported
    assert tui.photos.kind == "database"
    assert _folder_files(home) == []  # nothing written to the old store
    assert other.photos.read_bytes(photo.display_path) is not None
    data = load_patient(tui, "Ana Lima", dt.date(2024, 4, 1))
    assert len(data.thumbs) == 2  # the gallery reads the new store

    move_photos(other, "folder")  # and back: the handle follows again
    data = load_patient(tui, "Ana Lima", dt.date(2024, 4, 1))
    assert tui.photos.kind == "folder" and len(data.thumbs) == 2
    assert read_photo(tui, photo) is not None


def test_an_import_overtaken_by_a_move_is_refused_and_leaves_nothing(two, home, tmp_path):
    tui, other = two
    moved: list[bool] = []

    def move_midway(done: int, total: int) -> None:
        if done and not moved:  # the file is rendered and stored; its row is not written
            moved.append(True)
            move_photos(other, "database")

    with pytest.raises(JournalUnavailable, match="moved to another store") as caught:
        import_photos(
            tui, "Ana Lima", [_skin(tmp_path, "late.jpg", 3)], workers=1, progress=move_midway
        )
    assert "\n" not in str(caught.value.message)
    assert moved and _folder_files(home) == []  # the import's own folder files went
    assert sorted(other.photos.stored()) == sorted(tui.photos.stored())
    assert len(list(other.photos.stored())) == 2  # the first photo only (display, thumb)
