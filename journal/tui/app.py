"""The journal's terminal UI: `JournalApp` and the `run_app` entry point.

Start-up is kept short on purpose: this module imports Textual and the widget
libraries only; the services (and SQLAlchemy behind them) are imported by a
worker thread that opens the journal after the first frame is painted. What
the user sees next depends on the journal: nobody yet -> a welcome with
"add patient"; one patient -> their dashboard; several -> the provider's
patient list.
"""

from __future__ import annotations

# textual-image asks the terminal which graphics protocol it speaks; that is only
# possible before Textual takes the terminal over, so it is imported first.
import textual_image.renderable  # noqa: F401  isort: skip

import datetime as dt
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from journal.tui.commands import JournalCommands

if TYPE_CHECKING:
    from journal.services.journal import Journal
    from journal.services.live import ChangeWatcher
    from journal.services.patients import PatientSummary
    from journal.tui.data import PatientData

DARK = "textual-dark"
LIGHT = "textual-light"


class JournalApp(App[None]):
    """The patient's journal and the provider's review, over one open journal.

    `journal` injects an already open journal (tests, the demo); the app then
    leaves closing it to the caller. `today` injects the clock every plan and
    score is computed against, so screens are reproducible.
    """

    CSS_PATH = "journal.tcss"
    TITLE = "Microneedling journal"
    COMMANDS = {JournalCommands}  # noqa: RUF012  Textual's commands come from it, after ours
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012 (Textual declares it so)
    # The footer's room is scarce at 80 columns: the main screens put `?` first
    # themselves (journal.tui.keys); theme and undo are in help and the palette,
    # and shown by the screens where records are deleted.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
        Binding("ctrl+t", "toggle_theme", "Theme", show=False),
        Binding("ctrl+z", "undo", "Undo", show=False),
        Binding("ctrl+r", "refresh_data", "Refresh", show=False),
    ]

    def __init__(
        self,
        home: str | Path | None = None,
        db_url: str | None = None,
        *,
        journal: Journal | None = None,
        today: dt.date | None = None,
        photos_from: Path | None = None,
        notice: str | None = None,
        live: bool = True,
    ) -> None:
        """`notice` is shown once the journal is open (the demo says where it lives);
        `live=False` turns off following other processes' writes (ctrl+r still refreshes).
        """
        super().__init__()
        self.notice = notice
        self.home = home
        self.db_url = db_url
        self._journal = journal
        self._owns_journal = journal is None
        self._today = today
        # The file pickers start where `journal` was launched: in a terminal that
        # is usually the folder the photos were just copied to.
        self.photos_from = photos_from or Path.cwd()
        self.provider_mode = False
        self.patient_names: dict[str, str] = {}
        self.timings: dict[str, float] = {"init": time.perf_counter()}
        self.undoing = False
        self.theme = DARK
        self.live = live
        self.watcher: ChangeWatcher | None = None
        # Set once opening has ended, opened or not: a worker that needs the journal
        # while it opens after the list's first paint waits for it (see `journal`).
        self._opened = threading.Event()
        self._list_painted = threading.Event()
        self._benched = False
        self.fast_list = False  # the list was painted from the plain read (`_list_first`)
        # JOURNAL_TUI_BENCH=<file>: write the start-up timings there once every score is
        # painted, time two sorts, and exit (bench/bench_results.py runs the app so).
        self.bench_file = os.environ.get("JOURNAL_TUI_BENCH") or None

    @property
    def journal(self) -> Journal:
        """The open journal; a worker thread asking while it still opens waits for it.

        The provider list is painted from a plain read before the ORM journal
        is open (`open_journal`), so a worker started from it (the live
        baseline, opening a patient) may ask a moment early. The UI thread
        never waits.
        """
        if self._journal is None and threading.current_thread() is not threading.main_thread():
            self._opened.wait(timeout=120)
        if self._journal is None:
            raise RuntimeError("the journal is not open yet")
        return self._journal

    @property
    def today(self) -> dt.date:
        """The injected date, else the real one (read at each use: the app may run overnight)."""
        return self._today or dt.date.today()

    def compose(self) -> ComposeResult:
        yield Static("Opening the journal…", id="opening")

    def on_mount(self) -> None:
        from journal.tui.early import resume_gc

        self.open_journal()
        self.set_timer(15, resume_gc)  # whatever happens, the collector is not held for long

    def on_ready(self) -> None:
        self.timings["first_frame"] = time.perf_counter()

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def open_journal(self, secret: str | None = None) -> None:
        """Open (create, migrate) the journal and read the patient list off the UI thread.

        An encrypted journal with no remembered passphrase shows the passphrase
        screen first; what is typed there comes back here as `secret`.
        """
        if self._journal is None and secret is None and self._list_first():
            return
        from journal.core.errors import JournalError
        from journal.services.journal import open_journal
        from journal.services.patients import list_patients
        from journal.services.unlock import Locked, Secret, looks_like_recovery_key
        from journal.tui.data import load_patient

        try:
            if self._journal is None:
                given = None
                if secret is not None:
                    recovery = looks_like_recovery_key(secret)
                    given = Secret("recovery" if recovery else "passphrase", secret)
                try:
                    self._journal = open_journal(self.home, self.db_url, secret=given)
                except JournalError as exc:
                    if secret is None and not isinstance(exc, Locked):
                        raise
                    self.call_from_thread(self._ask_passphrase, None if secret is None else exc)
                    return
            summaries = list_patients(self._journal)
            only = (
                load_patient(self._journal, summaries[0].patient.id, self.today)
                if len(summaries) == 1
                else None
            )
        except JournalError as exc:
            self._opened.set()
            self.call_from_thread(self._cannot_open, exc.message)
            return
        self._watch()
        self._opened.set()
        self.call_from_thread(self.launch, summaries, only)

    def _list_first(self) -> bool:
        """Paint the provider list from a plain read, then open the journal (in this worker).

        Importing SQLAlchemy, building the models and opening the journal cost
        most of a clinic's start-up, and the list needs none of it: its rows
        are one query that `plain_overview` runs through sqlite3 or psycopg
        (`journal` starts it before importing the UI: `journal.tui.early`). So
        the list is shown first and the journal opened right after its first
        paint; the live watcher starts then. Patients with a course whose
        stored result is stale are painted pending and scored by the list
        once the journal is open. False (nothing done) when the plain read
        does not answer or the journal has fewer than two patients (a welcome
        or a dashboard needs the open journal anyway).
        """
        # Imported here, not on the UI thread (~25 ms), and before waiting for the early
        # read: on a busy machine the child is often still reading then.
        import journal.tui.screens.patients  # noqa: F401
        from journal.tui import early

        started, summaries = early.take(self.home, self.db_url, self.today)
        if not started:
            from journal.services.listing import plain_overview

            summaries = plain_overview(self.home, self.db_url, self.today)
        if summaries is None or len(summaries) < 2:
            return False
        self.fast_list = True
        self.call_from_thread(self.launch, summaries, None)
        self._list_painted.wait(timeout=10)  # the ORM's imports would slow the first paint
        from journal.core.errors import JournalError
        from journal.services.journal import open_journal

        try:
            try:
                self._journal = open_journal(self.home, self.db_url)
            finally:
                self._opened.set()
        except JournalError as exc:  # it read a moment ago: a lock, a refusal of the folder
            self.call_from_thread(self._cannot_open_late, exc.message)
            return True
        self._watch()
        if self.watcher is not None:
            self.call_from_thread(self._poll_live)
        return True

    def _watch(self) -> None:
        """Start noticing other processes' commits (worker thread; the UI polls)."""
        if self.live and self._journal is not None:
            from journal.services.live import watch_changes

            self.watcher = watch_changes(self._journal)

    def _poll_live(self) -> None:
        from journal.tui.live import POLL_S

        self.set_interval(POLL_S, self._poll_changes, name="live")

    def list_painted(self) -> None:
        """The provider list is on screen (its `list_painted` mark): the journal may open now.

        Pending rows (stale results) are scored after that, once it is open.
        """
        self._list_painted.set()

    def scores_painted(self) -> None:
        """The provider list has every score on screen (its `scores_painted` mark)."""
        if self.bench_file is not None and not self._benched:
            self._benched = True
            self.run_worker(self._bench_sorts(), group="bench")

    async def _bench_sorts(self) -> None:
        """Bench mode: time sorting by score and by red flags to the next frame, then exit."""
        import asyncio
        import json

        from journal.tui.screens.patients import PatientListScreen

        screen = self.screen
        if not isinstance(screen, PatientListScreen):
            self.exit()
            return
        sorts: dict[str, float] = {}
        for column in ("score", "flags", "score", "flags"):
            painted = asyncio.Event()
            start = time.perf_counter()
            screen.sort_column, screen.sort_reverse = column, False
            screen.resort()  # what `o` and a header click run
            self.call_after_refresh(painted.set)
            await painted.wait()
            ms = (time.perf_counter() - start) * 1000
            sorts[column] = min(sorts.get(column, ms), ms)
        now = time.perf_counter()
        walls = {k: time.time() - (now - v) for k, v in self.timings.items()}
        rows = len(screen.rows)
        report = {"wall": walls, "sort_ms": sorts, "rows": rows, "fast": self.fast_list}
        Path(str(self.bench_file)).write_text(json.dumps(report))
        self.exit()

    def _cannot_open_late(self, message: str) -> None:
        """Opening failed after the list was shown: back to the opening screen, and say why."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self._cannot_open(message)

    def _ask_passphrase(self, refusal: BaseException | None) -> None:
        """Show the passphrase screen, or say on it why the last try failed."""
        from journal.tui.early import resume_gc
        from journal.tui.screens.passphrase import PassphraseScreen

        resume_gc()

        screen = self.screen
        if isinstance(screen, PassphraseScreen):
            screen.refused(str(refusal) if refusal is not None else "")
            return
        self.push_screen(PassphraseScreen(str(self.home or "")))

    def unlock_with(self, secret: str) -> None:
        """The passphrase screen's answer: try to open the journal with it."""
        self.open_journal(secret)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Opening failed unexpectedly (a damaged journal): say so instead of a traceback.

        Also where an undo ends, and where a reload after a correction fails.
        """
        from journal.tui.actions import describe

        worker = event.worker
        if worker.group == "open" and event.state == WorkerState.ERROR and worker.error:
            self.log.error(repr(worker.error))
            self._opened.set()
            self._cannot_open_late(describe(worker.error))
        elif worker.group == "undo" and event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            self.undoing = False
            self._undone(worker.result, worker.error)
        elif worker.group == "refresh" and event.state == WorkerState.ERROR and worker.error:
            from journal.tui.actions import show_failure

            show_failure(self.screen, worker.error, title="Cannot reload this patient")

    def action_undo(self) -> None:
        """ctrl+z: revert the latest edit or delete made in this journal (in a worker)."""
        if self._journal is None:
            return
        if self.undoing:
            self.notify("Still undoing the last change…", severity="warning")
            return
        self.undoing = True
        self.undo_last()

    @work(thread=True, group="undo", exit_on_error=False)
    def undo_last(self) -> object:
        from journal.services.amend import undo

        return undo(self.journal)

    def _undone(self, outcome: object, error: BaseException | None) -> None:
        """Say what was undone and show the corrected records; "nothing to undo" is no error."""
        from journal.tui.actions import show_failure
        from journal.tui.corrections import records_changed, undo_message

        if error is not None:
            found = undo_message(error)
            if found is None:
                show_failure(self.screen, error, title="Undo failed")
            else:
                message, severity = found
                self.notify(message, severity=severity, timeout=5, markup=False)  # type: ignore[arg-type]
            return
        summary = getattr(outcome, "summary", "")
        changes = getattr(outcome, "changes", ())
        self.notify(summary, title="Undone", timeout=6, markup=False)
        records_changed(self, [c.patient_id for c in changes])

    def launch(self, summaries: list[PatientSummary], only: PatientData | None = None) -> None:
        """Nobody -> welcome; one patient -> their dashboard; several -> the patient list.

        Each screen's module is imported only when it is the one shown (the
        dashboard's charts cost about 140 ms a provider's list does not need).
        """
        if type(self.screen).__name__ == "PassphraseScreen":
            self.pop_screen()
        self.timings["journal_open"] = time.perf_counter()
        if self.notice:
            from journal.tui.safe import clean

            self.notify(clean(self.notice), timeout=20, markup=False)
        if self.watcher is not None:
            self._poll_live()
        self.patient_names = {str(s.patient.id): s.patient.display_name for s in summaries}
        if not summaries:
            from journal.tui.screens.empty import EmptyScreen

            self.push_screen(EmptyScreen())
        elif len(summaries) == 1:
            from journal.tui.screens.dashboard import DashboardScreen

            self.push_screen(DashboardScreen(summaries[0].patient.id, data=only))
        else:
            from journal.tui.screens.patients import PatientListScreen

            self.provider_mode = True
            self.push_screen(PatientListScreen(summaries))
        if len(summaries) < 2:  # the list resumes it once complete (`freeze_long_lived`)
            from journal.tui.early import resume_gc

            self.call_after_refresh(resume_gc)

    def _cannot_open(self, message: str) -> None:
        from journal.tui.early import resume_gc
        from journal.tui.safe import clean, plain

        resume_gc()

        self.query_one("#opening", Static).update(plain(f"Cannot open the journal: {message}"))
        self.notify(
            clean(message),
            title="Cannot open the journal",
            severity="error",
            timeout=30,
            markup=False,
        )

    def open_patient_by_id(self, patient_id: str) -> None:
        """Open a patient from the command palette (provider view)."""
        from journal.tui.screens.dashboard import DashboardScreen

        self.push_screen(DashboardScreen(patient_id, provider=self.provider_mode))

    def action_help(self) -> None:
        from journal.tui.screens.help import HelpScreen, bindings_of

        screen = self.screen
        if type(screen).__name__ == "HelpScreen":
            return
        title = screen.sub_title or self.title
        self.push_screen(HelpScreen(bindings_of(screen), title))

    def _poll_changes(self) -> None:
        """Another process committed: refresh what is on screen (see `journal.tui.live`)."""
        from journal.tui.live import refresh_open_screens

        if self.watcher is not None and self.watcher.changed():
            if self._journal is not None:  # maybe `journal photos move`: use the new store
                from journal.core.errors import JournalError

                try:
                    self._journal.recheck_photo_store()
                except JournalError as exc:  # encrypted or decrypted elsewhere meanwhile
                    self.notify(exc.message, severity="error", timeout=30)
            refresh_open_screens(self)

    def action_refresh_data(self) -> None:
        """ctrl+r: re-read what every open screen shows, by hand."""
        from journal.tui.live import refresh_open_screens

        if self._journal is None:
            return
        refresh_open_screens(self)
        self.notify("Refreshed", timeout=2)

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK

    def on_unmount(self) -> None:
        if self.watcher is not None:
            self.watcher.close()
            self.watcher = None
        if self._owns_journal and self._journal is not None:
            self._journal.close()


def run_app(home: str | None = None, db_url: str | None = None, notice: str | None = None) -> None:
    """Open the TUI on the journal at `home` / `db_url` (the `journal` command's default).

    With JOURNAL_TUI_BENCH set the app runs headless and exits once the list
    is complete (see `JournalApp.bench_file`).
    """
    app = JournalApp(home=home, db_url=db_url, notice=notice)
    if app.bench_file is not None:
        app.run(headless=True, size=(120, 40))
    else:
        app.run()
