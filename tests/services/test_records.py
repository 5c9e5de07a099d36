"""Services that write records: validation first, one transaction, plain records out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from journal.core.errors import Ambiguous, InvalidValue, NotFound
from journal.services.checkins import add_checkin
from journal.services.courses import add_course
from journal.services.history import patient_history
from journal.services.patients import add_patient, list_patients
from journal.services.reading import history_document
from journal.services.reviews import add_review
from journal.services.sessions import add_session
from journal.store.models import CheckInRow, CourseRow, ProviderRow, SessionRow


def count(journal, model) -> int:
    with journal.read() as db:
        return db.scalar(select(func.count()).select_from(model))


def test_first_session_creates_a_default_course(journal):
    p = add_patient(journal, "Jo", concerns=["Acne scarring"])
    t = add_session(journal, "jo", date="2026-01-10", depth="1.5", serums=["PRP"])
    h = patient_history(journal, "Jo")
    assert [c.id for c in h.courses] == [t.course_id]
    assert h.courses[0].concerns == ("acne-scars",) == p.concerns
    assert h.sessions[0].serums == ("prp",)
    assert h.sessions[0].depth_mm == 1.5


def test_session_fields_are_normalized_and_kept(journal):
    add_patient(journal, "Sam")
    t = add_session(
        journal,
        "Sam",
        date="2026-02-01",
        provider="Dr. Lee",
        setting="clinic",
        device="Dermapen",
        device_name="dermapen 4",
        depth="cheeks=1.5,forehead=0.5",
        passes="3",
        areas=["Face"],
        serums=["vit c", "my own serum"],
        pain="4",
        cost="349.5",
        notes="  fine  ",
    )
    assert t.setting == "in-office"
    assert t.device_kind == "pen" and t.device_name == "Dermapen"
    assert t.depth_mm == 1.5 and t.depth_by_area == {"cheeks": 1.5, "forehead": 0.5}
    assert t.areas == ("full-face", "cheeks", "forehead")
    assert t.serums == ("vitamin-c", "my-own-serum")
    assert t.cost == Decimal("349.50") and t.currency == "USD"
    assert t.notes == "fine" and t.provider == "Dr. Lee"
    add_session(journal, "Sam", date="2026-03-01", provider="dr. lee")
    assert count(journal, ProviderRow) == 1


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("pain", {"pain": "11"}),
        ("depth", {"depth": "9"}),
        ("date", {"date": "2026-02-30"}),
        ("device", {"device": "laser"}),
        ("passes", {"passes": "0"}),
        ("cost", {"cost": "-5"}),
        ("currency", {"currency": "dollars", "cost": "5"}),
    ],
)
def test_invalid_session_values_write_nothing(journal, field, kwargs):
    add_patient(journal, "Kim")
    args = {"date": "2026-01-01", **kwargs}
    with pytest.raises(InvalidValue) as info:
        add_session(journal, "Kim", **args)
    assert field in str(info.value)
    assert count(journal, SessionRow) == 0
    assert count(journal, CourseRow) == 0


def test_checkin_ratings_and_flags(journal):
    add_patient(journal, "Ana")
    c = add_checkin(
        journal,
        "Ana",
        date="2026-01-02",
        symptoms={"redness": "5", "swelling": 0},
        downtime=True,
        concerns=["acne scars=6", "pores=4"],
        gais="much improved",
        verdict="worth it",
        flags=["blisters", "something odd"],
    )
    assert c.symptoms == {"redness": 5, "swelling": 0}
    assert c.concerns == {"acne-scars": 6, "large-pores": 4}
    assert c.gais == "much-improved" and c.verdict == "worth-it"
    assert c.red_flags == ("blistering", "something-odd")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"symptoms": {"redness": "11"}},
        {"symptoms": {"redness": "-1"}},
        {"concerns": ["acne-scars"]},
        {"concerns": ["acne-scars=12"]},
        {"gais": "amazing"},
        {"verdict": "meh"},
        {"date": "01/02/2026"},
    ],
)
def test_invalid_checkins_write_nothing(journal, kwargs):
    add_patient(journal, "Ben")
    with pytest.raises(InvalidValue):
        add_checkin(journal, "Ben", **{"date": "2026-01-02", **kwargs})
    assert count(journal, CheckInRow) == 0


def test_patient_lookup_by_name_prefix_and_ambiguity(journal):
    a = add_patient(journal, "Alex Doe")
    first = add_patient(journal, "Twin", birth_year=1985)
    second = add_patient(journal, "twin", allow_duplicate=True)
    assert patient_history(journal, "ALEX DOE").patient.id == a.id
    assert patient_history(journal, a.id.hex[:8]).patient.id == a.id
    assert patient_history(journal, str(a.id)).patient.id == a.id
    with pytest.raises(Ambiguous) as refused:
        patient_history(journal, "Twin")
    assert f"Twin ({first.id.hex[:8]}, born 1985)" in str(refused.value)
    assert f"twin ({second.id.hex[:8]})" in str(refused.value)
    with pytest.raises(NotFound, match="nobody"):
        patient_history(journal, "nobody")


def test_courses_and_reviews(journal):
    add_patient(journal, "Lee", concerns=["wrinkles"])
    course = add_course(journal, "Lee", title="Neck", areas=["neck"], interval_weeks="4-8")
    assert (course.interval_weeks_min, course.interval_weeks_max) == (4, 8)
    assert course.concerns == ("wrinkles",)
    r = add_review(journal, "Lee", date="2026-03-01", gais="improved", goodman_baron="2")
    assert r.course_id == course.id and r.goodman_baron == 2
    with pytest.raises(InvalidValue, match="goodman-baron"):
        add_review(journal, "Lee", date="2026-03-01", goodman_baron="5")
    with pytest.raises(InvalidValue, match="interval"):
        add_course(journal, "Lee", interval_weeks="6-4")


def test_history_document_has_every_record_and_derived_days(journal):
    add_patient(journal, "Max")
    add_checkin(journal, "Max", date="2026-01-01", concerns=["texture=6"])
    add_session(journal, "Max", date="2026-01-02")
    add_checkin(journal, "Max", date="2026-01-05", symptoms={"redness": 2})
    add_review(journal, "Max", date="2026-01-20", gais="improved")
    doc = history_document(patient_history(journal, "Max"))
    assert doc["patient"]["display_name"] == "Max"
    assert [c["day"] for c in doc["checkins"]] == [None, 3]
    assert len(doc["sessions"]) == 1 and len(doc["reviews"]) == 1
    assert all("id" in item for key in ("sessions", "checkins", "reviews") for item in doc[key])


def test_patient_list_summaries(journal):
    add_patient(journal, "Zed")
    add_patient(journal, "amy")
    add_session(journal, "amy", date="2026-01-02")
    add_session(journal, "amy", date="2026-02-02")
    rows = list_patients(journal)
    assert [r.patient.display_name for r in rows] == ["amy", "Zed"]
    assert rows[0].sessions == 2 and rows[0].last_visit == dt.date(2026, 2, 2)
    assert rows[1].sessions == 0 and rows[1].last_visit is None


def test_foreign_keys_are_enforced(journal):
    import uuid

    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), journal.write() as db:
        db.add(CourseRow(patient_id=uuid.uuid4(), title="orphan"))
    assert count(journal, CourseRow) == 0


@pytest.fixture
def sqlite_journal(home):
    """A journal on SQLite whatever database the run targets: only SQLite has a fast path."""
    from journal.services.journal import open_journal

    j = open_journal(home, None)
    try:
        yield j
    finally:
        j.close()


def test_fast_sqlite_reader_matches_the_orm_path(sqlite_journal, home):
    """`history` skips SQLAlchemy on SQLite; its records must equal the ORM's exactly.

    On PostgreSQL `history_for` *is* the ORM path, so comparing there would hold
    the ORM equal to itself: this test always uses SQLite and first proves the
    fast reader is the path `history_for` takes.
    """
    from journal.services.reading import history_for
    from journal.store.location import resolve_location
    from journal.store.sqlite_reader import SQLiteReader

    journal = sqlite_journal
    add_patient(journal, "Fay", concerns=["wrinkles"], screening=["isotretinoin"])
    add_checkin(journal, "Fay", date="2026-01-01", concerns=["wrinkles=7"], notes="baseline")
    add_session(
        journal,
        "Fay",
        date="2026-01-02",
        provider="Dr. Q",
        depth="cheeks=1.25",
        cost="99.99",
        serums=["PRP"],
        pain="3",
    )
    add_checkin(
        journal,
        "Fay",
        date="2026-01-03",
        symptoms={"redness": 4},
        downtime=False,
        gais="improved",
        verdict="not-sure",
        flags=["blistering"],
    )
    add_review(journal, "Fay", date="2026-01-30", provider="Dr. Q", goodman_baron="2")
    orm = patient_history(journal, "Fay")
    reader = SQLiteReader.open(resolve_location(home, None).sqlite_path)
    assert reader is not None  # the fast path is the one history_for takes
    with reader:
        pass
    fast = history_for(home, None, "fay")
    assert fast == orm
    assert history_document(fast) == history_document(orm)


def test_provider_names_fold_unicode_case(journal):
    """SQLite's lower() is ASCII-only; "Dr. Ōkubo" and "DR. ŌKUBO" are one provider."""
    add_patient(journal, "Noa")
    add_session(journal, "Noa", date="2026-01-02", provider="Dr. Ōkubo")
    add_session(journal, "Noa", date="2026-02-02", provider="DR. ŌKUBO")
    assert count(journal, ProviderRow) == 1
    assert {t.provider for t in patient_history(journal, "Noa").sessions} == {"Dr. Ōkubo"}


