"""Which course? The question `k` (edit) and `K` (delete) ask when a patient has several.

The dashboard shows one course, the current one, but a correction may be due
on an older series (a wrong title, a status never set to complete), as the
CLI's `journal course edit` allows. The picker lists every course of the
patient in a drop-down that typing drives (`JumpSelect`: `s` jumps to
"Series 2"), the dashboard's course chosen first, and shows the chosen
course in full below it (plan, dates, what it holds), so the user sees what
they are about to edit or delete before they say so. Enter (or ctrl+s) goes
on with the chosen course; down, up or space open the list; escape cancels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Select, Static

from journal.core.vocab import AREAS, CONCERNS, COURSE_STATUSES
from journal.tui.present import join_labels
from journal.tui.safe import clean, literal, plain
from journal.tui.screens.form_base import field_select
from journal.tui.widgets.form import FormField

if TYPE_CHECKING:
    from journal.core.records import Course, PatientHistory


def _status(course: Course) -> str:
    known = course.status in COURSE_STATUSES.keys
    return COURSE_STATUSES.label(course.status) if known else course.status


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def course_label(course: Course, history: PatientHistory) -> str:
    """One line per course in the list: title, status, sessions and when they began."""
    days = [t.date for t in history.sessions if t.course_id == course.id]
    since = f" · since {min(days).isoformat()}" if days else ""
    return clean(f"{course.title} · {_status(course)} · {_count(len(days), 'session')}{since}")


def course_summary(course: Course, history: PatientHistory) -> Text:
    """The chosen course in full: what editing or deleting it touches."""
    record = history.course_record(course.id)
    days = [t.date for t in record.sessions]
    low, high = course.interval_weeks_min, course.interval_weeks_max
    weeks = f"{low}" if low == high else f"{low}-{high}"
    held = [
        _count(len(record.checkins), "check-in"),
        _count(len(record.reviews), "review"),
        _count(len(record.photos), "photo"),
    ]
    lines = [
        f"Sessions  {len(days)} of {course.planned_sessions} planned, every {weeks} weeks",
        f"Dates     {min(days).isoformat()} to {max(days).isoformat()}"
        if days
        else "Dates     no session yet",
        f"Areas     {join_labels([AREAS.label(a) for a in course.areas])}",
        f"Concerns  {join_labels([CONCERNS.label(c) for c in course.concerns])}",
        f"Also      {', '.join(held)}",
    ]
    return Text.assemble(
        plain(course.title, style="bold"), f"  ({_status(course)})\n", plain("\n".join(lines))
    )


class CoursePickScreen(ModalScreen["Course | None"]):
    """Choose one of a patient's courses; dismisses with it, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "choose_focused", "Choose", priority=True, show=False),
    ]

    def __init__(self, history: PatientHistory, current: Course | None, *, verb: str) -> None:
        """`verb` says what follows the choice ("Edit", "Delete") in the title and button."""
        super().__init__()
        self.history = history
        self.courses = {str(c.id): c for c in history.courses}
        latest = history.courses[-1] if history.courses else None
        self.first = current or latest
        self.verb = verb
        # ctrl+s goes on as in every dialog, and the footer names what it does.
        self._bindings.bind("ctrl+s", "choose", verb, priority=True)
        self._bindings.bind("escape", "cancel", "Cancel")

    def compose(self) -> ComposeResult:
        options = [(plain(course_label(c, self.history)), key) for key, c in self.courses.items()]
        first = str(self.first.id) if self.first is not None else Select.NULL
        with Vertical(id="course-pick-box", classes="panel dialog") as box:
            box.border_title = literal(f"{self.verb} which course?")
            yield FormField(
                "Course",
                field_select(options, value=first, allow_blank=False, id="course-pick"),
                keys=("course",),
            )
            yield Static("", id="course-summary")
            with Horizontal(classes="dialog-buttons"):
                yield Button(
                    f"{self.verb} (enter)",
                    id="course-pick-go",
                    variant="error" if self.verb == "Delete" else "primary",
                )
                yield Button("Cancel (esc)", id="course-pick-cancel")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._describe()
        self.query_one("#course-pick", Select).focus()

    def chosen(self) -> Course | None:
        value = self.query_one("#course-pick", Select).value
        return self.courses.get(value) if isinstance(value, str) else None

    def _describe(self) -> None:
        course = self.chosen()
        summary = course_summary(course, self.history) if course else Text("")
        self.query_one("#course-summary", Static).update(summary)

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._describe()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Enter on the closed list chooses; in the open list it picks an option, on a button
        it presses that button."""
        if action == "choose_focused":
            select = self.query_one("#course-pick", Select)
            return self.focused is select and not select.expanded
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "course-pick-go":
            self.action_choose()
        else:
            self.action_cancel()

    def action_choose_focused(self) -> None:
        self.action_choose()

    def action_choose(self) -> None:
        self.dismiss(self.chosen())

    def action_cancel(self) -> None:
        self.dismiss(None)
