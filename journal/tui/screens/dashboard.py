"""One patient's current course at a glance.

Red flags first (nothing else matters as much), then the course progress and
the worth-it score side by side, screening warnings, and the latest photo of
every area. Every other screen of this patient opens from here with the data
the dashboard already loaded; after a form saves, the dashboard reloads.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, Static

from journal.tui.actions import journal_app
from journal.tui.corrections import CorrectsRecords, records_changed
from journal.tui.keys import HELP, NO_UNDO, QUIT, footer_shows
from journal.tui.present import (
    area_label,
    days_since_first,
    photo_day,
    review_summary,
)
from journal.tui.safe import clean, plain
from journal.tui.widgets.alerts import RedFlagAlerts, ScreeningNotes
from journal.tui.widgets.photo import PhotoCard
from journal.tui.widgets.progress import CourseProgress
from journal.tui.widgets.score_card import ScoreCard
from journal.tui.widgets.trend import TrendPlot

if TYPE_CHECKING:
    from journal.core.records import Course
    from journal.tui.data import PatientData


class DashboardScreen(CorrectsRecords, Screen[None]):
    """The dashboard of one patient; `provider` adds the review panel and the way back."""

    # The footer, ordered by use, is the patient's (a provider's is PROVIDER_FOOTER);
    # at 80 columns it holds seven keys, the rest are in help (?) and the palette.
    BINDINGS: ClassVar[list[BindingType]] = [
        HELP,
        Binding("c", "checkin", "Check-in"),
        Binding("n", "new_session", "Session"),
        Binding("i", "import_photos", "Import"),
        Binding("g", "gallery", "Gallery"),
        Binding("s", "score", "Score"),
        QUIT,
        Binding("escape", "back", "Patients"),  # provider view only (check_action)
        Binding("r", "review", "Review", show=False),
        Binding("t", "timeline", "Timeline", show=False),
        Binding("v", "compare", "Compare", show=False),
        Binding("e", "export", "Export", show=False),
        Binding("f", "flags", "Red flags", show=False),
        # Corrections
        Binding("p", "edit_patient", "Edit patient", show=False),
        Binding("k", "edit_course", "Edit course", show=False),  # asks which when several
        Binding("K", "delete_course", "Delete course", show=False),
        NO_UNDO,
    ]
    PROVIDER_FOOTER = ("escape", "question_mark", "r", "c", "n", "g", "s")
    """The provider reviews, then reads: back to the list, review, the records."""

    def __init__(
        self,
        patient_id: uuid.UUID | str,
        *,
        provider: bool = False,
        data: PatientData | None = None,
    ) -> None:
        """`data` already loaded (by whoever opened the screen) is drawn at once."""
        super().__init__()
        self.patient_id = str(patient_id)
        self.provider = provider
        if provider:
            self._bindings = footer_shows(self._bindings, self.PROVIDER_FOOTER)
        self.data = data  # type: ignore[assignment]  # None until loaded
        self._redraw = asyncio.Lock()

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="dash-body"):
            if self.data is None:
                yield Static("Loading the journal…", classes="loading-note")
            else:
                yield from self._widgets(self.data)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if self.data is None:
            self.load()
        else:
            self._titles(self.data)
            self.call_after_refresh(self._painted)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.provider
        if (
            action in {"score", "gallery", "compare", "timeline", "export", "flags"}
            and self.data is None
        ):
            return None
        return True

    FAILED_TITLE = "Cannot load this patient"

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    def load(self) -> None:
        """Load history, report and photo files off the UI thread."""
        from journal.tui.data import load_patient

        app = journal_app(self)
        data = load_patient(app.journal, self.patient_id, app.today)
        # mypy cannot solve `call_from_thread`'s `T | Awaitable[T]` for a coroutine function.
        app.call_from_thread(self.show, data)  # type: ignore[arg-type]

    async def show(self, data: PatientData) -> None:
        """Redraw the body with fresh data (after loading, or after a form saved).

        One redraw at a time: the reload after a form's save and a live refresh
        (the watcher sees that same write) can arrive together, and two removes
        and mounts interleaved at their awaits would mount the same ids twice.
        """
        async with self._redraw:
            if not self.is_attached:
                return
            self.data = data
            self._titles(data)
            body = self.query_one("#dash-body", VerticalScroll)
            await body.remove_children()
            await body.mount_all(self._widgets(data))
            self.refresh_bindings()
            self.call_after_refresh(self._painted)

    async def patient_changed(self, data: PatientData) -> None:
        """Fresh data after an edit, delete or undo (`journal.tui.corrections`)."""
        await self.show(data)

    def _titles(self, data: PatientData) -> None:
        course = data.course
        self.sub_title = clean(data.patient.display_name + (f" · {course.title}" if course else ""))

    def _painted(self) -> None:
        journal_app(self).timings["dashboard_painted"] = time.perf_counter()

    # -- building the body ---------------------------------------------------------

    def _widgets(self, data: PatientData) -> list[Widget]:
        report = data.report
        widgets: list[Widget] = []
        waiting = tuple(f for f in report.flag_episodes if f.status != "resolved") if report else ()
        if waiting:
            widgets.append(RedFlagAlerts(waiting, id="alerts"))
        left = Vertical(self._progress(data), id="dash-left")
        plan_warnings = report.plan.warnings if report else ()
        if report is not None and (report.screening or plan_warnings):
            left.compose_add_child(ScreeningNotes(report.screening, plan_warnings, id="screening"))
        widgets.append(Horizontal(left, self._score(data), id="dash-top"))
        widgets.append(self._photos(data))
        if self.provider:
            widgets.append(self._reviews(data))
        return widgets

    def _progress(self, data: PatientData) -> Widget:
        if data.report is None or data.course is None:
            note = Static(
                Text.assemble(
                    ("No sessions yet.", "bold"),
                    "\n\nPress n to log the first session, or c for a baseline check-in before it.",
                ),
                id="progress",
                classes="panel",
            )
            note.border_title = "Course"
            return note
        return CourseProgress(data.course, data.report.plan, id="progress")

    def _score(self, data: PatientData) -> Widget:
        panel = Vertical(id="score-panel", classes="panel")
        panel.border_title = "Worth it?"
        if data.report is None:
            panel.compose_add_child(
                Static("The worth-it score appears once a session is logged.", classes="dim")
            )
            return panel
        score = data.report.score
        panel.compose_add_child(ScoreCard(score))
        panel.compose_add_child(TrendPlot(score.trend, today=(data.today, score.score), id="trend"))
        panel.compose_add_child(Static("s: every reason behind the score", classes="hint"))
        return panel

    def _photos(self, data: PatientData) -> Widget:
        section = Vertical(id="latest-photos", classes="panel")
        section.border_title = "Latest photos"
        latest = data.latest_photos()
        if not latest:
            section.compose_add_child(
                Static("No photos yet. Press i to import before/after photos.", classes="dim")
            )
            return section
        row = Horizontal(classes="photo-row")
        for photo in latest:
            day = photo_day(photo)
            caption = (
                f"{day.isoformat()} · {area_label(photo.area)}\n"
                f"{days_since_first(data.first_session, day)}"
            )  # PhotoCard shows it literally; a long area name is cut with "…" (journal.tcss)
            row.compose_add_child(PhotoCard(data.thumbs.get(photo.id), caption, photo))
        section.compose_add_child(row)
        section.compose_add_child(
            Static("g: gallery · v: compare with the baseline", classes="hint")
        )
        return section

    def _reviews(self, data: PatientData) -> Widget:
        section = Vertical(id="reviews", classes="panel")
        section.border_title = "Provider reviews"
        reviews = data.history.reviews[-3:]
        if not reviews:
            section.compose_add_child(Static("No review yet.", classes="dim"))
        for review in reviews:
            section.compose_add_child(
                Static(plain(f"{review.date.isoformat()}  {review_summary(review)}"))
            )
        section.compose_add_child(Static("r: add a review", classes="hint"))
        return section

    # -- actions -------------------------------------------------------------------

    def _after_form(self, saved: bool | None) -> None:
        if saved:
            self.load()

    def _history_or_note(self) -> PatientData | None:
        if self.data is None:
            self.notify("Still loading this patient's journal.", severity="warning")
        return self.data

    def action_new_session(self) -> None:
        from journal.services.tui_support import session_defaults_from
        from journal.tui.screens.session_form import SessionFormScreen

        if (data := self._history_or_note()) is None:
            return
        defaults = session_defaults_from(data.history, data.today)
        self.app.push_screen(
            SessionFormScreen(data.ref, data.patient.display_name, defaults), self._after_form
        )

    def action_checkin(self) -> None:
        from journal.services.tui_support import checkin_defaults_from
        from journal.tui.screens.checkin_form import CheckInFormScreen

        if (data := self._history_or_note()) is None:
            return
        defaults = checkin_defaults_from(data.history, data.today)
        self.app.push_screen(
            CheckInFormScreen(data.ref, data.patient.display_name, defaults), self._after_form
        )

    def action_review(self) -> None:
        from journal.services.tui_support import review_defaults_from
        from journal.tui.screens.review_form import ReviewFormScreen

        if (data := self._history_or_note()) is None:
            return
        defaults = review_defaults_from(data.history, data.today)
        self.app.push_screen(
            ReviewFormScreen(data.ref, data.patient.display_name, defaults), self._after_form
        )

    def action_import_photos(self) -> None:
        from journal.tui.screens.photo_import import ImportScreen

        if (data := self._history_or_note()) is None:
            return
        areas = data.course.areas if data.course else ()
        photos_from = journal_app(self).photos_from
        self.app.push_screen(ImportScreen(data.ref, areas, photos_from), self._after_form)

    def action_gallery(self) -> None:
        from journal.tui.screens.gallery import GalleryScreen

        if self.data is not None:
            self.app.push_screen(GalleryScreen(self.data))

    def action_compare(self) -> None:
        from journal.tui.screens.compare import CompareScreen

        if self.data is not None:
            self.app.push_screen(CompareScreen(self.data))

    def action_timeline(self) -> None:
        from journal.tui.screens.timeline import TimelineScreen

        if self.data is not None:
            self.app.push_screen(TimelineScreen(self.data))

    def action_flags(self) -> None:
        from journal.tui.screens.flags import FlagsScreen

        if self.data is not None:
            self.app.push_screen(FlagsScreen(self.data))

    def action_score(self) -> None:
        from journal.tui.screens.score import ScoreScreen

        if self.data is None:
            return
        if self.data.report is None:
            self.notify("No course yet: log a session first.", severity="warning")
            return
        self.app.push_screen(ScoreScreen(self.data))

    def action_export(self) -> None:
        from journal.tui.screens.export import ExportScreen

        if self.data is not None:
            # A provider hands over the clinical summary; a patient keeps their own words.
            audience = "provider" if self.provider else "patient"
            self.app.push_screen(ExportScreen(self.data, audience=audience))

    # -- corrections -------------------------------------------------------------

    def action_edit_patient(self) -> None:
        """p: the new-patient form on this patient; saving sends only what changed."""
        from journal.tui.screens.edit_forms import PatientEditScreen

        if self.busy or (data := self._history_or_note()) is None:
            return
        self.app.push_screen(PatientEditScreen(data.patient), self._after_correction)

    def _after_correction(self, saved: bool | None) -> None:
        if saved and self.data is not None:
            records_changed(journal_app(self), [self.data.patient.id])

    def _course_or_note(self) -> Course | None:
        """The course the dashboard shows (else the latest one), or a note that there is none."""
        if self.busy or (data := self._history_or_note()) is None:
            return None
        course = data.course or (data.history.courses[-1] if data.history.courses else None)
        if course is None:
            self.notify("No course yet: log a session first.", severity="warning")
        return course

    def _pick_course(self, verb: str, then: Callable[[Course], None]) -> None:
        """Go on with the one course, or ask which when the patient has several.

        The dashboard shows the current course, but an older one may need the
        correction (as `journal course edit` allows): the picker lists them
        all, the shown one first chosen, each described before it is touched.
        """
        from journal.tui.screens.course_pick import CoursePickScreen

        if (course := self._course_or_note()) is None:
            return
        history = self.data.history
        if len(history.courses) < 2:
            then(course)
            return

        def picked(chosen: Course | None) -> None:
            if chosen is not None and not self.busy:
                then(chosen)

        self.app.push_screen(CoursePickScreen(history, course, verb=verb), picked)

    def action_edit_course(self) -> None:
        """k: title, planned sessions, weeks between sessions, status (of any course)."""
        self._pick_course("Edit", self._edit_course)

    def _edit_course(self, course: Course) -> None:
        from journal.tui.screens.edit_forms import CourseEditScreen

        def edited(changes: dict[str, object] | None) -> None:
            if changes:
                self.start_edit("course", course, changes)

        self.app.push_screen(CourseEditScreen(course), edited)

    def action_delete_course(self) -> None:
        """K: a course with its sessions, check-ins, reviews and photos (ctrl+z undoes it)."""
        self._pick_course("Delete", lambda course: self.ask_delete("course", course.id))

    def action_back(self) -> None:
        if self.provider:
            self.dismiss(None)

    def on_photo_card_chosen(self, event: PhotoCard.Chosen) -> None:
        from journal.tui.screens.compare import CompareScreen

        if self.data is not None:
            self.app.push_screen(CompareScreen(self.data, focus=event.photo))
