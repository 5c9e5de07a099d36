"""An encrypted journal opens on the passphrase screen; a wrong passphrase is one line there."""

from __future__ import annotations

import pytest

from .builders import TODAY
from .conftest import run, settle, text_of

PASS = "correct horse battery"
NAME = "Zelda Secretname"


def _lock(home, url):
    from journal.services.crypt import init_encrypted
    from journal.services.journal import open_journal
    from journal.services.patients import add_patient
    from journal.services.unlock import Secret

    made = init_encrypted(PASS, home, url)
    with open_journal(home, url, secret=Secret("passphrase", PASS)) as journal:
        add_patient(journal, NAME)
    home.joinpath("recovery.txt").write_text(made.recovery_key)
    return home


@pytest.fixture
def locked_home(tmp_path):
    """An encrypted SQLite journal (the snapshot's)."""
    return _lock(tmp_path / "locked", None)


@pytest.fixture
def locked(tmp_path, journal_url):
    """An encrypted journal on each database: a PostgreSQL one (photos sealed, header in
    the database) opens on the same passphrase screen."""
    return _lock(tmp_path / "locked", journal_url), journal_url


def _app(home, url=None):
    from journal.tui.app import JournalApp

    return JournalApp(home=home, db_url=url, today=TODAY, photos_from=home, live=False)


async def _type(pilot, text: str) -> None:
    for char in text:
        await pilot.press("space" if char == " " else ("minus" if char == "-" else char))


def test_wrong_then_right_passphrase_opens_the_journal(locked):
    run(_wrong_then_right(*locked))


def test_the_recovery_key_typed_in_the_same_field_opens_it(locked):
    run(_recovery(*locked))


async def _wrong_then_right(locked_home, url):
    from textual.widgets import Input, Static

    from journal.tui.screens.passphrase import PassphraseScreen

    app = _app(locked_home, url)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PassphraseScreen)
        assert NAME not in str(app.screen.query_one("#unlock-prompt", Static).content)
        field = app.screen.query_one("#passphrase", Input)
        assert field.password
        await _type(pilot, "not the passphrase")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PassphraseScreen)
        status = text_of(app.screen.query_one("#unlock-status", Static))
        assert status == "wrong passphrase for this journal"
        assert field.value == "" and not field.disabled
        await _type(pilot, PASS)
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, PassphraseScreen)
        assert app._journal is not None
        assert type(app.screen).__name__ == "DashboardScreen"


async def _recovery(locked_home, url):
    from journal.tui.screens.passphrase import PassphraseScreen

    recovery = locked_home.joinpath("recovery.txt").read_text()
    locked_home.joinpath("recovery.txt").unlink()
    app = _app(locked_home, url)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PassphraseScreen)
        await _type(pilot, recovery.lower())
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "DashboardScreen"


def test_passphrase_screen_snapshot(snap_compare, locked_home):
    async def steps(pilot) -> None:
        await settle(pilot)
        await _type(pilot, "wrong passphrase")
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(_app(locked_home), terminal_size=(100, 32), run_before=steps)
