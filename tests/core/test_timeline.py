"""One timeline for every front end: order and wording of a history's entries."""

import datetime as dt
import uuid

from journal.core.records import CheckIn, Course, Patient, PatientHistory, Photo, Review, Session
from journal.core.timeline import timeline, timeline_lines

PATIENT = Patient(id=uuid.uuid4(), display_name="Ana")


def _history() -> PatientHistory:
    first, second = (
        Course(id=uuid.uuid4(), patient_id=PATIENT.id, title=t) for t in ("Scars", "Lines")
    )
    day = dt.date(2026, 3, 2)
    return PatientHistory(
        patient=PATIENT,
        courses=(first, second),
        sessions=(
            Session(id=uuid.uuid4(), course_id=first.id, date=day, device_name="Dermapen"),
            Session(id=uuid.uuid4(), course_id=second.id, date=day + dt.timedelta(days=5)),
        ),
        checkins=(
            CheckIn(id=uuid.uuid4(), course_id=first.id, date=day, symptoms={"redness": 5}),
            CheckIn(id=uuid.uuid4(), course_id=first.id, date=day + dt.timedelta(days=7)),
        ),
        photos=(
            Photo(
                id=uuid.uuid4(),
                course_id=first.id,
                sha256="0" * 64,
                kind="before",
                taken_at=dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC),
                taken_at_source="exif",
                width=4,
                height=3,
                display_path="x",
                thumb_path="y",
            ),
        ),
        reviews=(Review(id=uuid.uuid4(), course_id=first.id, date=day, provider="Dr Q"),),
    )


def test_on_one_day_the_session_comes_first_then_photos_check_ins_and_reviews():
    kinds = [e.kind for e in timeline(_history()) if e.date == dt.date(2026, 3, 2)]
    assert kinds == ["session", "photo", "check-in", "review"]


def test_a_check_in_counts_days_from_its_own_courses_session():
    """The other course's session five days later must not reset the day count."""
    later = [e for e in timeline(_history()) if e.kind == "check-in"][-1]
    assert later.summary.startswith("day 7")


def test_text_lines_carry_date_title_and_summary():
    history = _history()
    lines = timeline_lines(history)
    assert lines[0].startswith(f"2026-03-02  {history.sessions[0].id.hex[:8]}  Session 1 ")
    assert "Dermapen" in lines[0]
    assert len(lines) == 6
