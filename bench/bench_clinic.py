"""A clinic's scale: the screens and commands a provider uses, on SQLite and on PostgreSQL.

Builds a clinic journal with bench/clinic.py (1,000 patients, 5,000 courses,
20,000 sessions, 200,000 check-ins, 40,000 photo rows by default) on SQLite
and, when a server is given, on PostgreSQL, then times:

* the patient list (services.patients.list_patients): the TUI's first frame
* one patient's history, in process and as a whole `journal history --json`
* one course's score (core only) and `report_for` (load + score + plan)
* every course of the clinic scored (core only) and `clinic_overview`
* deleting one patient (cascade) with and without the indexes of migration
  0002, inside a transaction that is rolled back

and prints the query plans of the statements behind them (SQLite: EXPLAIN
QUERY PLAN; PostgreSQL: EXPLAIN ANALYZE), then a table: case, database,
median, target, ok.

Run from the checkout:

    .venv/bin/python bench/bench_clinic.py [--runs 7] [--scale 1.0]
        [--pg-url postgresql://user@host/admin_db]   (or JOURNAL_BENCH_PG_URL /
                                                      JOURNAL_TEST_PG_URL)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from clinic import ClinicInfo, make_clinic

TUI_CHUNK = 100  # journal/tui/screens/patients.py scores the list in chunks of this size
INDEXES_0002 = (
    ("ix_photo_session_id", "photo", "session_id"),
    ("ix_photo_checkin_id", "photo", "checkin_id"),
    ("ix_session_provider_id", "session", "provider_id"),
    ("ix_review_provider_id", "review", "provider_id"),
)


@dataclass
class Row:
    case: str
    database: str
    median_ms: float
    target_ms: float | None
    note: str = ""

    @property
    def ok(self) -> str:
        if self.target_ms is None:
            return "-"
        return "yes" if self.median_ms < self.target_ms else "NO"


def timed(fn: Callable[[], Any], runs: int, warmup: int = 1) -> tuple[float, Any]:
    result = None
    for _ in range(warmup):
        result = fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), result


def bench_database(label: str, info: ClinicInfo, runs: int) -> list[Row]:
    from journal.core.score import score_course
    from journal.services.history import load_histories, patient_history
    from journal.services.journal import open_journal
    from journal.services.patients import list_patients
    from journal.services.scoring import clinic_overview, report_for

    rows: list[Row] = []
    today = dt.date.today()
    name = info.sample_patient
    with open_journal(info.home, info.db_url) as journal:
        ms, patients = timed(lambda: list_patients(journal), runs)
        rows.append(Row("patient list (list_patients)", label, ms, 1000, f"{len(patients)} rows"))

        def first_frame() -> Any:
            with open_journal(info.home, info.db_url) as fresh:
                return list_patients(fresh)

        ms, _ = timed(first_frame, runs)
        rows.append(Row("open journal + patient list", label, ms, 1000))

        ms, history = timed(lambda: patient_history(journal, name), runs)
        size = f"{len(history.sessions)} sessions, {len(history.checkins)} check-ins"
        rows.append(Row("history (patient_history)", label, ms, None, size))

        ms = history_process(info, name, runs)
        target = 300.0 if info.db_url is None else None
        rows.append(Row("history --json (whole process)", label, ms, target))

        record = history.course_record(history.courses[-1].id)
        ms, _ = timed(lambda: score_course(record, as_of=today), max(runs, 50))
        rows.append(Row("score one course (core)", label, ms, 5.0, f"{len(record.checkins)} ck"))

        ms, _ = timed(lambda: report_for(journal, name), runs)
        rows.append(Row("report_for (load+score+plan)", label, ms, None))

        from sqlalchemy import select

        from journal.store.models import PatientRow

        with journal.read() as db:
            histories = load_histories(db, list(db.scalars(select(PatientRow))))
        records = [h.course_record(c.id) for h in histories for c in h.courses]

        def score_all() -> int:
            return sum(score_course(r, as_of=today).score for r in records)

        ms, _ = timed(score_all, 1, warmup=0)
        rows.append(Row("score all courses (core)", label, ms, 5000, f"{len(records)} courses"))

        first_ids = [p.patient.id for p in patients[:TUI_CHUNK]]
        ms, _ = timed(lambda: clinic_overview(journal, patient_ids=first_ids), min(runs, 3))
        rows.append(Row(f"clinic_overview, first {TUI_CHUNK} patients", label, ms, None))

        ms, _ = timed(lambda: clinic_overview(journal), 1, warmup=0)
        rows.append(Row("clinic_overview, every patient", label, ms, None))

        victim = patients[len(patients) // 3].patient.id
        ms_with = delete_patient(journal, victim, drop_indexes=False)
        ms_without = delete_patient(journal, victim, drop_indexes=True)
        rows.append(Row("delete a patient (cascade)", label, ms_with, None, "0002 indexes"))
        rows.append(Row("delete a patient, no 0002 indexes", label, ms_without, None))
        print_plans(label, journal, history)
    rows += maintenance(label, info)
    return rows


def maintenance(label: str, info: ClinicInfo) -> list[Row]:
    """`journal doctor` and (SQLite) `journal backup` on the whole clinic."""
    from journal.maintenance.backup import backup, verify_archive
    from journal.maintenance.doctor import diagnose

    rows = []
    ms, report = timed(lambda: diagnose(info.home, info.db_url), 1, warmup=0)
    rows.append(Row("doctor (integrity, photo files)", label, ms, None, _verdict(report)))
    if info.db_url is None:
        archive = info.home.parent / "clinic-backup.zip"
        ms, made = timed(lambda: backup(archive, info.home), 1, warmup=0)
        size = f"{made.size / 2**20:.0f} MB, verified"
        rows.append(Row("backup -o (snapshot+zip+verify)", label, ms, None, size))
        ms, _ = timed(lambda: verify_archive(archive), 1, warmup=0)
        rows.append(Row("verify the archive again", label, ms, None))
        archive.unlink()
    return rows


def _verdict(report: Any) -> str:
    return "healthy" if report.healthy else f"{report.problems} problem(s)"


def history_process(info: ClinicInfo, name: str, runs: int) -> float:
    cmd = [sys.executable, "-m", "journal", "--home", str(info.home)]
    if info.db_url:
        cmd += ["--db", info.db_url]
    cmd += ["history", "-p", name, "--json"]
    subprocess.run(cmd, capture_output=True, check=True)  # warm the page cache
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def delete_patient(journal: Any, patient_id: uuid.UUID, *, drop_indexes: bool) -> float:
    """Time a cascading delete inside a transaction that is rolled back (DDL included)."""
    from sqlalchemy import text

    with journal.engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")  # begin
        if drop_indexes:
            for index, _table, _column in INDEXES_0002:
                conn.exec_driver_sql(f"DROP INDEX {index}")
        value = patient_id.hex if journal.engine.dialect.name == "sqlite" else patient_id
        start = time.perf_counter()
        conn.execute(text("DELETE FROM patient WHERE id = :id"), {"id": value})
        elapsed = (time.perf_counter() - start) * 1000
        conn.rollback()
    return elapsed


def print_plans(label: str, journal: Any, history: Any) -> None:
    from sqlalchemy import text

    sqlite = journal.engine.dialect.name == "sqlite"
    ids = [c.id for c in history.courses]
    patient = history.patient.id
    checkin = history.checkins[0].id
    session = history.sessions[0].id

    def bind(value: uuid.UUID) -> Any:
        return value.hex if sqlite else value

    course_list = ", ".join(f"'{bind(i)}'" for i in ids)
    queries = {
        "patient list: sessions per patient": (
            "SELECT course.patient_id, count(session.id), max(session.date) FROM course "
            "JOIN session ON session.course_id = course.id GROUP BY course.patient_id",
            {},
        ),
        "history: courses of a patient": (
            "SELECT * FROM course WHERE patient_id = :p ORDER BY created_at",
            {"p": bind(patient)},
        ),
        "history: check-ins of the courses": (
            f"SELECT * FROM checkin WHERE course_id IN ({course_list}) ORDER BY date, created_at",
            {},
        ),
        "history: photos of the courses": (
            f"SELECT * FROM photo WHERE course_id IN ({course_list}) ORDER BY taken_at, created_at",
            {},
        ),
        "FK action: photos of a deleted check-in": (
            "SELECT id FROM photo WHERE checkin_id = :c",
            {"c": bind(checkin)},
        ),
        "FK action: photos of a deleted session": (
            "SELECT id FROM photo WHERE session_id = :t",
            {"t": bind(session)},
        ),
    }
    print(f"\nQuery plans ({label})")
    with journal.engine.connect() as conn:
        for title, (sql, params) in queries.items():
            if sqlite:
                plan = [str(r[3]) for r in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}"), params)]
            else:
                explain = f"EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) {sql}"
                plan = [str(r[0]) for r in conn.execute(text(explain), params)]
            print(f"  {title}")
            for line in plan:
                print(f"      {line}")


def pg_admin_url(given: str | None) -> str | None:
    return given or os.environ.get("JOURNAL_BENCH_PG_URL") or os.environ.get("JOURNAL_TEST_PG_URL")


def create_pg_database(admin: str) -> tuple[str, Callable[[], None]]:
    from sqlalchemy import create_engine, text

    name = f"bench_clinic_{uuid.uuid4().hex[:8]}"
    engine = create_engine(
        admin.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    return f"{admin.rsplit('/', 1)[0]}/{name}", drop


def print_table(rows: list[Row]) -> None:
    print()
    header = f"{'case':<38} {'database':<11} {'median':>11} {'target':>10}  ok   note"
    print(header)
    print("-" * len(header))
    for r in rows:
        target = f"< {r.target_ms:g} ms" if r.target_ms is not None else "-"
        print(
            f"{r.case:<38} {r.database:<11} {r.median_ms:>8.1f} ms {target:>10}  {r.ok:<4} {r.note}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every clinic count")
    parser.add_argument("--pg-url", help="an admin URL of a PostgreSQL server (optional)")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    k = args.scale
    counts = {
        "patients": max(1, round(1_000 * k)),
        "courses": max(1, round(5_000 * k)),
        "sessions": max(1, round(20_000 * k)),
        "checkins": round(200_000 * k),
        "photos": round(40_000 * k),
    }
    rows: list[Row] = []
    print(f"load average before: {_load()}")
    with tempfile.TemporaryDirectory(prefix="bench-clinic-") as tmp:
        info = make_clinic(Path(tmp) / "sqlite-home", seed=args.seed, **counts)
        print(f"SQLite clinic built in {info.seconds:.1f} s: {info.counts}")
        rows.append(Row("build the clinic (bulk insert)", "sqlite", info.seconds * 1000, None))
        rows += bench_database("sqlite", info, args.runs)

        admin = pg_admin_url(args.pg_url)
        if admin:
            url, drop = create_pg_database(admin)
            try:
                home = Path(tmp) / "pg-home"
                info = make_clinic(url, home=home, seed=args.seed, **counts)
                print(f"\nPostgreSQL clinic built in {info.seconds:.1f} s: {info.counts}")
                rows.append(
                    Row("build the clinic (bulk insert)", "postgresql", info.seconds * 1000, None)
                )
                rows += bench_database("postgresql", info, args.runs)
            finally:
                drop()
        else:
            print("\nNo PostgreSQL server given (--pg-url or JOURNAL_BENCH_PG_URL): SQLite only.")
    print_table(rows)
    print(f"\nload average after: {_load()} on {os.cpu_count()} CPUs")


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


if __name__ == "__main__":
    main()
