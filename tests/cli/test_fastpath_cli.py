"""The fast path (`journal.cli.fastpath`) answers exactly as Typer does, or not at all.

`journal.entry` hands every command line to `run_fast` first; it answers
`history`, `score` and `plan` with `--json` without loading Typer. Each case
here runs one command line both ways, in-process on the same journal, and
compares stdout, stderr and the exit status byte for byte; command lines of
any other shape must be left to Typer untouched.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from journal.cli.fastpath import parse, run_fast
from journal.cli.main import run_cli
from journal.services.amend import edit
from journal.services.checkins import add_checkin
from journal.services.patients import add_patient
from journal.services.sessions import add_session


@pytest.fixture
def base(journal, home: Path, journal_url: str | None) -> list[str]:
    """A journal with one course of two sessions, a red flag, a patient without a course."""
    add_patient(journal, "Ada Bench", concerns=["acne-scars"], screening=["isotretinoin"])
    add_patient(journal, "Ada Other", birth_year="1980")
    add_patient(journal, "Bo Nocourse")
    add_checkin(journal, "Ada Bench", date="2026-01-01", concerns=["acne-scars=8"])
    for day in ("2026-01-02", "2026-02-01"):
        add_session(journal, "Ada Bench", date=day, provider="Dr. Q", depth="1.5", cost="250")
    add_checkin(journal, "Ada Bench", date="2026-02-03", symptoms={"redness": 6}, flags=["rash"])
    edit(journal, "patient", "Ada Other", {"birth_year": "1981"}, by="Dr. Q")  # one for `log`
    argv = ["--home", str(home)]
    return [*argv, "--db", journal_url] if journal_url else argv


def both_ways(capsys, argv: list[str]) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    capsys.readouterr()
    fast = run_fast(argv)
    assert fast is not None, f"the fast path did not answer {argv}"
    out = capsys.readouterr()
    typer_code, _ = run_cli(argv)
    typer_out = capsys.readouterr()
    return (fast[0], out.out, out.err), (typer_code, typer_out.out, typer_out.err)


ANSWERED = [
    ["history", "-p", "Ada Bench", "--json"],
    ["history", "--json", "--patient", "ada bench"],
    ["history", "--patient=Ada B", "--json"],
    ["score", "-p", "Ada Bench", "--json"],
    ["score", "--json", "-p", "Ada Bench", "--course", "Microneedling series"],
    ["score", "-p", "Ada Bench", "--course=nope", "--json"],
    ["plan", "-p", "Ada Bench", "--json", "--event", "2099-01-01"],
    ["plan", "-p", "Ada Bench", "--json", "--event", "2001-01-01"],
    ["plan", "-p", "Ada Bench", "--json", "--event", "not a date"],
    ["score", "-p", "Bo", "--json"],
    ["history", "-p", "Ada", "--json"],  # ambiguous: both candidates named
    ["history", "-p", "nobody", "--json"],
    ["history", "-p", "", "--json"],
    ["history", "-p", "Zoë \x1b[31m", "--json"],  # a hostile reference is shown, not obeyed
    ["log"],
    ["log", "--json"],
    ["log", "-p", "Ada Other", "--limit", "1"],
    ["log", "--patient=Bo Nocourse"],  # nothing of theirs: "No changes yet"
    ["log", "--limit", "0", "--json"],
    ["log", "-p", "nobody"],
]


@pytest.mark.parametrize("args", ANSWERED, ids=[" ".join(a) for a in ANSWERED])
def test_the_fast_path_answers_byte_for_byte_as_typer(base, capsys, args):
    fast, typer = both_ways(capsys, [*base, *args])
    assert fast == typer
    assert fast[0] in (0, 2)


def test_a_home_that_does_not_exist_yet(tmp_path, capsys):
    """A home that does not exist yet: both paths create the same empty journal, then refuse."""
    argv = ["--home", str(tmp_path / "new"), "history", "-p", "x", "--json"]
    fast = run_fast(argv)
    fast_out = capsys.readouterr()
    assert (tmp_path / "new" / "journal.db").exists()
    code, _ = run_cli(argv)
    typer_out = capsys.readouterr()
    assert fast is not None
    assert (fast[0], fast_out.out, fast_out.err) == (code, typer_out.out, typer_out.err)
    assert "unknown patient" in fast_out.err


LEFT_TO_TYPER = [
    ["--help"],
    ["history", "--help"],
    ["history", "-p", "Ada"],  # text output
    ["--version"],
    ["history", "-p", "Ada", "--json", "--json"],
    ["history", "-p", "Ada", "-p", "Bo", "--json"],
    ["history", "-p", "Ada", "--patient", "Bo", "--json"],
    ["history", "-p", "--json"],  # Click reads "--json" as the patient
    ["score", "--course", "--json", "x", "-p", "Ada"],
    ["history", "-pAda", "--json"],
    ["history", "-p=Ada", "--json"],
    ["history", "--", "-p", "Ada", "--json"],
    ["history", "-p", "Ada", "--json", "extra"],
    ["history", "-p", "Ada", "--json", "--course", "x"],  # history has no --course
    ["--home", "--db", "history", "-p", "Ada", "--json"],
    ["--json", "history", "-p", "Ada"],
    ["--home", "h", "--home", "i", "history", "-p", "Ada", "--json"],
    ["log", "--limit", "+3"],  # Click reads other numbers (and words their errors) itself
    ["log", "--limit", "three"],
    ["log", "--json", "--json"],
    ["historyx", "-p", "Ada", "--json"],
    [],
]


@pytest.mark.parametrize("args", LEFT_TO_TYPER, ids=[" ".join(a) or "-" for a in LEFT_TO_TYPER])
def test_other_command_lines_are_left_to_typer(args, capsys):
    assert parse(args) is None
    assert run_fast(args) is None
    assert capsys.readouterr() == ("", "")


def test_shell_completion_is_left_to_typer(monkeypatch):
    monkeypatch.setenv("_JOURNAL_COMPLETE", "bash_complete")
    assert run_fast(["history", "-p", "Ada", "--json"]) is None


def test_the_whole_process_loads_neither_typer_nor_sqlalchemy(base):
    """What the fast path is for: `journal history --json` as a program, on either database."""
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write("
        "'LOADED ' + ' '.join(m for m in ('typer', 'sqlalchemy', 'alembic', 'textual')"
        " if m in sys.modules)))\n"
        "from journal.entry import main\n"
        "main(sys.argv[1:])\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOURNAL_")}
    for command in ("history", "score"):
        done = subprocess.run(
            [sys.executable, "-c", probe, *base, command, "-p", "Ada Bench", "--json"],
            capture_output=True,
            text=True,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        assert done.stderr.endswith("LOADED "), done.stderr
        assert '"patient"' in done.stdout
