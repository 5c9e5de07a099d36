"""The smallest supported terminal (80x24) and a newcomer's first minutes.

Every main screen's footer shows `?` and its most used keys without cutting
any; long captions end in "…"; timeline entries wrap under their own text; an
empty timeline says which key fills it; dialogs sit in the middle; the palette
offers the journal's actions before Textual's; the demo says where it lives.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.command import CommandList, CommandPalette
from textual.geometry import Region
from textual.widgets import Label, OptionList, Static
from textual.widgets._footer import FooterKey

from journal.services.courses import add_course
from journal.services.journal import open_journal
from journal.services.patients import add_patient
from journal.services.photos import import_photos
from journal.services.sessions import add_session
from journal.tui.present import timeline
from journal.tui.screens.archive_import import ArchiveImportScreen
from journal.tui.screens.compare import CompareScreen
from journal.tui.screens.dashboard import DashboardScreen
from journal.tui.screens.help import HelpScreen
from journal.tui.screens.timeline import TimelineScreen, entry_prompt

from .builders import TODAY, write_jpeg
from .conftest import run, settle, text_of

SMALL = (80, 24)
AREA = "left-lower-jawline-beside-the-ear-lobe-and-neck"


def footer_keys(screen: Any) -> tuple[list[FooterKey], FooterKey]:
    """The footer's keys left to right, and the command palette's key on the right."""
    keys = sorted(screen.query(FooterKey), key=lambda k: k.region.x)
    palette = [k for k in keys if k.has_class("-command-palette")]
    assert len(palette) == 1, "the footer offers ctrl+p"
    return [k for k in keys if k is not palette[0]], palette[0]


def rendered(widget: Any) -> str:
    """What `widget` shows on screen right now (after wrapping, cropping, ellipsis)."""
    region = Region(0, 0, widget.region.width, widget.region.height)
    return "\n".join(strip.text.rstrip() for strip in widget.render_lines(region))


SCREENS = {
    # name: (journal, keys pressed after loading, the footer's keys from the left)
    "dashboard": ("demo_home", (), ["?", "c", "n", "i", "g", "s", "q"]),
    "provider dashboard": ("clinic_home", ("down", "enter"), ["escape", "?", "r", "c", "n"]),
    "provider list": ("clinic_home", (), ["?", "/", "a", "o", "m", "q"]),
    "timeline": ("demo_home", ("t",), ["enter", "?", "escape", "ctrl+z", "q"]),
    "gallery": ("demo_home", ("g",), ["enter", "?", "escape", "f", "d", "ctrl+z", "q"]),
    "compare": ("demo_home", ("v",), ["?", "left", "right", "up", "down", "b", "escape", "q"]),
    "score": ("demo_home", ("s",), ["?", "escape", "q"]),
}


@pytest.mark.parametrize("name", list(SCREENS))
def test_every_main_screen_fits_its_footer_in_80_columns(name, request, make_app):
    """`?` is always there, the most used keys come first, and no key is cut by the edge."""
    home_fixture, presses, expected = SCREENS[name]
    app = make_app(request.getfixturevalue(home_fixture))

    async def scenario():
        async with app.run_test(size=SMALL) as pilot:
            await settle(pilot)
            for key in presses:
                await pilot.press(key)
                await settle(pilot)
            keys, palette = footer_keys(app.screen)
            shown = [k.key for k in keys]
            assert shown[: len(expected)] == [
                "question_mark" if k == "?" else "slash" if k == "/" else k for k in expected
            ], shown
            for key in keys:
                assert key.region.right < palette.region.x, f"{key.key} is cut: {shown}"
            assert palette.region.right <= SMALL[0]

    run(scenario())


def test_keys_left_out_of_the_footer_are_in_help(make_app, clinic_home):
    """The provider's dashboard hides Timeline, Compare, Export, Import, Undo: `?` lists them."""
    app = make_app(clinic_home)

    async def scenario():
        async with app.run_test(size=SMALL) as pilot:
            await settle(pilot)
            await pilot.press("down", "enter")
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)
            shown = {k.description for k in footer_keys(app.screen)[0]}
            await pilot.press("question_mark")
            await settle(pilot)
            assert isinstance(app.screen, HelpScreen)
            lines = {(line.key, line.description): line.scope for line in app.screen.lines}
            for hidden in ("Timeline", "Compare", "Export", "Import", "Undo", "Quit"):
                assert hidden not in shown
                assert any(desc == hidden for _key, desc in lines), hidden
            # `?` and `q` re-declared by the screen for its footer still work everywhere.
            assert lines[("?", "Help")] == "everywhere"
            assert lines[("^z", "Undo")] == "everywhere"
            assert lines[("r", "Review")] == "screen"

    run(scenario())


def test_the_provider_footer_does_not_leak_into_the_patients_view(make_app, demo_home):
    """The footer order is per screen: a patient's dashboard still shows Import and Quit."""
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=SMALL) as pilot:
            await settle(pilot)
            app.push_screen(DashboardScreen(app.screen.patient_id, provider=True))
            await settle(pilot)
            provider = [k.key for k in footer_keys(app.screen)[0]]
            await pilot.press("escape")
            await settle(pilot)
            patient = [k.key for k in footer_keys(app.screen)[0]]
            assert "r" in provider and "i" not in provider and "q" not in provider
            assert "r" not in patient and "i" in patient and "q" in patient

    run(scenario())


# -- timeline -----------------------------------------------------------------


