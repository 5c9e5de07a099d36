"""Issue 11 item 7 in the terminal UI: forms refuse the usual mistakes and ask before saving.

A date after the (injected) today is refused under the date field; a second
session on one day, a name already in the journal and a near miss of a known
word are refused with what saving again does, and ctrl+s again with the form
unchanged confirms it.
"""

from __future__ import annotations

from textual.widgets import Input

from journal.services.history import patient_history
from journal.services.patients import list_patients
from journal.tui.screens.dashboard import DashboardScreen
from journal.tui.screens.patient_form import PatientFormScreen
from journal.tui.screens.session_form import SessionFormScreen

from .conftest import run, settle
from .test_forms import replace_text


def _errors(form) -> list[str]:
    return [str(f.query_one(".field-error").render()) for f in form.query(".-invalid")]


def _sessions(open_home, home) -> list:
    return list(patient_history(open_home(home), "Alex Rivera").sessions)


def test_a_session_dated_after_today_is_refused_under_the_date(make_app, demo_home, open_home):
    before = len(_sessions(open_home, demo_home))
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            form = app.screen
            await replace_text(pilot, "#date", "2026-06-02")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form
            assert _errors(form) == ["invalid date '2026-06-02': is in the future"]
            await pilot.press("ctrl+s")  # not confirmable: still refused
            await settle(pilot)
            assert app.screen is form

    run(scenario())
    assert len(_sessions(open_home, demo_home)) == before


def test_checkin_and_review_dated_after_today_are_refused(make_app, demo_home, open_home):
    history = patient_history(open_home(demo_home), "Alex Rivera")
    counts = (len(history.checkins), len(history.reviews))
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            for key, field in (("c", "#symptom-redness"), ("r", "#notes")):
                await pilot.press(key)
                await settle(pilot)
                form = app.screen
                await replace_text(pilot, "#date", "2026-07-01")
                await replace_text(pilot, field, "3")
                await pilot.press("ctrl+s")
                await settle(pilot)
                assert app.screen is form
                assert _errors(form) == ["invalid date '2026-07-01': is in the future"]
                await pilot.press("escape")
                await settle(pilot)

    run(scenario())
    history = patient_history(open_home(demo_home), "Alex Rivera")
    assert (len(history.checkins), len(history.reviews)) == counts


def test_the_prefilled_form_saved_twice_on_one_day_asks_first(make_app, demo_home, open_home):
    before = len(_sessions(open_home, demo_home))
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            await pilot.press("ctrl+s")  # a routine visit: the pre-filled form, today
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)
            await pilot.press("n")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, SessionFormScreen)
            await pilot.press("ctrl+s")  # the same again: a copy of the session just saved
            await settle(pilot)
            assert app.screen is form
            [error] = _errors(form)
            assert error.startswith("This is the last session, unchanged: invalid date")
            assert "a session on that day already exists" in error
            assert error.endswith("ctrl+s again logs another")
            # a change asks afresh rather than confirming
            await replace_text(pilot, "#pain", "3")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form
            [error] = _errors(form)
            assert error.startswith("invalid date '2026-06-01': a session on that day")
            await pilot.press("ctrl+s")  # unchanged since the warning: confirmed
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)

    run(scenario())
    sessions = _sessions(open_home, demo_home)
    assert len(sessions) == before + 2
    assert [s.date.isoformat() for s in sessions[-2:]] == ["2026-06-01", "2026-06-01"]
    assert sessions[-1].pain == 3


def test_a_near_miss_area_in_the_depth_asks_to_keep_the_word(make_app, demo_home, open_home):
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            form = app.screen
            await replace_text(pilot, "#depth", "forhead=1")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form
            assert _errors(form) == [
                "invalid area 'forhead': did you mean 'forehead'?; ctrl+s again keeps your word"
            ]
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)

    run(scenario())
    assert _sessions(open_home, demo_home)[-1].depth_by_area == {"forhead": 1.0}


def test_a_patient_name_already_in_the_journal_asks_first(make_app, clinic_home, open_home):
    before = len(list_patients(open_home(clinic_home)))
    app = make_app(clinic_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, PatientFormScreen)
            form.query_one("#name", Input).focus()
            await pilot.press(*"bea  OKAFOR")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form
            [error] = _errors(form)
            assert "a patient with this name already exists: Bea Okafor (" in error
            assert ", born 1979)" in error
            assert error.endswith("ctrl+s again adds another patient of that name")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert not isinstance(app.screen, PatientFormScreen)

    run(scenario())
    names = [s.patient.display_name for s in list_patients(open_home(clinic_home))]
    assert len(names) == before + 1 and "bea  OKAFOR" in names
