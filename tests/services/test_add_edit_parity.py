"""Adding and editing read every field alike: the same value stored, the same line refused.

For each kind of record a table of bad values: the add service and
`amend.edit` of an existing record must both refuse each one, with the
identical message, and write nothing. Then a table of good values: what an
add stores for a value is what an edit stores for it. Runs on SQLite and,
with `JOURNAL_TEST_PG_URL`, on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from journal.core.errors import InvalidValue
from journal.services import amend
from journal.services.checkins import add_checkin
from journal.services.courses import add_course
from journal.services.history import patient_history
from journal.services.patients import add_patient, list_patients
from journal.services.photos import import_photos
from journal.services.reviews import add_review
from journal.services.sessions import add_session

FUTURE = (dt.date.today() + dt.timedelta(days=30)).isoformat()
LONG_NOTE = "n" * 10_001
MANY = [f"word-{n}" for n in range(33)]

BAD: dict[str, list[tuple[str, Any]]] = {
    "patient": [
        ("name", ""),
        ("name", "   "),
        ("name", "Jo\x1b[31m"),
        ("name", "x" * 121),
        ("birth_year", "1850"),
        ("birth_year", "nineteen"),
        ("skin_type", "7"),
        ("skin_type", "VII"),
        ("concerns", ["c" * 81]),
        ("concerns", MANY),
        ("screening", ["pregnant\u202e"]),
    ],
    "course": [
        ("title", ""),
        ("title", "bell\x07"),
        ("planned", "0"),
        ("planned", "three"),
        ("interval_weeks", "6-4"),
        ("interval_weeks", "0"),
        ("interval_weeks", ""),
        ("areas", ["a" * 81]),
        ("concerns", MANY),
    ],
    "session": [
        ("date", "2026-13-01"),
        ("date", ""),
        ("date", "1989-12-31"),
        ("date", FUTURE),
        ("setting", "spa"),
        ("setting", ""),
        ("device", "laser"),
        ("depth", "4"),
        ("depth", "cheeks=abc"),
        ("depth", "=1.0"),
        ("passes", "0"),
        ("passes", "1_0"),
        ("areas", MANY),
        ("serums", ["s\x00"]),
        ("anesthetic", "lido\ncaine"),
        ("pain", "11"),
        ("pain", "x"),
        ("cost", "12.345"),
        ("cost", "-1"),
        ("currency", "EURO"),
        ("currency", "EUR"),  # a currency without a cost
        ("notes", LONG_NOTE),
    ],
    "check-in": [
        ("date", "2026-02-30"),
        ("date", FUTURE),
        ("symptoms", {"redness": "11"}),
        ("symptoms", {"itchiness": "3"}),
        ("downtime", "maybe"),
        ("concerns", ["acne-scars"]),
        ("concerns", ["acne-scars=11"]),
        ("concerns", ["acne-scars=3", "acne scars=4"]),
        ("gais", "great"),
        ("verdict", "ask me later"),
        ("flags", ["f" * 81]),
        ("notes", "tab\x1bescape"),
    ],
    "review": [
        ("date", "yesterday"),
        ("date", FUTURE),
        ("gais", "great"),
        ("goodman_baron", "5"),
        ("goodman_baron", "two"),
        ("notes", LONG_NOTE),
    ],
    "photo": [
        ("kind", "selfie"),
        ("kind", ""),
        ("area", "a" * 81),
        ("angle", "left\nside"),
        ("angle", "a" * 41),
        ("date", FUTURE),
        ("date", "2026/03/01"),
    ],
}

# Near misses of known words ("forhead"): refused by both unless `custom` keeps the word.
TYPOS: dict[str, list[tuple[str, Any]]] = {
    "patient": [("concerns", ["acne scarz"])],
    "course": [("areas", ["forhead"]), ("concerns", ["wrinkels"])],
    "session": [("areas", ["forhead"]), ("depth", "forhead=1.0"), ("serums", ["hyaluronc"])],
    "check-in": [("concerns", ["wrinkels=3"])],
}


def _jpeg(path: Path, colour: tuple[int, int, int] = (200, 150, 140)) -> Path:
    Image.new("RGB", (64, 48), colour).save(path, "JPEG")
    return path


@pytest.fixture
def records(journal: Any, tmp_path: Path) -> dict[str, str]:
    """One record of every kind for Jo, without a cost (so a currency alone is refused)."""
    add_patient(journal, "Jo", birth_year=1990)
    course = add_course(journal, "Jo", title="Series 1", areas=["cheeks"])
    session = add_session(journal, "Jo", date="2026-03-01", depth="1.0")
    checkin = add_checkin(journal, "Jo", date="2026-03-02", notes="fine")
    review = add_review(journal, "Jo", date="2026-03-03", notes="fine")
    import_photos(journal, "Jo", [_jpeg(tmp_path / "a.jpg")], date="2026-03-01", workers=1)
    photo = patient_history(journal, "Jo").photos[0]
    patient = patient_history(journal, "Jo").patient
    return {
        "patient": str(patient.id),
        "course": str(course.id),
        "session": str(session.id),
        "check-in": str(checkin.id),
        "review": str(review.id),
        "photo": str(photo.id),
    }


def add(journal: Any, kind: str, field: str, value: Any, tmp_path: Path) -> Any:
    """Add a new record of `kind` with `field` set to `value` (and what it needs besides)."""
    if kind == "patient":
        given = {"birth_year": None, **{field: value}}
        name = given.pop("name", "Kim")
        return add_patient(journal, name, **given)
    if kind == "course":
        return add_course(journal, "Jo", **{field: value})
    if kind == "session":
        return add_session(journal, "Jo", **{"date": "2026-04-01", field: value})
    if kind == "check-in":
        return add_checkin(journal, "Jo", **{"date": "2026-04-01", "notes": "ok", field: value})
    if kind == "review":
        return add_review(journal, "Jo", **{"date": "2026-04-01", "notes": "ok", field: value})
    photo = _jpeg(tmp_path / "new.jpg", (90, 60, 50))
    return import_photos(journal, "Jo", [photo], workers=1, **{field: value})


def refusal(call: Any) -> str:
    with pytest.raises(InvalidValue) as refused:
        call()
    return refused.value.message


def everything(journal: Any) -> tuple[Any, ...]:
    h = patient_history(journal, "Jo")
    return (h, len(list_patients(journal)), len(amend.change_log(journal)))


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [(kind, field, value) for kind, rows in BAD.items() for field, value in rows],
    ids=[f"{kind}-{field}-{n}" for kind, rows in BAD.items() for n, (field, _) in enumerate(rows)],
)
def test_add_and_edit_refuse_a_bad_value_with_the_same_line(
    journal, records, tmp_path, kind, field, value
):
    before = everything(journal)
    on_add = refusal(lambda: add(journal, kind, field, value, tmp_path))
    on_edit = refusal(lambda: amend.edit(journal, kind, records[kind], {field: value}))
    assert on_add == on_edit
    assert "\n" not in on_add and "\x1b" not in on_add
    assert everything(journal) == before  # nothing written by either


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [(kind, field, value) for kind, rows in TYPOS.items() for field, value in rows],
)
def test_add_and_edit_refuse_a_near_miss_alike_and_custom_keeps_it(
    journal, records, tmp_path, kind, field, value
):
    on_add = refusal(lambda: add(journal, kind, field, value, tmp_path))
    on_edit = refusal(lambda: amend.edit(journal, kind, records[kind], {field: value}))
    assert on_add == on_edit and "did you mean" in on_add
    amend.edit(journal, kind, records[kind], {field: value, "custom": True})


GOOD: dict[str, list[tuple[str, Any, str]]] = {
    # (field, value, the record attribute that shows it)
    "patient": [
        ("skin_type", "IV", "skin_type"),
        ("birth_year", " 1985 ", "birth_year"),
        ("concerns", ["Acne scarring", "", "acne scars"], "concerns"),
    ],
    "session": [
        ("setting", "At home", "setting"),
        ("device", "Dermapen", "device_kind"),
        ("depth", "Cheeks=1.5, forehead=0.50", "depth_by_area"),
        ("serums", ["vit c", "my own serum"], "serums"),
        ("cost", "349.5", "currency"),
        ("pain", " 3", "pain"),
        ("notes", "  fine  ", "notes"),
        ("anesthetic", " lidocaine ", "anesthetic"),
    ],
    "check-in": [
        ("concerns", {"acne scars": 6}, "concerns"),
        ("symptoms", {"redness": "4"}, "symptoms"),
        ("flags", ["Infection"], "red_flags"),
    ],
    "review": [("goodman_baron", " 2 ", "goodman_baron"), ("gais", "Improved", "gais")],
    "course": [("planned", "5", "planned_sessions"), ("interval_weeks", " 3-8", "interval_weeks")],
    "photo": [("kind", "After", "kind"), ("angle", "  left 45° ", "angle")],
}


def _shown(record: Any, attribute: str) -> Any:
    if attribute == "interval_weeks":
        return (record.interval_weeks_min, record.interval_weeks_max)
    if attribute == "depth_by_area":  # neither session had areas: the depth's are added
        return (record.depth_by_area, record.depth_mm, record.areas)
    if attribute == "currency":
        return (record.cost, record.currency)
    return getattr(record, attribute)


@pytest.mark.parametrize(
    ("kind", "field", "value", "attribute"),
    [(kind, *row) for kind, rows in GOOD.items() for row in rows],
)
def test_add_and_edit_store_the_same_value(
    journal, records, tmp_path, kind, field, value, attribute
):
    added = add(journal, kind, field, value, tmp_path)
    if kind == "photo":
        added = next(
            p for p in patient_history(journal, "Jo").photos if str(p.id) != records["photo"]
        )
    edited = amend.edit(journal, kind, records[kind], {field: value}).record
    assert _shown(added, attribute) == _shown(edited, attribute)
