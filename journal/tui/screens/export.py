"""Export a patient's summary for the follow-up visit (PDF, HTML, CSV, JSON, FHIR).

The formats are the export registry's (built-in and plugin ones); the file
lands in the journal home's `exports/` folder unless the user types another path.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Select, Static

from journal.tui.actions import ACTIONS, RunsActions, clear_field_errors, journal_app
from journal.tui.safe import literal, plain
from journal.tui.screens.form_base import field_input, field_select
from journal.tui.widgets.form import FormField

if TYPE_CHECKING:
    from journal.tui.data import PatientData


def default_path(folder: Path, name: str, fmt: str, today: str) -> Path:
    from journal.services.exporting import all_formats

    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "patient"
    return folder / f"{slug}-{today}{all_formats()[fmt].suffix}"


class ExportScreen(RunsActions, ModalScreen[None]):
    """Pick a format and a path; the export runs in a worker (PDFs of long series take a while)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "export", "Export", priority=True),
        Binding("escape", "close", "Close"),
    ]
    FAILED_TITLE = "Export failed"

    AUDIENCES: ClassVar[list[tuple[str, str]]] = [
        ("Provider: clinical follow-up summary", "provider"),
        ("Patient: in the patient's own words", "patient"),
    ]
    WORDED = frozenset({"pdf", "html"})  # the formats written for a reader

    def __init__(self, data: PatientData, *, audience: str = "patient") -> None:
        """`audience` is the reader a PDF or HTML summary is worded for (changeable)."""
        super().__init__()
        self.data = data
        self.audience = audience

    def _folder(self) -> Path:
        return Path(journal_app(self).journal.location.home) / "exports"

    def compose(self) -> ComposeResult:
        from journal.services.exporting import all_formats

        choices = [(f.label, f.name) for f in all_formats().values()]
        with Vertical(id="export-box", classes="panel") as box:
            box.border_title = literal(f"Export · {self.data.patient.display_name}")
            yield FormField(
                "Format",
                field_select(choices, value="pdf", allow_blank=False, id="fmt"),
                keys=("format",),
            )
            yield FormField(
                "For",
                field_select(self.AUDIENCES, value=self.audience, allow_blank=False, id="for"),
                keys=("audience", "for"),
            )
            yield FormField("Save to", field_input("", id="out"), keys=("output",))
            yield Button("Export (ctrl+s)", id="go", variant="primary")
            yield Static("", id="export-result")
        yield Footer(compact=True)  # ctrl+s and esc, as in every form

    def on_mount(self) -> None:
        self._suggest("pdf")

    def _suggest(self, fmt: str) -> None:
        path = default_path(
            self._folder(), self.data.patient.display_name, fmt, self.data.today.isoformat()
        )
        self.query_one("#out", Input).value = str(path)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "fmt" and isinstance(event.value, str):
            self._suggest(event.value)
            # csv, json and fhir are data, the same for every reader: no audience.
            self.query_one("#for", Select).disabled = event.value not in self.WORDED

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_export()

    def status_line(self) -> Static:
        return self.query_one("#export-result", Static)

    def show_busy(self, message: str | None) -> None:
        self.query_one("#go", Button).disabled = message is not None
        self.status_line().update(Text(message or "", style="bold"))

    def action_export(self) -> None:
        if self.busy:
            return
        fmt = str(self.query_one("#fmt", Select).value)
        out = Path(self.query_one("#out", Input).value.strip()).expanduser()
        audience = str(self.query_one("#for", Select).value) if fmt in self.WORDED else None
        clear_field_errors(self)
        busy = "Exporting in clear (this export is not encrypted)…" if self._in_clear() else None
        if self.start_work(busy or "Exporting…"):
            self.export(fmt, out, audience)

    @work(thread=True, exit_on_error=False, group=ACTIONS, name="export")
    def export(self, fmt: str, out: Path, audience: str | None = None) -> Path:
        from journal.services import exporting

        out.parent.mkdir(parents=True, exist_ok=True)
        return exporting.export_patient(
            journal_app(self).journal,
            self.data.ref,
            fmt=fmt,
            out=out,
            today=self.data.today,
            audience=audience,
        )

    def _in_clear(self) -> bool:
        """True on an encrypted journal: the export is written in clear, by the
        user's choice (docs/privacy.md), and the screen says so as the CLI does
        (`exporting.plaintext_notice`, the one rule for when to say it)."""
        from journal.services.exporting import plaintext_notice

        return plaintext_notice(journal_app(self).journal, "", on_terminal=True) is not None

    def work_done(self, name: str, result: object) -> None:
        if self._in_clear():
            line = f"Saved {result} in clear: the journal is encrypted, this export is not"
            self.status_line().update(plain(line, style="bold yellow"))
            return
        self.status_line().update(plain(f"Saved {result}", style="bold green"))

    def action_close(self) -> None:
        if self.refuse_while_busy():
            return
        self.dismiss(None)
