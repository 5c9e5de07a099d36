"""docs/scoring.md shows a worked example; this keeps its numbers true.

The example below is the one in the document. If a weight or a threshold
changes, this test fails until the document is updated with the new output
(run this module as a script to print it).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from pathlib import Path

from journal.core.records import (
    CheckIn,
    Course,
    CourseRecord,
    Patient,
    PhotoMeasure,
    PhotoPair,
    Review,
    Session,
)
from journal.core.score import ScoreResult, score_course

DOC = Path(__file__).resolve().parents[2] / "docs" / "scoring.md"
PATIENT = uuid.UUID(int=10)
COURSE = uuid.UUID(int=20)


def _id(n: int) -> uuid.UUID:
    return uuid.UUID(int=1000 + n)


def worked_example() -> CourseRecord:
    """Four sessions for acne scars and pores, one lingering swelling, 90-day follow-up."""
    session_days = [
        dt.date(2024, 3, 1),
        dt.date(2024, 4, 5),
        dt.date(2024, 5, 10),
        dt.date(2024, 6, 14),
    ]
    sessions = tuple(
        Session(_id(i), COURSE, day, device_kind="pen", depth_mm=1.5, cost=Decimal("350.00"))
        for i, day in enumerate(session_days)
    )
    checkins = [
        CheckIn(_id(10), COURSE, dt.date(2024, 2, 26), concerns={"acne-scars": 7, "large-pores": 6})
    ]
    for i, day in enumerate(session_days):
        checkins.append(
            CheckIn(
                _id(20 + i),
                COURSE,
                day + dt.timedelta(days=1),
                symptoms={"redness": 6, "swelling": 3},
                downtime=True,
            )
        )
        checkins.append(
            CheckIn(
                _id(30 + i),
                COURSE,
                day + dt.timedelta(days=3),
                symptoms={"redness": 2, "flaking": 3},
                downtime=False,
            )
        )
    checkins.append(CheckIn(_id(40), COURSE, dt.date(2024, 4, 13), symptoms={"swelling": 2}))
    checkins.append(
        CheckIn(
            _id(41),
            COURSE,
            dt.date(2024, 5, 31),
            concerns={"acne-scars": 5, "large-pores": 5},
            gais="improved",
            verdict="not-sure",
        )
    )
    checkins.append(
        CheckIn(
            _id(42),
            COURSE,
            dt.date(2024, 9, 12),
            concerns={"acne-scars": 3, "large-pores": 4},
            gais="much-improved",
            verdict="worth-it",
        )
    )
    reviews = (
        Review(_id(50), COURSE, dt.date(2024, 9, 12), gais="much-improved", goodman_baron=2),
    )
    # `journal photo compare` of the cheeks: the "before" photo against the
    # latest follow-up, aligned and comparable (journal.services.evidence).
    cheeks = PhotoPair(
        area="cheeks",
        baseline_date=dt.date(2024, 2, 26),
        follow_up_date=dt.date(2024, 9, 12),
        aligned=True,
        comparable=True,
        measures=(
            PhotoMeasure("redness", "redness", "erythema-index points", 1.2, 0.7, 0.07),
            PhotoMeasure(
                "pigment_spread", "uneven pigmentation", "melanin-index points", 3.1, 2.5, 0.22
            ),
            PhotoMeasure("texture", "texture", "% brightness variation", 4.8, 3.2, 0.53),
            PhotoMeasure("spots", "marks", "countable marks", 14, 7, 2.0),
        ),
    )
    return CourseRecord(
        Patient(PATIENT, "Maya", birth_year=1988, skin_type=3, concerns=("acne-scars",)),
        Course(
            COURSE,
            PATIENT,
            "Acne scars, cheeks",
            concerns=("acne-scars", "large-pores"),
            planned_sessions=4,
        ),
        sessions,
        tuple(checkins),
        reviews,
        photo_pairs=(cheeks,),
    )


def render(result: ScoreResult) -> str:
    """The plain-text view pasted into the document."""
    lines = [f"score {result.score} ({result.verdict}), confidence {result.confidence}", ""]
    for component in result.components:
        lines.append(f"{component.name:<12} {component.score:>3}  x {component.weight:.2f}")
        lines.append(f"    {component.sentence}")
    if result.photos is not None:
        lines.append(f"photos: {result.explanation[len(result.components)]}")
    lines.append("")
    lines.append("trend: " + ", ".join(f"{p.date.isoformat()} {p.score}" for p in result.trend))
    for flag in result.flags:
        lines.append(f"flag: {flag.sentence()}")
    lines.append(f"benchmark: {result.benchmark.sentence}")
    for line in result.missing:
        lines.append(f"missing: {line}")
    return "\n".join(lines)


def test_the_worked_example_in_docs_scoring_md_is_the_real_output():
    text = DOC.read_text(encoding="utf-8")
    assert render(score_course(worked_example())) in text


if __name__ == "__main__":
    print(render(score_course(worked_example())))