def test_bulk_histories_equal_one_by_one_histories(journal):
    """The clinic overview's Core-row loader must build the very same records."""
    from journal.services.history import load_histories
    from journal.store.models import PatientRow

    for name in ("Ula", "Vic"):
        add_patient(journal, name, concerns=["texture"])
        add_checkin(journal, name, date="2026-01-01", concerns=["texture=6"])
        add_session(journal, name, date="2026-01-02", provider=f"Dr. {name}", cost="120")
        add_checkin(journal, name, date="2026-01-04", symptoms={"redness": 3}, flags=["rash"])
        add_review(journal, name, date="2026-02-01", provider=f"Dr. {name}", gais="improved")
    add_patient(journal, "Empty")
    with journal.read() as db:
        rows = list(db.scalars(select(PatientRow).order_by(PatientRow.display_name)))
        ids = [str(r.id) for r in rows]
        bulk = load_histories(db, rows)
    assert bulk == [patient_history(journal, pid) for pid in ids]


def test_an_empty_checkin_or_review_is_refused(journal):
    """An accidental save must not leave an empty record in someone's medical history."""
    add_patient(journal, "Oli")
    with pytest.raises(InvalidValue, match="nothing to record"):
        add_checkin(journal, "Oli", date="2026-01-02", symptoms={"redness": None})
    with pytest.raises(InvalidValue, match="nothing to record"):
        add_review(journal, "Oli", date="2026-01-02", provider="Dr. Q")
    assert count(journal, CheckInRow) == 0 and count(journal, CourseRow) == 0
    assert add_checkin(journal, "Oli", date="2026-01-02", downtime=False).downtime is False
    assert add_checkin(journal, "Oli", date="2026-01-03", symptoms={"redness": "0"}).symptoms
