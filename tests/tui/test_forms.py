"""Forms: defaults that save typing, inline errors naming the field, nothing saved until valid."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Input, OptionList, Select, SelectionList

from journal.services.history import patient_history
from journal.services.tui_support import session_defaults_from
from journal.tui.screens.checkin_form import CheckInFormScreen
from journal.tui.screens.dashboard import DashboardScreen
from journal.tui.screens.review_form import ReviewFormScreen
from journal.tui.screens.session_form import SessionFormScreen
from journal.tui.screens.timeline import TimelineScreen

from .builders import TODAY
from .conftest import rich_text, run, settle


async def replace_text(pilot, selector: str, text: str) -> None:
    """Select-all-and-type into an input, the way a user corrects a pre-filled value."""
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = ""
    await pilot.press(*text)


def test_session_defaults_repeat_the_last_session(demo_home, open_home):
    history = patient_history(open_home(demo_home), "Alex Rivera")
    defaults = session_defaults_from(history, TODAY)
    assert defaults.date == "2026-06-01"
    assert (defaults.provider, defaults.device, defaults.device_name) == (
        "Dr. Maya Chen",
        "pen",
        "Dermapen",
    )
    assert (defaults.depth, defaults.passes, defaults.cost) == ("1.5", "3", "450")
    assert defaults.serums == ("prp",)
    assert defaults.areas == ("left-cheek", "right-cheek")


def test_new_session_through_the_form_shows_in_the_timeline(make_app, demo_home, open_home):
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, SessionFormScreen)
            # Pre-filled from the last session and today's (injected) date.
            assert form.query_one("#date", Input).value == "2026-06-01"
            assert form.query_one("#provider", Input).value == "Dr. Maya Chen"
            assert form.query_one("#depth", Input).value == "1.5"
            assert form.query_one("#device", Select).value == "pen"
            await replace_text(pilot, "#date", "2026-05-28")
            await replace_text(pilot, "#pain", "4")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)
            await pilot.press("t")
            await settle(pilot)
            timeline = app.screen
            assert isinstance(timeline, TimelineScreen)
            prompts = [
                rich_text(timeline.query_one(OptionList).get_option_at_index(i).prompt)
                for i in range(timeline.query_one(OptionList).option_count)
            ]
            session_lines = [p for p in prompts if "Session 5" in p]
            assert len(session_lines) == 1
            assert session_lines[0].startswith("2026-05-28")
            assert "Dermapen" in session_lines[0] and "1.5 mm" in session_lines[0]

    run(scenario())
    history = patient_history(open_home(demo_home), "Alex Rivera")
    new = history.sessions[-1]
    assert new.date == dt.date(2026, 5, 28)
    assert (new.provider, new.device_name, new.depth_mm, new.pain) == (
        "Dr. Maya Chen",
        "Dermapen",
        1.5,
        4,
    )
    assert new.serums == ("prp",)


def test_checkin_with_an_invalid_rating_shows_the_message_and_saves_nothing(
    make_app, demo_home, open_home
):
    before = len(patient_history(open_home(demo_home), "Alex Rivera").checkins)
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("c")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, CheckInFormScreen)
            # The course's target concerns are offered for rating.
            assert len(form.query("#concern-0, #concern-1, #concern-2")) == 3
            await replace_text(pilot, "#symptom-redness", "11")
            await replace_text(pilot, "#concern-0", "3")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form  # still open, values kept
            invalid = list(form.query(".-invalid"))
            assert len(invalid) == 1
            message = str(invalid[0].query_one(".field-error").render())
            assert "redness" in message and "11" in message
            assert form.query_one("#concern-0", Input).value == "3"
            assert app.focused is form.query_one("#symptom-redness", Input)

    run(scenario())
    assert len(patient_history(open_home(demo_home), "Alex Rivera").checkins) == before


def test_saving_an_empty_checkin_says_so_and_saves_nothing(make_app, demo_home, open_home):
    """An accidental ctrl+s on a blank form must not add an empty record."""
    before = len(patient_history(open_home(demo_home), "Alex Rivera").checkins)
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("c")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, CheckInFormScreen)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form
            assert "nothing to record" in str(form.query_one("#form-error").render())

    run(scenario())
    assert len(patient_history(open_home(demo_home), "Alex Rivera").checkins) == before


def test_checkin_saves_once_corrected(make_app, demo_home, open_home):
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("c")
            await settle(pilot)
            form = app.screen
            await replace_text(pilot, "#symptom-redness", "11")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form
            await replace_text(pilot, "#symptom-redness", "2")
            form.query_one("#verdict", Select).value = "worth-it"
            form.query_one("#flags-field SelectionList", SelectionList).select("blistering")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)
            # The new red flag is on the dashboard, at the top.
            assert app.screen.query("#alerts")

    run(scenario())
    latest = patient_history(open_home(demo_home), "Alex Rivera").checkins[-1]
    assert latest.date == TODAY
    assert latest.symptoms == {"redness": 2}
    assert latest.verdict == "worth-it"
    assert latest.red_flags == ("blistering",)


def test_review_form_saves(make_app, demo_home, open_home):
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("r")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, ReviewFormScreen)
            assert form.query_one("#provider", Input).value == "Dr. Maya Chen"
            form.query_one("#gais", Select).value = "very-much-improved"
            form.query_one("#goodman_baron", Select).value = "1"
            await replace_text(pilot, "#notes", "Scars barely visible.")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)

    run(scenario())
    review = patient_history(open_home(demo_home), "Alex Rivera").reviews[-1]
    assert (review.date, review.provider, review.gais, review.goodman_baron) == (
        TODAY,
        "Dr. Maya Chen",
        "very-much-improved",
        1,
    )
    assert review.notes == "Scars barely visible."


def test_cancelling_a_form_saves_nothing(make_app, demo_home, open_home):
    before = patient_history(open_home(demo_home), "Alex Rivera")
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)

    run(scenario())
    assert patient_history(open_home(demo_home), "Alex Rivera") == before
