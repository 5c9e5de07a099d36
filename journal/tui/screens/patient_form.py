"""Register a patient: name, birth year, skin type, concerns and intake screening.

The screening answers become warnings on the dashboard (never a diagnosis),
and the concerns become the ratings every check-in asks for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from textual.containers import Grid
from textual.widget import Widget
from textual.widgets import Input, Select, SelectionList

from journal.core.vocab import CONCERNS, SCREENING
from journal.tui.screens.form_base import (
    FormScreen,
    field_input,
    field_select,
    select_value,
    selected,
    text_value,
    tick_list,
)
from journal.tui.widgets.form import FormField

SKIN_TYPES = [(f"Type {n}", str(i)) for i, n in enumerate(("I", "II", "III", "IV", "V", "VI"), 1)]


class PatientFormScreen(FormScreen):
    """Dismisses with True once saved; `created` then holds the new patient's id."""

    HEADING = "New patient"
    SAVED = "Patient added."
    KIND = "patient"

    def __init__(self) -> None:
        super().__init__()
        self.created: str | None = None

    def fields(self) -> Iterable[Widget]:
        with Grid(classes="form-grid"):
            yield FormField(
                "Name",
                field_input("", placeholder="how the journal calls them", id="name"),
                keys=("name",),
            )
            yield FormField(
                "Birth year",
                field_input("", placeholder="e.g. 1988", id="birth_year"),
                keys=("birth year",),
            )
            yield FormField(
                "Skin type (Fitzpatrick)",
                field_select(SKIN_TYPES, id="skin_type", prompt="—"),
                keys=("skin type",),
            )
        with Grid(classes="form-grid-2"):
            yield FormField(
                "Concerns to treat",
                tick_list([(CONCERNS.label(k), k) for k in CONCERNS.keys]),
                keys=("concern",),
                id="concerns-field",
            )
            yield FormField(
                "Screening: any of these apply?",
                tick_list([(SCREENING.label(k), k) for k in SCREENING.keys]),
                keys=("screening item",),
                id="screening-field",
            )

    def prepare(self) -> Callable[[], object]:
        from journal.services.patients import add_patient

        return partial(
            add_patient,
            self.journal,
            text_value(self.query_one("#name", Input)) or "",
            birth_year=text_value(self.query_one("#birth_year", Input)),
            skin_type=select_value(self.query_one("#skin_type", Select)),
            concerns=selected(self.query_one("#concerns-field SelectionList", SelectionList)),
            screening=selected(self.query_one("#screening-field SelectionList", SelectionList)),
            today=self.today,
        )

    def values_to_check(self) -> dict[str, Any]:
        """The add call passes the name by position; the checks call it `name`."""
        call = PatientFormScreen.prepare(self)
        args: tuple[Any, ...] = getattr(call, "args", ())
        return {**getattr(call, "keywords", {}), "name": args[1] if len(args) > 1 else ""}

    def saved(self, result: object) -> None:
        from journal.core.records import Patient

        if isinstance(result, Patient):
            self.created = str(result.id)
