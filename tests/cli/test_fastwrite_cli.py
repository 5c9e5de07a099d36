"""Edit, delete and undo without SQLAlchemy: the same bytes, rows and errors as the ORM path.

Each scenario runs its command lines as whole `journal` processes on two
copies of one SQLite journal: once as users run them (the plain-sqlite path
of `journal.services.fast_amend`), once with `JOURNAL_ORM_WRITES=1` (Typer
and the ORM). Output, exit status and every table (change log and stored
course results included; fresh ids and clocks masked) must be the same.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from journal.services.checkins import add_checkin
from journal.services.journal import open_journal
from journal.services.patients import add_patient
from journal.services.sessions import add_session

PROBE = (
    "import atexit, sys\n"
    "atexit.register(lambda: sys.stderr.write("
    "'LOADED ' + ' '.join(m for m in ('typer', 'sqlalchemy', 'alembic') if m in sys.modules)))\n"
    "from journal.entry import main\n"
    "main(sys.argv[1:])\n"
)
FRESH = {"id", "batch_id", "reverts", "at", "updated_at", "computed_for"}


@pytest.fixture
def base(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    home = tmp_path / "base"
    with open_journal(home) as journal:
        add_patient(journal, "Ada Fast", concerns=["acne-scars"])
        add_session(journal, "Ada Fast", date="2026-01-02", provider="Dr. Q", depth="1.5")
        add_checkin(journal, "Ada Fast", date="2026-01-05", symptoms={"redness": 4}, notes="a")
        add_checkin(journal, "Ada Fast", date="2026-01-09", concerns=["acne-scars=6"])
        journal.photos  # noqa: B018 - the folder store recorded, as any first photo does
    con = sqlite3.connect(home / "journal.db")
    ids = {
        "checkin": con.execute("SELECT id FROM checkin ORDER BY date LIMIT 1").fetchone()[0][:8],
        "session": con.execute("SELECT id FROM session").fetchone()[0][:8],
        "course": con.execute("SELECT id FROM course").fetchone()[0][:8],
    }
    con.close()
    return home, ids


def _run(home: Path, args: list[str], orm: bool) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOURNAL_")}
    if orm:
        env["JOURNAL_ORM_WRITES"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "--home", str(home), *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    err, _, loaded = done.stderr.rpartition("LOADED ")
    if not orm and done.returncode == 0 and args[0] != "log":
        assert loaded.strip() == "", f"{args} loaded {loaded}"
    return done.returncode, done.stdout, err


def _tables(home: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(home / "journal.db")
    found = {}
    for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        cursor = con.execute(f"SELECT * FROM {table}")
        names = [d[0] for d in cursor.description]
        rows = [
            tuple(
                None if n in FRESH and v is None else ("*" if n in FRESH else v)
                for n, v in zip(names, row, strict=True)
            )
            for row in cursor
        ]
        found[table] = sorted(rows, key=repr)
    con.close()
    return found


SCENARIOS = [
    [["checkin", "edit", "{checkin}", "--pain", "3", "--notes", "é\x1b[31m"], ["undo"], ["log"]],
    [["checkin", "edit", "{checkin}", "--concern", "acne-scars=2", "--by", "Dr. Q"], ["undo"]],
    [["checkin", "delete", "{checkin}", "--yes"], ["undo"], ["undo"]],
    [["course", "delete", "{course}", "--yes", "--json"], ["undo", "--json"]],
    [["session", "edit", "{session}", "--area", "forhead"]],  # did you mean
    [["session", "edit", "{session}", "--area", "forhead", "--custom"], ["undo"]],
    [["checkin", "edit", "{checkin}", "--pain", "11"]],  # out of range
    [["checkin", "edit", "{checkin}", "--redness", "4"]],  # nothing to change
    [["checkin", "edit", "0000", "--pain", "1"]],  # unknown id
    [["undo"]],  # nothing to undo
    [["checkin", "edit", "{checkin}", "--redness", "", "--notes", "", "--concern", ""]],
    [["session", "edit", "{session}", "--cost", "40", "--currency", "eur"], ["undo"]],
]


@pytest.mark.parametrize("steps", SCENARIOS, ids=[" / ".join(s[0][:2]) for s in SCENARIOS])
def test_both_write_paths_give_the_same_output_rows_and_errors(base, tmp_path, steps):
    home, ids = base
    fast, orm = tmp_path / "fast", tmp_path / "orm"
    shutil.copytree(home, fast)
    shutil.copytree(home, orm)
    for step in steps:
        args = [a.format(**ids) for a in step]
        got = _run(fast, args, orm=False)
        want = _run(orm, args, orm=True)
        if "--json" in args:  # fresh batch ids and clocks differ: compare the rest
            import json

            def masked(text: str) -> object:
                doc = json.loads(text)
                for change in doc.get("changes", []):
                    for key in ("id", "batch_id", "at", "reverts"):
                        change[key] = "*" if change.get(key) else None
                doc["batch_id"] = "*"
                if isinstance(doc.get("record"), dict):
                    doc["record"]["updated_at"] = "*"
                return doc

            assert (got[0], masked(got[1]), got[2]) == (want[0], masked(want[1]), want[2])
        elif args[0] == "log":
            strip = lambda t: [line[17:] for line in t.splitlines()]  # noqa: E731 - minutes
            assert (got[0], strip(got[1]), got[2]) == (want[0], strip(want[1]), want[2])
        else:
            assert got == want, args
    assert _tables(fast) == _tables(orm)


def test_a_delete_without_yes_and_a_move_are_left_to_typer(base):
    from journal.cli.fastpath import parse_write

    home, ids = base
    argv = ["--home", str(home)]
    assert parse_write([*argv, "checkin", "delete", ids["checkin"]]) is None
    assert parse_write([*argv, "checkin", "edit", ids["checkin"], "--patient", "Ada"]) is None
    assert parse_write([*argv, "patient", "delete", "Ada", "--yes"]) is None
    assert parse_write([*argv, "checkin", "edit", ids["checkin"], "--pain", "1"]) is not None
