"""Import photos: pick files in a tree that shows only images, then import them all.

Decoding and resizing phone photos is the slowest thing the journal does, so
the import runs in a worker thread (which in turn uses every core), a progress
bar follows it, and the screen stays usable. Bad files are reported one per
line; the good ones are kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text, TextType
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Button,
    DirectoryTree,
    Footer,
    Header,
    Input,
    Label,
    ProgressBar,
    Select,
    Static,
)

from journal.core.errors import InvalidValue
from journal.core.vocab import AREAS, PHOTO_KINDS
from journal.tui.actions import ACTIONS, RunsActions, clear_field_errors, field_for, journal_app
from journal.tui.safe import plain
from journal.tui.screens.form_base import field_input, field_select
from journal.tui.widgets.form import FormField

if TYPE_CHECKING:
    from journal.services.photos import ImportReport

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif"})


class ImageTree(DirectoryTree):
    """A directory tree that lists folders and the image files the journal accepts."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [
            p
            for p in paths
            if not p.name.startswith(".")
            and (self._is_dir(p) or p.suffix.lower() in IMAGE_SUFFIXES)
        ]

    def process_label(self, label: TextType) -> Text:
        """File names are shown as they are, control characters made visible."""
        return super().process_label(plain(label) if isinstance(label, str) else label)

    @staticmethod
    def _is_dir(path: Path) -> bool:
        try:
            return path.is_dir()
        except OSError:
            return False


def area_choices(course_areas: tuple[str, ...]) -> list[tuple[Text, str]]:
    """The course's areas first (the usual answer), then every known area.

    A course may name custom areas, so labels are literal `Text`, never markup.
    """
    rest = [a for a in AREAS.keys if a not in course_areas]
    return [(plain(AREAS.label(a)), a) for a in (*course_areas, *rest)]


