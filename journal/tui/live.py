"""Live views: the open screens follow writes made by other processes.

The app holds one change watcher (`journal.services.live.watch_changes`) and
asks it every `POLL_S` seconds, on the UI thread, whether anything was
committed: on SQLite a `PRAGMA data_version` (microseconds), on PostgreSQL a
flag a LISTEN thread sets. When something was, or on ctrl+r,
`refresh_open_screens` refreshes every screen in the stack in place:

* a screen of one patient (dashboard, timeline, score, gallery, detail) gets
  its patient reloaded in a thread worker and handed to its
  `patient_changed(data)`, which keeps its own cursor; the scroll offsets of
  its scrollable widgets are put back afterwards. Data equal to what the screen
  shows is not handed over at all, so a write to another patient repaints
  nothing. A screen without `patient_changed` (a form, the export dialog,
  compare) is left alone: what the user is typing is never clobbered.
* a screen with `refresh_data()` (the provider's patient list) re-reads and
  re-scores what changed itself, off the UI thread.

The app's own writes also refresh the screens directly, as before
(`journal.tui.corrections.records_changed`); the watcher may see them too, and
the equality check makes that second refresh a no-op.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

if TYPE_CHECKING:
    from journal.tui.app import JournalApp
    from journal.tui.data import PatientData

POLL_S = 0.5
LIVE = "live"  # the worker group of live reloads (failures are not shown: the next poll retries)


def patient_ids_open(app: JournalApp) -> list[str]:
    """The patients some open screen shows, each once."""
    from journal.tui.data import PatientData

    found: dict[str, None] = {}
    for screen in app.screen_stack:
        data = getattr(screen, "data", None)
        if isinstance(data, PatientData):
            found[str(data.patient.id)] = None
    return list(found)


def refresh_open_screens(app: JournalApp) -> None:
    """Re-read what every open screen shows and repaint it in place (UI thread)."""
    for patient_id in patient_ids_open(app):
        app.run_worker(
            partial(_reload, app, patient_id),
            thread=True,
            group=LIVE,
            name=f"live-{patient_id}",
            exit_on_error=False,
        )
    for screen in app.screen_stack:
        refresh_data = getattr(screen, "refresh_data", None)
        if callable(refresh_data):
            refresh_data()


def _reload(app: JournalApp, patient_id: str) -> None:
    from journal.core.errors import NotFound
    from journal.tui.data import load_patient

    try:
        data = load_patient(app.journal, patient_id, app.today)
    except NotFound:
        return  # erased meanwhile: the patient list drops the row; this screen stays as it was
    app.call_from_thread(show_live, app, data)  # type: ignore[arg-type]


async def show_live(app: JournalApp, data: PatientData) -> None:
    """Hand fresh data to every screen of this patient that shows something else (UI thread)."""
    from journal.tui.corrections import repaint_lock

    async with repaint_lock(app):
        await _show_live(app, data)


async def _show_live(app: JournalApp, data: PatientData) -> None:
    from journal.tui.corrections import screens_showing

    for screen, current in screens_showing(app, data.patient.id):
        changed = getattr(screen, "patient_changed", None)
        if changed is None or current == data or not screen.is_attached:
            continue
        offsets = scroll_offsets(screen)
        await changed(data)
        screen.call_after_refresh(restore_scroll, screen, offsets)


def scroll_offsets(screen: Screen[Any]) -> dict[str, tuple[float, float]]:
    """Where each scrollable widget with an id is scrolled to (to put it back after a repaint)."""
    return {
        widget.id: (widget.scroll_x, widget.scroll_y)
        for widget in screen.query("*")
        if widget.id and (widget.scroll_y or widget.scroll_x)
    }


def restore_scroll(screen: Screen[Any], offsets: dict[str, tuple[float, float]]) -> None:
    for widget_id, (x, y) in offsets.items():
        for widget in screen.query(f"#{widget_id}"):
            widget.scroll_to(x=x, y=y, animate=False, immediate=True)
