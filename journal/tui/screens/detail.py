"""One timeline entry in full: every field, its corrections, and the photo itself for a photo.

`e` opens the entry's own form pre-filled (a photo: the small "file under"
dialog), `d` deletes it after a confirmation naming what goes; both go
through `journal.tui.corrections`, which reloads the patient afterwards and
hands this screen the fresh record (or closes it when the record is gone).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from journal.tui.actions import journal_app
from journal.tui.corrections import CorrectsRecords, records_changed
from journal.tui.present import NONE, details, timeline
from journal.tui.safe import literal, plain
from journal.tui.widgets.photo import PhotoCard, load_preview

if TYPE_CHECKING:
    from journal.core.records import Photo
    from journal.services.amend import Change, Outcome
    from journal.tui.data import PatientData
    from journal.tui.present import TimelineEntry


def _value_text(value: Any) -> str:
    """A change-log value (JSON) as a person reads it."""
    if value is None or value == "" or value == [] or value == {}:
        return NONE
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def change_line(change: Change) -> str:
    """`2026-06-01 14:03 · Dr. Chen · pain: 4 -> 7` (who, when, field old -> new)."""
    when = change.at.astimezone().strftime("%Y-%m-%d %H:%M")
    field = (change.field or "").replace("_", " ")
    if change.action == "delete":
        what = "deleted"
    elif change.field is None:
        what = "restored (undo of a delete)" if change.action == "undo" else change.action
    else:
        step = f"{field}: {_value_text(change.old)} -> {_value_text(change.new)}"
        what = f"undo, {step}" if change.action == "undo" else step
    return f"{when} · {change.actor} · {what}"


class DetailScreen(CorrectsRecords, ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("e", "edit", "Edit"),
        Binding("d", "delete", "Delete"),
        # A modal screen hides the app's bindings: these two work here as everywhere else.
        Binding("ctrl+z", "app.undo", "Undo"),
        Binding("ctrl+r", "app.refresh_data", "Refresh", show=False),  # modal: re-bound here
        Binding("question_mark", "app.help", "Help", key_display="?"),
    ]
    FAILED_TITLE = "Not changed"

    def __init__(self, entry: TimelineEntry, data: PatientData) -> None:
        super().__init__()
        self.entry = entry
        self.data = data

    @property
    def record_id(self) -> uuid.UUID:
        return self.entry.record.id

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, expand=True, padding=(0, 1))
        table.add_column("field", style="bold", no_wrap=True)
        table.add_column("value", ratio=1)
        for label, value in details(self.entry, self.data.history):
            table.add_row(plain(label), plain(value))
        with VerticalScroll(id="detail-box", classes="panel") as box:
            box.border_title = literal(f"{self.entry.title} · {self.entry.date.isoformat()}")
            yield Static(table, id="detail-table")
            changes = self.data.changes_of(self.record_id)
            if changes:
                lines = Text("Changes (newest first)\n", style="bold")
                lines.append_text(plain("\n".join(change_line(c) for c in changes)))
                yield Static(lines, id="detail-changes")
            if self.entry.kind == "photo":
                path = self.data.displays.get(self.record_id)
                if path is not None:
                    yield PhotoCard(load_preview(path), "", classes="detail-photo")
        yield Footer(compact=True)

    async def patient_changed(self, data: PatientData) -> None:
        """Fresh data after a correction: show the record as it is now, or close if it is gone."""
        entry = next((e for e in timeline(data.history) if e.record.id == self.record_id), None)
        if entry is None:
            if self.app.screen is self:
                self.dismiss(None)
            return
        self.entry, self.data = entry, data
        await self.recompose()

    def action_edit(self) -> None:
        from journal.tui.screens import edit_forms

        if self.busy:
            return
        if self.entry.kind == "photo":
            photo = cast("Photo", self.entry.record)
            self.app.push_screen(edit_forms.RefileScreen(photo), self._refile)
            return
        form = edit_forms.edit_form_for(self.entry.kind, self.entry.record, self.data)
        self.app.push_screen(form, self._after_form)

    def _refile(self, changes: dict[str, Any] | None) -> None:
        if changes:
            self.start_edit("photo", self.entry.record, changes)

    def _after_form(self, saved: bool | None) -> None:
        if saved:
            records_changed(journal_app(self), [self.data.patient.id])

    def action_delete(self) -> None:
        self.ask_delete(self.entry.kind, self.record_id)

    def corrected(self, name: str, outcome: Outcome) -> None:
        if name == "delete":
            self.dismiss(None)

    def action_close(self) -> None:
        if self.refuse_while_busy():
            return
        self.dismiss(None)
