"""A patient's red flags and what a provider does about them: mark seen, resolve.

The list shows every flag of the patient (open first, then seen, then
resolved) with its id, the days it was reported and the patient's own words;
the panel under it shows the highlighted flag in full, with its change log.
`s` marks it seen and `r` resolves it, each through a small dialog that runs
the same service as `journal flag seen|resolve`; afterwards the patient's
data is reloaded for every open screen (`journal.tui.corrections`), so the
dashboard banner, the score and this list agree at once. ctrl+z takes a
mistaken status back like any other correction.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Checkbox, DataTable, Footer, Header, Input, Static

from journal.tui.actions import ACTIONS, RunsActions, clear_field_errors, journal_app
from journal.tui.corrections import records_changed
from journal.tui.safe import clean, literal, plain
from journal.tui.screens.detail import change_line
from journal.tui.widgets.form import FormField

if TYPE_CHECKING:
    from journal.services.amend import Outcome
    from journal.services.flags import PatientFlag
    from journal.tui.data import PatientData

STATUS_STYLE = {"open": "bold white on red", "seen": "yellow", "resolved": "green"}


class FlagsScreen(RunsActions, Screen[None]):
    """Every red flag of one patient; `s` seen, `r` resolve, esc back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "seen", "Mark seen"),
        Binding("r", "resolve", "Resolve"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, data: PatientData) -> None:
        super().__init__()
        self.data = data
        self.flags: list[PatientFlag] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="flag-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="flag-detail-box", classes="panel"):
            yield Static("", id="flag-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = clean(f"{self.data.patient.display_name} · red flags")
        table = self.query_one(DataTable)
        for key, label in (
            ("id", "Id"),
            ("status", "Status"),
            ("when", "Reported"),
            ("flag", "Flag"),
            ("words", "Patient's words"),
        ):
            table.add_column(label, key=key)
        self._fill()
        self.query_one("#flag-detail-box").border_title = "Flag"
        table.focus()

    def _fill(self, keep: str | None = None) -> None:
        from journal.services.flags import history_flags

        self.flags = history_flags(self.data.history)
        table = self.query_one(DataTable)
        table.clear()
        for item in self.flags:
            flag = item.flag
            when = flag.first.isoformat()
            if flag.last != flag.first:
                when += f" – {flag.last.isoformat()}"
            words = flag.words[-1] if flag.words else ""
            table.add_row(
                Text(flag.short_id, end=""),
                Text(flag.status, style=STATUS_STYLE.get(flag.status, ""), end=""),
                Text(when, end=""),
                Text(clean(flag.label), end=""),
                Text(clean(_cut(words, 40)), end=""),
                key=str(flag.id),
            )
        if keep is not None and keep in {str(p.flag.id) for p in self.flags}:
            table.move_cursor(row=table.get_row_index(keep))
        self._show_detail()
        if not self.flags:
            self.query_one("#flag-detail", Static).update(
                plain("No red flags: nothing reported or derived from the check-ins.")
            )

    def current(self) -> PatientFlag | None:
        table = self.query_one(DataTable)
        if not self.flags or table.row_count == 0:
            return None
        row = table.cursor_row
        return self.flags[row] if 0 <= row < len(self.flags) else None

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        item = self.current()
        if item is None:
            return
        flag, review = item.flag, item.flag.review
        lines = [
            f"{flag.label} ({flag.short_id}) · {item.course_title}",
            f"Status: {flag.sentence()}",
        ]
        for report in flag.reports:
            lines.append(f"• {report.sentence()}")
        for words in flag.words:
            lines.append(f'Patient wrote: "{words}"')
        if review and review.seen_note:
            lines.append(f"Seen note: {review.seen_note}")
        if review and review.resolved_note:
            lines.append(f"Resolution note: {review.resolved_note}")
        for change in self.data.changes_of(flag.id):
            lines.append("· " + change_line(change))
        self.query_one("#flag-detail", Static).update(plain("\n".join(lines)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        item = self.current() if self.is_mounted else None
        if action == "seen":
            return item is not None and item.flag.status == "open"
        if action == "resolve":
            return item is not None and item.flag.status != "resolved"
        return True

    def action_seen(self) -> None:
        self._ask("seen")

    def action_resolve(self) -> None:
        self._ask("resolve")

    def _ask(self, what: str) -> None:
        item = self.current()
        if item is None:
            return
        self.app.push_screen(FlagActionDialog(item, what), self._acted)

    def _acted(self, outcome: Outcome | None) -> None:
        if outcome is None:
            return
        self.notify(clean(outcome.summary), markup=False)
        records_changed(journal_app(self), [self.data.patient.id])

    async def patient_changed(self, data: PatientData) -> None:
        """Fresh data after a status change, an edit or an undo: keep the same flag."""
        current = self.current()
        self.data = data
        self._fill(keep=str(current.flag.id) if current else None)
        self.refresh_bindings()

    def action_back(self) -> None:
        self.dismiss(None)


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


class FlagActionDialog(RunsActions, ModalScreen["Outcome | None"]):
    """Mark a flag seen, or resolve it: who, (when), whether harm lasted, a note."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, item: PatientFlag, what: str) -> None:
        super().__init__()
        self.item = item
        self.what = what

    def compose(self) -> ComposeResult:
        flag = self.item.flag
        with Vertical(id="flag-action-box", classes="panel dialog") as box:
            verb = "Mark seen" if self.what == "seen" else "Resolve"
            box.border_title = literal(f"{verb}: {flag.label} ({flag.short_id})")
            yield Static(plain(f"Reported since {flag.first.isoformat()}; {flag.sentence()}."))
            yield FormField(
                "By (default: your user name)",
                Input(placeholder="e.g. Dr Chen", id="flag-by"),
                keys=("by",),
            )
            if self.what == "resolve":
                today = journal_app(self).today
                yield FormField(
                    "Resolved on (YYYY-MM-DD)",
                    Input(value=today.isoformat(), id="flag-date"),
                    keys=("date",),
                )
                yield Checkbox(
                    "Harm lasted (scar, pigment change): keeps the cap", id="flag-lasting"
                )
            yield FormField("Note", Input(id="flag-note"), keys=("note",))
            yield Static("", id="flag-status")
            with Horizontal(classes="dialog-buttons"):
                yield Button(verb + " (ctrl+s)", id="flag-save", variant="primary")
                yield Button("Cancel (esc)", id="flag-cancel")

    def on_mount(self) -> None:
        self.query_one("#flag-by", Input).focus()

    def status_line(self) -> Static | None:
        return self.query_one("#flag-status", Static)

    def show_busy(self, message: str | None) -> None:
        self.query_one("#flag-status", Static).update(plain(message or ""))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "flag-save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        clear_field_errors(self)
        values: dict[str, Any] = {
            "by": self.query_one("#flag-by", Input).value.strip() or None,
            "note": self.query_one("#flag-note", Input).value,
        }
        if self.what == "resolve":
            values["on"] = self.query_one("#flag-date", Input).value.strip()
            values["lasting"] = self.query_one("#flag-lasting", Checkbox).value
        if self.start_work("Saving…"):
            self._save(values)

    @work(thread=True, group=ACTIONS, name="flag", exit_on_error=False)
    def _save(self, values: dict[str, Any]) -> Outcome:
        from journal.services import flags

        app = journal_app(self)
        ref = str(self.item.flag.id)
        patient = str(self.item.patient_id)
        if self.what == "seen":
            return flags.mark_seen(app.journal, ref, patient_ref=patient, **values)
        today: dt.date = app.today
        return flags.resolve(app.journal, ref, patient_ref=patient, today=today, **values)

    def work_done(self, name: str, result: object) -> None:
        self.dismiss(result)

    def action_cancel(self) -> None:
        if not self.refuse_while_busy():
            self.dismiss(None)
