"""Clear cases at both ends and in the middle, with the numbers in the sentences."""

from __future__ import annotations

import json

import pytest

from journal.core.score import (
    LASTING_HARM_CAP,
    WEIGHTS,
    benchmark_for,
    concern_score,
    gais_score,
    score_course,
    verdict_for,
)

from .strategies import checkin, day, record, review, session

SESSIONS = (0, 35, 70, 105)  # four sessions five weeks apart


def excellent_series():
    """Acne scars 7 -> 2, light recovery, no flags, Worth It verdicts, fair prices."""
    checkins = [checkin(-3, concerns={"acne-scars": 7})]
    for offset in SESSIONS:
        checkins.append(checkin(offset + 1, symptoms={"redness": 5, "swelling": 2}, downtime=True))
        checkins.append(checkin(offset + 3, symptoms={"redness": 1}, downtime=False))
    checkins.append(checkin(70 + 21, concerns={"acne-scars": 4}, verdict="not-sure"))
    checkins.append(
        checkin(105 + 90, concerns={"acne-scars": 2}, gais="much-improved", verdict="worth-it")
    )
    return record(
        [session(o, cost=300) for o in SESSIONS],
        checkins,
        [review(105 + 90, gais="very-much-improved")],
    )


def bad_series():
    """No improvement, heavy lingering swelling, a cold sore, Not Worth It, expensive."""
    checkins = [
        checkin(-1, concerns={"acne-scars": 6}),
        checkin(1, symptoms={"redness": 9, "swelling": 8, "bleeding": 2}, downtime=True),
        checkin(2, symptoms={"redness": 8, "swelling": 7, "bleeding": 1}, downtime=True),
        checkin(9, symptoms={"swelling": 5, "redness": 4}, downtime=True, red_flags=("cold-sore",)),
        checkin(60, concerns={"acne-scars": 7}, gais="worse", verdict="not-worth-it", symptoms={}),
    ]
    return record([session(0, cost=900), session(35, cost=900)], checkins)


def middle_series():
    """A modest change after two sessions with mixed feelings."""
    checkins = [
        checkin(0, concerns={"large-pores": 6}),
        checkin(1, symptoms={"redness": 5}, downtime=True),
        checkin(50, concerns={"large-pores": 5}, gais="no-change", verdict="not-sure"),
    ]
    return record([session(0, cost=450), session(28, cost=450)], checkins)


def test_an_excellent_series_reads_worth_it_with_high_confidence():
    result = score_course(excellent_series())
    assert result.verdict == "worth-it"
    assert result.score >= 85
    assert result.confidence == "high"
    assert result.flags == ()
    # Nothing is missing but a comparable photo pair (issue 14), which would firm it up.
    (photo_line,) = result.missing
    assert photo_line.startswith("A comparable before/after photo pair would firm up efficacy")
    assert result.benchmark.sentence.startswith(
        "Your series reads Worth It, like 79% of 156 RealSelf reviewers"
    )


def test_a_bad_series_with_red_flags_reads_not_worth_it():
    result = score_course(bad_series())
    assert result.verdict == "not-worth-it"
    assert result.score < 30
    keys = {(f.key, f.source, f.date) for f in result.flags}
    assert ("cold-sore", "reported", day(9)) in keys
    assert ("swelling-over-week", "derived", day(9)) in keys
    assert ("bleeding-over-24h", "derived", day(2)) in keys
    assert all(f.advice.startswith("Contact your provider") for f in result.flags)
    assert result.component("safety").score == 13  # three kinds of flag: 100 x 0.5^3 = 12.5
    assert "Not Worth It, unlike the 79% of 156 RealSelf reviewers" in result.benchmark.sentence


def test_a_modest_series_reads_not_sure():
    result = score_course(middle_series())
    assert result.verdict == "not-sure"
    assert 40 <= result.score < 70
    assert result.confidence == "medium"
    assert "Not Sure so far" in result.benchmark.sentence


def test_efficacy_sentence_names_the_numbers():
    result = score_course(excellent_series())
    sentence = result.component("efficacy").sentence
    assert sentence.startswith("Acne scars went from 7 to 2 (-71%) over 4 sessions")
    assert "you rate the overall change much improved" in sentence
    assert "your provider rates it very much improved" in sentence
    assert result.explanation[0] == sentence


def test_a_change_below_the_meaningful_mark_says_so():
    sentence = score_course(middle_series()).component("efficacy").sentence
    assert "Large pores went from 6 to 5 (-17%, below the 2-point or 30% mark" in sentence
    assert "over 2 sessions" in sentence


