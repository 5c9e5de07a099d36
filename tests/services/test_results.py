"""Stored course results equal a fresh computation, whatever was written (issue 16).

Runs on SQLite and, when JOURNAL_TEST_PG_URL is set, on PostgreSQL (the
`db_kind` parametrisation of tests/conftest.py; under CI an unreachable server
fails the run rather than skipping it). Everything is real: services write
through `Journal.write`, the checks read the stored rows back and recompute
each course from its records with the pure function.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal.core.errors import JournalError
from journal.core.results import course_result
from journal.services import amend, flags, results
from journal.services.archive_import import import_archive
from journal.services.checkins import add_checkin
from journal.services.courses import add_course
from journal.services.exporting import export_patient
from journal.services.history import load_histories
from journal.services.journal import Journal, open_journal
from journal.services.patients import add_patient, list_patients
from journal.services.reviews import add_review
from journal.services.scoring import clinic_overview, report_for_history
from journal.services.sessions import add_session

TODAY = dt.date.today()
DONE: list[str] = []  # which operations went through (a refused one rolls back)
REFUSED: list[str] = []
START = TODAY - dt.timedelta(days=200)


def stored_vs_fresh(journal: Journal) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """Every course's stored result, and the result computed now from its records."""
    with journal.engine.connect() as conn:
        stored = results.stored_results(conn)
        from sqlalchemy import select

        from journal.store.models import CourseRow

        ids = list(conn.execute(select(CourseRow.id)).scalars())
        fresh = {
            r.course.id: course_result(r, TODAY) for r in results.load_course_records(conn, ids)
        }
    return stored, fresh


def reference_overview(journal: Journal) -> list[tuple[Any, ...]]:
    """The provider list as it was computed before results were stored: score every patient."""
    from sqlalchemy import func, select

    from journal.store.models import PatientRow

    with journal.read() as db:
        rows = list(db.scalars(select(PatientRow).order_by(func.lower(PatientRow.display_name))))
        histories = load_histories(db, rows)
    counts = flags.open_flag_counts(histories)
    found = []
    for history in histories:
        report = report_for_history(history, today=TODAY)
        done = [t.date for t in history.sessions if t.date <= TODAY]
        found.append(
            (
                history.patient.id,
                len(done),
                max(done, default=None),
                report.score.score if report else None,
                report.score.verdict if report else None,
                report.score.confidence if report else None,
                *counts[history.patient.id],
            )
        )
    return sorted(found, key=lambda r: str(r[0]))


def listed(journal: Journal) -> list[tuple[Any, ...]]:
    rows = [
        (
            o.patient.id,
            o.sessions,
            o.last_visit,
            o.score,
            o.verdict,
            o.confidence,
            o.open_flags,
            o.seen_flags,
        )
        for o in clinic_overview(journal, today=TODAY)
    ]
    return sorted(rows, key=lambda r: str(r[0]))


def assert_results_true(journal: Journal) -> None:
    stored, fresh = stored_vs_fresh(journal)
    assert stored == fresh
    assert listed(journal) == reference_overview(journal)


# -- the property ---------------------------------------------------------------------------

day = st.integers(min_value=0, max_value=190).map(lambda n: START + dt.timedelta(days=n))
rating = st.integers(min_value=0, max_value=10)

ops = st.one_of(
    st.tuples(st.just("session"), day, st.sampled_from([None, "300", "900"])),
    st.tuples(
        st.just("checkin"),
        day,
        st.fixed_dictionaries(
            {"swelling": rating, "bleeding": st.sampled_from([0, 0, 2]), "redness": rating}
        ),
        st.sampled_from([(), ("infection",), ("blistering",)]),
        st.sampled_from([None, "improved", "much improved", "no change"]),
        st.sampled_from([None, "worth-it", "not-sure", "not-worth-it"]),
        st.integers(min_value=1, max_value=9),
    ),
    st.tuples(st.just("review"), day, st.sampled_from(["improved", "very much improved"])),
    st.tuples(st.just("course"), st.sampled_from(["active", "completed"])),
    st.tuples(st.just("edit"), st.integers(0, 50), day, st.sampled_from(["worth-it", "not-sure"])),
    st.tuples(
        st.just("delete"), st.integers(0, 50), st.sampled_from(["session", "check-in", "course"])
    ),
    st.tuples(st.just("undo")),
    st.tuples(st.just("flag"), st.integers(0, 20), st.sampled_from(["seen", "resolve", "harm"])),
    st.tuples(st.just("import")),
)


