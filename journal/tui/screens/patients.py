"""The provider's patient list: sortable, searchable, every column painted at once.

Names, session counts, last visits, scores, verdicts and red flags come from
one query over the stored course results (`journal.services.results`), so the
whole list is on screen in the first paint and sorting by any column is an
in-memory sort. A patient whose stored result was not exact for the day (the
plain read at launch marks them `pending`) is painted with "…" and scored by
a worker once the journal is open; only when the app runs for another day
than the list was read for (an injected date) does a worker read the whole
list again for that day.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from journal.tui.actions import ACTIONS, RunsActions, journal_app
from journal.tui.keys import HELP, QUIT
from journal.tui.present import NONE, verdict_label
from journal.tui.safe import clean, plain
from journal.tui.widgets.live_table import LiveTable

if TYPE_CHECKING:
    from journal.core.records import Patient
    from journal.services.erasure import Erasure
    from journal.services.live import PatientVersion
    from journal.services.patients import PatientSummary
    from journal.services.scoring import PatientOverview
    from journal.tui.data import PatientData

CHUNK = 100


def freeze_long_lived() -> None:
    """Exempt what is loaded by now from the garbage collector's full passes.

    A clinic list holds tens of thousands of long-lived objects (rows, table
    cells, the ORM's metadata, the DOM); every full collection rescans them
    all, about 100 ms, and when one lands while a patient opens the user feels
    it. Freezing them once the list is complete removes that pause; they live
    as long as the app anyway.
    """
    import gc

    from journal.tui.early import resume_gc

    gc.freeze()
    resume_gc()  # held since `journal` started (`journal.tui.early.pause_gc`)


VERDICT_COLOURS = {"worth-it": "green", "not-sure": "yellow", "not-worth-it": "red"}


@dataclass(frozen=True)
class PatientListRow:
    """One patient as the list shows it; scores stay None until the worker has them."""

    id: str
    name: str
    sessions: int | None  # None: not known yet (a pending row, see `list_row`)
    last_visit: dt.date | None
    score: int | None = None
    verdict: str | None = None
    flags: int | None = None  # open red flags: nobody has acknowledged them yet
    provisional: bool = False  # low confidence: the verdict may still change
    seen_flags: int = 0  # acknowledged, not yet resolved


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sort_key: Callable[[PatientListRow], Any]
    width: int | None = None  # fixed where values arrive later (the scores' worker)


def _missing_last(value: Any) -> tuple[bool, Any]:
    return (value is None, value if value is not None else 0)


COLUMNS: tuple[Column, ...] = (
    Column("name", "Name", lambda r: (r.name.casefold(), r.id)),
    Column("sessions", "Sessions", lambda r: (_missing_last(r.sessions), r.name.casefold())),
    Column("last_visit", "Last visit", lambda r: (_missing_last(r.last_visit), r.name.casefold())),
    Column("score", "Score", lambda r: (_missing_last(r.score), r.name.casefold())),
    Column(
        "verdict",
        "Verdict",
        lambda r: (verdict_label(r.verdict), r.name.casefold()),
        width=len("Not Worth It (provisional)"),
    ),
    Column(
        "flags",
        "Red flags",
        # Open flags first (most first), then seen ones: who needs the provider now.
        lambda r: (r.flags is None, -(r.flags or 0), -r.seen_flags, r.name.casefold()),
        width=len("⚠ 10 open · 10 seen"),
    ),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)


def list_row(item: PatientOverview) -> PatientListRow:
    """A patient's row from the one-query overview (scores included).

    A pending overview (a stale stored result) gives a row whose figures are
    all still to come: sessions, visits and flags span every course, so none
    of them is known until the stale course is scored again.
    """
    if item.pending:
        return PatientListRow(str(item.patient.id), item.patient.display_name, None, None)
    return PatientListRow(
        str(item.patient.id),
        item.patient.display_name,
        item.sessions,
        item.last_visit,
        item.score,
        item.verdict,
        item.open_flags,
        provisional=item.confidence == "low",
        seen_flags=item.seen_flags,
    )


def _cell(text: str, style: str = "") -> Text:
    """A table cell shown literally (names are user text, never markup)."""
    return Text(clean(text), style=style, end="")


def cells(
    row: PatientListRow, shared: dict[tuple[str, str], Text] | None = None
) -> tuple[Text, ...]:
    """The table cells of a row; verdicts and red flags coloured to stand out.

    `shared`: one Text per distinct value and style for a whole table fill.
    A 1,000-patient list has a thousand names but only a few hundred other
    values (counts, dates, scores, labels), and building 6,000 Text objects
    was a third of the list's first paint; the table only reads its cells.
    """

    def cell(text: str, style: str = "") -> Text:
        if shared is None:
            return _cell(text, style)
        found = shared.get((text, style))
        if found is None:
            found = shared[(text, style)] = _cell(text, style)
        return found

    pending = row.flags is None
    if row.verdict:
        label = verdict_label(row.verdict) + (" (provisional)" if row.provisional else "")
        verdict = cell(label, VERDICT_COLOURS.get(row.verdict, ""))
    else:
        verdict = cell("…" if pending else NONE, "dim")
    if pending:
        flags = cell("…", "dim")
    elif row.flags:
        seen = f" · {row.seen_flags} seen" if row.seen_flags else ""
        flags = cell(f"⚠ {row.flags} open{seen}", "bold white on red")
    elif row.seen_flags:
        flags = cell(f"{row.seen_flags} seen", "yellow")
    else:
        flags = cell("0", "dim")
    score = str(row.score) if row.score is not None else ("…" if pending else NONE)
    sessions = "…" if row.sessions is None else str(row.sessions)
    unknown = "…" if row.sessions is None else NONE
    visit = row.last_visit.isoformat() if row.last_visit else unknown
    return (_cell(row.name), cell(sessions), cell(visit), cell(score), verdict, flags)


class PatientListScreen(RunsActions, Screen[None]):
    """Every patient of the journal; Enter opens one (dashboard plus review form)."""

    # The table has the focus from the first frame on: focusing it in `on_mount`
    # (Textual defers that) changed its look after the first paint, and the whole
    # table was painted again before the list counted as shown.
    AUTO_FOCUS = "#patients"

    BINDINGS: ClassVar[list[BindingType]] = [
        HELP,
        Binding("slash", "search", "Search"),
        Binding("a", "add_patient", "Add patient"),
        Binding("o", "sort", "Sort by"),
        Binding("m", "import_archive", "Import archive"),
        QUIT,
        # In the help screen (?) and the palette: the footer is full at 80 columns.
        Binding("O", "reverse", "Reverse", show=False),
        Binding("E", "edit_patient", "Edit patient", show=False),
        Binding("D", "erase_patient", "Erase patient", show=False),
        Binding("escape", "clear_search", "Clear search", show=False),
    ]

    def __init__(self, summaries: list[PatientSummary]) -> None:
        super().__init__()
        self.rows: dict[str, PatientListRow] = {str(s.patient.id): list_row(s) for s in summaries}
        self._read_for = {s.as_of for s in summaries}
        self.patients: dict[str, Patient] = {str(s.patient.id): s.patient for s in summaries}
        self.sort_column = "flags"  # patients with open red flags first
        self.sort_reverse = False
        self.query_text = ""
        self.opened_at: float | None = None
        self.scored_once = False
        # Live refresh (`refresh_data`): what each patient's records looked like at the last read.
        self._versions: dict[str, PatientVersion] | None = None
        self._live_busy = self._live_again = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Search patients by name  ( / )", id="search")
        yield LiveTable(id="patients", cursor_type="row", zebra_stripes=True)
        yield Static("", id="list-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "Patients"
        table = self.query_one(DataTable)
        for column in COLUMNS:  # two spaces reserve room for the sort arrow
            table.add_column(column.label + "  ", key=column.key, width=column.width)
        self.rebuild()
        self.call_after_refresh(self._mark, "list_painted")
        pending = [r.id for r in self.rows.values() if r.flags is None]
        if not self._read_for <= {journal_app(self).today}:
            self.load_scores()  # read for another day (an injected date): read it all again
        elif pending:
            self.load_scores(pending)  # stale stored results: scored once the journal is open
        else:
            self.scores_done(resort=False)  # read for today and sorted by `rebuild`: all there
        self._live_baseline()

    def _mark(self, name: str) -> None:
        """Record when something reached the screen (the TUI benchmark reads these).

        The start-up marks keep their first time: a later scoring (a patient
        reloaded on return) paints scores again but is not the launch.
        """
        app = journal_app(self)
        now = time.perf_counter()
        if name == "list_painted":
            app.timings.setdefault(name, now)
            app.list_painted()
        elif name == "scores_painted":
            app.timings.setdefault(name, now)
            app.scores_painted()
        else:
            app.timings[name] = now

    # -- the table -------------------------------------------------------------

    def visible_rows(self) -> list[PatientListRow]:
        """The rows that match the search, in the chosen order."""
        needle = self.query_text.casefold().strip()
        rows = [r for r in self.rows.values() if needle in r.name.casefold()]
        column = next(c for c in COLUMNS if c.key == self.sort_column)
        return sorted(rows, key=column.sort_key, reverse=self.sort_reverse)

    def rebuild(self) -> None:
        """Refill the table (search or sort changed); keeps the cursor on the same patient."""
        table = self.query_one(LiveTable)
        current = self.current_patient_id()
        table.clear()
        rows = self.visible_rows()
        shared: dict[tuple[str, str], Text] = {}
        table.fill([(row.id, cells(row, shared)) for row in rows])
        self._label_columns()
        if current is not None and current in {r.id for r in rows}:
            table.move_cursor(row=table.get_row_index(current))
        self._status()

    def _label_columns(self) -> None:
        table = self.query_one(DataTable)
        arrow = " ▼" if self.sort_reverse else " ▲"
        for column in COLUMNS:
            label = column.label + (arrow if column.key == self.sort_column else "")
            table.columns[column.key].label = Text(label)  # type: ignore[index]
        table.refresh()

    def _status(self) -> None:
        shown = self.query_one(DataTable).row_count
        total = len(self.rows)
        pending = sum(1 for r in self.rows.values() if r.flags is None)
        text = f"{shown} of {total} patients · Enter opens one"
        if self.query_text:
            text += f" matching {self.query_text!r}"
        if pending:
            text += f" · scoring {total - pending}/{total}…"
        self.query_one("#list-status", Static).update(plain(text))

    def current_patient_id(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:
            return None
        return str(key.value) if key.value is not None else None

    # -- scores in the background ------------------------------------------------

    @work(thread=True, group="overview", exit_on_error=False)
    def load_scores(self, ids: list[str] | None = None) -> None:
        """Read the rows of these patients (default: all) for the app's day: one query."""
        import uuid

        from journal.services.scoring import clinic_overview

        app = journal_app(self)
        chosen = [uuid.UUID(i) for i in ids] if ids is not None else None
        overview = clinic_overview(app.journal, today=app.today, patient_ids=chosen)
        app.call_from_thread(self.apply_overview, overview)
        app.call_from_thread(self.scores_done)

    def apply_overview(self, overview: list[PatientOverview]) -> None:
        """Put scored rows in the table; only the rows whose cells changed are repainted."""
        table = self.query_one(LiveTable)
        visible = {k.value for k in table.rows}
        changed: dict[str, tuple[Text, ...]] = {}
        for item in overview:
            key = str(item.patient.id)
            row = list_row(item)
            self.rows[key] = row
            if key in visible:
                changed[key] = cells(row)
        table.set_rows(changed)
        self._status()

    def scores_done(self, resort: bool = True) -> None:
        """Every score is in: put the rows in order (unless just built in it) and say so.

        `resort=False` when the table was filled from these very rows a moment
        ago (`on_mount`): sorting 1,000 rows again would only find them in place.
        """
        first, self.scored_once = not self.scored_once, True
        if resort and self.sort_column in {"score", "verdict", "flags", "sessions", "last_visit"}:
            table = self.query_one(DataTable)
            untouched = first and table.cursor_row == 0
            self.reorder()
            if untouched:  # a provider who has not moved lands on the most urgent patient
                table.move_cursor(row=0)
        self._status()
        self.call_after_refresh(self._mark, "scores_painted")
        self.call_after_refresh(freeze_long_lived)

    def on_screen_resume(self) -> None:
        """Back from a patient: refresh their row (a review or session may have changed it)."""
        if self.opened_at is None:
            return
        self.opened_at = None
        current = self.current_patient_id()
        if current is not None:
            self.load_scores([current])

    # -- events and actions -------------------------------------------------------

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self.rebuild()

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        self.query_one(DataTable).focus()

    @on(DataTable.HeaderSelected)
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        key = str(event.column_key.value)
        if key == self.sort_column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column, self.sort_reverse = key, False
        self.resort()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.open_patient(str(event.row_key.value))

    def open_patient(self, patient_id: str) -> None:
        """Load the patient in a worker, then show their dashboard complete in one paint."""
        self.opened_at = time.perf_counter()
        self._mark("patient_selected")
        self.load_and_open(patient_id)

    @work(thread=True, exclusive=True, group="open-patient", exit_on_error=False)
    def load_and_open(self, patient_id: str) -> None:
        from journal.tui.data import load_patient

        app = journal_app(self)
        data = load_patient(app.journal, patient_id, app.today)
        app.call_from_thread(self._push_dashboard, data)

    def _push_dashboard(self, data: PatientData) -> None:
        from journal.tui.screens.dashboard import DashboardScreen

        if self.app.screen is self:  # the user may have moved on meanwhile
            self.app.push_screen(DashboardScreen(data.ref, provider=True, data=data))

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        if search.value:
            search.value = ""
        self.query_one(DataTable).focus()

    def action_sort(self) -> None:
        index = COLUMN_KEYS.index(self.sort_column)
        self.sort_column = COLUMN_KEYS[(index + 1) % len(COLUMN_KEYS)]
        self.sort_reverse = False
        self.resort()
        self.notify(f"Sorted by {self.sort_column.replace('_', ' ')}", timeout=2)

    def action_reverse(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self.resort()

    def resort(self) -> None:
        """The sort changed: move the rows in place (no 1,000-row refill) and relabel."""
        self.reorder()
        self._label_columns()
        self._status()

    def action_add_patient(self) -> None:
        from journal.tui.screens.patient_form import PatientFormScreen

        form = PatientFormScreen()

        def added(saved: bool | None) -> None:
            if saved and form.created is not None:
                self.refresh_patients(form.created)

        self.app.push_screen(form, added)

    def action_import_archive(self) -> None:
        from journal.tui.screens.archive_import import ArchiveImportScreen

        def done(patient_id: str | None) -> None:
            if patient_id is not None:
                self.refresh_patients(patient_id)

        self.app.push_screen(ArchiveImportScreen(journal_app(self).photos_from), done)

    @work(thread=True, exclusive=True, group="patients", exit_on_error=False)
    def refresh_patients(self, focus_id: str | None = None) -> None:
        from journal.services.patients import list_patients

        app = journal_app(self)
        summaries = list_patients(app.journal, today=app.today)
        app.call_from_thread(self._merge_patients, summaries, focus_id)

    def _merge_patients(self, summaries: list[PatientSummary], focus_id: str | None) -> None:
        for s in summaries:
            key = str(s.patient.id)
            self.patients[key] = s.patient
            self.rows[key] = list_row(s)
        self.rebuild()
        if focus_id is not None:
            table = self.query_one(DataTable)
            if focus_id in {k.value for k in table.rows}:
                table.move_cursor(row=table.get_row_index(focus_id))
            self.load_scores([focus_id])

    # -- live refresh: writes by other processes (journal.tui.live) -------------------

    def reorder(self) -> None:
        """Put the rows in the chosen order in place (values changed, not the search).

        Unlike `rebuild`, no row is re-added, so a 1,000-row table is not measured
        again and the view does not jump: the same patient stays selected and the
        table scrolls only if that patient's row moved out of sight. Only rows
        that changed place are repainted (`LiveTable.reorder`).
        """
        table = self.query_one(LiveTable)
        order = [r.id for r in self.visible_rows()]
        if set(order) != {key.value for key in table.rows}:
            self.rebuild()  # the search matches other rows now
            return
        selected = self.current_patient_id()
        if table.reorder(order) and selected is not None:
            table.move_cursor(row=table.get_row_index(selected))

    def refresh_data(self) -> None:
        """Re-read the list and re-score the patients whose records changed; keep the view.

        Reading runs in a thread worker and only the repaint on the UI thread.
        Refreshes asked for while one runs are folded into one more.
        """
        if self._live_busy:
            self._live_again = True
            return
        self._live_busy = True
        self._live_read()

    @work(thread=True, group="live-list", exit_on_error=False)
    def _live_baseline(self) -> None:
        from journal.services.live import patient_versions

        app = journal_app(self)
        versions = patient_versions(app.journal)
        app.call_from_thread(self._set_baseline, versions)

    def _set_baseline(self, versions: dict[str, PatientVersion]) -> None:
        if self._versions is None:
            self._versions = versions

    @work(thread=True, group="live-list", exit_on_error=False)
    def _live_read(self) -> None:
        """Which patients changed (one cheap query), then only those are read and scored."""
        import uuid

        from journal.services.live import patient_versions
        from journal.services.scoring import clinic_overview

        app = journal_app(self)
        try:
            versions = patient_versions(app.journal)
            old = self._versions
            changed = [uuid.UUID(k) for k, v in versions.items() if old is None or old.get(k) != v]
            overview: list[PatientOverview] = []
            for start in range(0, len(changed), CHUNK):
                chunk = changed[start : start + CHUNK]
                overview += clinic_overview(app.journal, today=app.today, patient_ids=chunk)
        except BaseException:
            app.call_from_thread(self._live_finished)
            raise
        app.call_from_thread(self._live_apply, versions, overview)

    def _live_apply(
        self, versions: dict[str, PatientVersion], overview: list[PatientOverview]
    ) -> None:
        """Drop erased patients, add new ones, update changed rows in place, re-sort."""
        if not self.is_attached:
            self._live_finished()
            return
        self._versions = versions
        names = journal_app(self).patient_names
        table = self.query_one(DataTable)
        for key in [k for k in self.rows if k not in versions]:
            del self.rows[key]
            self.patients.pop(key, None)
            names.pop(key, None)
            if key in table.rows:
                table.remove_row(key)
        needle = self.query_text.casefold().strip()
        for item in overview:
            key = str(item.patient.id)
            self.patients[key] = item.patient
            names[key] = item.patient.display_name
            if key not in self.rows:
                row = PatientListRow(key, item.patient.display_name, item.sessions, item.last_visit)
                self.rows[key] = row
                if needle in row.name.casefold():
                    table.add_row(*cells(row), key=key)
        self.apply_overview(overview)
        self.reorder()
        self._status()
        self._live_finished()

    def _live_finished(self) -> None:
        self._live_busy = False
        if self._live_again:
            self._live_again = False
            self.refresh_data()

    # -- corrections: edit a patient, erase one ------------------------------------

    def action_edit_patient(self) -> None:
        """E: the new-patient form on the highlighted patient; saving sends what changed."""
        from journal.tui.corrections import records_changed
        from journal.tui.screens.edit_forms import PatientEditScreen

        patient_id = self.current_patient_id()
        if patient_id is None or self.busy or patient_id not in self.patients:
            return

        def saved(done: bool | None) -> None:
            if done:
                records_changed(journal_app(self), [patient_id])

        self.app.push_screen(PatientEditScreen(self.patients[patient_id]), saved)

    def action_erase_patient(self) -> None:
        """D: erase the highlighted patient for good, after the name is typed to confirm."""
        patient_id = self.current_patient_id()
        if patient_id is None:
            return
        if self.start_work("Reading what erasing would remove…"):
            self._erase_preview(patient_id)

    @work(thread=True, exit_on_error=False, group=ACTIONS, name="erase-preview")
    def _erase_preview(self, patient_id: str) -> tuple[str, str]:
        from journal.services.erasure import erase_preview

        return patient_id, erase_preview(journal_app(self).journal, patient_id)

    @work(thread=True, exit_on_error=False, group=ACTIONS, name="erase")
    def _erase(self, patient_id: str) -> Erasure:
        from journal.services.erasure import erase_patient

        return erase_patient(journal_app(self).journal, patient_id)

    def work_done(self, name: str, result: object) -> None:
        if name == "erase-preview":
            patient_id, preview = cast("tuple[str, str]", result)
            self._confirm_erase(patient_id, preview)
        elif name == "erase":
            self._erased(cast("Erasure", result))

    def _confirm_erase(self, patient_id: str, preview: str) -> None:
        from journal.tui.screens.confirm import EraseDialog

        row = self.rows.get(patient_id)
        if row is None:
            return

        def answered(yes: bool | None) -> None:
            if yes and self.start_work("Erasing…"):
                self._erase(patient_id)

        self.app.push_screen(EraseDialog(row.name, preview), answered)

    def _erased(self, erasure: Erasure) -> None:
        key = str(erasure.patient_id)
        row = self.rows.pop(key, None)
        self.patients.pop(key, None)
        journal_app(self).patient_names.pop(key, None)
        self.rebuild()
        name = row.name if row else "The patient"
        files = f" and {erasure.photo_files} photo files" if erasure.photo_files else ""
        self.notify(
            clean(f"{name} was erased: {erasure.records} records{files}. This cannot be undone."),
            title="Erased",
            timeout=8,
            markup=False,
        )

    def show_busy(self, message: str | None) -> None:
        if message is None:
            self._status()
        else:
            self.query_one("#list-status", Static).update(Text(message, style="bold"))
