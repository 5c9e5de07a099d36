"""Issue 11 item 7: the services refuse the usual mistakes before they are written.

A record dated in the future, a patient added twice, a session saved twice on
one day and a near miss of a known word are refused with one line naming the
field; the last three can be confirmed (`allow_duplicate`, `again`, `custom`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from journal.core.errors import Ambiguous, InvalidValue, NeedsConfirmation
from journal.core.vocab import AREAS, CONCERNS, SERUMS
from journal.imaging.synthetic import write_skin_photo
from journal.services.checkins import add_checkin
from journal.services.courses import add_course
from journal.services.history import patient_history
from journal.services.patients import add_patient, name_key
from journal.services.photos import import_photos
from journal.services.reviews import add_review
from journal.services.scoring import report_for_history
from journal.services.sessions import add_session
from journal.store.models import CheckInRow, CourseRow, PatientRow, PhotoRow, ReviewRow, SessionRow

TODAY = dt.date(2026, 6, 1)
TOMORROW = "2026-06-02"


def count(journal, model) -> int:
    with journal.read() as db:
        return db.scalar(select(func.count()).select_from(model))


# -- dates in the future ---------------------------------------------------------------


def test_session_checkin_review_dated_after_today_are_refused(journal):
    add_patient(journal, "Ada")
    with pytest.raises(InvalidValue, match=r"^invalid date '2026-06-02': is in the future$"):
        add_session(journal, "Ada", date=TOMORROW, today=TODAY)
    with pytest.raises(InvalidValue, match="is in the future"):
        add_checkin(journal, "Ada", date=TOMORROW, symptoms={"redness": 2}, today=TODAY)
    with pytest.raises(InvalidValue, match="is in the future"):
        add_review(journal, "Ada", date=TOMORROW, gais="improved", today=TODAY)
    for model in (SessionRow, CheckInRow, ReviewRow, CourseRow):
        assert count(journal, model) == 0
    # today itself is fine
    assert add_session(journal, "Ada", date="2026-06-01", today=TODAY).date == TODAY
    add_checkin(journal, "Ada", date="2026-06-01", symptoms={"redness": 2}, today=TODAY)
    add_review(journal, "Ada", date="2026-06-01", gais="improved", today=TODAY)


def test_future_dates_default_to_the_real_today(journal):
    add_patient(journal, "Ben")
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(InvalidValue, match="is in the future"):
        add_session(journal, "Ben", date=tomorrow)


def test_planner_event_dates_may_still_be_ahead(journal):
    add_patient(journal, "Cy")
    add_session(journal, "Cy", date="2026-05-01", today=TODAY)
    history = patient_history(journal, "Cy")
    report = report_for_history(history, today=TODAY, event="2026-09-01")
    assert report is not None and report.plan is not None


def test_photo_date_in_the_future_is_refused_and_nothing_stored(journal, tmp_path: Path):
    add_patient(journal, "Di")
    shot = tmp_path / "face.jpg"
    write_skin_photo(shot, seed=1, severity=5, taken_at=dt.datetime(2026, 5, 1, 10, 0))
    with pytest.raises(InvalidValue, match=r"^invalid date '2026-06-02': is in the future$"):
        import_photos(journal, "Di", [shot], date=TOMORROW, today=TODAY, workers=1)
    assert count(journal, PhotoRow) == 0
    report = import_photos(journal, "Di", [shot], date="2026-06-01", today=TODAY, workers=1)
    assert len(report.imported) == 1


# -- duplicate patients and ambiguous names ----------------------------------------------


@pytest.mark.parametrize(
    "second", ["alex rivera", "  ALEX   RIVERA ", "Alex\u00a0Rivera", "Ａｌｅｘ Rivera"]
)
def test_a_patient_name_already_in_the_journal_is_refused(journal, second):
    first = add_patient(journal, "Alex Rivera", birth_year=1991)
    with pytest.raises(NeedsConfirmation) as refused:
        add_patient(journal, second)
    message = str(refused.value)
    assert message.startswith("invalid name ")
    assert f"already exists: Alex Rivera ({first.id.hex[:8]}, born 1991)" in message
    assert refused.value.confirm == "allow_duplicate"
    assert count(journal, PatientRow) == 1
    add_patient(journal, second, allow_duplicate=True)
    assert count(journal, PatientRow) == 2


def test_name_key_folds_case_unicode_and_spaces():
    assert name_key("STRASSE  Ōkubo") == name_key("straße ōkubo")
    assert name_key("Zoe\u0301") == name_key("Zoé")
    assert name_key("Ann Lee") != name_key("Anne Lee")


def test_ambiguous_names_list_short_ids_and_birth_years(journal):
    rivera = add_patient(journal, "Alex Rivera", birth_year=1991)
    stone = add_patient(journal, "Alex Stone", birth_year=1985)
    with pytest.raises(Ambiguous) as refused:
        patient_history(journal, "alex")
    assert str(refused.value) == (
        f"patient 'alex' is ambiguous: Alex Rivera ({rivera.id.hex[:8]}, born 1991), "
        f"Alex Stone ({stone.id.hex[:8]}, born 1985); use the id or more of the name"
    )
    with pytest.raises(Ambiguous, match=r"born 1991.*born 1985"):
        add_session(journal, "alex", date="2026-05-01", today=TODAY)


def test_ambiguous_course_titles_list_their_ids(journal):
    add_patient(journal, "Eve")
    one = add_course(journal, "Eve", title="Cheeks")
    two = add_course(journal, "Eve", title="cheeks")
    with pytest.raises(Ambiguous) as refused:
        add_session(journal, "Eve", date="2026-05-01", course="Cheeks", today=TODAY)
    assert one.id.hex[:8] in str(refused.value) and two.id.hex[:8] in str(refused.value)


# -- a second session on the same day ----------------------------------------------------


def test_second_session_on_the_same_day_needs_again(journal):
    add_patient(journal, "Fay")
    first = add_session(journal, "Fay", date="2026-05-01", depth="1.5", today=TODAY)
    with pytest.raises(NeedsConfirmation) as refused:
        add_session(journal, "Fay", date="2026-05-01", depth="1.5", today=TODAY)
    assert str(refused.value) == (
        "invalid date '2026-05-01': a session on that day already exists in "
        f"'Microneedling series' ({first.id.hex[:8]})"
    )
    assert refused.value.confirm == "again"
    assert count(journal, SessionRow) == 1
    add_session(journal, "Fay", date="2026-05-01", again=True, today=TODAY)
    assert count(journal, SessionRow) == 2


def test_same_day_in_another_course_or_patient_is_fine(journal):
    add_patient(journal, "Gil")
    add_patient(journal, "Hal")
    add_course(journal, "Gil", title="Face")
    add_session(journal, "Gil", date="2026-05-01", course="Face", today=TODAY)
    add_course(journal, "Gil", title="Scalp")
    add_session(journal, "Gil", date="2026-05-01", course="Scalp", today=TODAY)
    add_session(journal, "Hal", date="2026-05-01", today=TODAY)
    assert count(journal, SessionRow) == 3


# -- near misses of known words ----------------------------------------------------------


def test_vocabulary_near_misses():
    assert AREAS.near_miss("forhead") == "forehead"
    assert AREAS.near_miss("Left Cheeck") == "left-cheek"
    assert AREAS.near_miss("forehead") is None and AREAS.near_miss("Forehead") is None
    assert AREAS.near_miss("neck") is None and AREAS.near_miss("lips") is None
    assert CONCERNS.near_miss("wrinkels") == "wrinkles"
    assert CONCERNS.near_miss("melasma") is None  # an alias
    assert SERUMS.near_miss("peptids") == "peptides"
    assert SERUMS.near_miss("retinol") is None


def test_near_miss_area_serum_and_concern_are_refused_unless_custom(journal):
    add_patient(journal, "Ivy")
    with pytest.raises(
        NeedsConfirmation, match=r"^invalid area 'forhead': did you mean 'forehead'\?$"
    ):
        add_session(journal, "Ivy", date="2026-05-01", areas=["forhead"], today=TODAY)
    with pytest.raises(NeedsConfirmation, match="did you mean 'cheeks'"):
        add_session(journal, "Ivy", date="2026-05-01", depth="cheecks=1.5", today=TODAY)
    with pytest.raises(
        NeedsConfirmation, match=r"invalid serum 'peptids': did you mean 'peptides'"
    ):
        add_session(journal, "Ivy", date="2026-05-01", serums=["peptids"], today=TODAY)
    with pytest.raises(NeedsConfirmation, match="did you mean 'wrinkles'"):
        add_checkin(journal, "Ivy", date="2026-05-01", concerns=["wrinkels=4"], today=TODAY)
    with pytest.raises(NeedsConfirmation, match="did you mean 'forehead'"):
        add_course(journal, "Ivy", areas=["forhead"])
    with pytest.raises(NeedsConfirmation, match="did you mean 'texture'"):
        add_patient(journal, "Jon", concerns=["texure"])
    assert (
        count(journal, SessionRow) == count(journal, CheckInRow) == count(journal, CourseRow) == 0
    )
    assert count(journal, PatientRow) == 1
    session = add_session(
        journal, "Ivy", date="2026-05-01", areas=["forhead"], custom=True, today=TODAY
    )
    assert session.areas == ("forhead",)


def test_a_custom_word_already_in_the_journal_is_accepted(journal):
    add_patient(journal, "Kay")
    add_session(
        journal,
        "Kay",
        date="2026-05-01",
        areas=["shin"],
        serums=["vitamin e"],
        custom=True,
        today=TODAY,
    )
    # the same words again, spelled as before or differently cased: no --custom needed
    later = add_session(
        journal, "Kay", date="2026-05-20", areas=["Shin"], serums=["Vitamin E"], today=TODAY
    )
    assert later.areas == ("shin",) and later.serums == ("vitamin-e",)
    add_checkin(journal, "Kay", date="2026-05-21", concerns={"texure": 3}, custom=True, today=TODAY)
    add_checkin(journal, "Kay", date="2026-05-22", concerns=["texure=2"], today=TODAY)
    # another near miss is still refused
    with pytest.raises(NeedsConfirmation, match="did you mean 'chin'"):
        add_session(journal, "Kay", date="2026-05-23", areas=["chinn"], today=TODAY)


def test_unknown_words_far_from_any_known_one_stay_custom(journal):
    add_patient(journal, "Lou", concerns=["rosacea flushing"])
    s = add_session(journal, "Lou", date="2026-05-01", serums=["retinol"], today=TODAY)
    assert s.serums == ("retinol",)
