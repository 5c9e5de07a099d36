"""Export a patient's summary for the follow-up visit (PDF, HTML, CSV, JSON, FHIR).

The formats are the export registry's (built-in and plugin ones); the file
lands in the journal home's `exports/` folder unless the user types another path.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from journal.tui.screens.form_base import field_input, field_select
from journal.tui.widgets.form import FormField

if TYPE_CHECKING:
    from journal.tui.data import PatientData


def default_path(folder: Path, name: str, fmt: str, today: str) -> Path:
    from journal.services.exporting import all_formats

    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "patient"
    return folder / f"{slug}-{today}{all_formats()[fmt].suffix}"


class ExportScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "export", "Export", priority=True),
        Binding("escape", "close", "Close"),
    ]

    def __init__(self, data: PatientData) -> None:
        super().__init__()
        self.data = data

    def _folder(self) -> Path:
        app: Any = self.app
        return Path(app.journal.location.home) / "exports"

    def compose(self) -> ComposeResult:
        from journal.services.exporting import all_formats

        choices = [(f.label, f.name) for f in all_formats().values()]
        with Vertical(id="export-box", classes="panel") as box:
            box.border_title = f"Export · {self.data.patient.display_name}"
            yield FormField(
                "Format",
                field_select(choices, value="pdf", allow_blank=False, id="fmt"),
                keys=("format",),
            )
            yield FormField("Save to", field_input("", id="out"), keys=("output",))
            yield Button("Export (ctrl+s)", id="go", variant="primary")
            yield Static("", id="export-result")

    def on_mount(self) -> None:
        self._suggest("pdf")

    def _suggest(self, fmt: str) -> None:
        path = default_path(
            self._folder(), self.data.patient.display_name, fmt, self.data.today.isoformat()
        )
        self.query_one("#out", Input).value = str(path)

    def on_select_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._suggest(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_export()

    def action_export(self) -> None:
        from journal.core.errors import InvalidValue, JournalError
        from journal.services import exporting

        app: Any = self.app
        fmt = self.query_one("#fmt", Select).value
        out = Path(self.query_one("#out", Input).value.strip()).expanduser()
        result = self.query_one("#export-result", Static)
        for field in self.query(FormField):
            field.show_error(None)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            written = exporting.export_patient(
                app.journal,
                self.data.ref,
                fmt=str(fmt),
                out=out,
                today=self.data.today,
            )
        except InvalidValue as exc:
            matched = [f for f in self.query(FormField) if f.answers_for(exc.field)]
            if matched:
                matched[0].show_error(exc.message)
            else:
                result.update(Text(exc.message, style="bold red"))
            return
        except (JournalError, OSError) as exc:
            result.update(Text(str(exc), style="bold red"))
            return
        result.update(Text(f"Saved {written}", style="bold green"))

    def action_close(self) -> None:
        self.dismiss(None)
