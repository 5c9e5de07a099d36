"""Log a microneedling session, pre-filled from the last one.

Most sessions repeat the previous one (same provider, device, depth and
serums), so the form starts from it and today's date: a routine visit is
a date check and ctrl+s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from textual.containers import Grid
from textual.widget import Widget
from textual.widgets import Input, Select, SelectionList

from journal.core.errors import NeedsConfirmation
from journal.core.vocab import AREAS, DEVICE_KINDS, DEVICE_NAMES, SERUMS, SETTINGS, Vocabulary
from journal.tui.screens.form_base import (
    PatientRecordForm,
    date_field,
    field_input,
    field_select,
    provider_field,
    select_value,
    selected,
    text_value,
    vocab_ticks,
)
from journal.tui.widgets.form import FormField


def _choices(vocab: Vocabulary) -> list[tuple[str, str]]:
    return [(vocab.label(k), k) for k in vocab.keys]


class SessionFormScreen(PatientRecordForm):
    """A new session for one patient (the service creates a default course if needed)."""

    LABEL = "New session"
    PREPOSITION = "for"
    HEADING = "New session"
    SAVED = "Session saved."
    KIND = "session"

    def fields(self) -> Iterable[Widget]:
        d = self.defaults
        with Grid(classes="form-grid"):
            yield date_field(d.date)
            yield provider_field(d.provider)
            yield FormField(
                "Setting",
                field_select(
                    _choices(SETTINGS),
                    value=d.setting or Select.NULL,
                    id="setting",
                    prompt="—",
                ),
                keys=("setting",),
            )
            yield FormField(
                "Device",
                field_select(
                    _choices(DEVICE_KINDS),
                    value=d.device if d.device in DEVICE_KINDS.keys else Select.NULL,
                    id="device",
                    prompt="—",
                ),
                keys=("device",),
            )
            yield FormField(
                "Device name",
                field_input(
                    d.device_name, placeholder=", ".join(DEVICE_NAMES.keys[:3]), id="device_name"
                ),
                keys=("device name",),
            )
            yield FormField(
                "Depth (mm)",
                field_input(d.depth, placeholder="1.5 or cheeks=1.5,forehead=0.5", id="depth"),
                keys=("depth",),
            )
            yield FormField(
                "Passes", field_input(d.passes, placeholder="1-20", id="passes"), keys=("passes",)
            )
            yield FormField(
                "Pain (0-10)", field_input("", placeholder="0-10", id="pain"), keys=("pain",)
            )
            yield FormField(
                "Cost", field_input(d.cost, placeholder="e.g. 350", id="cost"), keys=("cost",)
            )
            yield FormField(
                "Currency",
                field_input(d.currency, placeholder="USD", id="currency"),
                keys=("currency",),
            )
            yield FormField(
                "Anesthetic",
                field_input(d.anesthetic, placeholder="e.g. topical lidocaine", id="anesthetic"),
                keys=("anesthetic",),
            )
            yield FormField(
                "Notes",
                field_input("", placeholder="anything worth remembering", id="notes"),
                keys=("notes",),
            )
        with Grid(classes="form-grid-2"):
            yield FormField(
                "Areas",
                vocab_ticks(AREAS, d.areas),
                keys=("area",),
                id="areas-field",
            )
            yield FormField(
                "Serums",
                vocab_ticks(SERUMS, d.serums),
                keys=("serum",),
                id="serums-field",
            )

    def prepare(self) -> Callable[[], object]:
        from journal.services.sessions import add_session

        def value(id_: str) -> str | None:
            return text_value(self.query_one(f"#{id_}", Input))

        return partial(
            add_session,
            self.journal,
            self.patient_ref,
            date=value("date") or "",
            provider=value("provider"),
            setting=select_value(self.query_one("#setting", Select)),
            device=select_value(self.query_one("#device", Select)),
            device_name=value("device_name"),
            depth=value("depth"),
            passes=value("passes"),
            areas=selected(self.query_one("#areas-field SelectionList", SelectionList)),
            serums=selected(self.query_one("#serums-field SelectionList", SelectionList)),
            anesthetic=value("anesthetic"),
            pain=value("pain"),
            cost=value("cost"),
            currency=value("currency") if value("cost") else None,
            notes=value("notes"),
            today=self.today,
        )

    def confirm_message(self, error: NeedsConfirmation) -> str:
        """A same-day refusal says so when the form is the last session, untouched.

        That is the usual way a session gets logged twice: the pre-filled
        form saved again after the first save.
        """
        if error.confirm == "again" and self.unchanged_copy():
            return "This is the last session, unchanged: " + error.message
        return error.message

    def unchanged_copy(self) -> bool:
        """True when every field still holds what the form was pre-filled with."""
        d = self.defaults

        def value(id_: str) -> str:
            return self.query_one(f"#{id_}", Input).value.strip()

        typed = {
            "date": value("date"),
            "provider": value("provider"),
            "setting": select_value(self.query_one("#setting", Select)) or "",
            "device": select_value(self.query_one("#device", Select)) or "",
            "device_name": value("device_name"),
            "depth": value("depth"),
            "passes": value("passes"),
            "cost": value("cost"),
            "currency": value("currency"),
            "anesthetic": value("anesthetic"),
        }
        same = all(typed[k] == str(getattr(d, k) or "") for k in typed)
        areas = selected(self.query_one("#areas-field SelectionList", SelectionList))
        serums = selected(self.query_one("#serums-field SelectionList", SelectionList))
        untouched = not value("pain") and not value("notes")
        return same and untouched and set(areas) == set(d.areas) and set(serums) == set(d.serums)
