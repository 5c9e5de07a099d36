"""A stored photo file that does not decode is drawn as a placeholder, never a crash.

Every door into the store now vets images, but a journal can still hold a
damaged file (a disk error, an older release, a hand edit): the dashboard,
gallery and compare view must keep working around it.
"""

from __future__ import annotations

from PIL import Image
from textual.widgets import Label

from journal.services.history import patient_history
from journal.services.photos import photo_path
from journal.tui.screens.compare import CompareScreen
from journal.tui.screens.dashboard import DashboardScreen
from journal.tui.widgets.photo import load_preview

from .conftest import run, settle


def test_an_undecodable_photo_file_shows_a_placeholder(make_app, demo_home, open_home):
    journal = open_home(demo_home)
    photos = patient_history(journal, "Alex Rivera").photos
    for photo in photos:  # every file: whichever the screens pick, it is damaged
        for which in ("display", "thumb"):
            path = photo_path(journal, photo, which)
            path.write_bytes(b"\xff\xd8\xff" + b"garbage behind a JPEG magic number" * 20)
    assert isinstance(load_preview(photo_path(journal, photos[0], "display")), Image.Image)
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)
            await pilot.press("v")  # the compare view
            await settle(pilot)
            assert isinstance(app.screen, CompareScreen)
            await pilot.press("right", "down")
            await settle(pilot)
            later = str(app.screen.query_one("#later-caption", Label).render())
            assert "Photo" in later

    run(scenario())
