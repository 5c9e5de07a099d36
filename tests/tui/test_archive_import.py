"""A provider takes a patient's own journal in: export an archive, import it from the list."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from journal.services.checkins import add_checkin
from journal.services.exporting import export_patient
from journal.services.journal import open_journal
from journal.services.patients import add_patient
from journal.services.sessions import add_session
from journal.tui.screens.archive_import import ArchiveImportScreen
from journal.tui.screens.patients import PatientListScreen

from .builders import TODAY
from .conftest import run, settle, text_of


def test_import_an_archive_from_the_patient_list(make_app, clinic_home, tmp_path):
    archive = tmp_path / "zoe.zip"
    with open_journal(tmp_path / "zoe-home") as patient_journal:
        add_patient(patient_journal, "Zoe Park", concerns=["texture"])
        add_session(patient_journal, "Zoe Park", date="2026-05-01", device="pen", depth="1")
        add_checkin(patient_journal, "Zoe Park", date="2026-05-02", symptoms={"redness": 3})
        export_patient(patient_journal, "Zoe Park", fmt="json", out=archive, today=TODAY)
    bogus = tmp_path / "broken.zip"
    bogus.write_bytes(b"not a zip at all")
    app = make_app(clinic_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, PatientListScreen)
            before = screen.query_one(DataTable).row_count
            await pilot.press("m")
            await settle(pilot)
            modal = app.screen
            assert isinstance(modal, ArchiveImportScreen)

            modal.query_one("#archive", Input).value = str(bogus)
            await pilot.press("ctrl+s")
            await settle(pilot)  # the import runs in a worker
            message = text_of(modal.query_one("#archive-result", Static))
            assert "broken.zip" in message or "zip" in message.lower()
            assert modal.imported_id is None

            modal.query_one("#archive", Input).value = str(archive)
            await pilot.press("ctrl+s")
            await settle(pilot)  # the import runs in a worker
            assert "Imported Zoe Park" in text_of(modal.query_one("#archive-result", Static))
            await pilot.press("ctrl+s")  # a second import changes nothing
            await settle(pilot)
            assert "already up to date" in text_of(modal.query_one("#archive-result", Static))

            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is screen
            assert screen.query_one(DataTable).row_count == before + 1

    run(scenario())
