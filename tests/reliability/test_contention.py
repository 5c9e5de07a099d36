"""Contention: several processes writing one journal at once never see "database is locked".

Two writers keep one journal open for their whole life and read between
writes (what the TUI does); two run one CLI command per write (open, write,
close). The patient has no course yet, so every writer's first check-in races
to create the default course: with write transactions that take the lock
before they read (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL)
exactly one course is created and nobody fails.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from journal.services.journal import open_journal
from journal.services.patients import add_patient
from journal.store.models import CheckInRow, CourseRow

from ._support import child, spawn

WRITERS = (("tui-1", "service"), ("tui-2", "service"), ("cli-1", "cli"), ("cli-2", "cli"))
WRITES = 100


@pytest.mark.postgres
def test_four_processes_each_adding_100_checkins_lose_nothing(tmp_path, db_kind, journal_url):
    home, go = tmp_path / "home", tmp_path / "go"
    with open_journal(home, journal_url) as journal:
        add_patient(journal, "Busy Patient")
    logs = [tmp_path / f"{tag}.log" for tag, _ in WRITERS]
    procs = [
        spawn(child("checkins", home, journal_url, tag, str(WRITES), str(go), how), log)
        for (tag, how), log in zip(WRITERS, logs, strict=True)
    ]
    go.touch()  # every writer starts at once
    codes = [proc.wait(timeout=170) for proc in procs]
    outputs = [proc.stdout.read() if proc.stdout else "" for proc in procs]
    for proc in procs:
        if proc.stdout:
            proc.stdout.close()
    errors = "\n".join(log.read_text() for log in logs)
    assert codes == [0, 0, 0, 0], errors[-3000:]
    assert "locked" not in errors and "Traceback" not in errors, errors[-3000:]
    assert all(out.strip().endswith(f"done {WRITES}") for out in outputs), outputs

    with open_journal(home, journal_url) as journal, journal.read() as db:
        notes = list(db.scalars(select(CheckInRow.notes)))
        courses = db.scalar(select(func.count()).select_from(CourseRow))
    expected = {f"{tag}-{i}" for tag, _ in WRITERS for i in range(WRITES)}
    assert len(notes) == len(WRITERS) * WRITES
    assert set(notes) == expected
    assert courses == 1, "concurrent first check-ins created more than one default course"
