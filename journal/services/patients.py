"""Adding and listing patients."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from journal.core import records
from journal.core.errors import NeedsConfirmation
from journal.services import convert
from journal.services.fields import parse_new, typo_words
from journal.services.journal import Journal
from journal.services.lookup import check_typos
from journal.services.results import PatientOverview, overview
from journal.store.models import PatientRow

# One line of the patient list: the same row the provider list shows.
PatientSummary = PatientOverview


def add_patient(
    journal: Journal,
    name: str,
    *,
    birth_year: str | int | None = None,
    skin_type: str | int | None = None,
    concerns: Sequence[str] = (),
    screening: Sequence[str] = (),
    allow_duplicate: bool = False,
    custom: bool = False,
    today: dt.date | None = None,
) -> records.Patient:
    """Register a patient; a name already in the journal needs `allow_duplicate`.

    Ids keep two people of one name apart, but a second "Alex Rivera" is far
    more often the same person added twice (and then every `-p "Alex Rivera"`
    is ambiguous), so it is refused unless the user says it is someone else.
    A near miss of a known concern is refused unless `custom` keeps the word.
    """
    values = {
        "name": "" if name is None else name,
        "birth_year": birth_year,
        "skin_type": skin_type,
        "concerns": concerns,
        "screening": screening,
    }
    row = PatientRow(**parse_new("patient", values, today=today))
    words = typo_words("patient", values)
    with journal.write() as db:
        for vocab, typed in words:
            check_typos(db, vocab, typed, custom=custom)
        if not allow_duplicate:
            _refuse_duplicate(db, row.display_name)
        db.add(row)
        db.flush()
        return convert.patient(row)


def name_key(name: str) -> str:
    """How two names compare: Unicode-normalised, case-folded, runs of spaces as one.

    NFKC first so a composed "é" and "e" + combining accent, or a full-width
    letter, compare equal; `casefold` handles "ß"/"SS" and other scripts.
    """
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _refuse_duplicate(db: DbSession, name: str) -> None:
    wanted = name_key(name)
    same = [
        (pid, display, year)
        for pid, display, year in db.execute(
            select(PatientRow.id, PatientRow.display_name, PatientRow.birth_year)
        )
        if name_key(display) == wanted
    ]
    if same:
        listed = ", ".join(
            f"{display} ({pid.hex[:8]}" + (f", born {year})" if year else ")")
            for pid, display, year in same[:8]
        )
        raise NeedsConfirmation(
            "name",
            name,
            f"a patient with this name already exists: {listed}",
            confirm="allow_duplicate",
        )


def list_patients(journal: Journal, *, today: dt.date | None = None) -> list[PatientSummary]:
    """Every patient by name, with sessions done, last visit and the current course's result.

    One query over the stored course results (`journal.services.results`):
    the provider list paints every column from it at once.
    """
    return overview(journal, today or dt.date.today())
