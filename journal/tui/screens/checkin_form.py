"""Log a recovery or progress check-in.

Symptoms are typed as 0-10 numbers (a blank means "not rated", which the
score treats differently from 0), the course's target concerns are listed for
rating so the same concerns are tracked over the whole series, and red flags
are ticked from the "call your doctor" list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from textual.containers import Grid
from textual.widget import Widget
from textual.widgets import Input, Label, Select, SelectionList

from journal.core.vocab import CONCERNS, GAIS, RED_FLAGS, SYMPTOMS, VERDICTS
from journal.tui.screens.form_base import (
    PatientRecordForm,
    date_field,
    field_input,
    field_select,
    select_value,
    selected,
    text_value,
    tick_list,
)
from journal.tui.widgets.form import FormField

DOWNTIME = [("Yes, I stayed home", "yes"), ("No downtime", "no")]


def rating_input(id_: str) -> Input:
    return field_input("", placeholder="0-10", id=id_, classes="rating")


class CheckInFormScreen(PatientRecordForm):
    LABEL = "Check-in"
    PREPOSITION = "for"
    HEADING = "New check-in"
    SAVED = "Check-in saved."
    KIND = "check-in"

    def fields(self) -> Iterable[Widget]:
        d = self.defaults
        with Grid(classes="form-grid"):
            yield date_field(d.date)
            yield FormField(
                "Downtime",
                field_select(DOWNTIME, id="downtime", prompt="—"),
            )
            yield FormField(
                "GAIS (your overall change)",
                field_select([(GAIS.label(k), k) for k in GAIS.keys], id="gais", prompt="—"),
                keys=("gais",),
            )
            yield FormField(
                "Worth it so far?",
                field_select(
                    [(VERDICTS.label(k), k) for k in VERDICTS.keys], id="verdict", prompt="—"
                ),
                keys=("verdict",),
            )
        yield Label(
            "Symptoms today (0 none - 10 worst; leave blank if not rated)", classes="form-section"
        )
        with Grid(classes="form-grid rating-grid"):
            for key in SYMPTOMS.keys:
                yield FormField(SYMPTOMS.label(key), rating_input(f"symptom-{key}"), keys=(key,))
        if d.concerns:
            yield Label("Your concerns today (0 none - 10 worst)", classes="form-section")
            with Grid(classes="form-grid rating-grid"):
                for n, key in enumerate(d.concerns):
                    keys = (f"concern {key}", "concern") if n == 0 else (f"concern {key}",)
                    yield FormField(CONCERNS.label(key), rating_input(f"concern-{n}"), keys=keys)
        with Grid(classes="form-grid-2"):
            yield FormField(
                "Red flags (call your provider)",
                tick_list([(RED_FLAGS.label(k), k) for k in RED_FLAGS.keys]),
                keys=("red flag",),
                id="flags-field",
            )
            yield FormField(
                "Notes",
                field_input("", placeholder="how does your skin feel?", id="notes"),
                keys=("notes",),
            )

    def prepare(self) -> Callable[[], object]:
        from journal.services.checkins import add_checkin

        symptoms = {
            key: text_value(self.query_one(f"#symptom-{key}", Input)) for key in SYMPTOMS.keys
        }
        concerns = {
            key: value
            for n, key in enumerate(self.defaults.concerns)
            if (value := text_value(self.query_one(f"#concern-{n}", Input))) is not None
        }
        downtime = select_value(self.query_one("#downtime", Select))
        return partial(
            add_checkin,
            self.journal,
            self.patient_ref,
            date=text_value(self.query_one("#date", Input)) or "",
            symptoms={k: v for k, v in symptoms.items() if v is not None},
            downtime=None if downtime is None else downtime == "yes",
            concerns=concerns,
            gais=select_value(self.query_one("#gais", Select)),
            verdict=select_value(self.query_one("#verdict", Select)),
            flags=selected(self.query_one("#flags-field SelectionList", SelectionList)),
            notes=text_value(self.query_one("#notes", Input)),
            today=self.today,
        )
