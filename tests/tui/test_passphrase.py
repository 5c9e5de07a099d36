"""An encrypted journal opens on the passphrase screen; a wrong passphrase is one line there."""

from __future__ import annotations

import pytest

from .builders import TODAY
from .conftest import run, settle, text_of

PASS = "correct horse battery"
NAME = "Zelda Secretname"


@pytest.fixture
def locked_home(tmp_path):
    from journal.services.crypt import init_encrypted
    from journal.services.journal import open_journal
    from journal.services.patients import add_patient
    from journal.services.unlock import Secret

    home = tmp_path / "locked"
    made = init_encrypted(PASS, home)
    with open_journal(home, secret=Secret("passphrase", PASS)) as journal:
        add_patient(journal, NAME)
    home.joinpath("recovery.txt").write_text(made.recovery_key)
    return home


def _app(home):
    from journal.tui.app import JournalApp

    return JournalApp(home=home, today=TODAY, photos_from=home, live=False)


async def _type(pilot, text: str) -> None:
    for char in text:
        await pilot.press("space" if char == " " else ("minus" if char == "-" else char))


def test_wrong_then_right_passphrase_opens_the_journal(locked_home):
    run(_wrong_then_right(locked_home))


def test_the_recovery_key_typed_in_the_same_field_opens_it(locked_home):
    run(_recovery(locked_home))


async def _wrong_then_right(locked_home):
    from textual.widgets import Input, Static

    from journal.tui.screens.passphrase import PassphraseScreen

    app = _app(locked_home)
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


async def _recovery(locked_home):
    from journal.tui.screens.passphrase import PassphraseScreen

    recovery = locked_home.joinpath("recovery.txt").read_text()
    locked_home.joinpath("recovery.txt").unlink()
    app = _app(locked_home)
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
