"""A patient's complete history, and many patients' histories at once, via SQLAlchemy."""

from __future__ import annotations

from sqlalchemy.orm import Session as DbSession

from journal.core import records
from journal.services import convert
from journal.services.journal import Journal
from journal.services.lookup import find_patient
from journal.store.core_reader import CoreReader
from journal.store.models import PatientRow


def load_history(db: DbSession, patient: PatientRow) -> records.PatientHistory:
    """Five indexed queries, whatever the size of the history."""
    return convert.histories(CoreReader(db), [patient.id])[0]


def patient_history(journal: Journal, patient_ref: str) -> records.PatientHistory:
    with journal.read() as db:
        return load_history(db, find_patient(db, patient_ref))


def load_histories(db: DbSession, patients: list[PatientRow]) -> list[records.PatientHistory]:
    """Histories of many patients in a handful of queries (the clinic overview's need)."""
    return convert.histories(CoreReader(db), [p.id for p in patients])
