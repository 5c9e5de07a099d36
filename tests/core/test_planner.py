"""The planner with frozen dates: what is due, what is done, what is overdue."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journal.core.planner import CHECKIN_WINDOWS, add_months, plan_course, results_timeline

from .strategies import checkin, course, course_records, day, record, session


def with_course(rec, **changes):
    return dataclasses.replace(rec, course=course(**changes))


def prompts(plan, session_offset):
    return {p.day: p for p in plan.checkins if p.session_date == day(session_offset)}


def test_the_first_session_is_due_now():
    plan = plan_course(record(), today=day(5))
    assert plan.sessions_done == 0
    assert plan.sessions_planned == 3
    assert (plan.next_session.earliest, plan.next_session.latest) == (day(5), day(5))
    assert plan.next_session.status == "due"
    assert plan.checkins == ()
    assert plan.maintenance is None
    assert plan.sentences[:2] == (
        "0 of 3 planned sessions done.",
        "The first session is due now.",
    )


@pytest.mark.parametrize(
    ("today", "status", "sentence"),
    [
        (10, "upcoming", "Next session is due between 2024-01-29 and 2024-02-12."),
        (35, "due", "Next session is due now, between 2024-01-29 and 2024-02-12."),
        (50, "overdue", "Next session is overdue: it was due between 2024-01-29 and 2024-02-12."),
    ],
)
def test_the_next_session_follows_the_course_interval(today, status, sentence):
    plan = plan_course(record([session(0)]), today=day(today))
    assert plan.next_session.earliest == day(28)  # 4 weeks
    assert plan.next_session.latest == day(42)  # 6 weeks
    assert plan.next_session.status == status
    assert sentence in plan.sentences


def test_a_custom_interval_is_used():
    rec = with_course(record([session(0)]), interval_weeks_min=3, interval_weeks_max=8)
    window = plan_course(rec, today=day(1)).next_session
    assert (window.earliest, window.latest) == (day(21), day(56))


def test_a_booked_session_is_the_next_session():
    plan = plan_course(record([session(0), session(30)]), today=day(10))
    assert plan.sessions_done == 1
    assert plan.sessions_booked == (day(30),)
    assert plan.next_session.status == "booked"
    assert "Next session booked for 2024-01-31." in plan.sentences


def test_checkins_within_their_window_count_as_done():
    rec = record(
        [session(0)],
        [checkin(2, symptoms={"redness": 2}), checkin(4, symptoms={"redness": 1})],
    )
    plan = plan_course(rec, today=day(15))
    got = prompts(plan, 0)
    assert got[1].status == "done" and got[1].done_on == day(2)  # day 2 answers day 1
    assert got[3].status == "done" and got[3].done_on == day(4)
    assert got[7].status == "overdue"  # window days 6-10 has passed
    assert got[21].status == "upcoming"
    assert got[90].status == "upcoming"
    assert plan.overdue_checkins == (got[7],)
    assert (
        "Day 7 check-in after the 2024-01-01 session was due 2024-01-08 and is missing; "
        "record it now if you can." in plan.sentences
    )


def test_a_checkin_outside_every_window_answers_no_prompt():
    plan = plan_course(record([session(0)], [checkin(14)]), today=day(15))
    assert all(p.status != "done" for p in plan.checkins)


def test_a_checkin_due_today_says_until_when():
    plan = plan_course(record([session(0)]), today=day(7))
    assert prompts(plan, 0)[7].status == "due"
    assert "Day 7 check-in after the 2024-01-01 session is due now (until 2024-01-11)." in (
        plan.sentences
    )


def test_prompts_stop_where_the_next_session_starts():
    plan = plan_course(record([session(0), session(28)]), today=day(30))
    assert sorted(prompts(plan, 0)) == [1, 3, 7, 21]  # day 90 belongs to the later session
    assert sorted(prompts(plan, 28)) == sorted(CHECKIN_WINDOWS)


def test_checkins_after_the_next_session_do_not_answer_the_earlier_one():
    rec = record([session(0), session(20)], [checkin(21)])
    plan = plan_course(rec, today=day(40))
    assert prompts(plan, 0)[21].status == "overdue"
    assert prompts(plan, 20)[1].status == "done"


def series(birth_year=None, concerns=()):
    rec = record([session(0), session(35), session(70)], birth_year=birth_year)
    return dataclasses.replace(rec, course=course(concerns=concerns))


def test_maintenance_is_due_6_to_12_months_after_a_complete_series():
    plan = plan_course(series(birth_year=1995), today=day(100))
    assert plan.series_complete
    assert plan.next_session is None
    assert (plan.maintenance.earliest, plan.maintenance.latest) == (
        dt.date(2024, 9, 11),
        dt.date(2025, 3, 11),
    )
    assert "The series is complete." in plan.sentences
    assert "Maintenance session due between 2024-09-11 and 2025-03-11." in plan.sentences


def test_maintenance_comes_sooner_over_40():
    plan = plan_course(series(birth_year=1970), today=day(100))
    assert (plan.maintenance.earliest, plan.maintenance.latest) == (
        dt.date(2024, 6, 11),
        dt.date(2024, 7, 11),
    )


def test_maintenance_comes_sooner_with_sun_damage():
    plan = plan_course(series(birth_year=1995, concerns=("sun-damage",)), today=day(100))
    assert plan.maintenance.earliest == dt.date(2024, 6, 11)


def test_no_maintenance_before_the_series_is_complete():
    plan = plan_course(record([session(0)], birth_year=1960), today=day(10))
    assert not plan.series_complete
    assert plan.maintenance is None


def test_a_stopped_course_has_nothing_due():
    rec = with_course(record([session(0)]), status="stopped")
    plan = plan_course(rec, today=day(50))
    assert plan.next_session is None
    assert plan.maintenance is None
    assert "This course was stopped, so no session is due." in plan.sentences


def test_a_paused_course_waits():
    rec = with_course(record([session(0)]), status="paused")
    plan = plan_course(rec, today=day(50))
    assert plan.next_session is None
    assert "This course is paused; no session is due until you resume it." in plan.sentences


def test_an_event_less_than_two_weeks_after_the_next_window_warns():
    plan = plan_course(record([session(0)]), today=day(10), event=day(35))
    (warning,) = plan.warnings
    assert warning == (
        "Your event on 2024-02-05 is less than two weeks after the next session window "
        "(2024-01-29 to 2024-02-12): book the session by 2024-01-22 or after the event."
    )
    assert warning in plan.sentences


def test_an_event_well_after_the_window_is_fine():
    assert plan_course(record([session(0)]), today=day(10), event=day(70)).warnings == ()


def test_an_event_before_the_window_is_fine():
    assert plan_course(record([session(0)]), today=day(10), event=day(20)).warnings == ()


def test_an_event_just_after_the_last_session_warns():
    rec = series()
    plan = plan_course(rec, today=day(72), event=day(80))
    assert plan.warnings == (
        "Your last session (2024-03-11) is only 10 days before your event on 2024-03-21: "
        "redness or flaking may still show.",
    )


def test_an_event_soon_after_a_booked_session_warns():
    plan = plan_course(record([session(0), session(30)]), today=day(10), event=day(40))
    assert plan.warnings[0].startswith(
        "Your booked session on 2024-01-31 is less than two weeks before your event"
    )


def test_the_first_session_right_before_an_event_warns():
    plan = plan_course(record(), today=day(0), event=day(10))
    assert plan.warnings[0].endswith("book the session after the event.")
    assert plan_course(record(), today=day(0), event=day(14)).warnings == ()


def test_results_timeline_names_the_stages_and_the_dates():
    assert results_timeline() == (
        "Texture often looks smoother within a week; scars and wrinkles usually need three or "
        "more sessions; full collagen results show 3-6 months after treatment."
    )
    plan = plan_course(record([session(0)]), today=day(1))
    assert plan.results_timeline.endswith(
        "For your latest session (2024-01-01) that is between 2024-04-01 and 2024-07-01."
    )
    assert plan.sentences[-1] == plan.results_timeline


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2024, 11, 30), 3) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2024, 5, 15), 12) == dt.date(2025, 5, 15)


def test_plan_to_dict_is_plain_json():
    plan = plan_course(series(birth_year=1995), today=day(100), event=day(400))
    document = plan.to_dict()
    assert json.loads(json.dumps(document)) == document
    assert document["sessions_done"] == 3
    assert document["maintenance"]["status"] == "upcoming"
    assert len(document["checkins"]) == len(plan.checkins)


@settings(max_examples=40, deadline=None)
@given(course_records(), st.integers(-30, 400), st.none() | st.integers(-30, 400))
def test_any_course_gets_a_consistent_plan(rec, today_offset, event_offset):
    today = day(today_offset)
    event = None if event_offset is None else day(event_offset)
    plan = plan_course(rec, today=today, event=event)
    assert plan.sessions_done == sum(1 for t in rec.sessions if t.date <= today)
    assert all(d > today for d in plan.sessions_booked)
    for window in (plan.next_session, plan.maintenance):
        if window is not None:
            assert window.earliest <= window.latest
    for prompt in plan.checkins:
        assert prompt.day in CHECKIN_WINDOWS
        assert prompt.due == prompt.session_date + dt.timedelta(days=prompt.day)
        if prompt.status == "done":
            assert prompt.done_on is not None and prompt.done_on <= today
        if prompt.status == "overdue":
            assert prompt.window_end < today
    assert plan.sentences[-1] == plan.results_timeline
    assert set(plan.warnings) <= set(plan.sentences)
    assert plan_course(rec, today=today, event=event) == plan
