"""Correcting patients and courses from the TUI: edit or erase a patient, edit or delete a course.

Each scenario runs on SQLite and, when `JOURNAL_TEST_PG_URL` is set, on
PostgreSQL (the `journal` fixture), against a small clinic built through the
services: two patients, each with a course of sessions, one with a check-in
and a photo, so the provider's patient list opens first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Input, Select, SelectionList

from journal.core.errors import NotFound
from journal.services import amend
from journal.services.checkins import add_checkin
from journal.services.history import patient_history
from journal.services.patients import add_patient, list_patients
from journal.services.photos import import_photos
from journal.services.sessions import add_session
from journal.tui.app import JournalApp
from journal.tui.screens.confirm import ConfirmDialog, ConflictDialog, EraseDialog
from journal.tui.screens.dashboard import DashboardScreen
from journal.tui.screens.edit_forms import CourseEditScreen, PatientEditScreen
from journal.tui.screens.help import HelpScreen
from journal.tui.screens.patients import PatientListScreen

from .builders import TODAY, write_jpeg
from .conftest import run, settle, text_of

ALEX = "Alex Rivera"
BEA = "Bea Okafor"


@pytest.fixture
def clinic(journal: Any, tmp_path: Path) -> Any:
    """Alex (1991, two sessions, a check-in, a photo) and Bea (1979, one session)."""
    add_patient(journal, ALEX, birth_year=1991, skin_type=3, concerns=["acne-scars"])
    for day in ("2026-03-01", "2026-04-01"):
        add_session(journal, ALEX, date=day, device="pen", depth="1.5", pain="4")
    add_checkin(journal, ALEX, date="2026-04-03", symptoms={"redness": 6}, verdict="not-sure")
    photo = write_jpeg(tmp_path / "cheek.jpg", (200, 150, 140))
    import_photos(
        journal, ALEX, [photo], date="2026-03-01", kind="before", area="left-cheek", workers=1
    )
    add_patient(journal, BEA, birth_year=1979, concerns=["fine-lines"])
    add_session(journal, BEA, date="2026-04-06", device="rf", depth="2.0")
    return journal


def app_on(journal: Any) -> JournalApp:
    return JournalApp(journal=journal, today=TODAY, photos_from=Path.cwd())


def names(journal: Any) -> list[str]:
    return [s.patient.display_name for s in list_patients(journal)]


def notices(app: JournalApp, severity: str | None = None) -> list[str]:
    return [n.message for n in app._notifications if severity in (None, n.severity)]


async def retype(pilot: Any, selector: str, text: str) -> None:
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = ""
    await pilot.press(*text)


async def open_alex(pilot: Any) -> DashboardScreen:
    """From the patient list (Alex is the first row by name) to Alex's dashboard."""
    await settle(pilot)
    assert isinstance(pilot.app.screen, PatientListScreen)
    await pilot.press("enter")
    await settle(pilot)
    dashboard = pilot.app.screen
    assert isinstance(dashboard, DashboardScreen) and dashboard.data is not None
    return dashboard


def test_edit_a_patients_birth_year_from_the_dashboard(clinic):
    app = app_on(clinic)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            dashboard = await open_alex(pilot)
            await pilot.press("p")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, PatientEditScreen)
            assert form.sub_title == "Edit patient"
            # Pre-filled with the patient as they are.
            assert form.query_one("#name", Input).value == ALEX
            assert form.query_one("#birth_year", Input).value == "1991"
            assert form.query_one("#skin_type", Select).value == "3"
            concerns = form.query_one("#concerns-field SelectionList", SelectionList)
            assert list(concerns.selected) == ["acne-scars"]
            await pilot.press("ctrl+s")  # nothing changed: says so, writes nothing
            await settle(pilot)
            assert app.screen is form
            assert "Nothing changed" in text_of(form.query_one("#form-error"))
            await retype(pilot, "#birth_year", "1990")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is dashboard
            assert dashboard.data.patient.birth_year == 1990  # reloaded after the edit
            assert "Patient changed." in notices(app)

    run(scenario())
    patient = patient_history(clinic, ALEX).patient
    assert (patient.birth_year, patient.skin_type, patient.concerns) == (1990, 3, ("acne-scars",))
    changed = [c for c in amend.change_log(clinic, ALEX) if c.action == "edit"]
    assert [(c.field, c.old, c.new) for c in changed] == [("birth_year", 1991, 1990)]


def test_edit_a_patients_name_from_the_list_and_a_conflict_reloads(clinic):
    app = app_on(clinic)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            patients = app.screen
            assert isinstance(patients, PatientListScreen)
            await pilot.press("down", "E")  # Bea
            await settle(pilot)
            form = app.screen
            assert isinstance(form, PatientEditScreen)
            assert form.query_one("#name", Input).value == BEA
            # Someone else changes Bea while the form is open.
            amend.edit(clinic, "patient", BEA, {"birth_year": "1980"})
            await retype(pilot, "#name", "Bea Okafor-Lind")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, ConflictDialog)
            await pilot.click("#conflict-reload")  # show Bea as she is now
            await settle(pilot)
            assert app.screen is form
            assert form.query_one("#birth_year", Input).value == "1980"
            assert form.query_one("#name", Input).value == BEA
            await retype(pilot, "#name", "Bea Okafor-Lind")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is patients
            assert "Bea Okafor-Lind" in [r.name for r in patients.rows.values()]

    run(scenario())
    bea = patient_history(clinic, "Bea Okafor-Lind").patient
    assert (bea.display_name, bea.birth_year) == ("Bea Okafor-Lind", 1980)  # both edits kept


