"""The provider list's plain read (`fast_overview`) shows what the ORM path shows, or steps aside.

The TUI paints a clinic's list from `fast_overview` (sqlite3 or psycopg, no
SQLAlchemy) and opens the ORM journal afterwards, so the two must agree row
for row; whenever a stored result is not exact for the day (or missing), the
plain read returns None and the ORM path recomputes and stores it. Each test
runs on SQLite and, when `JOURNAL_TEST_PG_URL` is set, on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from sqlalchemy import text

from journal.services.checkins import add_checkin
from journal.services.listing import fast_overview, plain_overview
from journal.services.patients import add_patient
from journal.services.results import overview
from journal.services.reviews import add_review
from journal.services.sessions import add_session
from journal.store import result_sql
from journal.store.column_kinds import COLUMN_KINDS
from journal.store.rows import OVERVIEW_COURSE, OVERVIEW_PATIENT, OVERVIEW_RESULT

TODAY = dt.date(2026, 3, 1)


def _fill(journal) -> None:
    """Patients with none, one and two courses; flags open and seen; a future-dated record."""
    add_patient(
        journal, "fay", birth_year="1984", concerns=["wrinkles"], screening=["isotretinoin"]
    )
    add_patient(journal, "Gil")  # no course at all
    add_patient(journal, "Ana", skin_type="3")
    add_checkin(journal, "fay", date="2026-01-01", concerns=["wrinkles=7"])
    add_session(journal, "fay", date="2026-01-02", provider="Dr. Q", depth="1.25", pain="3")
    add_checkin(journal, "fay", date="2026-01-03", symptoms={"redness": 4}, flags=["blistering"])
    add_review(journal, "fay", date="2026-01-30", provider="Dr. Q", goodman_baron="2")
    add_session(journal, "Ana", date="2025-06-01", depth="0.5")
    add_session(journal, "Ana", date="2026-02-20", depth="1.0", again=True)  # a second course
    add_checkin(journal, "Ana", date="2026-02-21", gais="improved", verdict="worth-it")
    add_session(journal, "Ana", date="2026-04-01", depth="1.0")  # after TODAY


def _stored_for(journal, day: dt.date) -> None:
    """Make every stored result the one for `day` (what the first read of that day leaves)."""
    from journal.services.results import rebuild_results
    from journal.store.engine import for_writing

    with for_writing(journal.engine).begin() as conn:
        rebuild_results(conn, day)


def test_the_plain_read_shows_what_the_orm_path_shows(journal, home, journal_url):
    _fill(journal)
    _stored_for(journal, TODAY)
    orm = overview(journal, TODAY)
    fast = fast_overview(home, journal_url, TODAY)
    assert fast is not None
    assert [o.patient.display_name for o in fast] == ["Ana", "fay", "Gil"]  # by name, any case
    assert fast == orm
    assert any(o.open_flags for o in fast) and any(o.score is not None for o in fast)


def test_a_result_not_exact_for_the_day_sends_the_read_to_the_orm_path(journal, home, journal_url):
    """Ana's session of April 1 counts from that day on: her stored result is stale then."""
    _fill(journal)
    _stored_for(journal, TODAY)
    later = dt.date(2026, 4, 2)
    assert fast_overview(home, journal_url, later) is None
    assert fast_overview(home, journal_url, TODAY) is not None  # still exact for its own day


def test_a_missing_result_sends_the_read_to_the_orm_path(journal, home, journal_url):
    _fill(journal)
    _stored_for(journal, TODAY)
    with journal.write() as db:
        db.execute(text("DELETE FROM course_result"))
    assert fast_overview(home, journal_url, TODAY) is None
    _stored_for(journal, TODAY)  # what the ORM path's read stores when TODAY is today
    assert fast_overview(home, journal_url, TODAY) == overview(journal, TODAY)


def test_a_journal_that_is_not_there_or_not_current_is_left_to_the_orm_path(
    journal, home, journal_url, tmp_path
):
    _fill(journal)
    _stored_for(journal, TODAY)
    with journal.write() as db:
        db.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    assert fast_overview(home, journal_url, TODAY) is None
    assert fast_overview(tmp_path / "nowhere", None, TODAY) is None


def test_the_plain_read_imports_no_sqlalchemy(journal, home, journal_url):
    _fill(journal)
    _stored_for(journal, TODAY)
    code = (
        "import sys, datetime as dt\n"
        "from journal.services.listing import fast_overview\n"
        f"rows = fast_overview({str(home)!r}, {journal_url!r}, dt.date(2026, 3, 1))\n"
        "assert rows is not None and len(rows) == 3, rows\n"
        "assert not any(m.startswith('sqlalchemy') for m in sys.modules), 'sqlalchemy loaded'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_query_names_every_column_it_needs():
    """The plain readers' column lists follow the models and the stored result's SQL."""
    assert OVERVIEW_RESULT == result_sql.COLUMNS
    assert set(OVERVIEW_PATIENT) == set(COLUMN_KINDS["patient"])
    assert OVERVIEW_PATIENT[0] == "id"
    assert set(OVERVIEW_COURSE) <= set(COLUMN_KINDS["course"])


def test_a_stale_course_makes_only_its_patient_pending(journal, home, journal_url):
    """Ana's session of April 1 makes her stored result stale on April 2: her row waits.

    The other patients' rows are exact, so they are shown as the ORM path
    shows them; the list keeps its order (by name) with Ana's row in it.
    """
    _fill(journal)
    _stored_for(journal, TODAY)
    later = dt.date(2026, 4, 2)
    plain = plain_overview(home, journal_url, later)
    assert plain is not None
    assert [o.patient.display_name for o in plain] == ["Ana", "fay", "Gil"]
    ana, fay, gil = plain
    assert ana.pending and ana.score is None and ana.sessions == 0 and ana.last_visit is None
    assert not fay.pending and not gil.pending
    orm = overview(journal, later)  # recomputes Ana's course
    assert [fay, gil] == orm[1:]
    assert not orm[0].pending and orm[0].sessions == 3
    assert plain_overview(home, journal_url, TODAY) == overview(journal, TODAY)  # none pending


def test_a_result_of_an_older_formula_makes_its_patient_pending(journal, home, journal_url):
    """Stored by an older formula: fay's row waits for the ORM path, Ana's and Gil's do not."""
    _fill(journal)
    _stored_for(journal, TODAY)
    with journal.write() as db:
        db.execute(
            text(
                "UPDATE course_result SET formula = formula - 1 WHERE course_id IN"
                " (SELECT c.id FROM course c JOIN patient p ON p.id = c.patient_id"
                " WHERE p.display_name = 'fay')"
            )
        )
    plain = plain_overview(home, journal_url, TODAY)
    assert plain is not None
    assert [o.pending for o in plain] == [False, True, False]
    orm = overview(journal, TODAY)
    assert [plain[0], plain[2]] == [orm[0], orm[2]]
