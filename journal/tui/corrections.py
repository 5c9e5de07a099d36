"""Correcting records from the screens: delete with a confirmation, edit, and the reload after.

Every correction (an edit form's save, a delete, a photo re-filed, ctrl+z)
goes through `journal.services.amend` in an action worker, like any other
write (see `journal.tui.actions`). Afterwards `records_changed` reloads the
patient's `PatientData` once, off the UI thread, and hands it to every open
screen of that patient, so the dashboard, timeline, score and gallery show
the corrected records and can never disagree with each other.

A screen takes fresh data through `patient_changed(data)` when it has one
(to keep its cursor, or to close a detail whose record is gone); any other
screen holding the patient's data is recomposed with it.
"""

from __future__ import annotations

import asyncio
import uuid
import weakref
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from textual import work

from journal.tui.actions import ACTIONS, RunsActions, journal_app, show_failure
from journal.tui.safe import clean

if TYPE_CHECKING:
    from journal.services.amend import Outcome
    from journal.tui.app import JournalApp
    from journal.tui.data import PatientData

REFRESH = "refresh"  # the app's worker group that reloads patients after a correction


def records_changed(app: JournalApp, patient_ids: Iterable[uuid.UUID | str | None]) -> None:
    """Reload these patients' data for every open screen, and their rows in the patient list."""
    ids = sorted({str(p) for p in patient_ids if p is not None})
    for patient_id in ids:
        app.run_worker(
            partial(_reload, app, patient_id),
            thread=True,
            group=REFRESH,
            name=f"refresh-{patient_id}",
            exit_on_error=False,
        )
    for screen in app.screen_stack:
        refresh_patients = getattr(screen, "refresh_patients", None)
        if refresh_patients is not None and ids:
            refresh_patients()
            screen.load_scores(ids)  # type: ignore[attr-defined]


def _reload(app: JournalApp, patient_id: str) -> None:
    from journal.tui.data import load_patient

    data = load_patient(app.journal, patient_id, app.today)
    app.call_from_thread(show_everywhere, app, data)  # type: ignore[arg-type]


def repaint_lock(app: JournalApp) -> asyncio.Lock:
    """One repaint of a patient's screens at a time.

    A correction's reload and a live refresh (`journal.tui.live`) may land
    together; `patient_changed` awaits while it remounts widgets, and two of
    them interleaved would mount the same widget ids twice.
    """
    lock = _LOCKS.get(app)
    if lock is None:
        lock = _LOCKS[app] = asyncio.Lock()
    return lock


_LOCKS: weakref.WeakKeyDictionary[JournalApp, asyncio.Lock] = weakref.WeakKeyDictionary()


async def show_everywhere(app: JournalApp, data: PatientData) -> None:
    """Give every open screen of this patient the fresh data (UI thread)."""
    async with repaint_lock(app):
        await _show_everywhere(app, data)


def screens_showing(app: JournalApp, patient_id: uuid.UUID) -> list[tuple[Any, PatientData]]:
    """The open screens holding this patient's data, with the data they hold, bottom first."""
    from journal.tui.data import PatientData

    found: list[tuple[Any, PatientData]] = []
    for screen in list(app.screen_stack):
        current = getattr(screen, "data", None)
        if isinstance(current, PatientData) and current.patient.id == patient_id:
            found.append((screen, current))
    return found


async def _show_everywhere(app: JournalApp, data: PatientData) -> None:
    for screen, _current in screens_showing(app, data.patient.id):
        changed = getattr(screen, "patient_changed", None)
        if changed is not None:
            await changed(data)
        elif screen.is_attached:
            screen.data = data
            await screen.recompose()


def undo_message(error: BaseException) -> tuple[str, str] | None:
    """(message, severity) for an undo the journal refused; None for an unexpected failure.

    "Nothing to undo" is not an error: the user simply pressed ctrl+z once too often.
    """
    from journal.core.errors import InvalidValue, JournalError

    if isinstance(error, InvalidValue) and error.field == "undo":
        reason = error.message.split(": ", 1)[-1]
        if reason == "nothing to undo":
            return "Nothing to undo.", "information"
        return f"Cannot undo: {reason}.", "warning"
    if isinstance(error, JournalError):
        return error.message, "error"
    return None


