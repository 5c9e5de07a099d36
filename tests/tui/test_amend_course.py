"""Correcting an older course: `k` and `K` on the dashboard ask which course when there are several.

Alex has the course the first sessions opened ("Microneedling series", two
sessions, a check-in, a photo) and a later "Touch-up" course with one
session, which the dashboard shows. Each scenario runs on SQLite and, when
`JOURNAL_TEST_PG_URL` is set, on PostgreSQL (the `journal` fixture).
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input, Select

from journal.services import amend
from journal.services.courses import add_course
from journal.services.demo import DEMO_PATIENT
from journal.services.history import patient_history
from journal.services.sessions import add_session
from journal.tui.screens.confirm import ConfirmDialog
from journal.tui.screens.course_pick import CoursePickScreen
from journal.tui.screens.edit_forms import CourseEditScreen

from .conftest import run, settle, text_of
from .test_amend_patient import ALEX, app_on, clinic, notices, open_alex, retype

__all__ = ["clinic"]  # the fixture, shared with the patient and course scenarios

FIRST = "Microneedling series"


@pytest.fixture
def two_courses(clinic: Any) -> Any:
    add_course(clinic, ALEX, title="Touch-up", areas=["forehead"], planned=1)
    add_session(clinic, ALEX, date="2026-04-10", course="Touch-up", depth="1.0")
    return clinic


def titles(journal: Any) -> list[str]:
    return [c.title for c in patient_history(journal, ALEX).courses]


async def open_picker(pilot: Any, key: str) -> CoursePickScreen:
    dashboard = await open_alex(pilot)
    assert dashboard.data.course.title == "Touch-up"  # the dashboard shows the latest
    await pilot.press(key)
    await settle(pilot)
    picker = pilot.app.screen
    assert isinstance(picker, CoursePickScreen)
    return picker


def test_k_asks_which_course_and_edits_an_older_one(two_courses):
    app = app_on(two_courses)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            picker = await open_picker(pilot, "k")
            select = picker.query_one("#course-pick", Select)
            assert app.focused is select
            # The dashboard's course is chosen first, and shown in full.
            assert picker.chosen().title == "Touch-up"
            summary = text_of(picker.query_one("#course-summary"))
            assert "1 of 1 planned" in summary and "Forehead" in summary
            await pilot.press("m")  # typing jumps to "Microneedling series"
            await settle(pilot)
            assert picker.chosen().title == FIRST
            summary = text_of(picker.query_one("#course-summary"))
            assert "2 of 3 planned" in summary
            assert "2026-03-01 to 2026-04-01" in summary
            assert "1 check-in" in summary and "1 photo" in summary
            await pilot.press("enter")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, CourseEditScreen)
            assert form.query_one("#course-title", Input).value == FIRST
            await retype(pilot, "#course-title", "Spring series")
            await retype(pilot, "#course-planned", "4")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert "Spring series" in [c.title for c in app.screen.data.history.courses]
            assert app.screen.data.course.title == "Touch-up"  # still the one shown

    run(scenario())
    assert titles(two_courses) == ["Spring series", "Touch-up"]
    older = patient_history(two_courses, ALEX).courses[0]
    assert older.planned_sessions == 4
    edits = [(c.field, c.new) for c in amend.change_log(two_courses, ALEX) if c.kind == "course"]
    assert sorted(edits) == [("planned_sessions", 4), ("title", "Spring series")]


def test_the_open_list_picks_with_enter_and_escape_keeps_everything(two_courses):
    app = app_on(two_courses)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            picker = await open_picker(pilot, "k")
            select = picker.query_one("#course-pick", Select)
            await pilot.press("down")  # opens the list; enter there picks, not edits
            await settle(pilot)
            assert select.expanded
            await pilot.press("up", "enter")
            await settle(pilot)
            assert app.screen is picker and not select.expanded
            assert picker.chosen().title == FIRST
            await pilot.press("escape")
            await settle(pilot)
            assert not isinstance(app.screen, CoursePickScreen | CourseEditScreen)
            assert notices(app, "error") == []

    run(scenario())
    assert titles(two_courses) == [FIRST, "Touch-up"]
    assert [c for c in amend.change_log(two_courses, ALEX) if c.kind == "course"] == []


def test_shift_k_asks_which_course_then_deletes_only_that_one(two_courses):
    app = app_on(two_courses)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            picker = await open_picker(pilot, "K")
            assert "Delete which course?" in str(picker.query_one("#course-pick-box").border_title)
            await pilot.press("m")
            await settle(pilot)
            await pilot.click("#course-pick-go")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, ConfirmDialog)
            question = text_of(dialog.query_one("#confirm-question"))
            assert FIRST in question and "2 sessions" in question and "1 photo" in question
            await pilot.click("#confirm-yes")
            await settle(pilot)
            assert [c.title for c in app.screen.data.history.courses] == ["Touch-up"]
            assert any(m.startswith("Deleted course") for m in notices(app))

    run(scenario())
    found = patient_history(two_courses, ALEX)
    assert [c.title for c in found.courses] == ["Touch-up"]
    assert [str(s.date) for s in found.sessions] == ["2026-04-10"]


def test_one_course_needs_no_question(clinic):
    app = app_on(clinic)

    async def scenario():
        async with app.run_test(size=(100, 32)) as pilot:
            await open_alex(pilot)
            await pilot.press("k")
            await settle(pilot)
            assert isinstance(app.screen, CourseEditScreen)

    run(scenario())


async def _picker_open(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("k")
    await settle(pilot)


def test_course_picker_snapshot(snap_compare, make_app, demo_home, open_home):
    """The picker over the dashboard: the list, the chosen course in full, the buttons.

    Regenerate with `pytest tests/tui/test_amend_course.py --snapshot-update` and look at it.
    """
    journal = open_home(demo_home)
    later = add_course(journal, DEMO_PATIENT, title="Maintenance", planned=2, areas=["forehead"])
    amend.edit(journal, "course", str(later.id), {"status": "paused"})  # the demo's stays shown
    app = make_app(demo_home)
    assert snap_compare(app, terminal_size=(100, 32), run_before=_picker_open)
