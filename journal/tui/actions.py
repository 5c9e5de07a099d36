"""One pattern for what screens do and for what goes wrong.

Anything that writes or may wait (a form's save, an export, an archive or
photo import, loading a patient) runs in a thread worker, never on the UI
thread: a write waits for the journal's write lock, which another program
may hold for seconds, and the UI must keep answering meanwhile. Following
Harlequin, such workers are ``@work(thread=True, exit_on_error=False)``:

* an action worker (group `ACTIONS`) returns its result; `RunsActions` hears
  the worker's state change on the UI thread and calls `work_done`
  or `show_failure`;
* a loader may hand results back early with ``app.call_from_thread``; if it
  raises, the same `show_failure` reports it.

`show_failure` is the one place a failure becomes something the user sees:
a refused value naming a field of the screen goes under that field, any
other failure the user can act on goes to an error notification (and the
screen's own status line, if it has one), and an unexpected exception opens
an error dialog that names no personal data and shows no traceback (the
traceback goes to the Textual log for developers).
"""

from __future__ import annotations

import traceback
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, cast

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Static
from textual.worker import Worker, WorkerState

from journal.core.errors import InvalidValue, JournalError
from journal.tui.safe import clean, literal, plain
from journal.tui.widgets.form import FormField

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from journal.tui.app import JournalApp

ACTIONS = "actions"  # the worker group whose results `RunsActions` delivers


class _HasApp(Protocol):
    @property
    def app(self) -> App[Any]: ...


def journal_app(node: _HasApp) -> JournalApp:
    """The running app as the journal's own class: its journal, clock and folders, typed."""
    return cast("JournalApp", node.app)


def describe(error: BaseException) -> str:
    """One line for a failure the user can act on (None of SQL, traceback or repr)."""
    if isinstance(error, JournalError):
        return error.message
    if isinstance(error, OSError):
        reason = error.strerror or type(error).__name__
        return f"{reason}: {error.filename}" if error.filename else reason
    return f"something went wrong ({type(error).__name__})"


def field_for(root: DOMNode, name: str | None) -> FormField | None:
    """The form field under `root` that answers for the service's field `name`, if any."""
    if name is None:
        return None
    return next((f for f in root.query(FormField) if f.answers_for(name)), None)


def clear_field_errors(root: DOMNode) -> None:
    for field in root.query(FormField):
        field.show_error(None)


def show_field_error(root: DOMNode, name: str | None, message: str) -> bool:
    """Put `message` under the field answering for `name`; False when no field does."""
    field = field_for(root, name)
    if field is None:
        return False
    field.show_error(message)
    field.control.focus()
    field.scroll_visible()
    return True


def show_failure(
    screen: Screen[Any], error: BaseException, *, status: Static | None = None, title: str = ""
) -> None:
    """Show a failed action: under its field, in a notification, or in an error dialog."""
    if isinstance(error, InvalidValue) and show_field_error(screen, error.field, error.message):
        if status is not None:
            status.update("")
        return
    if isinstance(error, JournalError | OSError):
        message = describe(error)
        if status is not None:
            status.update(plain(message, style="bold red"))
        screen.app.notify(
            clean(message), title=clean(title), severity="error", timeout=8, markup=False
        )
        return
    screen.app.log.error("".join(traceback.format_exception(error)))
    if status is not None:
        status.update(plain(describe(error), style="bold red"))
    screen.app.push_screen(ErrorScreen(title or "The action failed", describe(error)))


class ErrorScreen(ModalScreen[None]):
    """A failure nobody planned for: what failed, that nothing crashed, how to go on."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "close", "Close")]

    def __init__(self, title: str, message: str) -> None:
        super().__init__()
        self.title_text = title
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="error-box", classes="panel") as box:
            box.border_title = literal(self.title_text)
            yield Static(plain(self.message), id="error-message")
            yield Static(Text("The app is still running: press Enter to go on.", "dim"))
            yield Button("Close", id="error-close", variant="error")

    def on_mount(self) -> None:
        self.query_one("#error-close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


if TYPE_CHECKING:
    _ScreenBase = Screen[Any]
else:
    _ScreenBase = object


class RunsActions(_ScreenBase):
    """Mix into a screen that runs workers: busy state, results and failures in one place.

    Put it before the screen class (``class X(RunsActions, Screen[bool])``).
    An action worker belongs to group `ACTIONS`; while one runs the screen is
    `busy` and `show_busy` tells the user. Its return value goes to
    `work_done(name, result)`; an error from any worker of the screen
    goes to `work_failed`, which by default is `show_failure`.
    """

    busy: bool = False
    FAILED_TITLE: ClassVar[str] = ""

    def start_work(self, message: str) -> bool:
        """Mark the screen busy before starting an action worker; False if one already runs."""
        if self.busy:
            self.app.notify("Still working on the last request…", severity="warning")
            return False
        self.busy = True
        self.show_busy(message)
        return True

    def show_busy(self, message: str | None) -> None:
        """Tell the user an action runs (`message`) or has ended (None)."""

    def work_done(self, name: str, result: object) -> None:
        """The action worker `name` returned `result` (on the UI thread)."""

    def work_failed(self, name: str, error: BaseException) -> None:
        show_failure(self, error, status=self.status_line(), title=self.FAILED_TITLE)

    def status_line(self) -> Static | None:
        """Where this screen reports a failure in place, besides the notification."""
        return None

    def dismiss_when_done(self, result: Any = None) -> None:
        """Dismiss this screen once its work is done, even if help or a dialog opened above it.

        `dismiss` pops whatever screen is on top, so the ones above go first.
        """
        if self.app.screen is not self:
            self.pop_until_active()
        self.dismiss(result)

    def refuse_while_busy(self) -> bool:
        """True (and a note) when the user tries to leave while an action still runs."""
        if self.busy:
            self.app.notify("Still working: the screen closes once it is done.", severity="warning")
        return self.busy

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker: Worker[Any] = event.worker
        action = worker.group == ACTIONS
        if event.state == WorkerState.SUCCESS and action:
            self._work_ended()
            self.work_done(worker.name, worker.result)
        elif event.state == WorkerState.ERROR and worker.error is not None:
            if action:
                self._work_ended()
            self.work_failed(worker.name, worker.error)
        elif event.state == WorkerState.CANCELLED and action:
            self._work_ended()

    def _work_ended(self) -> None:
        self.busy = False
        self.show_busy(None)