def test_recovery_sentence_names_the_worst_session_and_its_symptoms():
    sentence = score_course(bad_series()).component("recovery").sentence
    assert "The heaviest recovery followed the 2024-01-01 session" in sentence
    assert "redness peaked at 9/10 on day 1" in sentence
    assert "10 downtime days" in sentence
    # Redness 4/10 seven days past day 2 outweighs swelling 5/10 four days past day 5.
    assert "redness still 4/10 on day 9 (expected to settle by day 2)" in sentence
    assert "heavier than the expected course" in sentence


def test_a_light_recovery_is_within_the_expected_course():
    result = score_course(excellent_series())
    sentence = result.component("recovery").sentence
    assert "redness peaked at 5/10 on day 1, 2 downtime days, within the expected course" in (
        sentence
    )
    # Burden 2 x 5 (peak) + 4 x 2 (downtime days) = 18 for every session.
    assert result.component("recovery").score == 82


def test_value_sentence_names_cost_per_session_against_the_typical_range():
    result = score_course(excellent_series())
    efficacy = result.component("efficacy").score
    assert result.component("value").sentence == (
        f"$1,200 over 4 sessions ($300 a session, within the typical $100-$700) "
        f"against efficacy {efficacy}."
    )
    bad = score_course(bad_series()).component("value").sentence
    assert "$1,800 over 2 sessions ($900 a session, above the typical $100-$700)" in bad


def test_partly_recorded_costs_count_the_rest_as_nothing_and_ask_for_them():
    rec = record([session(0, cost=400), session(30)], [checkin(0, concerns={"texture": 5})])
    result = score_course(rec)
    assert "$400 recorded for 1 of 2 sessions ($200 a session" in result.component("value").sentence
    assert "Cost is missing for 1 of 2 sessions: record it to judge value." in result.missing


def test_satisfaction_sentence_names_the_latest_verdict():
    sentence = score_course(excellent_series()).component("satisfaction").sentence
    assert sentence == (
        "Your latest verdict (2024-07-14) is Worth It; verdicts on 2 days count, "
        "the latest weighing most."
    )


def test_safety_sentence_lists_each_flag_with_its_date():
    sentence = score_course(bad_series()).component("safety").sentence
    assert sentence.startswith("3 red flags: ")
    assert "bleeding over 24 hours on 2024-01-03 (derived from bleeding 1/10 on day 2)" in sentence
    assert "cold-sore outbreak on 2024-01-10 (reported)" in sentence
    assert "swelling over a week on 2024-01-10 (derived from swelling 5/10 on day 9)" in sentence


def test_a_flag_of_lasting_harm_holds_the_score_below_worth_it():
    rec = excellent_series()
    clean = score_course(rec)
    infected = record(
        rec.sessions,
        (*rec.checkins, checkin(5, red_flags=("infection",))),
        rec.reviews,
    )
    result = score_course(infected)
    assert clean.score > LASTING_HARM_CAP
    assert result.score == LASTING_HARM_CAP
    assert result.verdict == "not-sure"
    assert result.capped
    assert result.explanation[-1].startswith("Because signs of infection were reported")


def test_an_empty_course_is_a_neutral_not_sure_with_low_confidence():
    result = score_course(record())
    assert result.confidence == "low"
    assert result.verdict == "not-sure"
    assert result.trend == ()
    assert result.missing[0].startswith("No sessions recorded yet")
    # efficacy 50, recovery 100, safety 100, satisfaction 50, value 50 x 1.0
    expected = 0.35 * 50 + 0.10 * 100 + 0.20 * 100 + 0.20 * 50 + 0.15 * 50
    assert result.score == round(expected)


def test_a_baseline_alone_is_not_a_change():
    rec = record([session(0)], [checkin(-2, concerns={"acne-scars": 7})])
    result = score_course(rec)
    assert result.component("efficacy").score == 50
    assert "Acne scars has only a baseline rating (7 on 2023-12-30)" in result.explanation[0]
    assert "Rate acne scars again to measure the change since the baseline." in result.missing
    assert result.confidence == "low"


def test_the_baseline_can_come_from_before_the_first_session():
    rec = record(
        [session(0)],
        [checkin(-10, concerns={"texture": 8}), checkin(30, concerns={"texture": 4})],
    )
    change = score_course(rec).concerns[0]
    assert (change.baseline, change.latest, change.baseline_date) == (8, 4, day(-10))
    assert change.meaningful
    assert change.percent == -50


def test_the_providers_gais_weighs_more_than_the_patients():
    sessions = [session(0)]
    provider_pleased = record(
        sessions, [checkin(30, gais="no-change")], [review(30, gais="very-much-improved")]
    )
    patient_pleased = record(
        sessions, [checkin(30, gais="very-much-improved")], [review(30, gais="no-change")]
    )
    assert score_course(provider_pleased).score > score_course(patient_pleased).score
    # 0.65 x 100 + 0.35 x 30 = 75.5 against 0.65 x 30 + 0.35 x 100 = 54.5 (half rounds up)
    assert score_course(provider_pleased).component("efficacy").score == 76
    assert score_course(patient_pleased).component("efficacy").score == 55


