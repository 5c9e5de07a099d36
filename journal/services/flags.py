"""Acting on red flags: list them with their status, mark one seen, resolve it.

Flags are computed from check-ins (`journal.core.flags`), so finding one by id
means computing the flags of the courses that could have it. Only check-ins
that report a flag or rate a symptom a flag is derived from can make one, so
the search reads just the patients who have such a check-in. A status change
writes the flag's row and its change-log lines in one transaction, the same
way an edit does, so `journal log` shows who acknowledged what and when, and
`journal undo` takes a mistaken click back.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session as DbSession

from journal.core import flags as core_flags
from journal.core.errors import InvalidValue, NotFound
from journal.core.flags import OPEN, RESOLVED, SEEN, FlagEpisode
from journal.core.lookup import looks_like_id
from journal.core.records import PatientHistory
from journal.core.values import parse_past_date, parse_text
from journal.services.amend import Change, Outcome, actor_name, apply_changes, change_of
from journal.services.history import load_histories
from journal.services.journal import Journal
from journal.services.lookup import find_patient
from journal.store.models import CheckInRow, CourseRow, FlagRow, PatientRow

# The symptoms a flag can be derived from (see journal.core.rules).
_DERIVING_SYMPTOMS = ("swelling", "bleeding")
_STATUS_FIELDS = (
    "status",
    "seen_by",
    "seen_at",
    "seen_note",
    "resolved_by",
    "resolved_on",
    "lasting",
    "resolved_note",
)


@dataclass(frozen=True)
class PatientFlag:
    """A flag with the patient and course it belongs to (lists span courses)."""

    flag: FlagEpisode
    patient_id: uuid.UUID
    patient_name: str
    course_title: str

    def to_dict(self) -> dict[str, Any]:
        flag, review = self.flag, self.flag.review
        return {
            "id": str(flag.id),
            "short_id": flag.short_id,
            "patient_id": str(self.patient_id),
            "course_id": str(flag.course_id),
            "course": self.course_title,
            "key": flag.key,
            "label": flag.label,
            "first": flag.first.isoformat(),
            "last": flag.last.isoformat(),
            "reports": len(flag.reports),
            "sources": sorted({r.source for r in flag.reports}),
            "patient_words": list(flag.words),
            "lasting_harm_possible": flag.lasting_harm_possible,
            "status": flag.status,
            "seen_by": review.seen_by if review else None,
            "seen_at": review.seen_at.isoformat() if review and review.seen_at else None,
            "seen_note": review.seen_note if review else None,
            "resolved_by": review.resolved_by if review else None,
            "resolved_on": (
                review.resolved_on.isoformat() if review and review.resolved_on else None
            ),
            "lasting": review.lasting if review else None,
            "resolved_note": review.resolved_note if review else None,
        }


def history_flags(history: PatientHistory) -> list[PatientFlag]:
    """Every flag of a patient, open ones first, then seen, then resolved; oldest first."""
    found: list[PatientFlag] = []
    for course in history.courses:
        record = history.course_record(course.id)
        found += [
            PatientFlag(f, history.patient.id, history.patient.display_name, course.title)
            for f in core_flags.course_flags(record)
        ]
    order = {OPEN: 0, SEEN: 1, RESOLVED: 2}
    found.sort(key=lambda p: (order[p.flag.status], p.flag.first, p.flag.key))
    return found


def patient_flags(journal: Journal, patient_ref: str) -> list[PatientFlag]:
    """`journal flag list -p P`: every flag of one patient with its status."""
    with journal.read() as db:
        patient = find_patient(db, patient_ref)
        (history,) = load_histories(db, [patient])
    return history_flags(history)


def open_flag_counts(histories: list[PatientHistory]) -> dict[uuid.UUID, tuple[int, int]]:
    """(open, seen) flag counts per patient: what the provider list sorts on."""
    counts: dict[uuid.UUID, tuple[int, int]] = {}
    for history in histories:
        statuses = [p.flag.status for p in history_flags(history)]
        counts[history.patient.id] = (statuses.count(OPEN), statuses.count(SEEN))
    return counts


def find_flag(db: DbSession, ref: str, patient_ref: str | None = None) -> PatientFlag:
    """The one flag whose id is `ref` or starts with it (4+ hex digits)."""
    text = ref.strip().lower().replace("-", "")
    if not looks_like_id(text):
        raise InvalidValue("flag id", ref, "give its id or the first 4+ characters of it")
    if patient_ref is not None:
        patients = [find_patient(db, patient_ref)]
    else:
        patients = list(db.scalars(select(PatientRow).where(PatientRow.id.in_(_flagged(db)))))
    matches = [
        p
        for history in load_histories(db, patients)
        for p in history_flags(history)
        if p.flag.id.hex.startswith(text)
    ]
    if not matches:
        raise NotFound(f"no red flag with id {ref!r}: see `journal flag list -p PATIENT`")
    if len(matches) > 1:
        shown = ", ".join(f"{m.flag.short_id} ({m.flag.label})" for m in matches[:5])
        raise InvalidValue("flag id", ref, f"is ambiguous ({shown}); type more of it")
    return matches[0]


def _flagged(db: DbSession) -> Any:
    """Ids of patients with a check-in that could show a red flag."""
    could_flag = or_(
        func.coalesce(func.json_array_length(CheckInRow.red_flags), 0) > 0,
        *(getattr(CheckInRow, s) > 0 for s in _DERIVING_SYMPTOMS),
    )
    return (
        select(CourseRow.patient_id)
        .join(CheckInRow, CheckInRow.course_id == CourseRow.id)
        .where(could_flag)
        .distinct()
    )


def mark_seen(
    journal: Journal,
    ref: str,
    *,
    by: str | None = None,
    note: str | None = None,
    patient_ref: str | None = None,
    now: dt.datetime | None = None,
) -> Outcome:
    """A provider acknowledges a flag: open -> seen, with who, when and a note."""
    actor = actor_name(by)
    text = parse_text("note", note)
    with journal.write() as db:
        found = find_flag(db, ref, patient_ref)
        if found.flag.status == RESOLVED:
            raise InvalidValue("flag", found.flag.short_id, "is already resolved")
        if found.flag.status == SEEN and text is None:
            raise InvalidValue("flag", found.flag.short_id, "was already marked seen")
        values = {
            "status": SEEN,
            "seen_by": actor,
            "seen_at": now or dt.datetime.now(dt.UTC),
            "seen_note": text,
        }
        logged = _write(db, found, values, actor)
    return Outcome(
        logged[0].batch_id,
        f"Marked flag {found.flag.short_id} ({found.flag.label}, since "
        f"{found.flag.first.isoformat()}) seen by {actor}",
        tuple(logged),
    )


def resolve(
    journal: Journal,
    ref: str,
    *,
    on: str | dt.date,
    by: str | None = None,
    lasting: bool = False,
    note: str | None = None,
    patient_ref: str | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Outcome:
    """A provider closes a flag on a date, saying whether harm lasted.

    Resolving straight from open also records it as seen (resolving it means
    someone looked). The date may not be in the future nor before the flag began.
    """
    actor = actor_name(by)
    day = parse_past_date("date", on, today=today)
    text = parse_text("note", note)
    with journal.write() as db:
        found = find_flag(db, ref, patient_ref)
        flag = found.flag
        if flag.status == RESOLVED:
            raise InvalidValue("flag", flag.short_id, "is already resolved")
        if day < flag.first:
            raise InvalidValue(
                "date", day.isoformat(), f"is before the flag began ({flag.first.isoformat()})"
            )
        values: dict[str, Any] = {
            "status": RESOLVED,
            "resolved_by": actor,
            "resolved_on": day,
            "lasting": lasting,
            "resolved_note": text,
        }
        if flag.status == OPEN:
            values |= {"seen_by": actor, "seen_at": now or dt.datetime.now(dt.UTC)}
        logged = _write(db, found, values, actor)
    harm = "with lasting harm" if lasting else "without lasting harm"
    return Outcome(
        logged[0].batch_id,
        f"Resolved flag {flag.short_id} ({flag.label}) on {day.isoformat()} {harm}",
        tuple(logged),
    )


def _write(db: DbSession, found: PatientFlag, values: dict[str, Any], actor: str) -> list[Change]:
    """Set a flag row's status fields and log each change in the same transaction."""
    flag = found.flag
    row = db.get(FlagRow, flag.id)
    if row is None:
        row = FlagRow(
            id=flag.id,
            patient_id=found.patient_id,
            course_id=flag.course_id,
            key=flag.key,
            first_date=flag.first,
            status=OPEN,
            lasting=False,
        )
        db.add(row)
    columns = {column: values[column] for column in _STATUS_FIELDS if column in values}
    logged = apply_changes(
        "flag", row, columns, actor=actor, patient_id=found.patient_id, batch=uuid.uuid4()
    )
    db.add_all(logged)
    db.flush()
    return [change_of(c) for c in logged]


__all__ = [
    "PatientFlag",
    "find_flag",
    "history_flags",
    "mark_seen",
    "open_flag_counts",
    "patient_flags",
    "resolve",
]
