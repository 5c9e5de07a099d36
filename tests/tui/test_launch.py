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


def _table_text(screen: PatientListScreen) -> list[tuple[str, ...]]:
    from textual.widgets import DataTable

    table = screen.query_one(DataTable)
    return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


def test_a_clinic_list_is_painted_from_the_plain_read_then_the_journal_opens(
    make_app, clinic_home, open_home, tmp_path
):
    """No injected journal: the list comes from `fast_overview`, the ORM journal after it.

    The rows are the ORM path's rows, cell for cell; once the list is painted
    the journal is open, so opening a patient works as ever.
    """
    from journal.services.results import rebuild_results
    from journal.store.engine import for_writing
    from journal.tui.app import JournalApp

    from .conftest import TODAY

    with for_writing(open_home(clinic_home).engine).begin() as conn:
        rebuild_results(conn, TODAY)  # exact for the app's day: the steady state
    orm_app = make_app(clinic_home)
    fast_app = JournalApp(home=clinic_home, today=TODAY, live=False, photos_from=tmp_path)
    shown: dict[str, list[tuple[str, ...]]] = {}

    async def scenario(app: JournalApp, name: str) -> None:
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, PatientListScreen)
            shown[name] = _table_text(app.screen)
            if name == "fast":
                assert app.fast_list
                assert app._journal is not None  # opened in the worker after the paint
                await pilot.press("enter")
                await settle(pilot)
                assert isinstance(app.screen, DashboardScreen)

    run(scenario(orm_app, "orm"))
    run(scenario(fast_app, "fast"))
    assert not orm_app.fast_list
    assert shown["fast"] == shown["orm"]
    assert len(shown["fast"]) == 5


def test_a_stale_clinic_list_is_painted_then_scored_by_the_orm_path(
    make_app, clinic_home, open_home, tmp_path
):
    """Stored results not exact for the app's day: the plain read's rows, scored by the ORM path.

    Every row is painted pending from the plain read, then the ORM path
    recomputes those patients once the journal is open: the rows end as the
    ORM path's own read shows them.
    """
    import datetime as dt

    from journal.services.results import rebuild_results
    from journal.store.engine import for_writing
    from journal.tui.app import JournalApp

    from .conftest import TODAY

    with for_writing(open_home(clinic_home).engine).begin() as conn:
        rebuild_results(conn, TODAY - dt.timedelta(days=400))
    app = JournalApp(home=clinic_home, today=TODAY, live=False, photos_from=tmp_path)
    orm_app = make_app(clinic_home)
    shown: dict[str, list[tuple[str, ...]]] = {}

    async def scenario(app: JournalApp, name: str) -> None:
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, PatientListScreen)
            shown[name] = _table_text(app.screen)

    run(scenario(app, "fast"))
    run(scenario(orm_app, "orm"))
    assert app.fast_list
    assert shown["fast"] == shown["orm"]
    assert len(shown["fast"]) == 5 and not any("…" in cell for row in shown["fast"] for cell in row)
