"""A near miss kept once with `custom` is accepted later, wherever the journal holds it.

The check asks the database for the one word typed (journal.services.lookup
`_word_used`) instead of reading every record's JSON: these cases pin that a
word held only as a map key, only in another kind of record, or in a photo's
area still counts, and that a word merely inside another one does not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from journal.core.errors import NeedsConfirmation
from journal.services.amend import edit
from journal.services.checkins import add_checkin
from journal.services.courses import add_course
from journal.services.patients import add_patient
from journal.services.sessions import add_session

TODAY = dt.date(2026, 6, 1)


def test_a_word_kept_as_a_depth_area_is_accepted_as_an_area(journal):
    add_patient(journal, "Ivy")
    with pytest.raises(NeedsConfirmation):
        add_course(journal, "Ivy", areas=["cheecks"])
    add_session(journal, "Ivy", date="2026-05-01", depth="cheecks=1.5", custom=True, today=TODAY)
    course = add_course(journal, "Ivy", areas=["cheecks"])
    assert course.areas == ("cheecks",)


def test_a_concern_kept_on_a_check_in_is_accepted_on_a_patient_and_in_an_edit(journal):
    add_patient(journal, "Kay")
    with pytest.raises(NeedsConfirmation, match="did you mean 'texture'"):
        add_patient(journal, "Lee", concerns=["texure"])
    checkin = add_checkin(
        journal, "Kay", date="2026-05-21", concerns={"texure": 3}, custom=True, today=TODAY
    )
    assert add_patient(journal, "Lee", concerns=["Texure"]).concerns == ("texure",)
    course = add_course(journal, "Kay", title="Second")
    out = edit(journal, "course", str(course.id), {"concerns": ["texure"]})
    assert out.record.concerns == ("texure",)
    assert checkin is not None


def test_a_near_miss_inside_a_longer_kept_word_is_still_refused(journal):
    add_patient(journal, "Mo")
    add_session(
        journal, "Mo", date="2026-05-01", serums=["peptids blend"], custom=True, today=TODAY
    )
    with pytest.raises(NeedsConfirmation, match="did you mean 'peptides'"):
        add_session(journal, "Mo", date="2026-05-02", serums=["peptids"], today=TODAY)
    session = add_session(
        journal, "Mo", date="2026-05-03", serums=["peptids"], custom=True, today=TODAY
    )
    out = edit(journal, "session", str(session.id), {"serums": ["peptids", "peptids blend"]})
    assert out.record.serums == ("peptids", "peptids-blend")


def test_the_check_reads_only_rows_that_hold_the_word(journal):
    """Not every check-in's JSON: each statement on a JSON column narrows to the word."""
    from sqlalchemy import event

    from journal.core.vocab import CONCERNS
    from journal.services.lookup import check_typos

    add_patient(journal, "Ada")
    for day in range(1, 6):
        add_checkin(journal, "Ada", date=f"2026-05-0{day}", concerns={"acne-scars": day})
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    with journal.read() as db:
        event.listen(db.get_bind(), "before_cursor_execute", seen)
        try:
            with pytest.raises(NeedsConfirmation):
                check_typos(db, CONCERNS, ["texure"])
        finally:
            event.remove(db.get_bind(), "before_cursor_execute", seen)
    reads = [s for s in statements if "concerns" in s]
    assert reads and all("LIKE" in s.upper() for s in reads), reads


@pytest.fixture
def sqlite_journal(tmp_path: Path) -> Iterator[Any]:
    """Query plans are SQLite's: this test reads them with EXPLAIN QUERY PLAN."""
    from journal.services.journal import open_journal

    opened = open_journal(tmp_path / "home")
    yield opened
    opened.close()


def test_undo_finds_the_latest_batch_without_sorting_the_whole_log(sqlite_journal, tmp_path):
    """On SQLite every undo query on the log walks an index (no full scan, no sort of it)."""
    import sqlite3

    from sqlalchemy import event

    from journal.services.amend import undo

    journal, home = sqlite_journal, tmp_path / "home"
    add_patient(journal, "Pia")
    checkin = add_checkin(journal, "Pia", date="2026-05-01", symptoms={"redness": 3}, today=TODAY)
    for n in range(3):
        edit(journal, "check-in", str(checkin.id), {"notes": f"note {n}"})
    statements: list[tuple[str, object]] = []

    def seen(_conn, _cursor, statement, parameters, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append((statement, parameters))

    engine = journal.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        undo(journal)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    plans = []
    with sqlite3.connect(home / "journal.db") as conn:
        for statement, parameters in statements:
            if "FROM change" in statement and "ORDER BY" in statement:
                plan = conn.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
                plans.append([row[-1] for row in plan])
    # A sort is fine after an equality search (the rows of one moment), not after a scan.
    slow = [
        p for p in plans if p[0].startswith("SCAN") and ("SCAN change" in p or "B-TREE" in p[-1])
    ]
    assert plans and not slow, plans
