"""Screening warnings and red flags: worded as advice, dated, derived consistently."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from journal.core.rules import (
    BLEEDING_FLAG_DAY,
    SWELLING_FLAG_DAY,
    derive_red_flags,
    screening_warnings,
)
from journal.core.vocab import SCREENING

from .strategies import checkin, course_records, day, patient, record, session


def test_one_warning_per_screening_answer_in_intake_order():
    warnings = screening_warnings(patient(screening=tuple(reversed(SCREENING.keys))))
    assert [w.key for w in warnings] == SCREENING.keys
    assert len({w.message for w in warnings}) == len(SCREENING.keys)
    for warning in warnings:
        assert warning.label == SCREENING.label(warning.key)
        assert warning.message.endswith(".")
        assert "provider" in warning.message or "dermatologist" in warning.message


def test_no_answers_no_warnings():
    assert screening_warnings(patient()) == []


def test_cold_sores_ask_about_an_antiviral():
    (warning,) = screening_warnings(patient(screening=("cold-sores",)))
    assert "ask about an antiviral before treatment" in warning.message


def test_warnings_are_never_worded_as_a_diagnosis():
    for warning in screening_warnings(patient(screening=tuple(SCREENING.keys))):
        text = warning.message.lower()
        assert "diagnos" not in text
        assert text.startswith("you ")  # the patient's own answer, repeated back


def test_aliases_and_duplicates_give_one_warning_and_custom_answers_are_kept():
    warnings = screening_warnings(patient(screening=("accutane", "isotretinoin", "recent filler")))
    assert [w.key for w in warnings] == ["isotretinoin", "recent-filler"]
    assert warnings[1].message == (
        "You answered yes to 'recent filler': mention it to your provider before treatment."
    )


def _swelling_on(offset: int, level: int = 3):
    return record([session(0)], [checkin(offset, symptoms={"swelling": level})])


def test_swelling_past_a_week_is_a_derived_flag_from_day_8():
    assert derive_red_flags(_swelling_on(SWELLING_FLAG_DAY - 1)) == []
    assert derive_red_flags(_swelling_on(SWELLING_FLAG_DAY, level=0)) == []
    (flag,) = derive_red_flags(_swelling_on(SWELLING_FLAG_DAY))
    assert (flag.key, flag.source, flag.date, flag.day) == (
        "swelling-over-week",
        "derived",
        day(8),
        8,
    )
    assert flag.session_date == day(0)
    assert flag.detail == "swelling 3/10 on day 8"
    assert flag.label == "Swelling over a week"
    assert flag.advice.startswith("Contact your provider")
    assert flag.sentence().startswith(
        "Swelling over a week on 2024-01-09 (day 8 after the 2024-01-01 session), derived from "
        "swelling 3/10 on day 8. Contact your provider"
    )


def test_bleeding_on_day_2_is_a_derived_flag_but_not_on_day_1():
    day1 = record([session(0)], [checkin(1, symptoms={"bleeding": 4})])
    day2 = record([session(0)], [checkin(BLEEDING_FLAG_DAY, symptoms={"bleeding": 1})])
    assert derive_red_flags(day1) == []
    assert [f.key for f in derive_red_flags(day2)] == ["bleeding-over-24h"]


def test_day_offsets_count_from_the_latest_session_on_or_before_the_checkin():
    # Day 9 after the first session but day 2 after the second one: no swelling flag.
    rec = record([session(0), session(7)], [checkin(9, symptoms={"swelling": 4})])
    assert derive_red_flags(rec) == []


def test_nothing_is_derived_before_the_first_session_but_reports_are_kept():
    rec = record(
        [session(10)],
        [checkin(0, symptoms={"swelling": 5, "bleeding": 5}, red_flags=("cold-sore",))],
    )
    (flag,) = derive_red_flags(rec)
    assert (flag.key, flag.source, flag.session_date, flag.day) == (
        "cold-sore",
        "reported",
        None,
        None,
    )


def test_lingering_swelling_is_one_flag_per_session_at_its_first_day():
    rec = record(
        [session(0), session(30)],
        [checkin(d, symptoms={"swelling": 2}) for d in (8, 9, 10, 38, 40)],
    )
    flags = derive_red_flags(rec)
    assert [(f.date, f.session_date) for f in flags] == [(day(8), day(0)), (day(38), day(30))]


def test_a_reported_flag_replaces_the_same_derived_one_for_that_session():
    rec = record(
        [session(0)],
        [
            checkin(8, symptoms={"swelling": 2}),
            checkin(9, red_flags=("prolonged swelling",)),  # an alias of swelling-over-week
        ],
    )
    (flag,) = derive_red_flags(rec)
    assert (flag.key, flag.source, flag.date) == ("swelling-over-week", "reported", day(9))


def test_as_of_leaves_out_later_flags():
    rec = record(
        [session(0)],
        [checkin(3, red_flags=("blistering",)), checkin(20, red_flags=("infection",))],
    )
    assert [f.key for f in derive_red_flags(rec, as_of=day(10))] == ["blistering"]
    assert [f.key for f in derive_red_flags(rec)] == ["blistering", "infection"]


def test_every_flag_comes_with_contact_advice():
    rec = record(
        [session(0)],
        [checkin(2, red_flags=("infection", "allergic-reaction", "granulomas", "my own flag"))],
    )
    flags = derive_red_flags(rec)
    assert [f.key for f in flags] == ["allergic-reaction", "granulomas", "infection", "my-own-flag"]
    assert all(f.advice.startswith("Contact your provider") for f in flags)
    assert "emergency" in flags[0].advice
    assert "fever" in flags[2].advice


@settings(max_examples=40, deadline=None)
@given(course_records(), st.randoms(use_true_random=False))
def test_flags_do_not_depend_on_record_order(rec, rnd):
    shuffled = dataclasses.replace(
        rec,
        sessions=tuple(rnd.sample(rec.sessions, len(rec.sessions))),
        checkins=tuple(rnd.sample(rec.checkins, len(rec.checkins))),
    )
    assert derive_red_flags(shuffled) == derive_red_flags(rec)
    flags = derive_red_flags(rec)
    assert flags == sorted(flags, key=lambda f: (f.date, f.key, f.source))
