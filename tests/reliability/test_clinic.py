"""The clinic generator behind bench/bench_clinic.py, and the indexes migration 0002 adds."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from journal.maintenance.doctor import diagnose
from journal.services.history import patient_history
from journal.services.journal import open_journal
from journal.services.patients import list_patients
from journal.services.scoring import clinic_overview, report_for

BENCH = Path(__file__).resolve().parents[2] / "bench"
FK_LOOKUPS = {
    "ix_photo_session_id": "SELECT id FROM photo WHERE session_id = :v",
    "ix_photo_checkin_id": "SELECT id FROM photo WHERE checkin_id = :v",
    "ix_session_provider_id": "SELECT id FROM session WHERE provider_id = :v",
    "ix_review_provider_id": "SELECT id FROM review WHERE provider_id = :v",
}


@pytest.fixture
def make_clinic():
    sys.path.insert(0, str(BENCH))
    try:
        from clinic import make_clinic

        yield make_clinic
    finally:
        sys.path.remove(str(BENCH))


@pytest.mark.postgres
def test_a_small_clinic_is_complete_and_consistent(make_clinic, home, journal_url):
    info = make_clinic(
        journal_url or home,
        home=home,
        patients=6,
        courses=12,
        sessions=30,
        checkins=240,
        photos=24,
        real_photos=2,
        seed=11,
    )
    assert info.counts == {
        "provider": 20,
        "patient": 6,
        "course": 12,
        "session": 30,
        "checkin": 240,
        "photo": 24,
        "review": 12,
    }
    with open_journal(home, journal_url) as journal:
        rows = list_patients(journal)
        assert len(rows) == 6 and sum(r.sessions for r in rows) == 30
        history = patient_history(journal, info.sample_patient)
        assert len(history.courses) == 2 and len(history.checkins) == 40
        assert report_for(journal, info.sample_patient) is not None
        assert len(clinic_overview(journal)) == 6
    assert diagnose(home, journal_url).healthy
    with pytest.raises(ValueError, match="already holds patients"):
        make_clinic(journal_url or home, home=home, patients=1, courses=1, sessions=1)


@pytest.mark.postgres
def test_foreign_key_lookups_use_the_indexes_of_migration_0002(journal, db_kind):
    with journal.engine.connect() as conn:
        for index, query in FK_LOOKUPS.items():
            if db_kind == "sqlite":
                plan = " ".join(
                    str(row[3])
                    for row in conn.execute(text(f"EXPLAIN QUERY PLAN {query}"), {"v": "x"})
                )
            else:
                conn.exec_driver_sql("SET enable_seqscan = off")  # tiny tables: force the choice
                plan = " ".join(
                    row[0]
                    for row in conn.execute(
                        text(f"EXPLAIN {query}"), {"v": "00000000-0000-0000-0000-000000000000"}
                    )
                )
            assert index in plan, f"{index}: {plan}"
