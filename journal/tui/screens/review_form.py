"""A provider's observer review: GAIS, the Goodman & Baron scar grade, notes.

The observer GAIS weighs more than the patient's own in the score, which is
why the provider view offers this form on every patient's dashboard.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from textual.containers import Grid
from textual.widget import Widget
from textual.widgets import Input, Select

from journal.core.vocab import GAIS, GOODMAN_BARON
from journal.tui.screens.form_base import (
    PatientRecordForm,
    date_field,
    field_input,
    field_select,
    provider_field,
    select_value,
    text_value,
)
from journal.tui.widgets.form import FormField

GRADE_OPTIONS = [(f"{k} - {GOODMAN_BARON.label(k)}", k) for k in GOODMAN_BARON.keys]


class ReviewFormScreen(PatientRecordForm):
    LABEL = "Provider review"
    PREPOSITION = "of"
    HEADING = "Provider review"
    SAVED = "Review saved."
    KIND = "review"

    def fields(self) -> Iterable[Widget]:
        d = self.defaults
        with Grid(classes="form-grid"):
            yield date_field(d.date)
            yield provider_field(d.provider)
            yield FormField(
                "Observer GAIS",
                field_select([(GAIS.label(k), k) for k in GAIS.keys], id="gais", prompt="—"),
                keys=("gais",),
            )
            yield FormField(
                "Goodman & Baron grade (scars)",
                field_select(GRADE_OPTIONS, id="goodman_baron", prompt="—"),
                keys=("goodman-baron",),
            )
        yield FormField(
            "Notes", field_input("", placeholder="what you saw", id="notes"), keys=("notes",)
        )

    def prepare(self) -> Callable[[], object]:
        from journal.services.reviews import add_review

        return partial(
            add_review,
            self.journal,
            self.patient_ref,
            date=text_value(self.query_one("#date", Input)) or "",
            provider=text_value(self.query_one("#provider", Input)),
            gais=select_value(self.query_one("#gais", Select)),
            goodman_baron=select_value(self.query_one("#goodman_baron", Select)),
            notes=text_value(self.query_one("#notes", Input)),
            today=self.today,
        )
