"""Forms a person can type into: focus on open, every error at once, type-to-jump, keys shown.

Real journals on disk and the real app driven by Pilot: each form is opened
the way a user opens it (or pushed as its caller pushes it), typed into and
saved with ctrl+s.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, Select, SelectionList
from textual.widgets._footer import FooterKey

from journal.services.history import patient_history
from journal.tui.screens.checkin_form import CheckInFormScreen
from journal.tui.screens.dashboard import DashboardScreen
from journal.tui.screens.edit_forms import (
    CourseEditScreen,
    PatientEditScreen,
    RefileScreen,
    edit_form_for,
)
from journal.tui.screens.export import ExportScreen
from journal.tui.screens.form_base import FormScreen
from journal.tui.screens.patient_form import PatientFormScreen
from journal.tui.screens.review_form import ReviewFormScreen
from journal.tui.screens.session_form import SessionFormScreen
from journal.tui.widgets.select import jump_index

from .conftest import run, settle, text_of

ALEX = "Alex Rivera"
AREAS = [("", ""), ("Full face", "full-face"), ("Cheeks", "cheeks"), ("Left cheek", "left-cheek")]
AREAS += [("Chin", "chin"), ("Nose", "nose")]


async def retype(pilot: Any, selector: str, text: str) -> None:
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = ""
    await pilot.press(*text)
    await settle(pilot, rounds=1)


def marks(screen: Any) -> dict[str, str]:
    """The marked fields of a form: label -> the message under it."""
    return {f.label: text_of(f.query_one(".field-error")) for f in screen.query(".field.-invalid")}


def footer_keys(screen: Any) -> dict[str, str]:
    return {k.key: k.description for k in screen.query(FooterKey)}


def test_typing_jumps_to_the_choice_starting_with_it():
    assert jump_index(AREAS, None, "l") == 3  # "l" on an area select: Left cheek
    assert jump_index(AREAS, 0, "c") == 2
    assert jump_index(AREAS, 2, "cc") == 4  # the same letter again: the next one (Chin)
    assert jump_index(AREAS, 4, "ccc") == 2  # and round again
    assert jump_index(AREAS, 2, "ch") == 2  # longer text keeps a choice that still matches
    assert jump_index(AREAS, 2, "chi") == 4
    assert jump_index(AREAS, None, "NO") == 5  # case does not matter
    assert jump_index(AREAS, None, "x") is None
    assert jump_index([("Type IV", "4"), ("Type V", "5")], None, "5") == 1  # values count too


def test_every_form_opens_on_its_first_field_with_save_and_cancel_in_the_footer(
    make_app, demo_home
):
    app = make_app(demo_home)

    async def check(pilot: Any, kind: type, first: str) -> None:
        await settle(pilot)
        form = app.screen
        assert isinstance(form, kind)
        assert app.focused is form.query_one(first), kind.__name__
        keys = footer_keys(form)
        assert keys.get("ctrl+s") and keys.get("escape"), (kind.__name__, keys)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen), kind.__name__

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            dashboard = app.screen
            assert isinstance(dashboard, DashboardScreen)
            for key, kind, first in (
                ("n", SessionFormScreen, "#date"),
                ("c", CheckInFormScreen, "#date"),
                ("r", ReviewFormScreen, "#date"),
                ("p", PatientEditScreen, "#name"),
                ("k", CourseEditScreen, "#course-title"),
                ("e", ExportScreen, "#fmt"),
            ):
                await pilot.press(key)
                await check(pilot, kind, first)
            data = dashboard.data
            app.push_screen(PatientFormScreen())
            await check(pilot, PatientFormScreen, "#name")
            for kind_name, record in (
                ("session", data.history.sessions[-1]),
                ("check-in", data.history.checkins[-1]),
                ("review", data.history.reviews[-1]),
            ):
                form = edit_form_for(kind_name, record, data)
                app.push_screen(form)
                await check(pilot, type(form), "#date")
            app.push_screen(RefileScreen(data.history.photos[0]))
            await check(pilot, RefileScreen, "#refile-area")

    run(scenario())


def test_three_bad_values_are_marked_at_once_and_each_mark_goes_when_fixed(
    make_app, demo_home, open_home
):
    before = len(patient_history(open_home(demo_home), ALEX).sessions)
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, SessionFormScreen)
            await retype(pilot, "#date", "2026-13-01")
            await retype(pilot, "#passes", "99")
            await retype(pilot, "#pain", "11")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form  # nothing saved, everything typed kept
            found = marks(form)
            assert set(found) == {"Date", "Passes", "Pain (0-10)"}
            assert "2026-13-01" in found["Date"] and "99" in found["Passes"]
            assert "11" in found["Pain (0-10)"]
            assert app.focused is form.query_one("#date", Input)  # the first to fix
            assert "3 values to fix" in text_of(form.query_one("#form-error"))
            await retype(pilot, "#pain", "4")
            assert set(marks(form)) == {"Date", "Passes"}  # fixed: its mark is gone
            form.query_one("#passes", Input).value = "25"  # pasted over: still wrong
            await settle(pilot, rounds=1)
            assert "25" in marks(form)["Passes"]  # the message follows the value
            await retype(pilot, "#passes", "3")
            await retype(pilot, "#date", "2026-05-30")
            assert marks(form) == {}
            assert text_of(form.query_one("#form-error")) == ""
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)

    run(scenario())
    sessions = patient_history(open_home(demo_home), ALEX).sessions
    assert len(sessions) == before + 1
    assert (sessions[-1].passes, sessions[-1].pain) == (3, 4)


def test_an_edit_form_marks_every_bad_rating_it_changes(make_app, demo_home, open_home):
    checkin = patient_history(open_home(demo_home), ALEX).checkins[-1]
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            dashboard = app.screen
            form = edit_form_for("check-in", checkin, dashboard.data)
            app.push_screen(form)
            await settle(pilot)
            assert isinstance(form, FormScreen)
            await retype(pilot, "#symptom-redness", "12")
            await retype(pilot, "#symptom-swelling", "x")
            await retype(pilot, "#concern-0", "-1")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form
            assert len(marks(form)) == 3
            assert app.focused is form.query_one("#symptom-redness", Input)
            await retype(pilot, "#symptom-swelling", "2")
            assert len(marks(form)) == 2

    run(scenario())
    assert patient_history(open_home(demo_home), ALEX).checkins[-1] == checkin


def test_selects_and_tick_lists_follow_typed_letters(make_app, demo_home):
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            photo = next(p for p in app.screen.data.history.photos if p.area != "left-cheek")
            dialog = RefileScreen(photo)
            app.push_screen(dialog)
            await settle(pilot)
            area = dialog.query_one("#refile-area", Select)
            assert app.focused is area
            await pilot.press("l")
            assert area.value == "left-cheek"
            await pilot.press("c")  # the next area starting with c after Left cheek
            assert area.value == "chin"
            await pilot.press("c")  # c again: round to the first one
            assert area.value == "cheeks"
            await pilot.press("q")  # no area starts with q, and the app does not quit
            assert area.value == "cheeks" and app.screen is dialog
            await pilot.press("escape")
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, SessionFormScreen)
            device = form.query_one("#device", Select)
            device.focus()
            await pilot.press("r")
            assert device.value == "roller"
            areas = form.query_one("#areas-field SelectionList", SelectionList)
            areas.focus()
            await pilot.press("n")
            option = areas.get_option_at_index(areas.highlighted)
            assert option.value == "nose"
            await pilot.press("space")
            assert "nose" in areas.selected

    run(scenario())
