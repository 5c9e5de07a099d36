"""A provider's observer review: GAIS, the Goodman & Baron scar grade, notes.

The observer GAIS weighs more than the patient's own in the score, which is
why the provider view offers this form on every patient's dashboard.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import Grid
from textual.widget import Widget
from textual.widgets import Input, Select

from journal.core.vocab import GAIS
from journal.tui.screens.form_base import (
    FormScreen,
    field_input,
    field_select,
    select_value,
    text_value,
)
from journal.tui.widgets.form import FormField

if TYPE_CHECKING:
    from journal.services.tui_support import ReviewDefaults

GOODMAN_BARON = [
    ("1 - macular (flat, discoloured)", "1"),
    ("2 - mild (visible at social distance)", "2"),
    ("3 - moderate (obvious, flattens on stretching)", "3"),
    ("4 - severe (does not flatten)", "4"),
]


class ReviewFormScreen(FormScreen):
    HEADING = "Provider review"
    SAVED = "Review saved."

    def __init__(self, patient_ref: str, patient_name: str, defaults: ReviewDefaults) -> None:
        super().__init__()
        self.patient_ref = patient_ref
        self.patient_name = patient_name
        self.defaults = defaults

    def heading(self) -> Text:
        return Text.assemble(("Provider review", "bold"), f" of {self.patient_name}")

    def fields(self) -> Iterable[Widget]:
        d = self.defaults
        with Grid(classes="form-grid"):
            yield FormField(
                "Date", field_input(d.date, placeholder="YYYY-MM-DD", id="date"), keys=("date",)
            )
            yield FormField(
                "Provider",
                field_input(d.provider, placeholder="e.g. Dr. Chen", id="provider"),
                keys=("provider",),
            )
            yield FormField(
                "Observer GAIS",
                field_select([(GAIS.label(k), k) for k in GAIS.keys], id="gais", prompt="—"),
                keys=("gais",),
            )
            yield FormField(
                "Goodman & Baron grade (scars)",
                field_select(GOODMAN_BARON, id="goodman_baron", prompt="—"),
                keys=("goodman-baron",),
            )
        yield FormField(
            "Notes", field_input("", placeholder="what you saw", id="notes"), keys=("notes",)
        )

    def submit(self) -> None:
        from journal.services.reviews import add_review

        add_review(
            self.journal,
            self.patient_ref,
            date=text_value(self.query_one("#date", Input)) or "",
            provider=text_value(self.query_one("#provider", Input)),
            gais=select_value(self.query_one("#gais", Select)),
            goodman_baron=select_value(self.query_one("#goodman_baron", Select)),
            notes=text_value(self.query_one("#notes", Input)),
        )
