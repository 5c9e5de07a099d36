"""The timeline lists everything in date order and opens each entry's detail."""

from __future__ import annotations

from textual.widgets import OptionList

from journal.services.history import patient_history
from journal.tui.present import timeline
from journal.tui.screens.detail import DetailScreen
from journal.tui.screens.timeline import TimelineScreen

from .conftest import run, settle, text_of


def test_timeline_model_is_in_date_order_with_every_kind(demo_home, open_home):
    history = patient_history(open_home(demo_home), "Alex Rivera")
    entries = timeline(history)
    assert len(entries) == (
        len(history.sessions) + len(history.checkins) + len(history.photos) + len(history.reviews)
    )
    assert [e.date for e in entries] == sorted(e.date for e in entries)
    assert {e.kind for e in entries} == {"session", "check-in", "photo", "review"}
    first_session = next(e for e in entries if e.kind == "session")
    assert first_session.title == "Session 1"


def test_timeline_opens_details(make_app, demo_home):
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("t")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, TimelineScreen)
            options = screen.query_one(OptionList)
            assert options.highlighted == options.option_count - 1  # the latest entry
            await pilot.press("enter")  # the latest: the provider's review
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)
            text = text_of(app.screen.query_one("#detail-table"))
            assert "Much improved" in text and "grade 2" in text
            await pilot.press("escape")
            await pilot.pause()
            # A photo's detail shows the photo itself.
            photo_index = next(i for i, e in enumerate(screen.entries) if e.kind == "photo")
            options.highlighted = photo_index
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)
            assert app.screen.query(".detail-photo")

    run(scenario())
