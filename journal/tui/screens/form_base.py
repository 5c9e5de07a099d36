"""What every form screen shares: save with ctrl+s, cancel with escape, inline errors.

A form opens with its first field focused, so typing starts at once. On
ctrl+s it first asks `journal.services.checks.refusals` what the service
would refuse and marks every such field at once, with its message under it;
a mark goes as soon as its field holds an acceptable value. Nothing is
written until the service accepts every value: the service validates all
fields before it opens a transaction, and what only it can tell (a near miss
of a known word, a second session that day) comes back as `InvalidValue`
naming the field, shown the same way (`journal.tui.actions.show_failure`).
The form stays open with everything the user typed. The save itself runs in
a worker thread.

A refusal the user may overrule (`NeedsConfirmation`: a second session that
day, a patient name already in the journal, a near miss of a known word) is
shown the same way with what saving again does; ctrl+s again with the form
unchanged confirms it, and any change to the form asks afresh.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Header, Input, Select, SelectionList, Static
from textual.widgets.select import NoSelection

from journal.core.errors import InvalidValue, NeedsConfirmation
from journal.tui.actions import (
    ACTIONS,
    RunsActions,
    clear_field_errors,
    field_for,
    journal_app,
    show_field_error,
)
from journal.tui.safe import clean, plain
from journal.tui.widgets.form import FormField
from journal.tui.widgets.select import JumpSelect, JumpSelectionList

if TYPE_CHECKING:
    from journal.core.vocab import Vocabulary
    from journal.services.journal import Journal


def field_input(
    value: str = "", *, placeholder: str = "", id: str | None = None, classes: str | None = None
) -> Input:
    """A one-line input (compact, so a whole form fits an 80x24 terminal)."""
    return Input(value, placeholder=placeholder, id=id, classes=classes, compact=True)


def field_select(
    options: Sequence[tuple[str | Text, str]],
    *,
    id: str | None = None,
    value: str | NoSelection = Select.NULL,
    prompt: str = "—",
    allow_blank: bool = True,
) -> Select[str]:
    """A one-line drop-down that typing drives too (`l` chooses "Left cheek").

    Blank (`—`) means "not given".
    """
    return JumpSelect(
        options, id=id, value=value, prompt=prompt, allow_blank=allow_blank, compact=True
    )


def tick_list(
    options: Iterable[tuple[str | Text, str] | tuple[str | Text, str, bool]],
) -> JumpSelectionList:
    """Choices to tick with space; typing a letter moves to the choice starting with it."""
    return JumpSelectionList(*options)


def vocab_ticks(
    vocab: Vocabulary, chosen: Sequence[str], *, id: str | None = None
) -> JumpSelectionList:
    """A vocabulary's terms plus the record's own words, the chosen ones ticked."""
    keys = vocab.keys + [k for k in chosen if k not in vocab.keys]
    return JumpSelectionList(*[(plain(vocab.label(k)), k, k in chosen) for k in keys], id=id)


def text_value(widget: Input) -> str | None:
    """An input's value for a service: None when left empty (the field is optional)."""
    value = widget.value.strip()
    return value or None


def select_value(widget: Select[str]) -> str | None:
    value = widget.value
    return value if isinstance(value, str) else None


def selected(widget: SelectionList[str]) -> list[str]:
    return list(widget.selected)