def _record_ids(journal: Journal, kind: str, name: str) -> list[str]:
    """The ids of one patient's records of a kind, oldest first (what an op picks from)."""
    from sqlalchemy import select

    from journal.store.models import CheckInRow, CourseRow, PatientRow, SessionRow

    model = {"session": SessionRow, "check-in": CheckInRow, "course": CourseRow}[kind]
    with journal.read() as db:
        stmt = select(model.id).join(PatientRow, PatientRow.display_name == name)
        if model is CourseRow:
            stmt = stmt.where(CourseRow.patient_id == PatientRow.id)
        else:
            stmt = stmt.join(CourseRow, CourseRow.id == model.course_id).where(
                CourseRow.patient_id == PatientRow.id
            )
        return sorted(str(i) for i in db.scalars(stmt))


def apply(journal: Journal, mirror: Journal, folder: Path, name: str, op: tuple[Any, ...]) -> None:
    """One write through the services; a refusal (bad or stale choice) is fine, it rolls back."""
    kind = op[0]
    try:
        if kind == "session":
            add_session(journal, name, date=op[1].isoformat(), cost=op[2], again=True)
        elif kind == "checkin":
            _, when, symptoms, red, gais, verdict, severity = op
            add_checkin(
                journal,
                name,
                date=when.isoformat(),
                symptoms=symptoms,
                flags=red,
                gais=gais,
                verdict=verdict,
                concerns={"acne scars": severity},
            )
        elif kind == "review":
            add_review(journal, name, date=op[1].isoformat(), gais=op[2])
        elif kind == "course":
            course = add_course(journal, name)
            if op[1] != "active":
                amend.edit(journal, "course", str(course.id), {"status": op[1]})
        elif kind == "edit":
            choices = _record_ids(journal, "check-in", name) + _record_ids(journal, "session", name)
            if choices:
                ref = choices[op[1] % len(choices)]
                if ref in _record_ids(journal, "check-in", name):
                    amend.edit(
                        journal, "check-in", ref, {"verdict": op[3], "date": op[2].isoformat()}
                    )
                else:
                    amend.edit(journal, "session", ref, {"date": op[2].isoformat()})
        elif kind == "delete":
            choices = _record_ids(journal, op[2], name)
            if choices:
                amend.delete(journal, op[2], choices[op[1] % len(choices)])
        elif kind == "undo":
            amend.undo(journal)
        elif kind == "flag":
            found = flags.patient_flags(journal, name)
            if found:
                flag = found[op[1] % len(found)].flag
                if op[2] == "seen":
                    flags.mark_seen(journal, str(flag.id), by="Dr Ito")
                else:
                    on = min(TODAY, flag.first + dt.timedelta(days=3)).isoformat()
                    flags.resolve(journal, str(flag.id), on=on, lasting=op[2] == "harm")
        elif kind == "import":
            archive = folder / f"{uuid.uuid4().hex}.zip"
            export_patient(journal, name, fmt="json", out=archive)
            import_archive(mirror, archive)
    except JournalError:
        REFUSED.append(kind)
        return
    DONE.append(kind)


@pytest.fixture
def mirror(db_kind: str, tmp_path: Path) -> Iterator[Journal]:
    """A second journal of the same kind that archive imports land in."""
    if db_kind == "sqlite":
        with open_journal(tmp_path / "mirror") as j:
            yield j
        return
    from conftest import throwaway_pg_database

    with throwaway_pg_database() as url, open_journal(tmp_path / "mirror", url) as j:
        yield j


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(ops, min_size=1, max_size=8))
def test_stored_results_equal_a_fresh_computation_after_any_writes(
    journal: Journal, mirror: Journal, tmp_path: Path, steps: list[tuple[Any, ...]]
) -> None:
    name = f"Pat {uuid.uuid4().hex[:8]}"
    add_patient(journal, name, concerns=["acne scars"])
    add_session(journal, name, date=START.isoformat(), cost="350")
    for op in steps:
        apply(journal, mirror, tmp_path, name, op)
        stored, fresh = stored_vs_fresh(journal)
        assert stored == fresh, op
    assert_results_true(journal)
    assert_results_true(mirror)


