"""The add forms in edit mode: the same fields, pre-filled with a record, saving only what changed.

Correcting a session must check its values exactly as logging one does, so
an edit form *is* the add form (same widgets, same reading of them) with
another save path: `EditsRecord` reads the form through the add form's own
`prepare` once when it opens and again at ctrl+s, and sends only the fields
that differ to `journal.services.amend.edit`, together with the record's
`updated_at`. If someone changed the record meanwhile (another terminal, the
CLI), the service refuses with `EditConflict` and the form asks whether to
reload the record or overwrite it; nothing is silently lost either way.

Kept in a module of its own (subclasses, not flags inside the add forms) so
the add forms can change without the edit path getting in the way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Select, SelectionList, Static
from textual.widgets.select import InvalidSelectValueError

from journal.core.errors import InvalidValue
from journal.core.vocab import AREAS, CONCERNS, COURSE_STATUSES, PHOTO_KINDS
from journal.tui.actions import journal_app
from journal.tui.present import area_label, photo_day
from journal.tui.safe import plain
from journal.tui.screens.checkin_form import CheckInFormScreen
from journal.tui.screens.form_base import (
    field_input,
    field_select,
    mark_refusals,
    recheck,
    vocab_ticks,
)
from journal.tui.screens.patient_form import PatientFormScreen
from journal.tui.screens.review_form import ReviewFormScreen
from journal.tui.screens.session_form import SessionFormScreen
from journal.tui.widgets.form import FormField

if TYPE_CHECKING:
    from journal.core import records
    from journal.services.amend import Outcome
    from journal.tui.data import PatientData

    _Form = SessionFormScreen
else:
    _Form = object


def _depth_text(session: records.Session) -> str:
    """A depth the depth field reads back: `1.5` or `cheeks=1.5,forehead=0.5`."""
    if session.depth_by_area:
        return ",".join(f"{area}={mm:g}" for area, mm in session.depth_by_area.items())
    return f"{session.depth_mm:g}" if session.depth_mm is not None else ""


def _amount_text(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _set_select(select: Select[str], value: str | None) -> None:
    """Choose `value` when the drop-down offers it (a custom word it cannot show stays as is)."""
    if value is None:
        return
    with contextlib.suppress(InvalidSelectValueError):
        select.value = value


class EditsRecord(_Form):
    """Mix in before an add form: pre-fill from `record`, save the changed fields as an edit."""

    KIND: ClassVar[str] = ""  # the kind `amend.edit` knows: session, check-in, review
    FIELDS: ClassVar[tuple[str, ...]] = ()  # the add form's values that are editable fields
    SAVED = "Changes saved."

    record: Any
    baseline: dict[str, Any]
    overwrite: bool = False
    outcome: Outcome | None = None

    def fill(self) -> None:
        """Put the record's values the add form leaves empty into their widgets (UI thread)."""

    def on_mount(self) -> None:
        self.fill()
        self.baseline = self.form_values()

    def form_values(self) -> dict[str, Any]:
        """The form's values as the add form reads them, keyed by the edit's field names."""
        call = super().prepare()
        keywords = getattr(call, "keywords", {})
        return {name: keywords.get(name) for name in self.FIELDS}

    def changed(self) -> dict[str, Any]:
        """Only what the user changed since the form opened (or was reloaded)."""
        now = self.form_values()
        return {k: v for k, v in now.items() if v != self.baseline.get(k)}

    def values_to_check(self) -> dict[str, Any]:
        """Only the changed values: an old value the rules have since tightened stays savable."""
        return self.changed()

    def prepare(self) -> Callable[[], object]:
        from journal.services.amend import edit

        expected = None if self.overwrite else self.record.updated_at
        return partial(
            edit,
            self.journal,
            self.KIND,
            str(self.record.id),
            self.changed(),
            expected_updated_at=expected,
        )

    def action_save(self) -> None:
        """Save the changed fields; with nothing changed, say so instead of failing."""
        if self.busy:
            return
        self.clear_errors()
        if not self.changed():
            self.status_line().update(Text("Nothing changed: every value is as it was.", "bold"))
            return
        if self.refuse_all():
            return
        call = self.prepare()
        if self.start_work("Saving…"):
            self.save(call)

    def saved(self, result: object) -> None:
        self.outcome = result  # type: ignore[assignment]

    def work_failed(self, name: str, error: BaseException) -> None:
        from journal.services.amend import EditConflict

        if isinstance(error, EditConflict):
            self._ask_about_conflict(error.message)
            return
        super().work_failed(name, error)

    def _ask_about_conflict(self, message: str) -> None:
        from journal.tui.screens.confirm import OVERWRITE, RELOAD, ConflictDialog

        self.status_line().update(plain("Not saved: " + message, style="bold red"))

        def answered(choice: str | None) -> None:
            if choice == OVERWRITE:
                self.overwrite = True
                self.action_save()
            elif choice == RELOAD:
                self.reload()

        self.app.push_screen(ConflictDialog(message[:1].upper() + message[1:] + "."), answered)

    @work(thread=True, exit_on_error=False, group="reload", name="reload")
    def reload(self) -> None:
        """Read the record as it is now (worker), then show it in the form."""
        from journal.tui.data import load_patient

        app = journal_app(self)
        data = load_patient(app.journal, self.patient_ref, app.today)
        app.call_from_thread(self._reloaded, data)  # type: ignore[arg-type]

    async def _reloaded(self, data: PatientData) -> None:
        from journal.tui.corrections import show_everywhere

        fresh = find_record(data, self.KIND, self.record.id)
        await show_everywhere(journal_app(self), data)
        if fresh is None:
            self.notify("The record was deleted elsewhere.", severity="warning", timeout=6)
            self.dismiss_when_done(False)
            return
        self.record = fresh
        self.defaults = defaults_for(self.KIND, fresh, data)
        self.overwrite = False
        await self.recompose()
        self.fill()
        self.baseline = self.form_values()
        self.status_line().update(Text("Reloaded: the record as it is now.", "bold"))