def test_the_latest_verdict_weighs_most():
    sessions = [session(0)]
    came_round = record(
        sessions, [checkin(10, verdict="not-worth-it"), checkin(40, verdict="worth-it")]
    )
    soured = record(
        sessions, [checkin(10, verdict="worth-it"), checkin(40, verdict="not-worth-it")]
    )
    assert score_course(came_round).component("satisfaction").score == 67
    assert score_course(soured).component("satisfaction").score == 33


@pytest.mark.parametrize(
    ("baseline", "latest", "expected"),
    [
        (5, 5, 30.0),  # unchanged
        (7, 5, 70.0),  # exactly 2 points
        (5, 3.5, 70.0),  # exactly 30% (an average of two ratings), only 1.5 points
        (10, 7, 80.4),  # 3 points: one and a half meaningful changes
        (10, 0, 99.0),  # cleared
        (5, 7, 0.0),  # a meaningful worsening
    ],
)
def test_concern_score_anchors(baseline, latest, expected):
    assert concern_score(baseline, latest) == pytest.approx(expected, abs=0.5)


def test_a_one_point_change_is_meaningful_only_when_it_is_30_percent():
    assert concern_score(3, 2) > 70  # 33%
    assert concern_score(5, 4) < 70  # 20% and 1 point


@pytest.mark.parametrize(
    ("number", "expected"), [(1, 100), (2, 85), (3, 70), (4, 30), (5, 0), (2.5, 77.5)]
)
def test_gais_scale_follows_the_published_numbering(number, expected):
    """GAIS as published: 1 = very much improved ... 5 = worse."""
    assert gais_score(number) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("score", "verdict"),
    [
        (100, "worth-it"),
        (70, "worth-it"),
        (69, "not-sure"),
        (40, "not-sure"),
        (39, "not-worth-it"),
        (0, "not-worth-it"),
    ],
)
def test_verdict_thresholds(score, verdict):
    assert verdict_for(score) == verdict
    assert benchmark_for(verdict).worth_it_percent == 79


def test_weights_add_up_to_one():
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)


def test_trend_points_do_not_see_later_records():
    rec = excellent_series()
    result = score_course(rec)
    assert [p.date for p in result.trend] == [day(o) for o in SESSIONS]
    # Nothing is rated until day 91, so the first three points see only the baseline.
    early = result.trend[0].score
    worse_later = record(
        rec.sessions,
        (*rec.checkins, checkin(200, concerns={"acne-scars": 9}, verdict="not-worth-it")),
        rec.reviews,
    )
    assert score_course(worse_later).trend[0].score == early
    assert score_course(worse_later).score < result.score


def test_as_of_sees_the_course_as_it_stood():
    rec = excellent_series()
    early = score_course(rec, as_of=day(40))
    assert early.as_of == day(40)
    assert [p.date for p in early.trend] == [day(0), day(35)]
    assert early.confidence == "low"
    assert any("Only 2 sessions so far" in line for line in early.missing)


def test_to_dict_is_the_json_contract():
    document = score_course(bad_series()).to_dict()
    text = json.dumps(document)
    assert json.loads(text) == document
    for key in (
        "score",
        "verdict",
        "confidence",
        "components",
        "explanation",
        "trend",
        "flags",
        "benchmark",
        "missing",
    ):
        assert key in document
    assert isinstance(document["score"], int)
    assert all(isinstance(v, int) for v in document["components"].values())
    assert document["trend"] == [
        {"date": "2024-01-01", "score": document["trend"][0]["score"]},
        {"date": "2024-02-05", "score": document["trend"][1]["score"]},
    ]
    assert {"date", "key", "label", "source", "advice"} <= set(document["flags"][0])
    assert document["benchmark"]["reviews"] == 156
    assert document["details"][0] == {
        "name": "efficacy",
        "score": document["components"]["efficacy"],
        "weight": 0.35,
        "sentence": document["explanation"][0],
    }


def test_sessions_without_checkins_ask_for_recovery_records():
    rec = record([session(0, cost=200)], [checkin(-1, concerns={"texture": 6})])
    result = score_course(rec)
    assert result.component("recovery").score == 100
    assert result.component("recovery").sentence == (
        "No symptoms recorded after the 1 session, so recovery counts as uneventful."
    )
    assert not result.component("recovery").has_data
    assert (
        "Record symptoms and downtime on days 1, 3 and 7 after a session to weigh recovery."
        in result.missing
    )


def test_values_outside_the_vocabulary_are_ignored_not_fatal():
    rec = record(
        [session(0)],
        [checkin(5, gais="amazing", verdict="meh", symptoms={"redness": 0})],
    )
    result = score_course(rec)
    assert result.component("efficacy").score == 50
    assert result.component("satisfaction").score == 50