# -- doctor, migration, dates ----------------------------------------------------------------


def _seeded(journal: Journal) -> uuid.UUID:
    add_patient(journal, "Maya Chen", concerns=["acne scars"])
    add_session(journal, "Maya Chen", date=START.isoformat(), cost="350")
    add_checkin(
        journal,
        "Maya Chen",
        date=(START + dt.timedelta(days=40)).isoformat(),
        concerns={"acne scars": 4},
        verdict="worth-it",
        flags=["infection"],
    )
    (only,) = clinic_overview(journal, today=TODAY)
    assert only.score is not None
    stored, _ = stored_vs_fresh(journal)
    (course_id,) = stored
    return course_id


def test_doctor_names_a_course_whose_stored_result_is_wrong_and_repair_rebuilds_it(
    journal: Journal, cli: Any
) -> None:
    from sqlalchemy import text

    course_id = _seeded(journal)
    assert cli("doctor").code == 0
    with journal.engine.begin() as conn:
        conn.execute(text("UPDATE course_result SET score = score + 7, open_flags = 0"))
    found = cli("doctor", "--json").json()
    check = next(c for c in found["checks"] if c["name"] == "results")
    assert check["status"] == "problem"
    assert any(course_id.hex[:8] in d and "score" in d for d in check["details"])
    repaired = cli("doctor", "--repair")
    assert repaired.code == 0, repaired.out + repaired.err
    assert_results_true(journal)
    assert cli("doctor").code == 0


def test_doctor_finds_a_course_with_no_stored_result(journal: Journal, cli: Any) -> None:
    from sqlalchemy import text

    course_id = _seeded(journal)
    with journal.engine.begin() as conn:
        conn.execute(text("DELETE FROM course_result"))
    result = cli("doctor")
    assert result.code == 1
    assert f"course {course_id.hex[:8]}: no stored result" in result.out
    assert cli("doctor", "--repair").code == 0
    assert_results_true(journal)


def test_migration_0008_fills_results_for_an_existing_journal(journal: Journal) -> None:
    from journal.store import migrate

    _seeded(journal)
    add_patient(journal, "Ben Okafor")  # no course: no result, still listed
    before = listed(journal)
    migrate.downgrade(journal.engine, "0007")
    migrate.upgrade(journal.engine)
    assert_results_true(journal)
    assert listed(journal) == before


def test_a_read_after_a_stored_results_validity_recomputes_and_keeps_it(journal: Journal) -> None:
    """A record dated after the day a result was computed for (clock skew, an import):
    reading for a day past it counts the record, as a fresh computation does."""
    course_id = _seeded(journal)
    later = TODAY + dt.timedelta(days=5)
    add_session(journal, "Maya Chen", date=later.isoformat(), today=later, again=True)
    stored, _ = stored_vs_fresh(journal)
    assert stored[course_id].valid_until == later
    assert stored[course_id].sessions == 1
    (now,) = clinic_overview(journal, today=TODAY)
    (then,) = clinic_overview(journal, today=later)
    assert (now.sessions, now.last_visit) == (1, START)
    assert (then.sessions, then.last_visit) == (2, later)
    stored, _ = stored_vs_fresh(journal)
    assert stored[course_id].computed_for == TODAY  # a read for another day stores nothing


def test_patient_list_reads_every_column_from_stored_results(journal: Journal) -> None:
    _seeded(journal)
    (row,) = list_patients(journal)
    assert (row.sessions, row.last_visit, row.open_flags) == (1, START, 1)
    assert row.score is not None and row.verdict is not None