class CorrectsRecords(RunsActions):
    """Mix into a screen that deletes or edits records in place (the detail, the gallery).

    `ask_delete` reads what would go (`delete_preview`), asks, and deletes on
    yes; `start_edit` saves changes checked against the record's `updated_at`,
    and a conflict asks whether to reload or overwrite. Afterwards the patient
    is reloaded everywhere and `corrected(name, outcome)` lets the screen react.
    """

    data: PatientData

    def ask_delete(self, kind: str, record_id: uuid.UUID) -> None:
        if self.start_work("Reading what a delete would remove…"):
            self._delete_preview(kind, str(record_id))

    @work(thread=True, exit_on_error=False, group=ACTIONS, name="delete-preview")
    def _delete_preview(self, kind: str, ref: str) -> tuple[str, str, str]:
        from journal.services.amend import delete_preview

        return kind, ref, delete_preview(journal_app(self).journal, kind, ref)

    @work(thread=True, exit_on_error=False, group=ACTIONS, name="delete")
    def _delete(self, kind: str, ref: str) -> Outcome:
        from journal.services.amend import delete

        return delete(journal_app(self).journal, kind, ref)

    def start_edit(
        self, kind: str, record: Any, changes: dict[str, Any], *, overwrite: bool = False
    ) -> None:
        """Save `changes` to `record`; unless `overwrite`, only if nobody changed it since."""
        self._pending_edit = (kind, record, changes)
        if self.start_work("Saving…"):
            expected = None if overwrite else record.updated_at
            self._edit(kind, str(record.id), changes, expected)

    @work(thread=True, exit_on_error=False, group=ACTIONS, name="edit")
    def _edit(self, kind: str, ref: str, changes: dict[str, Any], expected: Any) -> Outcome:
        from journal.services.amend import edit

        return edit(journal_app(self).journal, kind, ref, changes, expected_updated_at=expected)

    def work_done(self, name: str, result: object) -> None:
        if name == "delete-preview":
            kind, ref, preview = cast("tuple[str, str, str]", result)
            self._confirm_delete(kind, ref, preview)
        elif name in ("delete", "edit"):
            outcome = cast("Outcome", result)
            self.app.notify(clean(outcome.summary), timeout=4, markup=False)
            self.corrected(name, outcome)
            records_changed(journal_app(self), [self.data.patient.id])

    def _confirm_delete(self, kind: str, ref: str, preview: str) -> None:
        from journal.tui.screens.confirm import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes and self.start_work("Deleting…"):
                self._delete(kind, ref)

        note = "ctrl+z undoes it (a photo's files are kept 30 days)."
        self.app.push_screen(ConfirmDialog(f"Delete this {kind}?", f"{preview}?", note), answered)

    def work_failed(self, name: str, error: BaseException) -> None:
        from journal.services.amend import EditConflict

        if name == "edit" and isinstance(error, EditConflict):
            self._ask_about_conflict(error.message)
            return
        show_failure(self, error, status=self.status_line(), title=self.FAILED_TITLE)

    def _ask_about_conflict(self, message: str) -> None:
        from journal.tui.screens.confirm import OVERWRITE, RELOAD, ConflictDialog

        kind, record, changes = self._pending_edit

        def answered(choice: str | None) -> None:
            if choice == OVERWRITE:
                self.start_edit(kind, record, changes, overwrite=True)
            elif choice == RELOAD:
                records_changed(journal_app(self), [self.data.patient.id])

        self.app.push_screen(ConflictDialog(message[:1].upper() + message[1:] + "."), answered)

    def corrected(self, name: str, outcome: Outcome) -> None:
        """A delete or edit went through (UI thread); the reload is already on its way."""
