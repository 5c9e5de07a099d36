"""Which screen the journal opens on: nobody, one patient, several."""

from __future__ import annotations

from journal.services.history import patient_history
from journal.services.patients import list_patients
from journal.tui.screens.dashboard import DashboardScreen
from journal.tui.screens.empty import EmptyScreen
from journal.tui.screens.patient_form import PatientFormScreen
from journal.tui.screens.patients import PatientListScreen

from .conftest import run, settle


def test_one_patient_opens_their_dashboard(make_app, demo_home):
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)
            assert app.screen.sub_title == "Alex Rivera · Acne scar series"
            assert not app.provider_mode
            # The patient's own dashboard has no way "back" to a list.
            assert app.screen.check_action("back", ()) is False

    run(scenario())


def test_several_patients_open_the_provider_list(make_app, clinic_home):
    app = make_app(clinic_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, PatientListScreen)
            assert app.provider_mode
            assert len(app.screen.rows) == 5

    run(scenario())


def test_empty_journal_welcomes_and_adds_a_patient(make_app, empty_home, open_home):
    app = make_app(empty_home)

    async def scenario():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, EmptyScreen)
            await pilot.press("a")
            await settle(pilot)
            assert isinstance(app.screen, PatientFormScreen)
            await pilot.click("#name")
            await pilot.press(*"Sam Lee")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)
            assert app.screen.sub_title == "Sam Lee"

    run(scenario())
    journal = open_home(empty_home)
    assert [s.patient.display_name for s in list_patients(journal)] == ["Sam Lee"]
    assert patient_history(journal, "Sam Lee").sessions == ()


def test_an_invalid_patient_name_is_refused_in_place(make_app, empty_home, open_home):
    app = make_app(empty_home)

    async def scenario():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            await pilot.click("#birth_year")
            await pilot.press(*"1800")
            await pilot.press("ctrl+s")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, PatientFormScreen)
            # Every refused value is marked at once: the empty name and the birth year.
            errors = [str(f.query_one(".field-error").render()) for f in form.query(".-invalid")]
            assert len(errors) == 2
            assert "name" in errors[0] and "1800" in errors[1]
            assert app.focused is form.query_one("#name")  # the first one to fix

    run(scenario())
    assert list_patients(open_home(empty_home)) == []