def find_record(data: PatientData, kind: str, record_id: Any) -> Any:
    pool: dict[str, Sequence[Any]] = {
        "session": data.history.sessions,
        "check-in": data.history.checkins,
        "review": data.history.reviews,
        "photo": data.history.photos,
        "patient": (data.patient,),
        "course": data.history.courses,
    }
    return next((r for r in pool[kind] if r.id == record_id), None)


def defaults_for(kind: str, record: Any, data: PatientData) -> Any:
    """The add form's defaults, taken from `record` instead of the last visit."""
    from journal.services.tui_support import CheckInDefaults, ReviewDefaults, SessionDefaults

    if kind == "patient":
        return None  # the patient form has no defaults: `fill` puts the record in
    date = record.date.isoformat()
    if kind == "session":
        return SessionDefaults(
            date=date,
            provider=record.provider or "",
            setting=record.setting or "in-office",
            device=record.device_kind or "",
            device_name=record.device_name or "",
            depth=_depth_text(record),
            passes=_text(record.passes),
            areas=tuple(record.areas),
            serums=tuple(record.serums),
            anesthetic=record.anesthetic or "",
            cost=_amount_text(record.cost),
            currency=record.currency or "USD",
        )
    if kind == "check-in":
        course = next((c for c in data.history.courses if c.id == record.course_id), None)
        targets = course.concerns if course else data.patient.concerns
        return CheckInDefaults(
            date=date, concerns=tuple(dict.fromkeys([*record.concerns, *targets]))
        )
    return ReviewDefaults(date=date, provider=record.provider or "")


