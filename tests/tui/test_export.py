"""The export action hands the patient to the export service and says where the file went."""

from __future__ import annotations

import zipfile

from textual.widgets import Input, Select

from journal.tui.screens.export import ExportScreen

from .conftest import run, settle, text_of


def test_export_writes_the_chosen_format(make_app, demo_home, tmp_path):
    app = make_app(demo_home)
    target = tmp_path / "out" / "alex.csv.zip"

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("e")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ExportScreen)
            out = screen.query_one("#out", Input)
            assert out.value.endswith("alex-rivera-2026-06-01.pdf")  # a sensible default
            screen.query_one("#fmt", Select).value = "csv"
            await pilot.pause()
            assert out.value.endswith("alex-rivera-2026-06-01.csv.zip")
            out.value = str(target)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert text_of(screen.query_one("#export-result")).startswith("Saved ")

    run(scenario())
    with zipfile.ZipFile(target) as archive:
        assert archive.namelist()  # the service wrote its tables


def _pdf_text(path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def test_the_summary_is_worded_for_the_reader_chosen(make_app, demo_home, clinic_home, tmp_path):
    """A patient's own dashboard exports their wording; a provider's, the clinical summary."""
    app = make_app(demo_home)
    mine = tmp_path / "mine.pdf"

    async def as_patient():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("e")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ExportScreen)
            assert screen.query_one("#for", Select).value == "patient"
            screen.query_one("#out", Input).value = str(mine)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert text_of(screen.query_one("#export-result")).startswith("Saved ")
            screen.query_one("#fmt", Select).value = "csv"
            await pilot.pause()
            assert screen.query_one("#for", Select).disabled  # data has no audience

    run(as_patient())
    assert "clinical follow-up summary" not in _pdf_text(mine).lower()

    provider_app = make_app(clinic_home)
    theirs = tmp_path / "theirs.pdf"

    async def as_provider():
        async with provider_app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("enter")  # the patient with an open red flag, first
            await settle(pilot)
            await pilot.press("e")
            await settle(pilot)
            screen = provider_app.screen
            assert isinstance(screen, ExportScreen)
            assert screen.query_one("#for", Select).value == "provider"
            screen.query_one("#out", Input).value = str(theirs)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert text_of(screen.query_one("#export-result")).startswith("Saved ")

    run(as_provider())
    text = _pdf_text(theirs).lower()
    assert "clinical follow-up summary" in text and "blistering" in text


def test_an_encrypted_journal_says_its_export_is_written_in_clear(tmp_path):
    """The CLI prints `plaintext_notice`; the export screen says the same in its one line."""
    from journal.services.crypt import init_encrypted
    from journal.services.journal import open_journal
    from journal.services.patients import add_patient
    from journal.services.unlock import Secret
    from journal.tui.app import JournalApp

    from .builders import TODAY

    home = tmp_path / "locked"
    init_encrypted("correct horse battery", home)
    journal = open_journal(home, secret=Secret("passphrase", "correct horse battery"))
    add_patient(journal, "Zelda Secretname")
    target = tmp_path / "out" / "zelda.csv.zip"
    app = JournalApp(journal=journal, today=TODAY, photos_from=tmp_path)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("e")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ExportScreen)
            screen.query_one("#fmt", Select).value = "csv"
            await pilot.pause()
            screen.query_one("#out", Input).value = str(target)
            await pilot.press("ctrl+s")
            await settle(pilot)
            line = text_of(screen.query_one("#export-result"))
            assert line.startswith(f"Saved {target}") and "\n" not in line
            assert "in clear" in line and "encrypted" in line

    try:
        run(scenario())
    finally:
        journal.close()
    assert target.is_file()
