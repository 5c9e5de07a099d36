"""Correcting the record from the TUI: edit from a detail, conflicts, delete, ctrl+z, re-filing.

Each scenario runs on SQLite and, when `JOURNAL_TEST_PG_URL` is set, on
PostgreSQL (the `journal` fixture), against a small journal built through the
services: one patient, two sessions, a check-in and one photo.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, OptionList, Select

from journal.services import amend
from journal.services.checkins import add_checkin
from journal.services.history import patient_history
from journal.services.patients import add_patient
from journal.services.photos import import_photos
from journal.services.sessions import add_session
from journal.tui.app import JournalApp
from journal.tui.screens.confirm import ConfirmDialog, ConflictDialog
from journal.tui.screens.dashboard import DashboardScreen
from journal.tui.screens.detail import DetailScreen
from journal.tui.screens.edit_forms import (
    CheckInEditScreen,
    RefileScreen,
    ReviewEditScreen,
    SessionEditScreen,
)
from journal.tui.screens.gallery import GalleryScreen
from journal.tui.screens.help import HelpScreen
from journal.tui.screens.timeline import TimelineScreen

from .builders import TODAY, write_jpeg
from .conftest import run, settle, text_of

NAME = "Alex Rivera"


@pytest.fixture
def small(journal: Any, tmp_path: Path) -> Any:
    """One patient: sessions on March 1st (pain 5) and April 1st (pain 4), a check-in, a photo."""
    add_patient(journal, NAME, birth_year=1991, concerns=["acne-scars"])
    for day, pain in (("2026-03-01", "5"), ("2026-04-01", "4")):
        add_session(
            journal, NAME, date=day, provider="Dr. Maya Chen", device="pen", depth="1.5", pain=pain
        )
    add_checkin(journal, NAME, date="2026-04-03", symptoms={"redness": 6}, verdict="not-sure")
    photo = write_jpeg(tmp_path / "cheek.jpg", (200, 150, 140))
    import_photos(
        journal, NAME, [photo], date="2026-03-01", kind="before", area="left-cheek", workers=1
    )
    return journal


def app_on(journal: Any) -> JournalApp:
    return JournalApp(journal=journal, today=TODAY, photos_from=Path.cwd())


def history(journal: Any) -> Any:
    return patient_history(journal, NAME)


def session_on(journal: Any, day: str) -> Any:
    return next(t for t in history(journal).sessions if t.date.isoformat() == day)


def notices(app: JournalApp, severity: str | None = None) -> list[str]:
    return [n.message for n in app._notifications if severity in (None, n.severity)]


async def open_detail(pilot: Any, kind: str, day: str) -> DetailScreen:
    """From the dashboard: the timeline, then the detail of the `kind` entry on `day`."""
    app = pilot.app
    await pilot.press("t")
    await settle(pilot)
    timeline = app.screen
    assert isinstance(timeline, TimelineScreen)
    index = next(
        i for i, e in enumerate(timeline.entries) if e.kind == kind and e.date.isoformat() == day
    )
    timeline.query_one(OptionList).highlighted = index
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, DetailScreen)
    return app.screen


async def retype(pilot: Any, selector: str, text: str) -> None:
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = ""
    await pilot.press(*text)


def detail_text(screen: DetailScreen) -> str:
    parts = [text_of(screen.query_one("#detail-table"))]
    parts += [text_of(w) for w in screen.query("#detail-changes")]
    return "\n".join(parts)


def test_edit_a_session_from_its_detail(small):
    app = app_on(small)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)
            detail = await open_detail(pilot, "session", "2026-04-01")
            assert "#detail-changes" not in [f"#{w.id}" for w in detail.query("Static")]
            await pilot.press("e")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, SessionEditScreen)
            assert form.sub_title == "Edit session"
            # Pre-filled with the record's values, not the add form's defaults.
            assert form.query_one("#date", Input).value == "2026-04-01"
            assert form.query_one("#pain", Input).value == "4"
            assert form.query_one("#depth", Input).value == "1.5"
            assert form.query_one("#device", Select).value == "pen"
            await retype(pilot, "#pain", "7")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is detail  # back on the detail, showing the corrected record
            text = detail_text(detail)
            assert "7/10" in text
            assert "pain: 4 -> 7" in text
            # The timeline underneath was reloaded too.
            timeline = app.screen_stack[-2]
            assert isinstance(timeline, TimelineScreen)
            record = next(e.record for e in timeline.entries if e.record.id == detail.record_id)
            assert record.pain == 7

    run(scenario())
    edited = session_on(small, "2026-04-01")
    assert edited.pain == 7
    assert (edited.depth_mm, edited.provider) == (1.5, "Dr. Maya Chen")  # only pain sent
    log = amend.change_log(small, NAME)
    assert [(c.action, c.field, c.old, c.new) for c in log] == [("edit", "pain", 4, 7)]


def test_saving_an_unchanged_edit_form_says_so_and_writes_nothing(small):
    app = app_on(small)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await open_detail(pilot, "session", "2026-03-01")
            await pilot.press("e", "ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, SessionEditScreen)
            assert "Nothing changed" in text_of(app.screen.query_one("#form-error"))

    run(scenario())
    assert amend.change_log(small) == []


def test_an_edit_conflict_is_reported_and_nothing_is_overwritten(small):
    app = app_on(small)
    target = session_on(small, "2026-04-01")

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await open_detail(pilot, "session", "2026-04-01")
            await pilot.press("e")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, SessionEditScreen)
            # Someone else (another terminal) corrects the same session meanwhile.
            amend.edit(small, "session", str(target.id), {"pain": "2"}, by="Dr. Sam Park")
            await retype(pilot, "#pain", "9")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, ConflictDialog)
            assert "changed elsewhere" in text_of(app.screen.query_one("#conflict-message"))
            assert session_on(small, "2026-04-01").pain == 2  # the other edit stands
            # Reload: the form now shows the record as it is, and saves against it.
            await pilot.click("#conflict-reload")
            await settle(pilot)
            assert app.screen is form
            assert form.query_one("#pain", Input).value == "2"
            assert "Reloaded" in text_of(form.query_one("#form-error"))
            await retype(pilot, "#notes", "checked with Dr. Park")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)

    run(scenario())
    final = session_on(small, "2026-04-01")
    assert (final.pain, final.notes) == (2, "checked with Dr. Park")


def test_overwrite_after_a_conflict_saves_over_the_other_edit(small):
    app = app_on(small)
    target = session_on(small, "2026-04-01")

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await open_detail(pilot, "session", "2026-04-01")
            await pilot.press("e")
            await settle(pilot)
            amend.edit(small, "session", str(target.id), {"pain": "2"})
            await retype(pilot, "#pain", "9")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, ConflictDialog)
            await pilot.click("#conflict-overwrite")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)
            assert "pain: 2 -> 9" in detail_text(app.screen)

    run(scenario())
    assert session_on(small, "2026-04-01").pain == 9
    assert [(c.old, c.new) for c in amend.change_log(small)] == [(2, 9), (4, 2)]


def test_delete_asks_first_and_ctrl_z_brings_it_back(small):
    app = app_on(small)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            detail = await open_detail(pilot, "session", "2026-04-01")
            await pilot.press("d")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, ConfirmDialog)
            question = text_of(dialog.query_one("#confirm-question"))
            assert question.startswith("Delete session ") and "(2026-04-01)" in question
            await pilot.press("escape")  # cancel keeps it
            await settle(pilot)
            assert app.screen is detail
            assert len(history(small).sessions) == 2
            await pilot.press("d")
            await settle(pilot)
            await pilot.click("#confirm-yes")
            await settle(pilot)
            timeline = app.screen
            assert isinstance(timeline, TimelineScreen)  # the detail of a deleted record closes
            assert len(history(small).sessions) == 1
            assert not any(e.record.id == detail.record_id for e in timeline.entries)
            assert any(m.startswith("Deleted session") for m in notices(app))
            await pilot.press("ctrl+z")
            await settle(pilot)
            assert any(m.startswith("Undid the delete of session") for m in notices(app))
            assert any(e.record.id == detail.record_id for e in timeline.entries)
            # The dashboard underneath counts it again.
            dashboard = app.screen_stack[-2]
            assert isinstance(dashboard, DashboardScreen)
            assert dashboard.data is not None and len(dashboard.data.history.sessions) == 2

    run(scenario())
    assert [t.date for t in history(small).sessions] == [dt.date(2026, 3, 1), dt.date(2026, 4, 1)]


def test_ctrl_z_with_nothing_to_undo_is_a_gentle_note(small):
    app = app_on(small)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+z")
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)  # no error dialog
            assert "Nothing to undo." in notices(app, "information")
            assert not notices(app, "error")

    run(scenario())


def test_undo_reverts_an_edit_and_the_detail_shows_the_log(small):
    app = app_on(small)
    target = session_on(small, "2026-03-01")
    amend.edit(small, "session", str(target.id), {"pain": "8"}, by="Dr. Sam Park")

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            detail = await open_detail(pilot, "session", "2026-03-01")
            assert "Dr. Sam Park · pain: 5 -> 8" in detail_text(detail)
            await pilot.press("ctrl+z")
            await settle(pilot)
            assert any(m.startswith("Undid the edit of session") for m in notices(app))
            text = detail_text(detail)
            assert "5/10" in text and "undo, pain: 8 -> 5" in text

    run(scenario())
    assert session_on(small, "2026-03-01").pain == 5


def test_refile_a_photo_from_the_gallery(small):
    app = app_on(small)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("g")
            await settle(pilot)
            gallery = app.screen
            assert isinstance(gallery, GalleryScreen)
            await pilot.press("f")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, RefileScreen)
            assert dialog.query_one("#refile-area", Select).value == "left-cheek"
            dialog.query_one("#refile-area", Select).value = "right-cheek"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is gallery
            assert any(m.startswith("Edited photo") for m in notices(app))
            tabs = [str(t.label) for t in gallery.query("Tab")]
            assert tabs == ["Right cheek (1)"]
            # Delete it from the gallery with the same question.
            await pilot.press("d")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.click("#confirm-yes")
            await settle(pilot)
            assert app.screen is gallery
            assert gallery.query("#no-photos")

    run(scenario())
    log = amend.change_log(small)
    assert [(c.action, c.kind) for c in log] == [("delete", "photo"), ("edit", "photo")]
    assert (log[1].field, log[1].old, log[1].new) == ("area", "left-cheek", "right-cheek")
    assert history(small).photos == ()


def test_check_in_and_review_forms_open_in_edit_mode(small):
    from journal.services.reviews import add_review

    add_review(small, NAME, date="2026-04-20", provider="Dr. Maya Chen", gais="improved")
    app = app_on(small)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await open_detail(pilot, "check-in", "2026-04-03")
            await pilot.press("e")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, CheckInEditScreen)
            assert form.query_one("#symptom-redness", Input).value == "6"
            assert form.query_one("#verdict", Select).value == "not-sure"
            await retype(pilot, "#symptom-redness", "")  # a blank symptom is cleared
            await retype(pilot, "#symptom-swelling", "3")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)
            await pilot.press("escape")
            await settle(pilot)
            await pilot.press("escape")  # back to the dashboard
            await settle(pilot)
            await open_detail(pilot, "review", "2026-04-20")
            await pilot.press("e")
            await settle(pilot)
            review_form = app.screen
            assert isinstance(review_form, ReviewEditScreen)
            assert review_form.query_one("#gais", Select).value == "improved"
            review_form.query_one("#gais", Select).value = "much-improved"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)

    run(scenario())
    found = history(small)
    assert found.checkins[0].symptoms == {"swelling": 3}
    assert found.reviews[0].gais == "much-improved"


def test_help_and_palette_list_the_correction_keys(small):
    app = app_on(small)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            await settle(pilot)
            assert isinstance(app.screen, HelpScreen)
            assert "Undo" in text_of(app.screen.query_one("#help-table"))
            await pilot.press("escape")
            await settle(pilot)
            # The command palette lists the screen's active bindings: undo among them.
            actions = {a.binding.action for a in app.screen.active_bindings.values()}
            assert "app.undo" in actions  # the dashboard's own ctrl+z, kept out of its footer
            await open_detail(pilot, "session", "2026-03-01")
            await pilot.press("question_mark")
            await settle(pilot)
            text = text_of(app.screen.query_one("#help-table"))
            assert "Edit" in text and "Delete" in text and "Undo" in text

    run(scenario())


def test_a_photo_detail_refiles_and_a_bad_date_is_refused(small):
    app = app_on(small)
    photo = history(small).photos[0]

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            detail = await open_detail(pilot, "photo", "2026-03-01")
            await pilot.press("e")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, RefileScreen)
            await retype(pilot, "#refile-date", "2026-02-30")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is dialog  # refused in place, the date marked
            (marked,) = dialog.query(".field.-invalid")
            assert "2026-02-30" in text_of(marked.query_one(".field-error"))
            await retype(pilot, "#refile-date", "2026-03-01")
            await settle(pilot)
            assert not dialog.query(".field.-invalid")  # fixed: the mark is gone
            dialog.query_one("#refile-kind", Select).value = "follow-up"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is detail
            assert "kind: before -> follow-up" in detail_text(detail)

    run(scenario())
    after = history(small).photos[0]
    assert (after.kind, after.area, after.taken_at) == ("follow-up", "left-cheek", photo.taken_at)