def test_a_wrapped_timeline_entry_hangs_under_its_summary(demo_home, open_home):
    """Continuation lines start where the summary starts, so the dates stay a clean column."""
    from journal.services.history import patient_history

    entries = timeline(patient_history(open_home(demo_home), "Alex Rivera"))
    entry = max(entries, key=lambda e: len(e.summary))
    out = io.StringIO()
    Console(width=60, file=out, color_system=None).print(entry_prompt(entry))
    lines = out.getvalue().splitlines()
    assert len(lines) >= 2, lines
    first = lines[0]
    column = first.index(entry.summary.split()[0])
    assert first.startswith(entry.date.isoformat())
    for line in lines[1:]:
        assert line[:column].strip() == "", lines
        assert line[column] != " ", lines


def test_an_empty_timeline_says_which_key_adds_the_first_record(make_app, tmp_path):
    home = tmp_path / "new"
    with open_journal(home) as journal:
        add_patient(journal, "Noor Haddad", birth_year=1991)
    app = make_app(home)

    async def scenario():
        async with app.run_test(size=SMALL) as pilot:
            await settle(pilot)
            await pilot.press("t")
            await settle(pilot)
            assert isinstance(app.screen, TimelineScreen)
            note = app.screen.query_one("#timeline-empty", Static)
            assert note.display and not app.screen.query_one(OptionList).display
            text = " ".join(text_of(note).split())
            assert "press n to log the first session" in text and "c for a check-in" in text
            assert note.region.height > 0

    run(scenario())


# -- captions -----------------------------------------------------------------


@pytest.fixture
def long_names_home(tmp_path: Path) -> Path:
    """A patient whose custom area and course title are far wider than 80 columns allow."""
    home = tmp_path / "long"
    first = write_jpeg(tmp_path / "a.jpg", (200, 150, 120), (320, 240))
    later = write_jpeg(tmp_path / "b.jpg", (180, 140, 110), (320, 240))
    with open_journal(home) as journal:
        add_patient(journal, "Maximiliana Konstantinopoulou-Vandenberghe", birth_year=1980)
        add_course(journal, "Maximiliana", title="Jawline", areas=[AREA], planned=3, custom=True)
        add_session(
            journal,
            "Maximiliana",
            date="2026-03-02",
            device="pen",
            depth="1.0",
            areas=[AREA],
            custom=True,
        )
        for path, day in ((first, "2026-03-02"), (later, "2026-05-02")):
            import_photos(journal, "Maximiliana", [path], date=day, area=AREA, today=TODAY)
    return home


def test_long_photo_captions_end_in_an_ellipsis(make_app, long_names_home):
    """The date stays whole; the area's name is cut with "…" rather than at the edge."""
    app = make_app(long_names_home)

    async def scenario():
        async with app.run_test(size=(80, 60)) as pilot:
            await settle(pilot)
            caption = app.screen.query_one("#latest-photos .photo-caption", Label)
            shown = rendered(caption).splitlines()
            assert shown[0].startswith("2026-05-02 · left lower jawline")
            assert shown[0].endswith("…") and "neck" not in shown[0]
            assert shown[1] == "day 61 since the first session"

            await pilot.press("v")
            await settle(pilot)
            assert isinstance(app.screen, CompareScreen)
            title = rendered(app.screen.query_one("#compare-title", Static)).strip()
            assert title.startswith("left lower jawline") and title.endswith("…")
            assert len(title) <= SMALL[0]

    run(scenario())


# -- dialogs and the palette ------------------------------------------------------


def test_the_archive_import_dialog_is_centred(make_app, clinic_home):
    app = make_app(clinic_home)

    async def scenario():
        async with app.run_test(size=SMALL) as pilot:
            await settle(pilot)
            await pilot.press("m")
            await settle(pilot)
            assert isinstance(app.screen, ArchiveImportScreen)
            box = app.screen.query_one("#archive-box").region
            screen = app.screen.region
            assert abs((box.x - screen.x) - (screen.right - box.right)) <= 1
            assert abs((box.y - screen.y) - (screen.bottom - box.bottom)) <= 1
            assert box.x > 0 and box.y > 0

    run(scenario())


def test_the_palette_lists_the_journals_actions_before_textuals(make_app, demo_home):
    app = make_app(demo_home)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+p")
            await settle(pilot)
            await pilot.pause(0.5)  # the palette gathers its hits in batches
            assert isinstance(app.screen, CommandPalette)
            commands = app.screen.query_one(CommandList)
            titles = [
                str(commands.get_option_at_index(i).hit.text or "").strip()
                for i in range(commands.option_count)
            ]
            assert "Check-in" in titles and "Keys" in titles and "Screenshot" in titles
            last_own = max(titles.index(t) for t in ("Check-in", "Session", "Timeline", "Help"))
            first_textual = min(titles.index(t) for t in ("Keys", "Screenshot"))
            assert last_own < first_textual, titles
            assert titles.count("Quit") == 1 and titles.count("Theme") == 1

    run(scenario())


# -- the demo -------------------------------------------------------------------


def test_the_demo_notice_is_shown_as_the_ui_opens(make_app, demo_home):
    """`journal demo` hands the UI a line saying where the demo journal lives."""
    notice = f"Demo journal at {demo_home}. It stays there: journal --home {demo_home}"
    app = make_app(demo_home, notice=notice)

    async def scenario():
        async with app.run_test(size=SMALL) as pilot:
            await settle(pilot)
            messages = [n.message for n in app._notifications]
            assert messages == [notice]
            assert isinstance(app.screen, DashboardScreen)

    run(scenario())