class SessionEditScreen(EditsRecord, SessionFormScreen):
    KIND = "session"
    LABEL = "Edit session"
    HEADING = "Edit session"
    FIELDS = (
        "date",
        "provider",
        "setting",
        "device",
        "device_name",
        "depth",
        "passes",
        "areas",
        "serums",
        "anesthetic",
        "pain",
        "cost",
        "currency",
        "notes",
    )

    def fill(self) -> None:
        self.query_one("#pain", Input).value = _text(self.record.pain)
        self.query_one("#notes", Input).value = self.record.notes or ""


class CheckInEditScreen(EditsRecord, CheckInFormScreen):
    KIND = "check-in"
    LABEL = "Edit check-in"
    HEADING = "Edit check-in"
    FIELDS = ("date", "symptoms", "downtime", "concerns", "gais", "verdict", "flags", "notes")

    def fill(self) -> None:
        r = self.record
        for key, value in r.symptoms.items():
            self.query_one(f"#symptom-{key}", Input).value = str(value)
        for n, key in enumerate(self.defaults.concerns):
            self.query_one(f"#concern-{n}", Input).value = _text(r.concerns.get(key))
        downtime = {True: "yes", False: "no", None: None}[r.downtime]
        _set_select(self.query_one("#downtime", Select), downtime)
        _set_select(self.query_one("#gais", Select), r.gais)
        _set_select(self.query_one("#verdict", Select), r.verdict)
        flags: SelectionList[str] = self.query_one("#flags-field SelectionList", SelectionList)
        for flag in r.red_flags:
            if flag not in {flags.get_option_at_index(i).value for i in range(flags.option_count)}:
                flags.add_option((plain(flag), flag))
            flags.select(flag)
        self.query_one("#notes", Input).value = r.notes or ""

    def changed(self) -> dict[str, Any]:
        """A symptom left blank is cleared (the add form simply leaves it out)."""
        found = super().changed()
        if "symptoms" in found:
            old, new = self.baseline["symptoms"] or {}, found["symptoms"] or {}
            found["symptoms"] = {
                k: new.get(k) or "" for k in {*old, *new} if new.get(k) != old.get(k)
            }
        return found


class ReviewEditScreen(EditsRecord, ReviewFormScreen):
    KIND = "review"
    LABEL = "Edit review"
    PREPOSITION = "of"
    HEADING = "Edit review"
    FIELDS = ("date", "provider", "gais", "goodman_baron", "notes")

    def fill(self) -> None:
        _set_select(self.query_one("#gais", Select), self.record.gais)
        _set_select(self.query_one("#goodman_baron", Select), _text(self.record.goodman_baron))
        self.query_one("#notes", Input).value = self.record.notes or ""


class PatientEditScreen(EditsRecord, PatientFormScreen):
    """The new-patient form on one patient: name, birth year, skin type, concerns, screening."""

    KIND = "patient"
    HEADING = "Edit patient"
    SAVED = "Patient changed."
    FIELDS = ("name", "birth_year", "skin_type", "concerns", "screening")

    def __init__(self, patient: records.Patient) -> None:
        PatientFormScreen.__init__(self)  # what `super()` reaches (mypy sees the session form)
        self.record = patient
        self.patient_ref = str(patient.id)  # how `reload` finds them again

    def heading(self) -> Text:
        return Text.assemble(("Edit patient", "bold"), " ", plain(self.record.display_name))

    def fill(self) -> None:
        r = self.record
        self.query_one("#name", Input).value = r.display_name
        self.query_one("#birth_year", Input).value = _text(r.birth_year)
        _set_select(self.query_one("#skin_type", Select), _text(r.skin_type) or None)
        for field_id, chosen in (("concerns-field", r.concerns), ("screening-field", r.screening)):
            options: SelectionList[str] = self.query_one(
                f"#{field_id} SelectionList", SelectionList
            )
            known = {options.get_option_at_index(i).value for i in range(options.option_count)}
            for word in chosen:
                if word not in known:  # a custom word the list does not offer
                    options.add_option((plain(word), word))
                options.select(word)

    def form_values(self) -> dict[str, Any]:
        """The add form passes the name by position; the edit calls it `name`."""
        values = super().form_values()
        call = PatientFormScreen.prepare(self)
        args: tuple[Any, ...] = getattr(call, "args", ())
        values["name"] = args[1] if len(args) > 1 else ""
        return values


