"""A provider acts on a red flag from the TUI: the banner, the flags screen, seen, resolved.

Each scenario runs on SQLite and, when `JOURNAL_TEST_PG_URL` is set, on
PostgreSQL (the `journal` fixture). The patient reported an infection with
her own words; the score is held at Not Sure until the flag is resolved
without lasting harm.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Checkbox, DataTable, Input

from journal.services import amend
from journal.services.checkins import add_checkin
from journal.services.flags import patient_flags
from journal.services.history import patient_history
from journal.services.patients import add_patient
from journal.services.scoring import report_for_history
from journal.services.sessions import add_session
from journal.tui.app import JournalApp
from journal.tui.screens.dashboard import DashboardScreen
from journal.tui.screens.flags import FlagActionDialog, FlagsScreen

from .builders import TODAY
from .conftest import run, settle, text_of

NAME = "Rosa Lind"
WORDS = "warm, yellow crust near left jaw"


@pytest.fixture
def flagged(journal: Any) -> Any:
    """Three sessions and good ratings, but an infection reported after the second."""
    add_patient(journal, NAME, birth_year=1985, concerns=["acne-scars"])
    add_checkin(journal, NAME, date="2026-01-05", concerns={"acne-scars": 8})
    for day in ("2026-01-10", "2026-02-14", "2026-03-21"):
        add_session(journal, NAME, date=day, device="pen", depth="1.5")
    add_checkin(journal, NAME, date="2026-02-17", flags=["infection"], notes=WORDS)
    add_checkin(
        journal,
        NAME,
        date="2026-05-20",
        concerns={"acne-scars": 2},
        gais="much-improved",
        verdict="worth-it",
    )
    return journal


def app_on(journal: Any) -> JournalApp:
    return JournalApp(journal=journal, today=TODAY, photos_from=Path.cwd())


def banner(dashboard: DashboardScreen) -> str:
    return " ".join(text_of(s) for s in dashboard.query("#alerts Static"))


def table_statuses(screen: FlagsScreen) -> list[str]:
    table = screen.query_one(DataTable)
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


def test_a_provider_marks_a_flag_seen_then_resolves_it(flagged: Any) -> None:
    before = report_for_history(patient_history(flagged, NAME), today=TODAY)
    assert before is not None and before.score.capped and before.score.score == 69
    app = app_on(flagged)

    async def scenario() -> None:
        async with app.run_test(size=(110, 36)) as pilot:
            await settle(pilot)
            dashboard = app.screen
            assert isinstance(dashboard, DashboardScreen)
            shown = banner(dashboard)
            assert "call your provider" in shown and "Signs of infection" in shown

            await pilot.press("f")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, FlagsScreen)
            assert table_statuses(screen) == ["open"]
            assert WORDS in text_of(screen.query_one("#flag-detail"))

            await pilot.press("s")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, FlagActionDialog)
            assert app.focused is dialog.query_one("#flag-by", Input)
            await pilot.press(*"Dr Chen")
            dialog.query_one("#flag-note", Input).value = "swab taken, antibiotics"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is screen
            assert table_statuses(screen) == ["seen"]
            assert "seen by Dr Chen" in text_of(screen.query_one("#flag-detail"))
            # Seen is not resolved: the banner stays (saying so) and so does the hold.
            shown = banner(dashboard)
            assert "seen, not yet resolved" in shown and "seen by Dr Chen" in shown
            assert "swab taken, antibiotics" in shown

            await pilot.press("r")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, FlagActionDialog)
            assert dialog.query_one("#flag-date", Input).value == TODAY.isoformat()
            assert dialog.query_one("#flag-lasting", Checkbox).value is False
            dialog.query_one("#flag-by", Input).value = "Dr Chen"
            dialog.query_one("#flag-date", Input).value = "2026-03-01"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert table_statuses(screen) == ["resolved"]
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is dashboard
            assert not dashboard.query("#alerts")  # resolved flags leave the banner

            await pilot.press("ctrl+z")  # a mistaken resolution comes back
            await settle(pilot)
            assert dashboard.query("#alerts")

    run(scenario())
    (item,) = patient_flags(flagged, NAME)
    assert item.flag.status == "seen" and item.flag.review is not None
    assert item.flag.review.seen_by == "Dr Chen"
    assert item.flag.review.seen_note == "swab taken, antibiotics"
    log = amend.change_log(flagged, NAME)
    assert {(c.kind, c.field) for c in log} >= {("flag", "status"), ("flag", "resolved_on")}
    assert {c.actor for c in log} == {"Dr Chen"} | {c.actor for c in log if c.action == "undo"}


def test_resolving_without_lasting_harm_lifts_the_hold(flagged: Any) -> None:
    from journal.services.flags import resolve

    (item,) = patient_flags(flagged, NAME)
    resolve(flagged, item.flag.short_id, on="2026-03-01", by="Dr Chen", today=TODAY)
    report = report_for_history(patient_history(flagged, NAME), today=TODAY)
    assert report is not None and not report.score.capped and report.score.score > 69
    safety = report.score.component("safety").sentence
    assert "resolved on 2026-03-01" in safety  # safety still remembers it happened
    assert report.score.component("safety").score < 100


def test_a_bad_resolution_date_is_marked_under_its_field(flagged: Any) -> None:
    app = app_on(flagged)

    async def scenario() -> None:
        async with app.run_test(size=(110, 36)) as pilot:
            await settle(pilot)
            await pilot.press("f")
            await settle(pilot)
            await pilot.press("r")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, FlagActionDialog)
            dialog.query_one("#flag-date", Input).value = "2026-02-01"  # before the flag
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is dialog  # nothing saved, the dialog stays
            errors = " ".join(text_of(s) for s in dialog.query(".field-error"))
            assert "before the flag began" in errors

    run(scenario())
    (item,) = patient_flags(flagged, NAME)
    assert item.flag.status == "open"
