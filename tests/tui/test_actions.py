"""Actions run in workers and fail one way: under the field, in a notification, or a dialog.

A save waits for the journal's write lock; another program (a CLI import, a
second TUI) may hold it for seconds. The UI must keep answering meanwhile,
and every failure must reach the user as one readable line, never a
traceback.
"""

from __future__ import annotations

import sqlite3

from textual.widgets import Button, Input, Select, Static

from journal.services.history import patient_history
from journal.tui.actions import ErrorScreen, show_failure
from journal.tui.screens.dashboard import DashboardScreen
from journal.tui.screens.export import ExportScreen
from journal.tui.screens.help import HelpScreen
from journal.tui.screens.review_form import ReviewFormScreen
from journal.tui.screens.session_form import SessionFormScreen

from .conftest import run, screen_text, settle, text_of
from .test_forms import replace_text


def _error_notifications(app) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


def test_a_save_while_another_program_holds_the_write_lock_does_not_freeze_the_ui(
    make_app, demo_home, open_home
):
    reviews_before = len(patient_history(open_home(demo_home), "Alex Rivera").reviews)
    app = make_app(demo_home)
    other = sqlite3.connect(demo_home / "journal.db", isolation_level=None)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("r")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, ReviewFormScreen)
            await replace_text(pilot, "#notes", "Seen while busy.")
            other.execute("BEGIN IMMEDIATE")  # another program takes the write lock
            try:
                await pilot.press("ctrl+s")
                await pilot.pause(0.3)
                # The save waits in a worker; the form says so and still answers keys.
                assert app.screen is form
                assert form.busy
                assert text_of(form.query_one("#form-error", Static)) == "Saving…"
                assert form.query_one("#save", Button).disabled
                await pilot.press("!")
                assert form.query_one("#notes", Input).value == "Seen while busy.!"
                await pilot.press("escape")  # cannot close while the save runs
                await pilot.pause()
                assert app.screen is form
                app.action_help()  # help opens above the waiting form ("?" types into notes)
                await pilot.pause()
                assert isinstance(app.screen, HelpScreen)
            finally:
                other.execute("ROLLBACK")  # the other program lets go
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)
            assert not _error_notifications(app)

    try:
        run(scenario())
    finally:
        other.close()
    reviews = patient_history(open_home(demo_home), "Alex Rivera").reviews
    assert len(reviews) == reviews_before + 1
    assert reviews[-1].notes == "Seen while busy."  # what the form held when saved


def test_a_failing_export_shows_an_error_notification_and_no_traceback(
    make_app, demo_home, tmp_path
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the export folder should be")
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("e")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ExportScreen)
            screen.query_one("#fmt", Select).value = "csv"
            await pilot.pause()
            screen.query_one("#out", Input).value = str(blocker / "alex.csv.zip")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is screen  # still open, nothing crashed
            errors = _error_notifications(app)
            assert len(errors) == 1 and str(blocker) in errors[0]
            result = text_of(screen.query_one("#export-result", Static))
            assert str(blocker) in result and "Traceback" not in result
            assert not screen.busy and not screen.query_one("#go", Button).disabled
            assert app.is_running and app.return_code is None

    run(scenario())
    assert blocker.is_file()


def test_an_invalid_value_lands_under_its_field(make_app, demo_home, open_home):
    before = len(patient_history(open_home(demo_home), "Alex Rivera").sessions)
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, SessionFormScreen)
            await replace_text(pilot, "#passes", "99")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form
            invalid = list(form.query(".-invalid"))
            assert len(invalid) == 1
            assert "99" in text_of(invalid[0].query_one(".field-error", Static))
            assert app.focused is form.query_one("#passes", Input)
            # The status line counts what to fix; the message itself is under the field.
            assert text_of(form.query_one("#form-error", Static)) == (
                "Not saved: 1 value to fix (marked in red)."
            )
            assert not form.busy and not form.query_one("#save", Button).disabled
            assert not _error_notifications(app)  # a field message, not a notification

    run(scenario())
    assert len(patient_history(open_home(demo_home), "Alex Rivera").sessions) == before


def test_an_unexpected_failure_opens_an_error_dialog_without_personal_data(make_app, demo_home):
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            dashboard = app.screen
            show_failure(dashboard, KeyError("Alex Rivera"), title="Export failed")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, ErrorScreen)
            said = screen_text(dialog)
            assert "something went wrong (KeyError)" in said
            assert "Alex Rivera" not in said and "Traceback" not in said
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is dashboard

    run(scenario())


def test_a_photo_import_refused_for_its_date_says_so_under_the_date(
    make_app, empty_home, open_home, tmp_path
):
    from journal.tui.screens.photo_import import ImportScreen

    from .builders import write_jpeg
    from .test_photos import _patient_with_baseline

    _patient_with_baseline(open_home(empty_home), tmp_path)
    shots = tmp_path / "shots"
    shots.mkdir()
    write_jpeg(shots / "a.jpg", (190, 140, 120))
    app = make_app(empty_home, photos_from=shots)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("i")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ImportScreen)
            screen.toggle(shots / "a.jpg")
            screen.query_one("#date", Input).value = "2026-13-45"
            await pilot.press("ctrl+s")
            await settle(pilot)
            invalid = list(screen.query(".-invalid"))
            assert len(invalid) == 1
            assert "2026-13-45" in text_of(invalid[0].query_one(".field-error", Static))
            assert text_of(screen.query_one("#import-result", Static)) == "Nothing was imported."
            assert not screen.busy and not screen.query_one("#start", Button).disabled

    run(scenario())
    assert len(patient_history(open_home(empty_home), "Pat Doe").photos) == 1
