"""`checks.refusals`: every value the services would refuse, at once, named by field."""

from __future__ import annotations

import datetime as dt

from journal.services.checks import refusals

TODAY = dt.date(2026, 6, 1)


def test_every_bad_value_is_refused_not_only_the_first():
    found = refusals(
        "session",
        {"date": "2026-13-01", "passes": "99", "pain": "11", "depth": "1.5", "notes": None},
        today=TODAY,
    )
    assert [e.field for e in found] == ["date", "passes", "pain"]
    assert "2026-13-01" in found[0].message


def test_ratings_are_refused_one_by_one():
    found = refusals(
        "check-in",
        {
            "symptoms": {"redness": "12", "swelling": "x", "itching": "3"},
            "concerns": {"acne-scars": "-1"},
        },
        today=TODAY,
    )
    assert [e.field for e in found] == ["redness", "swelling", "concern acne-scars"]


def test_dates_count_from_the_apps_today_and_blank_required_fields_are_refused():
    assert [e.field for e in refusals("review", {"date": "2026-06-02"}, today=TODAY)] == ["date"]
    assert refusals("review", {"date": "2026-06-01"}, today=TODAY) == []
    assert [e.field for e in refusals("patient", {"name": "  "}, today=TODAY)] == ["name"]


def test_what_only_the_database_knows_is_left_to_the_service():
    # A provider is looked up on save; an unknown field is the service's to refuse.
    assert refusals("session", {"provider": "Dr Nobody", "again": True}, today=TODAY) == []
