"""Finding the patient, course or provider a user means.

Users name a patient by full id, a unique id prefix (at least 4 characters,
like git) or a unique display name (case-insensitive), and get a clear error
when the reference matches nothing or more than one record.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import Session as DbSession

from journal.core.errors import Ambiguous, InvalidValue, NotFound
from journal.core.lookup import id_matches, looks_like_id, match_course, match_patient
from journal.core.values import parse_name
from journal.core.vocab import AREAS, CONCERNS, SERUMS, Vocabulary
from journal.store.models import (
    CheckInRow,
    CourseRow,
    PatientRow,
    PhotoRow,
    ProviderRow,
    SessionRow,
)

DEFAULT_COURSE_TITLE = "Microneedling series"


def find_patient(db: DbSession, ref: str) -> PatientRow:
    """The one patient `ref` names (id, id prefix, or unique display name)."""
    pairs = db.execute(select(PatientRow.id, PatientRow.display_name)).all()
    patient_id = match_patient(
        ref, [(pid, name) for pid, name in pairs], lambda ids: birth_years(db, ids)
    )
    row = db.get(PatientRow, patient_id)
    assert row is not None
    return row


def birth_years(db: DbSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int | None]:
    """Birth years of a few patients: what tells two people of one name apart."""
    rows = db.execute(select(PatientRow.id, PatientRow.birth_year).where(PatientRow.id.in_(ids)))
    return {pid: year for pid, year in rows}


def find_course(db: DbSession, patient: PatientRow, ref: str | None) -> CourseRow | None:
    """The course `ref` names for this patient, or the latest active one when None."""
    courses = db.scalars(
        select(CourseRow).where(CourseRow.patient_id == patient.id).order_by(CourseRow.created_at)
    ).all()
    return match_course(ref, courses, patient.display_name)


def course_for_new_record(db: DbSession, patient: PatientRow, ref: str | None) -> CourseRow:
    """The course a new session/check-in/photo belongs to, creating the default one.

    A patient's first record creates a default course (docs/architecture.md): a patient
    should be able to log a session without planning a series first.
    """
    found = find_course(db, patient, ref)
    if found is not None:
        return found
    course = CourseRow(
        patient=patient,
        title=DEFAULT_COURSE_TITLE,
        concerns=list(patient.concerns or []),
        areas=[],
        planned_sessions=3,
        interval_weeks_min=4,
        interval_weeks_max=6,
        status="active",
    )
    db.add(course)
    db.flush()
    return course


def provider_by_name(db: DbSession, name: str | None) -> ProviderRow | None:
    """The provider with this name, created on first mention (names are unique).

    Names are compared with Unicode case folding in Python: SQLite's lower()
    folds ASCII only, so "Dr. Ōkubo" and "dr. ōkubo" would otherwise be two
    providers, and the second insert would hit the unique constraint.
    """
    if name is None:
        return None
    clean = parse_name("provider", name)
    wanted = clean.casefold()
    row = next((p for p in db.scalars(select(ProviderRow)) if p.name.casefold() == wanted), None)
    if row is None:
        row = ProviderRow(name=clean)
        db.add(row)
        db.flush()
    return row


def find_session(db: DbSession, patient: PatientRow, ref: str) -> SessionRow:
    """A session of this patient by id or id prefix."""
    text = ref.strip()
    if not looks_like_id(text):
        raise InvalidValue("session", ref, "expected a session id (see `journal history`)")
    course_ids = select(CourseRow.id).where(CourseRow.patient_id == patient.id)
    candidates = db.scalars(select(SessionRow).where(SessionRow.course_id.in_(course_ids))).all()
    wanted = set(id_matches(text, [t.id for t in candidates]))
    rows = [t for t in candidates if t.id in wanted]
    if len(rows) == 1:
        return rows[0]
    if len(rows) > 1:
        listed = ", ".join(
            f"{t.id.hex[:8]} on {t.date.isoformat()}" for t in sorted(rows, key=lambda t: t.date)
        )
        raise Ambiguous(f"session id prefix {ref!r} is ambiguous: {listed}; type more characters")
    raise NotFound(f"unknown session {ref!r} for patient {patient.display_name}")


def word_used(db: DbSession, vocab: Vocabulary, word: str) -> bool:
    """Whether this journal's records already use `word` of `vocab` (canonical or custom).

    Asked only when a near miss was typed, for that one word: each JSON list
    or map column is searched for the word as its JSON text holds it (a
    LIKE, in the database, both dialects), and only the rows that contain it
    are read to confirm it is a whole item or key. Scanning every check-in's
    JSON in Python took seconds on a clinic's 200,000 check-ins.
    """
    columns: list[Any] = []
    if vocab is AREAS:
        columns = [CourseRow.areas, SessionRow.areas, SessionRow.depth_by_area]
        if db.scalar(select(PhotoRow.id).where(PhotoRow.area == word).limit(1)) is not None:
            return True
    elif vocab is CONCERNS:
        columns = [PatientRow.concerns, CourseRow.concerns, CheckInRow.concerns]
    elif vocab is SERUMS:
        columns = [SessionRow.serums]
    # As SQLAlchemy writes it (non-ASCII escaped), and as a hand-made row might.
    needles = {json.dumps(word), json.dumps(word, ensure_ascii=False)}
    for column in columns:
        text = cast(column, String)
        found = select(column).where(or_(*(text.contains(n, autoescape=True) for n in needles)))
        if any(word in (items or ()) for items in db.scalars(found)):
            return True
    return False


def check_typos(
    db: DbSession,
    vocab: Vocabulary,
    values: Iterable[str] | Mapping[str, object],
    *,
    custom: bool = False,
) -> None:
    """Refuse a near miss of a known word ("forhead") unless the user keeps their word.

    A near miss is a typo until the user says otherwise (`custom`), or until
    the journal already holds exactly that word: a word kept once with
    `--custom` is accepted from then on without it.
    """
    from journal.services.amend_rules import refuse_typos

    refuse_typos(vocab, values, custom=custom, used=lambda v, w: word_used(db, v, w))
