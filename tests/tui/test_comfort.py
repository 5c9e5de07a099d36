"""Help, themes, the command palette and quitting: the same everywhere."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import Input

from journal.tui.app import DARK, LIGHT
from journal.tui.screens.dashboard import DashboardScreen
from journal.tui.screens.help import HelpScreen, bindings_of
from journal.tui.screens.score import ScoreScreen
from journal.tui.screens.timeline import TimelineScreen

from .conftest import run, screen_text, settle, text_of


def test_help_lists_every_binding_of_the_screen(make_app, demo_home):
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            lines = bindings_of(app.screen)
            own = {(line.key, line.description) for line in lines if line.scope == "screen"}
            assert ("n", "Session") in own and ("c", "Check-in") in own
            assert ("s", "Score") in own and ("v", "Compare") in own
            everywhere = {line.description for line in lines if line.scope == "everywhere"}
            assert {"Quit", "Help", "Theme"} <= everywhere
            await pilot.press("question_mark")
            await settle(pilot)
            assert isinstance(app.screen, HelpScreen)
            text = text_of(app.screen.query_one("#help-table"))
            for description in ("Session", "Check-in", "Timeline", "Quit", "command palette"):
                assert description in text
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, DashboardScreen)

    run(scenario())


def test_theme_toggles_between_dark_and_light(make_app, demo_home):
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert app.theme == DARK
            await pilot.press("ctrl+t")
            await pilot.pause()
            assert app.theme == LIGHT
            await pilot.press("ctrl+t")
            await pilot.pause()
            assert app.theme == DARK

    run(scenario())


def test_command_palette_reaches_the_screens_actions(make_app, demo_home):
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+p")
            await settle(pilot)
            assert isinstance(app.screen, CommandPalette)
            await pilot.press(*"timeline")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, TimelineScreen)

    run(scenario())


def test_command_palette_opens_a_patient_by_name(make_app, clinic_home):
    app = make_app(clinic_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+p")
            await settle(pilot)
            await pilot.press(*"open patient eli")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)
            assert app.screen.sub_title.startswith("Eli Tanaka")

    run(scenario())


def test_q_quits_but_types_into_inputs(make_app, demo_home):
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("c")
            await settle(pilot)
            notes = app.screen.query_one("#notes", Input)
            notes.focus()
            await pilot.press("q")
            assert notes.value == "q" and app.is_running
            await pilot.press("escape")
            await settle(pilot)
            await pilot.press("q")
            await pilot.pause()
            assert not app.is_running

    run(scenario())


def test_score_screen_explains_every_component(make_app, demo_home):
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("s")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ScoreScreen)
            text = " ".join(screen_text(screen).split())
            for name in ("Efficacy", "Recovery", "Safety", "Satisfaction", "Value"):
                assert name in text
            assert "Acne scars went from 7 to 3" in text
            assert "79% of 156 RealSelf reviewers" in text
            # A complete series (confidence high) whose photos are not compared yet: the
            # one thing that would firm it up is a measured before/after pair.
            assert "confidence high" in text
            assert "A comparable before/after photo pair would firm up efficacy" in text
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, DashboardScreen)

    run(scenario())


def test_every_screen_opens_at_80x24_and_at_a_large_size(make_app, demo_home):
    """A tour of every screen of a patient at the smallest and a large terminal size."""
    for size in ((80, 24), (200, 60)):
        app = make_app(demo_home)

        async def scenario(app=app, size=size):
            async with app.run_test(size=size) as pilot:
                await settle(pilot)
                home = app.screen
                for key in ("n", "c", "r", "i", "g", "v", "t", "s", "e", "question_mark"):
                    await pilot.press(key)
                    await settle(pilot)
                    assert app.screen is not home, key
                    await pilot.press("escape")
                    await settle(pilot)
                    assert app.screen is home, key

        run(scenario())
