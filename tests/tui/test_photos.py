"""Photos: import several from the picker in a worker, then compare and step with the arrows."""

from __future__ import annotations

import datetime as dt
import os

from textual.widgets import Input, Label, ProgressBar, Static

from journal.services.courses import add_course
from journal.services.history import patient_history
from journal.services.patients import add_patient
from journal.services.photos import import_photos
from journal.services.sessions import add_session
from journal.tui.screens.compare import CompareScreen
from journal.tui.screens.dashboard import DashboardScreen
from journal.tui.screens.gallery import GalleryScreen
from journal.tui.screens.photo_import import FilingDialog, ImageTree, ImportScreen, PickedTable

from .builders import write_jpeg
from .conftest import run, screen_text, settle


def _at(path, day: dt.date):
    """Give a file a modification time on `day` (no EXIF: the import uses the file time)."""
    moment = dt.datetime.combine(day, dt.time(11, 0), tzinfo=dt.UTC).timestamp()
    os.utime(path, (moment, moment))
    return path


def _patient_with_baseline(journal, tmp_path):
    add_patient(journal, "Pat Doe", concerns=["texture"])
    add_course(journal, "Pat Doe", title="Texture", areas=["left-cheek"], planned=3)
    add_session(journal, "Pat Doe", date="2026-05-01", device="pen", depth="1.0")
    baseline = _at(write_jpeg(tmp_path / "baseline.jpg", (200, 150, 130)), dt.date(2026, 5, 1))
    report = import_photos(journal, "Pat Doe", [baseline], area="left-cheek", workers=1)
    assert len(report.imported) == 1


def test_browse_to_another_folder_and_pick_it_whole(make_app, empty_home, open_home, tmp_path):
    """The picker is not stuck in its start folder: type a folder, or climb with ctrl+u."""
    _patient_with_baseline(open_home(empty_home), tmp_path)
    start = tmp_path / "somewhere" / "else"
    start.mkdir(parents=True)
    shots = tmp_path / "camera"
    shots.mkdir()
    _at(write_jpeg(shots / "a.jpg", (190, 140, 120)), dt.date(2026, 5, 15))
    _at(write_jpeg(shots / "b.jpg", (180, 135, 118)), dt.date(2026, 5, 29))
    app = make_app(empty_home, photos_from=start)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("i")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ImportScreen)
            await pilot.press("ctrl+u")
            await settle(pilot)
            assert screen.start == start.parent.resolve()
            folder = screen.query_one("#folder", Input)
            folder.value = str(tmp_path / "missing")
            folder.focus()
            await pilot.press("enter")
            await settle(pilot)
            assert screen.start == start.parent.resolve()  # refused, error shown
            assert "is not a folder" in screen_text(screen)
            folder.value = str(shots)
            folder.focus()
            await pilot.press("enter")
            await settle(pilot, rounds=5)
            tree = screen.query_one(ImageTree)
            assert [c.label.plain for c in tree.root.children] == ["a.jpg", "b.jpg"]
            await pilot.press("ctrl+a")
            await pilot.pause()
            assert [p.name for p in screen.picked] == ["a.jpg", "b.jpg"]

    run(scenario())


def test_import_two_photos_then_compare_with_the_arrow_keys(
    make_app, empty_home, open_home, tmp_path
):
    _patient_with_baseline(open_home(empty_home), tmp_path)
    shots = tmp_path / "shots"
    shots.mkdir()
    _at(write_jpeg(shots / "a-week2.jpg", (190, 140, 120)), dt.date(2026, 5, 15))
    _at(write_jpeg(shots / "b-week4.jpg", (180, 135, 118)), dt.date(2026, 5, 29))
    (shots / "notes.txt").write_text("not a photo")
    app = make_app(empty_home, photos_from=shots)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)
            await pilot.press("i")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ImportScreen)
            tree = screen.query_one(ImageTree)
            names = [child.label.plain for child in tree.root.children]
            assert names == ["a-week2.jpg", "b-week4.jpg"]  # only images are listed
            # Pick both files with the keyboard: down to a file, Enter picks it.
            await pilot.press("down", "enter", "down", "enter")
            await settle(pilot)
            assert [p.name for p in screen.picked] == ["a-week2.jpg", "b-week4.jpg"]
            await pilot.press("ctrl+s")
            await settle(pilot, rounds=6)
            bar = screen.query_one(ProgressBar)
            assert (bar.total, bar.progress) == (2, 2)
            result = str(screen.query_one("#import-result", Static).render())
            assert result.startswith("Imported 2 photos")
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)
            await pilot.press("v")
            await settle(pilot)
            compare = app.screen
            assert isinstance(compare, CompareScreen)

            def captions():
                return (
                    str(compare.query_one("#baseline-caption", Label).render()),
                    str(compare.query_one("#later-caption", Label).render()),
                )

            baseline, later = captions()
            assert "Baseline · 2026-05-01" in baseline and "day 0 since" in baseline
            assert "Photo 3 of 3 · 2026-05-29" in later and "day 28 since" in later
            await pilot.press("left")
            await pilot.pause()
            baseline, later = captions()
            assert "Baseline · 2026-05-01" in baseline
            assert "Photo 2 of 3 · 2026-05-15" in later and "day 14 since" in later
            await pilot.press("left")  # the baseline itself is never the "later" photo
            await pilot.pause()
            assert "Photo 2 of 3" in captions()[1]
            await pilot.press("right")
            await pilot.pause()
            assert "Photo 3 of 3" in captions()[1]

    run(scenario())
    photos = patient_history(open_home(empty_home), "Pat Doe").photos
    assert len(photos) == 3
    assert {p.area for p in photos} == {"left-cheek"}
    assert [p.taken_at.date() for p in photos] == [
        dt.date(2026, 5, 1),
        dt.date(2026, 5, 15),
        dt.date(2026, 5, 29),
    ]


