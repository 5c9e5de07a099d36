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
