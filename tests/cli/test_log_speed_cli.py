"""`journal log` and the correction commands stay fast without changing what they print.

The log is read without SQLAlchemy on a current SQLite journal and rendered
in one pass (journal.services.changelog); plain option values skip Typer's
Pydantic adapters (journal.cli.context.coerce_without_pydantic). Both paths
must print exactly what the ORM path and the generic JSON writer print.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from journal.core.records import to_jsonable


def _corrections(cli) -> None:
    """Edits of every value shape (number, decimal, list, map, text, none), a delete, an undo."""
    assert cli("patient", "add", "Robin Vale", "--concern", "acne scars").code == 0
    assert cli("patient", "add", "Zoë Ångström").code == 0
    s = cli("session", "add", "-p", "Robin", "--date", "2026-03-01", "--pain", "3", "--json")
    session = s.json()["id"]
    c = cli("checkin", "add", "-p", "Zoë", "--date", "2026-03-02", "--redness", "6", "--json")
    checkin = c.json()["id"]
    for args in (
        ("session", "edit", session, "--pain", "4", "--depth", "cheeks=1.5,forehead=0.5"),
        ("session", "edit", session, "--area", "cheeks", "--area", "nose", "--cost", "120.5"),
        ("session", "edit", session, "--notes", 'Zoë said "ouch" \\ twice\nthen slept'),
        ("checkin", "edit", checkin, "--notes", "ça va", "--concern", "redness=3"),
        ("checkin", "edit", checkin, "--notes", ""),
        ("checkin", "delete", checkin, "--yes"),
        ("undo",),
        ("session", "edit", session, "--pain", ""),
    ):
        out = cli(*args)
        assert out.code == 0, (args, out.err)


def test_log_prints_what_the_orm_path_and_the_generic_writer_print(cli, journal, home, journal_url):
    from journal.services.amend import change_log
    from journal.services.changelog import _entry, log_document, log_for, log_lines

    _corrections(cli)
    orm = change_log(journal)
    assert len(orm) > 10
    expected_doc = json.dumps(to_jsonable(orm), indent=2, ensure_ascii=False)
    slow = [_entry(c) for c in orm]
    fast = log_for(home, journal_url)
    assert log_document(fast) == log_document(slow) == expected_doc
    narrow = log_for(home, journal_url, full=False)
    assert log_lines(narrow) == log_lines(fast) == log_lines(slow)
    assert json.loads(cli("log", "--json").out) == json.loads(expected_doc)
    robin = cli("log", "-p", "Robin", "--json").json()
    assert robin and {c["kind"] for c in robin} == {"session"}
    assert cli("log", "--limit", "3", "--json").json() == json.loads(expected_doc)[:3]


def test_log_lines_show_values_as_before(cli):
    _corrections(cli)
    lines = cli("log").out.splitlines()
    assert len(lines) == len(cli("log", "--json").json()) + 1  # a note of two lines
    text = "\n".join(lines)
    assert "pain: 3 -> 4" in text and "pain: 4 -> (empty)" in text
    assert "depth_by_area: (empty) -> cheeks=1.5, forehead=0.5" in text
    assert "areas: cheeks, forehead -> cheeks, nose" in text
    assert 'notes: (empty) -> Zoë said "ouch" \\ twice' in text
    assert "notes: ça va -> (empty)" in text
    assert " deleted" in text and " restored" in text


def test_a_bad_limit_is_still_one_line_and_status_2(cli):
    _corrections(cli)
    for bad in ("x", "1.5", "٣"):
        out = cli("log", "--limit", bad)
        assert out.code == 2 and "--limit" in out.err and out.out == ""
    assert len(cli("log", "--limit", "+2").out.splitlines()) == 2


def test_correction_commands_load_neither_pydantic_nor_sqlalchemy_to_read_the_log(
    cli, home, journal_url
):
    """A whole `journal log` imports no SQLAlchemy; no command imports Pydantic.

    On PostgreSQL the log is read through psycopg alone (journal.store.pg_reader).
    """
    _corrections(cli)
    where = ["--db", journal_url] if journal_url else []
    sqlalchemy_for_log = "False"
    probe = (
        "import sys\n"
        "from journal.cli.main import run_cli\n"
        "code, _ = run_cli(sys.argv[1:])\n"
        "print(code, 'pydantic' in sys.modules, 'sqlalchemy' in sys.modules, file=sys.stderr)\n"
    )

    def loaded(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", probe, "--home", str(home), *where, *args],
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stderr.strip().splitlines()[-1]

    assert loaded("log") == f"0 False {sqlalchemy_for_log}"
    assert loaded("log", "--json", "--limit", "2") == f"0 False {sqlalchemy_for_log}"
    assert loaded("undo") == "0 False True"


@pytest.mark.parametrize("command", [("log",), ("history", "-p", "Robin")], ids=["log", "history"])
@pytest.mark.parametrize("which", ["home", "photos", "journal.db", "journal.db-wal"])
def test_fast_reads_refuse_a_linked_journal_as_every_command_does(tmp_path, capsys, which, command):
    """The SQLite reads without SQLAlchemy never follow a link open_journal refuses."""
    import shutil

    from journal.cli.main import run

    real = tmp_path / "real"
    assert _run(run, real, "patient", "add", "Robin Vale") == 0
    home = tmp_path / "home"
    if which == "home":
        home.symlink_to(real, target_is_directory=True)
    else:
        shutil.copytree(real, home)
        moved = tmp_path / "moved"
        target = home / which
        if target.exists():
            os.rename(target, moved)
        else:
            moved.write_bytes(b"")
        target.symlink_to(moved)
    capsys.readouterr()
    assert _run(run, home, *command) == 2
    assert "symbolic link" in capsys.readouterr().err


def _run(run, home, *args: str) -> int:  # type: ignore[no-untyped-def]
    try:
        run(["--home", str(home), *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0
