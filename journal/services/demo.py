"""A realistic demo journal, built through the same services a user calls.

One patient with acne scars, a course of four monthly pen sessions at 1.5 mm
with PRP, check-ins on days 1, 3, 7 and 21 after each session with symptoms
that settle and scar ratings that improve, two provider reviews, and
synthetic before/after photos per area with visibly fewer marks over time.
Dates are relative to `today` so the plan looks alive; pass a fixed `today`
for reproducible screenshots and tests.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

from journal.core import records
from journal.core.errors import JournalError
from journal.services.checkins import add_checkin
from journal.services.courses import add_course
from journal.services.journal import Journal
from journal.services.patients import add_patient, list_patients
from journal.services.reviews import add_review
from journal.services.sessions import add_session

DEMO_PATIENT = "Alex Rivera"
DEMO_PROVIDER = "Dr. Maya Chen"
SESSION_DAYS = (0, 28, 56, 84)  # four monthly sessions
CHECKIN_DAYS = (1, 3, 7, 21)
FIRST_SESSION_DAYS_AGO = 130
AREAS = ("left-cheek", "right-cheek")

# Acne-scar severity (0-10) at each session's day-21 check-in, baseline first.
SCARS = (7, 6, 5, 4, 3)
PORES = (6, 6, 5, 4, 4)
TEXTURE = (6, 5, 4, 3, 3)
# Recovery after a session: symptom ratings by check-in day.
RECOVERY = {
    1: {"redness": 6, "swelling": 4, "pain": 3, "tightness": 4, "sensitivity": 5},
    3: {"redness": 3, "swelling": 1, "flaking": 4, "itching": 3, "tightness": 3},
    7: {"redness": 1, "flaking": 2, "sensitivity": 1},
    21: {},
}


def seed_demo(
    journal: Journal,
    *,
    today: dt.date | None = None,
    with_photos: bool = True,
    progress: Callable[[str], None] | None = None,
) -> records.Patient:
    """Fill an empty journal with the demo series; refuses a journal that has patients."""
    if list_patients(journal):
        raise JournalError("the demo needs an empty journal; this one already has patients")
    today = today or dt.date.today()
    start = today - dt.timedelta(days=FIRST_SESSION_DAYS_AGO)
    say = progress or (lambda _msg: None)

    say("Adding the patient and the course")
    patient = add_patient(
        journal,
        DEMO_PATIENT,
        birth_year=1991,
        skin_type=3,
        concerns=["acne-scars", "large-pores", "texture"],
        screening=["cold-sores"],
    )
    ref = str(patient.id)
    add_course(
        journal,
        ref,
        title="Acne scar series",
        areas=list(AREAS),
        concerns=["acne-scars", "large-pores", "texture"],
        planned=4,
        interval_weeks="4-6",
    )
    add_checkin(
        journal,
        ref,
        date=(start - dt.timedelta(days=1)).isoformat(),
        concerns={"acne-scars": SCARS[0], "large-pores": PORES[0], "texture": TEXTURE[0]},
        notes="Baseline before the first session.",
        today=today,
    )
    for n, offset in enumerate(SESSION_DAYS):
        day0 = start + dt.timedelta(days=offset)
        say(f"Session {n + 1} on {day0.isoformat()}")
        add_session(
            journal,
            ref,
            date=day0.isoformat(),
            provider=DEMO_PROVIDER,
            setting="in-office",
            device="pen",
            device_name="Dermapen",
            depth="1.5",
            passes=3,
            areas=list(AREAS),
            serums=["prp"],
            anesthetic="Topical lidocaine 4%",
            pain=5 - (n > 1),
            cost="450",
            currency="USD",
            notes="Tolerated well." if n else "First session; explained aftercare.",
            today=today,
        )
        for day in CHECKIN_DAYS:
            _demo_checkin(journal, ref, n, day, day0 + dt.timedelta(days=day), today)
        if n in (1, 3):
            add_review(
                journal,
                ref,
                date=(day0 + dt.timedelta(days=21)).isoformat(),
                provider=DEMO_PROVIDER,
                gais="improved" if n == 1 else "much-improved",
                goodman_baron=3 if n == 1 else 2,
                notes="Rolling scars softening; continue the series."
                if n == 1
                else "Clear improvement of rolling and boxcar scars on both cheeks.",
                today=today,
            )
    if with_photos:
        say("Making before/after photos")
        _demo_photos(journal, ref, start, today)
    return patient


def _demo_checkin(
    journal: Journal, ref: str, n: int, day: int, date: dt.date, today: dt.date
) -> None:
    symptoms = {k: max(0, v - (n > 1)) for k, v in RECOVERY[day].items()}
    rated = day == 21
    later = n + 1
    add_checkin(
        journal,
        ref,
        date=date.isoformat(),
        symptoms=symptoms,
        downtime=day == 1,
        concerns=(
            {"acne-scars": SCARS[later], "large-pores": PORES[later], "texture": TEXTURE[later]}
            if rated
            else {}
        ),
        gais=("no-change", "improved", "improved", "much-improved")[n] if rated else None,
        verdict=("not-sure", "not-sure", "worth-it", "worth-it")[n] if rated else None,
        notes="Pinpoint redness, like a mild sunburn." if day == 1 else None,
        today=today,
    )


def _demo_photos(journal: Journal, ref: str, start: dt.date, today: dt.date) -> None:
    from journal.imaging.synthetic import write_skin_photo
    from journal.services.photos import import_photos

    shots: list[tuple[dt.date, int, str]] = [(start, SCARS[0], "before")]
    shots += [
        (start + dt.timedelta(days=offset + 21), SCARS[i + 1], "follow-up")
        for i, offset in enumerate(SESSION_DAYS)
    ]
    with tempfile.TemporaryDirectory(prefix="journal-demo-photos-") as tmp:
        for a, area in enumerate(AREAS):
            for s, (date, severity, kind) in enumerate(shots):
                path = Path(tmp) / f"{area}-{s}.jpg"
                taken = dt.datetime.combine(date, dt.time(10, 30 + a))
                write_skin_photo(path, seed=11 + a, severity=severity, taken_at=taken)
                report = import_photos(
                    journal,
                    ref,
                    [path],
                    date=date.isoformat(),
                    kind=kind,
                    area=area,
                    workers=1,
                    today=today,
                )
                if report.failed:
                    raise JournalError(f"demo photo failed: {report.failed[0][1]}")
