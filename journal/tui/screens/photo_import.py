"""Import photos: pick files in a tree that shows only images, check each one's filing, import.

Decoding and resizing phone photos is the slowest thing the journal does, so
the import runs in a worker thread (which in turn uses every core), a progress
bar follows it, and the screen stays usable. Bad files are reported one per
line; the good ones are kept.

A batch often holds several areas (a left and a right cheek, a forehead), so
the picked photos are a table, one row per file, showing the area, kind and
day each will be filed under: what its name says (`after-left-cheek.jpg`, read
by `journal.core.filenames`), else the batch's Area and Kind. Enter on a row
changes that photo's area and kind before anything is stored; the choice of
each row goes to the import as it is shown, so what the table says is what
the journal gets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text, TextType
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Button,
    DataTable,
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
from journal.core.filenames import NameGuess, guess_from_name
from journal.core.vocab import AREAS, PHOTO_KINDS
from journal.tui.actions import ACTIONS, RunsActions, clear_field_errors, field_for, journal_app
from journal.tui.safe import literal, plain
from journal.tui.screens.form_base import field_input, field_select, select_value
from journal.tui.widgets.form import FormField

if TYPE_CHECKING:
    from journal.services.photos import Filing, ImportReport, PhotoPreview

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


def area_label(key: str | None) -> str:
    """An area as people read it; a course's custom area reads as itself."""
    return AREAS.label(key) if key else "—"


def kind_label(key: str | None) -> str:
    return PHOTO_KINDS.label(key) if key else "auto"


@dataclass
class PickedPhoto:
    """One row of the import table: a file, what its name says, and the user's choice.

    `area_set` / `kind_set` say the user chose this row's value in the dialog
    (a blank area or the automatic kind included); otherwise the name's guess,
    then the batch's Area and Kind, apply.
    """

    path: Path
    guess: NameGuess
    taken: dt.date | None = None
    problem: str | None = None
    read: bool = False
    area: str | None = None
    kind: str | None = None
    area_set: bool = False
    kind_set: bool = False


