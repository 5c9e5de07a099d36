"""Take a patient's archive (a `journal export --format json` zip) into this journal.

The provider's way in for a patient who kept their own journal: pick the zip,
and the archive service merges it by id (importing twice changes nothing) or
refuses it whole with one line saying why.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Input, Static

from journal.tui.screens.form_base import field_input
from journal.tui.widgets.form import FormField


class ArchiveTree(DirectoryTree):
    """Folders and zip files only: an archive is always a .zip."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [
            p
            for p in paths
            if not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() == ".zip")
        ]


class ArchiveImportScreen(ModalScreen[str | None]):
    """Dismisses with the imported patient's id when anything changed."""

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

    def action_import_archive(self) -> None:
        from journal.core.errors import JournalError
        from journal.services.archive_import import import_archive

        app: Any = self.app
        result = self.query_one("#archive-result", Static)
        text = self.query_one("#archive", Input).value.strip()
        if not text:
            result.update(Text("Pick an archive (.zip) first.", style="bold red"))
            return
        try:
            summary = import_archive(app.journal, Path(text).expanduser())
        except (JournalError, OSError) as exc:
            result.update(Text(str(exc), style="bold red"))
            return
        name = summary.patient.display_name if summary.patient else "the patient"
        if not summary.changed:
            result.update(Text(f"{name} is already up to date: nothing changed.", style="bold"))
            return
        added = ", ".join(f"{n} {kind}" for kind, n in summary.added.items() if n) or "nothing new"
        updated = sum(summary.updated.values())
        line = f"Imported {name}: added {added}" + (f"; updated {updated}" if updated else "")
        result.update(Text(line + ".", style="bold green"))
        if summary.patient is not None:
            self.imported_id = str(summary.patient.id)

    def action_close(self) -> None:
        self.dismiss(self.imported_id)