class ImportScreen(RunsActions, Screen[bool]):
    """Dismisses with True when at least one photo was imported."""

    FAILED_TITLE = "Photos not imported"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+a", "pick_folder", "Pick folder"),
        Binding("ctrl+u", "parent_folder", "Parent folder"),
        Binding("ctrl+s", "start_import", "Import", priority=True),
        Binding("escape", "close", "Back"),
    ]

    def __init__(self, patient_ref: str, course_areas: tuple[str, ...], start: Path) -> None:
        super().__init__()
        self.patient_ref = patient_ref
        self.course_areas = course_areas
        self.start = start
        self.picked: list[Path] = []
        self.imported_any = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="import"):
            yield ImageTree(self.start, id="files")
            with VerticalScroll(id="import-side"):
                yield FormField(
                    "Folder (Enter to browse it)",
                    field_input(str(self.start), id="folder"),
                )
                yield Label("Picked photos (Enter on a file)", classes="field-label")
                yield Static("None yet.", id="picked")
                yield FormField(
                    "Area",
                    field_select(
                        area_choices(self.course_areas),
                        id="area",
                        prompt="—",
                        value=self.course_areas[0] if self.course_areas else Select.NULL,
                    ),
                    keys=("area",),
                )
                yield FormField(
                    "Kind",
                    field_select(
                        [(PHOTO_KINDS.label(k), k) for k in PHOTO_KINDS.keys],
                        id="kind",
                        prompt="auto (before the first session = before)",
                    ),
                    keys=("kind",),
                )
                yield FormField(
                    "Taken on",
                    field_input("", placeholder="YYYY-MM-DD (blank: from the photo)", id="date"),
                    keys=("date",),
                )
                yield Button("Import (ctrl+s)", id="start", variant="primary")
                yield ProgressBar(id="import-progress", show_eta=False)
                yield Static("", id="import-result")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "Import photos"
        self.query_one(ImageTree).focus()

    # -- picking -------------------------------------------------------------

    def _show_picked(self) -> None:
        text = plain("\n".join(p.name for p in self.picked) if self.picked else "None yet.")
        self.query_one("#picked", Static).update(text)

    def toggle(self, path: Path) -> None:
        if path in self.picked:
            self.picked.remove(path)
        else:
            self.picked.append(path)
        self._show_picked()

    @on(DirectoryTree.FileSelected)
    def _file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.toggle(Path(event.path))

    @on(Input.Submitted, "#folder")
    def _folder_typed(self, event: Input.Submitted) -> None:
        event.stop()
        self.browse(Path(event.value.strip() or ".").expanduser())

    def action_parent_folder(self) -> None:
        self.browse(self.start.parent)

    def browse(self, folder: Path) -> None:
        """Show another folder in the tree (the tree cannot climb above its root)."""
        field = next(f for f in self.query(FormField) if f.control.id == "folder")
        if not folder.is_dir():
            field.show_error(f"{folder} is not a folder")
            return
        field.show_error(None)
        self.start = folder.resolve()
        self.query_one("#folder", Input).value = str(self.start)
        tree = self.query_one(ImageTree)
        tree.path = self.start
        tree.focus()

    def action_pick_folder(self) -> None:
        """Pick every image in the folder under the cursor (or the file's folder)."""
        tree = self.query_one(ImageTree)
        node = tree.cursor_node
        folder = Path(node.data.path) if node is not None and node.data is not None else self.start
        if folder.is_file():
            folder = folder.parent
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES and path not in self.picked:
                self.picked.append(path)
        self._show_picked()

    # -- importing -------------------------------------------------------------

    @on(Button.Pressed, "#start")
    def _start_pressed(self) -> None:
        self.action_start_import()

    def status_line(self) -> Static:
        return self.query_one("#import-result", Static)

    def show_busy(self, message: str | None) -> None:
        self.query_one("#start", Button).disabled = message is not None
        if message is not None:
            self.status_line().update(Text(message))

    def action_start_import(self) -> None:
        if self.busy:
            return
        clear_field_errors(self)
        if not self.picked:
            self.status_line().update(Text("Pick at least one photo first.", style="bold"))
            return
        area = self.query_one("#area", Select).value
        kind = self.query_one("#kind", Select).value
        date = self.query_one("#date", Input).value.strip() or None
        self.query_one("#import-progress", ProgressBar).update(total=len(self.picked), progress=0)
        if self.start_work(f"Importing {len(self.picked)} photos…"):
            self.run_import(
                list(self.picked),
                area if isinstance(area, str) else None,
                kind if isinstance(kind, str) else None,
                date,
            )

    @work(thread=True, exit_on_error=False, group=ACTIONS, name="import")
    def run_import(
        self, paths: list[Path], area: str | None, kind: str | None, date: str | None
    ) -> ImportReport:
        from journal.services.photos import import_photos

        app = journal_app(self)

        def progress(done: int, total: int) -> None:
            app.call_from_thread(self._progress, done, total)

        return import_photos(
            app.journal,
            self.patient_ref,
            paths,
            date=date,
            kind=kind,
            area=area,
            progress=progress,
        )

    def _progress(self, done: int, total: int) -> None:
        self.query_one("#import-progress", ProgressBar).update(total=total, progress=done)

    def work_failed(self, name: str, error: BaseException) -> None:
        super().work_failed(name, error)
        if isinstance(error, InvalidValue) and field_for(self, error.field) is not None:
            self.status_line().update("Nothing was imported.")

    def work_done(self, name: str, result: object) -> None:
        report = cast("ImportReport", result)
        self.imported_any = self.imported_any or bool(report.imported)
        lines = [
            f"Imported {len(report.imported)} photo{'s' if len(report.imported) != 1 else ''}"
            + (f", {len(report.duplicates)} already in the journal" if report.duplicates else "")
            + "."
        ]
        lines += [f"✗ {Path(path).name}: {reason}" for path, reason in report.failed]
        self.status_line().update(plain("\n".join(lines)))
        self.picked = []
        self._show_picked()
        if report.imported:
            self.notify(lines[0], timeout=3)

    def action_close(self) -> None:
        if self.busy:
            self.notify("The import is still running.", severity="warning")
            return
        self.dismiss(self.imported_any)