EDIT_FORMS: dict[str, type[EditsRecord]] = {
    "session": SessionEditScreen,
    "check-in": CheckInEditScreen,
    "review": ReviewEditScreen,
}


def edit_form_for(kind: str, record: Any, data: PatientData) -> EditsRecord:
    """The pre-filled edit form of a session, check-in or review of this patient."""
    form = EDIT_FORMS[kind](data.ref, data.patient.display_name, defaults_for(kind, record, data))
    form.record = record
    return form


# -- photos ----------------------------------------------------------------------------


class ChangedFieldsDialog(ModalScreen[dict[str, Any] | None]):
    """A small dialog that dismisses with only the fields the user changed.

    The caller saves them (`CorrectsRecords.start_edit`) against the record's
    `updated_at` like any edit, so a refused value or a conflict is reported
    there; None when cancelled. A changed value the service would refuse
    keeps the dialog open with every such field marked, as in the forms.
    Subclasses compose the fields (`fields`) and read them back in `values`;
    `KIND` is the record kind, `NOTE`, `SAVE` and `FIRST` name their note,
    save button and first field.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]
    KIND = ""
    NOTE = ""
    SAVE = ""
    FIRST = ""
    NOTHING = "Nothing changed: every value is as it was."

    def __init__(self) -> None:
        super().__init__()
        self.initial: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield from self.fields()
        yield Footer(compact=True)

    def fields(self) -> ComposeResult:
        raise NotImplementedError

    def values(self) -> dict[str, Any]:
        raise NotImplementedError

    def changes(self) -> dict[str, Any]:
        now = self.values()
        return {k: v for k, v in now.items() if v != self.initial.get(k)}

    def refusals(self) -> list[InvalidValue]:
        """What the service would refuse among the changed values."""
        from journal.services.checks import refusals

        return refusals(self.KIND, self.changes(), today=journal_app(self).today)

    @on(Input.Changed)
    @on(Select.Changed)
    def recheck_field(self, event: Input.Changed | Select.Changed) -> None:
        """A marked field that now holds an acceptable value loses its mark at once."""
        recheck(self, event.control, self.refusals, self.query_one(self.NOTE, Static))

    def on_mount(self) -> None:
        self.initial = self.values()
        self.query_one(self.FIRST).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if f"#{event.button.id}" == self.SAVE:
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        changes = self.changes()
        note = self.query_one(self.NOTE, Static)
        if not changes:
            note.update(Text(self.NOTHING, "bold"))
            return
        for field in self.query(FormField):
            field.show_error(None)
        if mark_refusals(self, self.refusals(), note):
            return
        self.dismiss(changes)

    def action_cancel(self) -> None:
        self.dismiss(None)


class RefileScreen(ChangedFieldsDialog):
    """File a photo under another area, kind or date; dismisses with the changed fields.

    The caller saves them (`CorrectsRecords.start_edit`), against the photo's
    `updated_at` like any edit; None when cancelled or nothing changed.
    """

    KIND = "photo"
    NOTE, SAVE, FIRST = "#refile-note", "#refile-save", "#refile-area"
    NOTHING = "Nothing changed: pick another area, kind or date."

    def __init__(self, photo: records.Photo) -> None:
        super().__init__()
        self.photo = photo

    def fields(self) -> ComposeResult:
        photo = self.photo
        areas = [(AREAS.label(k), k) for k in AREAS.keys]
        if photo.area and photo.area not in AREAS.keys:
            areas.append((area_label(photo.area), photo.area))
        with Vertical(id="refile-box", classes="panel dialog") as box:
            box.border_title = "File under…"
            with Grid(classes="refile-grid"):
                yield FormField(
                    "Area",
                    field_select(areas, value=photo.area or Select.NULL, id="refile-area"),
                    keys=("area",),
                )
                yield FormField(
                    "Kind",
                    field_select(
                        [(PHOTO_KINDS.label(k), k) for k in PHOTO_KINDS.keys],
                        value=photo.kind if photo.kind in PHOTO_KINDS.keys else Select.NULL,
                        id="refile-kind",
                        allow_blank=photo.kind not in PHOTO_KINDS.keys,
                    ),
                    keys=("kind",),
                )
                yield FormField(
                    "Date",
                    field_input(
                        photo_day(photo).isoformat(), placeholder="YYYY-MM-DD", id="refile-date"
                    ),
                    keys=("date",),
                )
            yield Static("", id="refile-note", classes="form-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", id="refile-save", variant="primary")
                yield Button("Cancel (esc)", id="refile-cancel")

    def values(self) -> dict[str, Any]:
        area = self.query_one("#refile-area", Select).value
        kind = self.query_one("#refile-kind", Select).value
        return {
            "area": area if isinstance(area, str) else "",
            "kind": kind if isinstance(kind, str) else "",
            "date": self.query_one("#refile-date", Input).value.strip(),
        }


# -- courses ---------------------------------------------------------------------------


class CourseEditScreen(ChangedFieldsDialog):
    """Rename a course, change its areas, concerns, plan (sessions, weeks) or status.

    Dismisses with the changed fields, keyed as `amend.edit` names them; the
    caller saves them against the course's `updated_at` (`CorrectsRecords.start_edit`),
    so a refused value or a conflict is reported there. None when cancelled.
    """

    KIND = "course"
    NOTE, SAVE, FIRST = "#course-note", "#course-save", "#course-title"

    def __init__(self, course: records.Course) -> None:
        super().__init__()
        self.course = course

    def fields(self) -> ComposeResult:
        course = self.course
        low, high = course.interval_weeks_min, course.interval_weeks_max
        interval = str(low) if low == high else f"{low}-{high}"
        statuses = [(COURSE_STATUSES.label(k), k) for k in COURSE_STATUSES.keys]
        status = course.status if course.status in COURSE_STATUSES.keys else Select.NULL
        with Vertical(id="course-box", classes="panel dialog") as box:
            box.border_title = "Edit course"
            yield FormField("Title", field_input(course.title, id="course-title"), keys=("title",))
            with Grid(classes="refile-grid"):
                planned = str(course.planned_sessions)
                yield FormField(
                    "Planned sessions", field_input(planned, id="course-planned"), keys=("planned",)
                )
                yield FormField(
                    "Weeks between",
                    field_input(interval, placeholder="e.g. 4-6", id="course-interval"),
                    keys=("interval weeks",),
                )
                yield FormField(
                    "Status",
                    field_select(
                        statuses,
                        value=status,
                        id="course-status",
                        allow_blank=False,
                    ),
                    keys=("status",),
                )
            with Grid(classes="course-lists"):
                yield FormField(
                    "Areas",
                    vocab_ticks(AREAS, course.areas, id="course-areas"),
                    keys=("areas", "area"),
                )
                yield FormField(
                    "Concerns",
                    vocab_ticks(CONCERNS, course.concerns, id="course-concerns"),
                    keys=("concerns", "concern"),
                )
            yield Static("", id="course-note", classes="form-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", id="course-save", variant="primary")
                yield Button("Cancel (esc)", id="course-cancel")

    def values(self) -> dict[str, Any]:
        status = self.query_one("#course-status", Select).value
        return {
            "title": self.query_one("#course-title", Input).value.strip(),
            "planned": self.query_one("#course-planned", Input).value.strip(),
            "interval_weeks": self.query_one("#course-interval", Input).value.strip(),
            "status": status if isinstance(status, str) else "",
            "areas": list(self.query_one("#course-areas", SelectionList).selected),
            "concerns": list(self.query_one("#course-concerns", SelectionList).selected),
        }
