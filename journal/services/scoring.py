"""Score, plan and alerts for a patient, and the clinic overview for providers.

The rules are pure (journal.core.score / planner / rules); this module only
fetches the records they need and picks the course a user means. The clinic
overview reads the stored results instead (`journal.services.results`).
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from journal.core import records
from journal.core.errors import InvalidValue
from journal.core.flags import FlagEpisode
from journal.core.lookup import match_course
from journal.core.planner import Plan, plan_course
from journal.core.rules import RedFlag, ScreeningWarning, derive_red_flags, screening_warnings
from journal.core.score import ScoreResult, score_course
from journal.core.values import parse_date
from journal.services.reading import history_for

if TYPE_CHECKING:
    from journal.services.journal import Journal
    from journal.services.results import PatientOverview


@dataclass(frozen=True)
class CourseReport:
    """Everything the score and plan screens show for one course."""

    history: records.PatientHistory
    record: records.CourseRecord
    score: ScoreResult
    plan: Plan
    screening: tuple[ScreeningWarning, ...]
    flags: tuple[RedFlag, ...]

    @property
    def flag_episodes(self) -> tuple[FlagEpisode, ...]:
        """The same flags with ids and status: the score already grouped them."""
        return self.score.episodes


def pick_course(history: records.PatientHistory, course_ref: str | None) -> records.Course | None:
    """The course `course_ref` names, else the latest active (or latest) course."""
    return match_course(course_ref, history.courses, history.patient.display_name)


def report_for_history(
    history: records.PatientHistory,
    course_ref: str | None = None,
    *,
    today: dt.date | None = None,
    event: str | dt.date | None = None,
) -> CourseReport | None:
    """Score, plan, screening warnings and red flags of one course (None: no course yet)."""
    course = pick_course(history, course_ref)
    if course is None:
        return None
    today = today or dt.date.today()
    event_day = parse_date("event", event, today=today) if event is not None else None
    if event_day is not None and event_day < today:
        # A past event has no sessions to time: saying nothing would read as "all clear".
        raise InvalidValue(
            "event", event_day.isoformat(), f"is in the past (today is {today.isoformat()})"
        )
    from journal.services.photo_pairs import with_photo_pairs  # stored comparisons, no OpenCV

    record = with_photo_pairs(history.course_record(course.id))
    return CourseReport(
        history=history,
        record=record,
        score=score_course(record, as_of=today),
        plan=plan_course(record, today=today, event=event_day),
        screening=tuple(screening_warnings(history.patient)),
        flags=tuple(derive_red_flags(record, as_of=today)),
    )


def course_report(
    home: str | os.PathLike[str] | None,
    db_url: str | None,
    patient_ref: str,
    course_ref: str | None = None,
    *,
    today: dt.date | None = None,
    event: str | dt.date | None = None,
) -> CourseReport | None:
    """`report_for_history` for the patient `patient_ref` names, read the fast way."""
    history = history_for(home, db_url, patient_ref)
    return report_for_history(history, course_ref, today=today, event=event)


def report_for(
    journal: Journal,
    patient_ref: str,
    course_ref: str | None = None,
    *,
    today: dt.date | None = None,
    event: str | dt.date | None = None,
) -> CourseReport | None:
    """`course_report` on an open journal (the TUI keeps one open)."""
    from journal.services.history import patient_history

    history = patient_history(journal, patient_ref)
    return report_for_history(history, course_ref, today=today, event=event)


def clinic_overview(
    journal: Journal,
    *,
    today: dt.date | None = None,
    patient_ids: list[uuid.UUID] | None = None,
) -> list[PatientOverview]:
    """Score, verdict and red flags of every patient's current course, by name.

    One query over the stored results (`journal.services.results`), so a
    1,000-patient clinic is read in milliseconds, not scored; `patient_ids`
    reads only those patients (the live refresh asks for the ones that changed).
    """
    from journal.services.results import overview  # SQLAlchemy: not for `score --json`

    return overview(journal, today or dt.date.today(), patient_ids)
