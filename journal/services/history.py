"""A patient's complete history, and many patients' histories at once, via SQLAlchemy."""

from __future__ import annotations

from sqlalchemy.orm import Session

from journal.core import records
from journal.services import convert
from journal.services.journal import Journal
from journal.services.lookup import find_patient
from journal.store.core_reader import CoreReader
from journal.store.models import PatientRow


def load_history(session: Session, patient: PatientRow) -> records.PatientHistory:
    """Five indexed queries, whatever the size of the history."""
    return convert.histories(CoreReader(session), [patient.id])[0]


def patient_history(journal: Journal, patient_ref: str) -> records.PatientHistory:
    with journal.read() as session:
        return load_history(session, find_patient(session, patient_ref))


def load_histories(session: Session, patients: list[PatientRow]) -> list[records.PatientHistory]:
    """Histories of many patients in a handful of queries (the clinic overview's need)."""
    return convert.histories(CoreReader(session), [p.id for p in patients])