class FormScreen(RunsActions, Screen[bool]):
    """A form that dismisses with True once the service saved it, False when cancelled.

    `prepare` reads the widgets on the UI thread and returns the service call;
    the call runs in an action worker, so a journal locked by another program
    leaves the form responsive ("Saving…") instead of freezing the app.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]
    AUTO_FOCUS = ".field > *"  # the first field's control: typing starts in the form at once
    KIND: ClassVar[str] = ""  # the record kind `checks.refusals` knows: session, check-in, ...
    HEADING = "Form"
    SAVED = "Saved."
    FAILED_TITLE = "Not saved"
    # What saving again does, per confirmation a service may ask for.
    CONFIRM_HINTS: ClassVar[dict[str, str]] = {
        "again": "ctrl+s again logs another",
        "allow_duplicate": "ctrl+s again adds another patient of that name",
        "custom": "ctrl+s again keeps your word",
    }

    def __init__(self) -> None:
        super().__init__()
        self._confirmed: set[str] = set()  # confirmations given for the values below
        self._offered: set[str] = set()  # asked for on the last save of those values
        self._values: object = None

    @property
    def today(self) -> dt.date:
        """The app's today (injected in tests): no record may be dated after it."""
        return journal_app(self).today

    @property
    def journal(self) -> Journal:
        """The app's open journal (forms call the services with it)."""
        return journal_app(self).journal

    def on_mount(self) -> None:
        self.sub_title = self.HEADING

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(classes="form"):
            yield Static(self.heading(), classes="form-heading")
            yield from self.fields()
            yield Static("", id="form-error", classes="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")
        yield Footer(compact=True)

    def heading(self) -> str | Text:
        return self.HEADING

    def fields(self) -> Iterable[Widget]:
        raise NotImplementedError

    def prepare(self) -> Callable[[], object]:
        """Read the form (UI thread) and return the service call that saves it (worker)."""
        raise NotImplementedError

    def saved(self, result: object) -> None:
        """The service returned `result` (UI thread): a hook for forms that keep it."""

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def clear_errors(self) -> None:
        clear_field_errors(self)
        self.query_one("#form-error", Static).update("")

    def status_line(self) -> Static:
        return self.query_one("#form-error", Static)

    def values_to_check(self) -> dict[str, Any]:
        """The form's values as `checks.refusals` names them (the add call's keywords)."""
        call = self.prepare()
        return dict(getattr(call, "keywords", {}))

    def refusals(self) -> list[InvalidValue]:
        """What the service would refuse in the form as it is now."""
        from journal.services.checks import refusals

        if not self.KIND:
            return []
        return refusals(self.KIND, self.values_to_check(), today=self.today)

    def refuse_all(self) -> bool:
        """Mark every field the service would refuse, all at once; False when there is none."""
        return mark_refusals(self, self.refusals(), self.status_line())

    @on(Input.Changed)
    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    def recheck_field(
        self, event: Input.Changed | Select.Changed | SelectionList.SelectedChanged
    ) -> None:
        """A marked field that now holds an acceptable value loses its mark at once."""
        recheck(self, event.control, self.refusals, self.status_line())

    def action_save(self) -> None:
        if self.busy:
            return
        self.clear_errors()
        if self.refuse_all():
            return
        call = self.prepare()
        values = _values_of(call)
        if values == self._values:
            self._confirmed |= self._offered  # saved again unchanged: the user confirms
        else:
            self._confirmed = set()
            self._values = values
        self._offered = set()
        if self._confirmed and isinstance(call, partial):
            call = partial(call, **dict.fromkeys(self._confirmed, True))
        if self.start_work("Saving…"):
            self.save(call)

    def work_failed(self, name: str, error: BaseException) -> None:
        if not isinstance(error, NeedsConfirmation):
            super().work_failed(name, error)
            return
        self._offered = {error.confirm}
        message = f"{self.confirm_message(error)}; {self.CONFIRM_HINTS[error.confirm]}"
        if not show_field_error(self, error.field, message):
            self.notify(clean(message), title=self.FAILED_TITLE, severity="warning", markup=False)
        self.status_line().update(plain(message, style="bold yellow"))

    def confirm_message(self, error: NeedsConfirmation) -> str:
        """What the form says about a refusal it can confirm (forms may reword it)."""
        return error.message

    @work(thread=True, exit_on_error=False, group=ACTIONS, name="save")
    def save(self, call: Callable[[], object]) -> object:
        return call()

    def show_busy(self, message: str | None) -> None:
        self.query_one("#save", Button).disabled = message is not None
        self.set_class(message is not None, "-busy")
        self.status_line().update(Text(message or "", style="bold"))

    def work_done(self, name: str, result: object) -> None:
        self.saved(result)
        self.notify(self.SAVED, timeout=3)
        self.dismiss_when_done(True)

    def action_cancel(self) -> None:
        if self.refuse_while_busy():
            return
        self.dismiss(False)


def mark_refusals(root: Widget, refused: Sequence[InvalidValue], status: Static) -> bool:
    """Put each refusal under its field, focus the first marked field and sum up in `status`.

    A refusal no field answers for is said in `status`. False (nothing
    marked, nothing said) when `refused` is empty.
    """
    if not refused:
        return False
    unplaced: list[str] = []
    marked: set[int] = set()
    for error in refused:
        field = field_for(root, error.field)
        if field is None:
            unplaced.append(error.message)
        elif id(field) not in marked:  # the first refusal of a field is the one it shows
            marked.add(id(field))
            field.show_error(error.message)
    first = next((f for f in root.query(FormField) if f.has_class("-invalid")), None)
    if first is not None:
        first.control.focus()
        first.scroll_visible()
    count = len(marked) + len(unplaced)
    summary = f"Not saved: {count} value{'s' if count != 1 else ''} to fix"
    summary += "; ".join(["", *unplaced]) if unplaced else " (marked in red)."
    status.update(plain(summary, style="bold red"))
    return True


def recheck(
    root: Widget,
    control: Widget,
    refusals: Callable[[], list[InvalidValue]],
    status: Static,
) -> None:
    """Check the marked field holding `control` again: clear its mark or say what is still wrong."""
    field = next((a for a in control.ancestors if isinstance(a, FormField)), None)
    if field is None or not field.has_class("-invalid"):
        return
    still = [e for e in refusals() if field.answers_for(e.field)]
    field.show_error(still[0].message if still else None)
    if not root.query(".field.-invalid"):
        status.update("")


def _values_of(call: Callable[[], object]) -> object:
    """What the user typed, as the service call carries it (the journal left out)."""
    if isinstance(call, partial):
        return (call.func, call.args[1:], call.keywords)
    return call


class PatientRecordForm(FormScreen):
    """A form that adds one record to a patient: session, check-in or review.

    They share the patient they write for, the defaults that save typing and
    the heading; `LABEL` and `PREPOSITION` make "New session for Alex".
    """

    LABEL = "Record"
    PREPOSITION = "for"

    def __init__(self, patient_ref: str, patient_name: str, defaults: Any) -> None:
        super().__init__()
        self.patient_ref = patient_ref
        self.patient_name = patient_name
        self.defaults = defaults

    def heading(self) -> Text:
        return Text.assemble(
            (self.LABEL, "bold"), f" {self.PREPOSITION} ", plain(self.patient_name)
        )


def date_field(value: str) -> FormField:
    return FormField(
        "Date", field_input(value, placeholder="YYYY-MM-DD", id="date"), keys=("date",)
    )


def provider_field(value: str) -> FormField:
    return FormField(
        "Provider",
        field_input(value, placeholder="e.g. Dr. Chen", id="provider"),
        keys=("provider",),
    )
