"""The provider's patient list: search, sort, open a patient and review them."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from journal.tui.screens.dashboard import DashboardScreen
from journal.tui.screens.patients import PatientListScreen
from journal.tui.screens.review_form import ReviewFormScreen

from .conftest import run, settle


def names(screen: PatientListScreen) -> list[str]:
    table = screen.query_one(DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def column(screen: PatientListScreen, index: int) -> list[str]:
    table = screen.query_one(DataTable)
    return [str(table.get_row_at(i)[index]) for i in range(table.row_count)]


def test_list_shows_scores_filters_and_sorts(make_app, clinic_home):
    app = make_app(clinic_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, PatientListScreen)
            # Scores, verdicts and red flags arrived from the worker; the patient with
            # an open red flag comes first, then the rest by name.
            assert names(screen) == [
                "Bea Okafor",
                "Alex Rivera",
                "Carlos Dubois",
                "Dana Novak",
                "Eli Tanaka",
            ]
            assert column(screen, 4) == [
                "Not Sure (provisional)",
                "Worth It",
                "Worth It (provisional)",
                "—",
                "Not Sure",
            ]
            assert column(screen, 5) == ["⚠ 1 open", "0", "0", "0", "0"]
            assert screen.query_one(DataTable).cursor_row == 0  # on the most urgent patient

            await pilot.press("slash")
            assert app.focused is screen.query_one("#search", Input)
            await pilot.press(*"an")
            await pilot.pause()
            assert names(screen) == ["Dana Novak", "Eli Tanaka"]
            await pilot.press("escape")  # clears the search, back to the table
            await pilot.pause()
            assert len(names(screen)) == 5
            assert app.focused is screen.query_one(DataTable)

            await pilot.press("o")  # from open flags first (the default) to names
            await pilot.pause()
            assert screen.sort_column == "name"
            assert names(screen)[:2] == ["Alex Rivera", "Bea Okafor"]
            await pilot.press("o")  # sort by sessions
            await pilot.pause()
            assert screen.sort_column == "sessions"
            assert column(screen, 1) == ["0", "1", "2", "3", "4"]
            await pilot.press("O")  # reversed
            await pilot.pause()
            assert column(screen, 1) == ["4", "3", "2", "1", "0"]
            await pilot.press("o", "o")  # last visit, then score
            await pilot.pause()
            assert screen.sort_column == "score"
            # Bea 52: her only concern ratings (day 2 after each session) are set aside.
            assert column(screen, 3) == ["44", "52", "84", "85", "—"]  # no score sorts last

    run(scenario())


async def click_header(pilot, table: DataTable, key: str) -> None:
    x = 0
    for column_key, col in table.columns.items():
        if column_key.value == key:
            break
        x += col.get_render_width(table)
    await pilot.click(DataTable, offset=(x + 2, 0))
    await pilot.pause()


def test_header_click_sorts_by_that_column(make_app, clinic_home):
    app = make_app(clinic_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            screen = app.screen
            table = screen.query_one(DataTable)
            await click_header(pilot, table, "score")
            assert (screen.sort_column, screen.sort_reverse) == ("score", False)
            await click_header(pilot, table, "score")
            assert (screen.sort_column, screen.sort_reverse) == ("score", True)
            assert column(screen, 3) == ["—", "85", "84", "52", "44"]  # reversed: no score first
            assert str(table.columns["score"].label).strip() == "Score ▼"

    run(scenario())


def test_opening_a_patient_shows_their_dashboard_and_review_form(make_app, clinic_home):
    app = make_app(clinic_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("enter")  # Bea Okafor: open red flags put her first
            await settle(pilot)
            dashboard = app.screen
            assert isinstance(dashboard, DashboardScreen)
            assert dashboard.sub_title == "Bea Okafor · Fine lines"
            assert dashboard.query("#alerts")  # her blistering is on top
            assert dashboard.query("#reviews")  # the provider's panel
            await pilot.press("r")
            await settle(pilot)
            assert isinstance(app.screen, ReviewFormScreen)
            await pilot.press("escape")
            await settle(pilot)
            await pilot.press("escape")  # back to the list
            await settle(pilot)
            assert isinstance(app.screen, PatientListScreen)

    run(scenario())


def test_adding_a_patient_from_the_list(make_app, clinic_home):
    app = make_app(clinic_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            await pilot.click("#name")
            await pilot.press(*"Zoe Park")
            await pilot.press("ctrl+s")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, PatientListScreen)
            assert names(screen)[-1] == "Zoe Park"
            assert screen.current_patient_id() is not None

    run(scenario())