def test_gallery_lists_each_area_and_opens_compare(make_app, demo_home):
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("g")
            await settle(pilot)
            gallery = app.screen
            assert isinstance(gallery, GalleryScreen)
            tabs = [str(tab.label) for tab in gallery.query("Tab")]
            assert tabs == ["Left cheek (5)", "Right cheek (5)"]
            await pilot.press("tab")  # the next photo of the area
            await pilot.press("enter")
            await settle(pilot)
            compare = app.screen
            assert isinstance(compare, CompareScreen)
            later = str(compare.query_one("#later-caption", Label).render())
            assert "Photo 2 of 5 · 2026-02-12" in later
            await pilot.press("down")  # next area
            await pilot.pause()
            title = str(compare.query_one("#compare-title", Static).render())
            assert title.startswith("Right cheek")

    run(scenario())


def test_a_missing_photo_file_shows_a_placeholder_not_a_crash(make_app, demo_home, open_home):
    from journal.services.photos import photo_path

    journal = open_home(demo_home)
    latest = patient_history(journal, "Alex Rivera").photos[-1]
    photo_path(journal, latest, "thumb").unlink()
    photo_path(journal, latest, "display").unlink()
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)
            assert len(app.screen.query(".photo-missing")) == 1
            await pilot.press("v", "down")  # the area of the missing photo
            await settle(pilot)
            later = str(app.screen.query_one("#later-caption", Label).render())
            assert "(file missing)" in later

    run(scenario())


def test_the_import_table_files_each_photo_on_its_own(make_app, empty_home, open_home, tmp_path):
    """Three names that say three things, one row changed by hand: each photo as shown."""
    _patient_with_baseline(open_home(empty_home), tmp_path)
    shots = tmp_path / "mixed"
    shots.mkdir()
    _at(write_jpeg(shots / "a-after-left-cheek.jpg", (190, 140, 120)), dt.date(2026, 5, 15))
    _at(write_jpeg(shots / "b-IMG_before_forehead.jpg", (180, 135, 118)), dt.date(2026, 5, 16))
    _at(write_jpeg(shots / "c-IMG_0042.jpg", (170, 130, 110)), dt.date(2026, 5, 17))
    app = make_app(empty_home, photos_from=shots)

    async def scenario():
        async with app.run_test(size=(110, 34)) as pilot:
            await settle(pilot)
            await pilot.press("i")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ImportScreen)
            await pilot.press("ctrl+a")  # the whole folder
            await settle(pilot)
            table = screen.query_one(PickedTable)

            def shown():
                return [
                    [cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)
                ]

            assert shown() == [
                ["a-after-left-cheek.jpg", "Left cheek", "After", "2026-05-15"],
                ["b-IMG_before_forehead.jpg", "Forehead", "Before", "2026-05-16"],
                # says nothing: the batch's area (the course's) and the automatic kind
                ["c-IMG_0042.jpg", "Left cheek", "auto", "2026-05-17"],
            ]
            # Change the third row from the keyboard: to the table, down twice, Enter.
            table.focus()
            await pilot.press("down", "down", "enter")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, FilingDialog)
            await pilot.press("enter")  # open the area list, type to jump, choose
            await pilot.press(*"chin", "enter")
            await pilot.press("tab", "enter", "down", "down", "enter")  # kind: after
            await pilot.pause()
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is screen
            assert shown()[2] == ["c-IMG_0042.jpg", "Chin", "After", "2026-05-17"]
            # Delete drops a row, picking it again brings it back with its guess.
            await pilot.press("up", "delete")
            await pilot.pause()
            assert [p.name for p in screen.picked] == ["a-after-left-cheek.jpg", "c-IMG_0042.jpg"]
            await pilot.press("ctrl+a")
            await settle(pilot)
            assert shown()[2][:3] == ["b-IMG_before_forehead.jpg", "Forehead", "Before"]
            await pilot.press("ctrl+s")
            await settle(pilot, rounds=6)
            result = str(screen.query_one("#import-result", Static).render())
            assert result.startswith("Imported 3 photos"), result
            assert table.row_count == 0

    run(scenario())
    photos = patient_history(open_home(empty_home), "Pat Doe").photos
    filed = {p.original_name: (p.area, p.kind) for p in photos}
    assert filed == {
        "baseline.jpg": ("left-cheek", "before"),
        "a-after-left-cheek.jpg": ("left-cheek", "after"),
        "b-IMG_before_forehead.jpg": ("forehead", "before"),
        "c-IMG_0042.jpg": ("chin", "after"),
    }