def test_erase_a_patient_from_the_list(clinic):
    app = app_on(clinic)
    alex_id = patient_history(clinic, ALEX).patient.id

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            patients = app.screen
            assert isinstance(patients, PatientListScreen)
            await pilot.press("D")  # Alex, the first row
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, EraseDialog)
            question = text_of(dialog.query_one("#erase-question"))
            assert question.startswith(f"Erase {ALEX} ") and "cannot be undone" in question
            assert "ctrl+z will not bring them back" in text_of(dialog.query_one("#erase-note"))
            await pilot.press("escape")  # cancel keeps them
            await settle(pilot)
            assert app.screen is patients
            assert names(clinic) == [ALEX, BEA]
            await pilot.press("D")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, EraseDialog)
            await pilot.press(*"Bea Okafor", "enter")  # not their name: nothing happens
            await settle(pilot)
            assert app.screen is dialog
            assert dialog.query_one("#erase-yes", Button).disabled
            await retype(pilot, "#erase-name", "alex rivera")
            assert not dialog.query_one("#erase-yes", Button).disabled
            await pilot.click("#erase-yes")
            await settle(pilot)
            assert app.screen is patients
            assert [r.name for r in patients.rows.values()] == [BEA]
            assert patients.query_one("DataTable").row_count == 1  # type: ignore[attr-defined]
            assert any(m.startswith(f"{ALEX} was erased") for m in notices(app))
            await pilot.press("ctrl+z")  # nothing brings them back
            await settle(pilot)
            assert ALEX not in [r.name for r in patients.rows.values()]

    run(scenario())
    assert names(clinic) == [BEA]
    with pytest.raises(NotFound):
        patient_history(clinic, str(alex_id))
    assert [c for c in amend.change_log(clinic) if c.patient_id == alex_id] == []


def test_edit_a_course_title_from_the_dashboard(clinic):
    app = app_on(clinic)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            dashboard = await open_alex(pilot)
            await pilot.press("k")
            await settle(pilot)
            modal = app.screen
            assert isinstance(modal, CourseEditScreen)
            course = dashboard.data.course
            assert course is not None
            assert modal.query_one("#course-title", Input).value == course.title
            await retype(pilot, "#course-title", "Acne scars, spring")
            await retype(pilot, "#course-interval", "0")  # refused, as on add
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is modal  # refused in place, the interval marked
            (marked,) = modal.query(".field.-invalid")
            assert "interval" in text_of(marked.query_one(".field-error"))
            assert app.focused is modal.query_one("#course-interval", Input)
            assert dashboard.data.course.title == course.title  # nothing written
            await retype(pilot, "#course-interval", "4-6")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is dashboard
            assert dashboard.data.course.title == "Acne scars, spring"
            assert "Acne scars, spring" in dashboard.sub_title

    run(scenario())
    assert patient_history(clinic, ALEX).courses[-1].title == "Acne scars, spring"


def test_delete_a_course_and_undo_it(clinic):
    app = app_on(clinic)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            dashboard = await open_alex(pilot)
            await pilot.press("K")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, ConfirmDialog)
            question = text_of(dialog.query_one("#confirm-question"))
            assert question.startswith("Delete course ")
            assert "2 sessions" in question and "1 check-in" in question and "1 photo" in question
            await pilot.press("escape")  # cancel keeps it
            await settle(pilot)
            assert len(patient_history(clinic, ALEX).sessions) == 2
            await pilot.press("K")
            await settle(pilot)
            await pilot.click("#confirm-yes")
            await settle(pilot)
            assert app.screen is dashboard
            assert dashboard.data.history.courses == ()
            assert dashboard.data.history.sessions == ()
            assert any(m.startswith("Deleted course") for m in notices(app))
            await pilot.press("ctrl+z")
            await settle(pilot)
            assert len(dashboard.data.history.sessions) == 2
            assert len(dashboard.data.history.photos) == 1

    run(scenario())
    found = patient_history(clinic, ALEX)
    assert (len(found.courses), len(found.sessions), len(found.checkins)) == (1, 2, 1)


def test_help_lists_the_patient_and_course_keys(clinic):
    app = app_on(clinic)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            await settle(pilot)
            assert isinstance(app.screen, HelpScreen)
            text = text_of(app.screen.query_one("#help-table"))
            assert "Edit patient" in text and "Erase patient" in text
            await pilot.press("escape")
            await open_alex(pilot)
            await pilot.press("question_mark")
            await settle(pilot)
            text = text_of(app.screen.query_one("#help-table"))
            assert "Edit patient" in text and "Edit course" in text and "Delete course" in text

    run(scenario())


def test_edit_a_course_areas_and_concerns_from_the_dashboard(clinic):
    app = app_on(clinic)
    before = patient_history(clinic, ALEX).courses[-1]

    async def scenario():
        async with app.run_test(size=(100, 40)) as pilot:
            dashboard = await open_alex(pilot)
            await pilot.press("k")
            await settle(pilot)
            modal = app.screen
            assert isinstance(modal, CourseEditScreen)
            areas = modal.query_one("#course-areas", SelectionList)
            assert set(areas.selected) == set(before.areas)
            areas.select("forehead")
            modal.query_one("#course-concerns", SelectionList).select("texture")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is dashboard

    run(scenario())
    after = patient_history(clinic, ALEX).courses[-1]
    assert "forehead" in after.areas and set(before.areas) <= set(after.areas)
    assert "texture" in after.concerns
    fields = {c.field for c in amend.change_log(clinic, ALEX) if c.kind == "course"}
    assert {"areas", "concerns"} <= fields
