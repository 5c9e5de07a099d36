"""Take a patient's archive (a `journal export --format json` zip) into this journal.

The provider's way in for a patient who kept their own journal: pick the zip,
and the archive service merges it by id (importing twice changes nothing) or
refuses it whole with one line saying why.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text, TextType
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Input, Static

from journal.tui.actions import ACTIONS, RunsActions, clear_field_errors, journal_app
from journal.tui.safe import plain
from journal.tui.screens.form_base import field_input
from journal.tui.widgets.form import FormField

if TYPE_CHECKING:
    from journal.services.archive_import import ImportSummary


class ArchiveTree(DirectoryTree):
    """Folders and zip files only: an archive is always a .zip."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [
            p
            for p in paths
            if not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() == ".zip")
        ]

    def process_label(self, label: TextType) -> Text:
        """File names are shown as they are, control characters made visible."""
        return super().process_label(plain(label) if isinstance(label, str) else label)


class ArchiveImportScreen(RunsActions, ModalScreen[str | None]):
    """Dismisses with the imported patient's id when anything changed.

    The import runs in a worker: it verifies every member and waits for the
    journal's write lock, and the screen must stay responsive meanwhile.
    """

    FAILED_TITLE = "Archive not imported"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "import_archive", "Import", priority=True),
        Binding("escape", "close", "Close"),
    ]

    def __init__(self, start: Path) -> None:
        super().__init__()
        self.start = start
        self.imported_id: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="archive-box", classes="panel") as box:
            box.border_title = "Import a patient archive"
            yield ArchiveTree(self.start, id="archive-tree")
            yield FormField(
                "Archive",
                field_input("", placeholder="path/to/patient.zip", id="archive"),
            )
            yield Button("Import (ctrl+s)", id="go", variant="primary")
            yield Static("", id="archive-result")

    @on(DirectoryTree.FileSelected)
    def _picked(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.query_one("#archive", Input).value = str(event.path)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_import_archive()

    def status_line(self) -> Static:
        return self.query_one("#archive-result", Static)

    def show_busy(self, message: str | None) -> None:
        self.query_one("#go", Button).disabled = message is not None
        self.status_line().update(Text(message or "", style="bold"))

    def action_import_archive(self) -> None:
        if self.busy:
            return
        clear_field_errors(self)
        text = self.query_one("#archive", Input).value.strip()
        if not text:
            self.status_line().update(Text("Pick an archive (.zip) first.", style="bold red"))
            return
        if self.start_work("Importing…"):
            self.import_archive(Path(text).expanduser())

    @work(thread=True, exit_on_error=False, group=ACTIONS, name="import")
    def import_archive(self, path: Path) -> ImportSummary:
        from journal.services.archive_import import import_archive

        return import_archive(journal_app(self).journal, path)

    def work_done(self, name: str, result: object) -> None:
        summary = cast("ImportSummary", result)
        result_line = self.status_line()
        name_ = summary.patient.display_name if summary.patient else "the patient"
        if not summary.changed:
            line = f"{name_} is already up to date: nothing changed."
            result_line.update(plain(line, style="bold"))
            return
        added = ", ".join(f"{n} {kind}" for kind, n in summary.added.items() if n) or "nothing new"
        updated = sum(summary.updated.values())
        line = f"Imported {name_}: added {added}" + (f"; updated {updated}" if updated else "")
        result_line.update(plain(line + ".", style="bold green"))
        if summary.patient is not None:
            self.imported_id = str(summary.patient.id)

    def action_close(self) -> None:
        if self.refuse_while_busy():
            return
        self.dismiss(self.imported_id)