class PickedTable(DataTable[Text]):
    """The picked photos, one row each; Enter changes a row, Delete drops it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete,backspace", "drop", "Drop photo"),
    ]

    def action_drop(self) -> None:
        screen = self.screen
        if isinstance(screen, ImportScreen) and self.row_count:
            screen.drop_row(self.cursor_row)


class FilingDialog(ModalScreen[tuple[str | None, str | None] | None]):
    """Choose one picked photo's area and kind; dismisses with (area, kind), None if cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]
    DEFAULT_CSS = """
    FilingDialog { align: center middle; }
    FilingDialog #filing-box { border: round $accent; }
    """

    def __init__(
        self, name: str, area: str | None, kind: str | None, course_areas: tuple[str, ...]
    ) -> None:
        super().__init__()
        self.file_name = name
        self.area = area
        self.kind = kind
        self.course_areas = course_areas

    def compose(self) -> ComposeResult:
        areas = area_choices(self.course_areas)
        if self.area and self.area not in {key for _label, key in areas}:
            areas.append((plain(area_label(self.area)), self.area))
        with Vertical(id="filing-box", classes="panel dialog") as box:
            box.border_title = literal(f"File {self.file_name} under…")
            yield FormField(
                "Area",
                field_select(areas, id="filing-area", value=self.area or Select.NULL),
            )
            yield FormField(
                "Kind",
                field_select(
                    [(PHOTO_KINDS.label(k), k) for k in PHOTO_KINDS.keys],
                    id="filing-kind",
                    value=self.kind or Select.NULL,
                    prompt="auto (before the first session = before)",
                ),
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", id="filing-save", variant="primary")
                yield Button("Cancel (esc)", id="filing-cancel")

    def on_mount(self) -> None:
        self.query_one("#filing-area", Select).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "filing-save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        self.dismiss(
            (
                select_value(self.query_one("#filing-area", Select)),
                select_value(self.query_one("#filing-kind", Select)),
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)


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
        self.course_areas = tuple(course_areas)
        self.start = start
        self.rows: list[PickedPhoto] = []
        self.importing: list[Path] = []
        self.imported_any = False

    @property
    def picked(self) -> list[Path]:
        """The picked files, in the order they were picked."""
        return [row.path for row in self.rows]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="import"):
            yield ImageTree(self.start, id="files")
            with VerticalScroll(id="import-side"):
                yield FormField(
                    "Folder (Enter to browse it)",
                    field_input(str(self.start), id="folder"),
                )
                yield FormField(
                    "Area (when the name says none)",
                    field_select(
                        area_choices(self.course_areas),
                        id="area",
                        prompt="—",
                        value=self.course_areas[0] if self.course_areas else Select.NULL,
                    ),
                    keys=("area",),
                )
                yield FormField(
                    "Kind (when the name says none)",
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
        yield Label(
            "Picked photos (Enter on a row changes its area and kind, Delete drops it)",
            classes="field-label",
            id="picked-label",
        )
        yield PickedTable(id="picked", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "Import photos"
        table = self.query_one(PickedTable)
        table.add_column("File", key="file")
        table.add_column("Area", key="area")
        table.add_column("Kind", key="kind")
        table.add_column("Taken", key="taken")
        self.query_one(ImageTree).focus()

    # -- the table -------------------------------------------------------------

    def filed_as(self, row: PickedPhoto) -> tuple[str | None, str | None]:
        """The (area, kind) the row will be imported with, exactly as the table shows it."""
        area = select_value(self.query_one("#area", Select))
        kind = select_value(self.query_one("#kind", Select))
        return (
            row.area if row.area_set else row.guess.area or area,
            row.kind if row.kind_set else row.guess.kind or kind,
        )

    def _day_given(self) -> dt.date | None:
        try:
            return dt.date.fromisoformat(self.query_one("#date", Input).value.strip())
        except ValueError:
            return None

    NAME_CELL = 40  # a camera's long name must not push the area and kind out of view

    def _cells(self, row: PickedPhoto) -> list[Text]:
        """A row's cells: the user's choice in bold, the name's guess plain, defaults dim."""
        area, kind = self.filed_as(row)

        def styled(text: str, chosen: bool, guessed: bool) -> Text:
            return plain(text, style="bold" if chosen else "" if guessed else "dim")

        if row.problem is not None:
            taken = plain(f"✗ {row.problem}", style="red")
        elif not row.read:
            taken = Text("…", style="dim")
        else:
            day = self._day_given() or row.taken
            taken = plain(day.isoformat() if day else "—")
        name = row.path.name
        if len(name) > self.NAME_CELL:
            name = name[: self.NAME_CELL - 1] + "…"
        return [
            plain(name),
            styled(area_label(area), row.area_set, row.guess.area is not None),
            styled(kind_label(kind), row.kind_set, row.guess.kind is not None),
            taken,
        ]

    def _show_picked(self) -> None:
        """Redraw the table from `rows`, keeping the cursor on the same row."""
        table = self.query_one(PickedTable)
        cursor = table.cursor_row
        table.clear()
        for row in self.rows:
            table.add_row(*self._cells(row), key=str(row.path))
        if self.rows:
            table.move_cursor(row=min(max(cursor, 0), len(self.rows) - 1))

    @on(Select.Changed, "#area")
    @on(Select.Changed, "#kind")
    @on(Input.Changed, "#date")
    def _defaults_changed(self) -> None:
        self._show_picked()

    def toggle(self, path: Path) -> None:
        self.pick([path], drop_if_picked=True)

    def pick(self, paths: list[Path], *, drop_if_picked: bool = False) -> None:
        """Add files to the table (guessing from their names at once) and read their days."""
        fresh = []
        for path in paths:
            known = next((r for r in self.rows if r.path == path), None)
            if known is not None:
                if drop_if_picked:
                    self.rows.remove(known)
                continue
            self.rows.append(PickedPhoto(path, guess_from_name(path.name, self.course_areas)))
            fresh.append(path)
        self._show_picked()
        if fresh:
            self.read_days(fresh)

    def drop_row(self, index: int) -> None:
        if self.busy or not 0 <= index < len(self.rows):
            return
        del self.rows[index]
        self._show_picked()

    @work(thread=True, exit_on_error=False, group="preview")
    def read_days(self, paths: list[Path]) -> None:
        """Read the files' headers off the UI thread: a folder of phone photos takes a while."""
        from journal.services.photos import preview_photos

        previews = preview_photos(paths, self.course_areas)
        journal_app(self).call_from_thread(self._previewed, previews)

    def _previewed(self, previews: list[PhotoPreview]) -> None:
        by_path = {Path(p.path): p for p in previews}
        for row in self.rows:
            preview = by_path.get(row.path)
            if preview is not None:
                row.taken, row.problem, row.read = preview.taken, preview.problem, True
        self._show_picked()

    @on(DataTable.RowSelected, "#picked")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.busy or not 0 <= event.cursor_row < len(self.rows):
            return
        row = self.rows[event.cursor_row]
        area, kind = self.filed_as(row)

        def chosen(answer: tuple[str | None, str | None] | None) -> None:
            if answer is None or row not in self.rows:
                return
            row.area, row.kind = answer
            row.area_set = row.kind_set = True
            self._show_picked()
            self.query_one(PickedTable).focus()

        self.app.push_screen(FilingDialog(row.path.name, area, kind, self.course_areas), chosen)

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
        self.pick(
            [
                path
                for path in sorted(folder.iterdir())
                if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES
            ]
        )

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
        if not self.rows:
            self.status_line().update(Text("Pick at least one photo first.", style="bold"))
            return
        from journal.services.photos import Filing

        filing = [Filing(*self.filed_as(row)) for row in self.rows]
        date = self.query_one("#date", Input).value.strip() or None
        self.query_one("#import-progress", ProgressBar).update(total=len(self.rows), progress=0)
        if self.start_work(f"Importing {len(self.rows)} photos…"):
            self.importing = self.picked
            self.run_import(self.importing, filing, date)

    @work(thread=True, exit_on_error=False, group=ACTIONS, name="import")
    def run_import(self, paths: list[Path], filing: list[Filing], date: str | None) -> ImportReport:
        """Import every picked file with the area and kind its row shows."""
        from journal.services.photos import import_photos

        app = journal_app(self)

        def progress(done: int, total: int) -> None:
            app.call_from_thread(self._progress, done, total)

        return import_photos(
            app.journal,
            self.patient_ref,
            paths,
            date=date,
            filing=filing,
            progress=progress,
        )

    def _progress(self, done: int, total: int) -> None:
        self.query_one("#import-progress", ProgressBar).update(total=total, progress=done)

    def work_failed(self, name: str, error: BaseException) -> None:
        if name == "import":
            self.importing = []  # nothing stored: the rows stay for another try
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
        done = set(self.importing)
        self.rows = [row for row in self.rows if row.path not in done]  # picked meanwhile: kept
        self.importing = []
        self._show_picked()
        if report.imported:
            self.notify(lines[0], timeout=3)

    def action_close(self) -> None:
        if self.busy:
            self.notify("The import is still running.", severity="warning")
            return
        self.dismiss(self.imported_any)
