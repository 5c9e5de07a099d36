"""What users typed is shown as typed: never as markup, never as terminal codes.

Textual reads console markup in plain strings, so a patient called
``[red]Eve`` would turn red and ``[@click=app.quit]x[/]`` would become a link
that quits the app. Control characters stored in a journal (written by an
older version, by hand, or carried by an archive) must not reach the terminal
either. These tests read what the screens actually draw.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from textual.widgets import DataTable, Input, OptionList, Select

from journal.services.courses import add_course
from journal.services.journal import open_journal
from journal.services.patients import add_patient
from journal.services.reviews import add_review
from journal.services.sessions import add_session
from journal.tui.safe import clean
from journal.tui.screens.dashboard import DashboardScreen
from journal.tui.screens.detail import DetailScreen
from journal.tui.screens.export import ExportScreen
from journal.tui.screens.patients import PatientListScreen
from journal.tui.screens.timeline import TimelineScreen

from .conftest import run, settle

NAME = "[red]Eve[/red] [@click=app.quit]x[/]"
ESCAPES = "\x1b]0;PWNED\x07\x1b[2J\u202e"  # retitle the terminal, clear it, reverse text
DEVICE = "[blink]pen[/]"  # device names are stored lower-case
PROVIDER = "[i]Dr Who[/i]"
NOTES = "[b]bold?[/b] [@click=app.quit]quit[/]"


def _build(home: Path) -> str:
    """A journal holding markup in names and notes, and escape codes written underneath."""
    with open_journal(home) as journal:
        patient = add_patient(journal, NAME, concerns=["texture"])
        add_patient(journal, "Plain Pat")
        add_course(journal, str(patient.id), title="[u]Course[/u]", planned=3)
        add_session(
            journal,
            str(patient.id),
            date="2026-05-01",
            provider=PROVIDER,
            device="pen",
            device_name=DEVICE,
            depth="1.0",
        )
        add_review(journal, str(patient.id), date="2026-05-20", notes=NOTES)
    # What the services would refuse today may already be stored (older versions,
    # edits by hand): the screens must show it harmlessly whatever its origin.
    with sqlite3.connect(home / "journal.db") as db:
        db.execute("UPDATE patient SET display_name = display_name || ?", (ESCAPES,))
        db.execute("UPDATE review SET notes = notes || ?", (ESCAPES,))
    db.close()
    return str(patient.id)


def drawn(screen: Any) -> tuple[str, list[dict[str, Any]]]:
    """The text a screen draws, line by line, and the metadata (links, actions) on it."""
    strips = screen._compositor.render_strips()
    lines = ["".join(segment.text for segment in strip) for strip in strips]
    metas = [
        segment.style.meta
        for strip in strips
        for segment in strip
        if segment.style is not None and segment.style.meta
    ]
    return "\n".join(lines), metas


def assert_harmless(screen: Any, *literals: str) -> str:
    text, metas = drawn(screen)
    for literal in literals:
        assert literal in text, (literal, text)
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert not [m for m in metas if "@click" in m], "user text became an action link"
    return text


def test_names_and_notes_with_markup_and_escapes_are_shown_literally(make_app, tmp_path):
    home = tmp_path / "home"
    _build(home)
    app = make_app(home)
    shown_name = clean(NAME + ESCAPES)

    async def scenario():
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            listing = app.screen
            assert isinstance(listing, PatientListScreen)
            assert_harmless(listing, NAME, "␛]0;PWNED␇␛[2J")
            search = listing.query_one("#search", Input)
            search.focus()
            await pilot.press(*"eve")
            await pilot.pause()
            table = listing.query_one(DataTable)
            assert table.row_count == 1
            table.focus()
            await pilot.press("enter")
            await settle(pilot)

            dashboard = app.screen
            assert isinstance(dashboard, DashboardScreen)
            assert dashboard.sub_title == f"{shown_name} · [u]Course[/u]"
            assert_harmless(dashboard, NAME, "[u]Course[/u]")

            await pilot.press("t")
            await settle(pilot)
            timeline = app.screen
            assert isinstance(timeline, TimelineScreen)
            assert_harmless(timeline, DEVICE, PROVIDER)
            options = timeline.query_one(OptionList)
            options.highlighted = options.option_count - 1  # the review, the latest entry
            await pilot.press("enter")
            await settle(pilot)
            detail = app.screen
            assert isinstance(detail, DetailScreen)
            assert_harmless(detail, "[b]bold?[/b] [@click=app.quit]quit[/]␛]0;PWNED␇")
            await pilot.press("escape", "escape")
            await settle(pilot)

            await pilot.press("e")
            await settle(pilot)
            export = app.screen
            assert isinstance(export, ExportScreen)
            assert_harmless(export, f"Export · {NAME}")
            # An error that quotes a path the user typed is shown literally too.
            blocker = tmp_path / "[b]file"
            blocker.write_text("in the way")
            export.query_one("#fmt", Select).value = "csv"
            await pilot.pause()
            export.query_one("#out", Input).value = str(blocker / "out.csv.zip")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert_harmless(export, "[b]file")

            await pilot.press("escape")
            await settle(pilot)
            await pilot.press("ctrl+p")
            await settle(pilot)
            await pilot.press(*"open patient eve")
            await pilot.pause(0.3)
            await settle(pilot)
            assert_harmless(app.screen, "Open patient [red]Eve[/red] [@click=app.quit]x[/]")
            await pilot.press("escape")
            await settle(pilot)
            assert app.is_running and app.return_code is None  # nothing quit the app

    run(scenario())


def test_clean_makes_every_control_character_visible():
    assert clean("Eve\x1b]0;PWNED\x07\x1b[2J") == "Eve␛]0;PWNED␇␛[2J"
    assert clean("a\rb\x7fc\x9bd\u202ee\u2066f") == "a␍b␡c\ufffdd\ufffde\ufffdf"
    assert clean("line one\nline two\tend") == "line one\nline two\tend"
    assert clean("[b]kept[/b] ünïcödé 😀") == "[b]kept[/b] ünïcödé 😀"
