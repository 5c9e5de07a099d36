"""Exports of an encrypted journal are written in clear by the user's choice; a person
at a terminal is told so in one line, a script's stderr stays clean."""

from __future__ import annotations

import csv
import io
import os
import pty
import subprocess
import sys
from pathlib import Path

from journal.cli.main import run_cli
from journal.services import crypt
from journal.services.exporting import plaintext_notice
from journal.services.journal import open_journal
from journal.services.patients import add_patient
from journal.services.unlock import Secret

PASS = "correct horse battery"
NAME = "Zelda Secretname"


def test_the_notice_is_decided_by_encryption_and_a_terminal(home, tmp_path):
    with open_journal(tmp_path / "plain") as plain:
        assert plaintext_notice(plain, "out.pdf", on_terminal=True) is None
    crypt.init_encrypted(PASS, home)
    with open_journal(home, secret=Secret("passphrase", PASS)) as journal:
        assert plaintext_notice(journal, "out.pdf", on_terminal=False) is None
        line = plaintext_notice(journal, "out.pdf", on_terminal=True)
    assert line is not None and "\n" not in line
    assert "encrypted" in line and "out.pdf" in line and "in clear" in line


def test_an_export_of_an_encrypted_journal_is_plaintext_and_quiet_in_a_script(
    home, tmp_path, capsys, monkeypatch
):
    crypt.init_encrypted(PASS, home)
    with open_journal(home, secret=Secret("passphrase", PASS)) as journal:
        add_patient(journal, NAME)
    monkeypatch.setenv("JOURNAL_PASSPHRASE", PASS)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    out = tmp_path / "csv"
    code, _ = run_cli(["--home", str(home), "export", "-p", NAME, "-f", "csv", "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.err == ""  # stderr is not a terminal here
    text = "".join(p.read_text() for p in sorted(Path(out).rglob("*.csv")))
    assert text and list(csv.reader(io.StringIO(text)))  # written in clear, readable


def test_on_a_terminal_the_notice_is_one_line_on_stderr(home, tmp_path):
    crypt.init_encrypted(PASS, home)
    with open_journal(home, secret=Secret("passphrase", PASS)) as journal:
        add_patient(journal, NAME)
    leader, follower = pty.openpty()
    env = {**os.environ, "JOURNAL_PASSPHRASE": PASS}
    proc = subprocess.run(
        [sys.executable, "-m", "journal", "--home", str(home), "export", "-p", NAME,
         "-f", "csv", "-o", str(tmp_path / "csv")],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=follower, env=env,
        timeout=120, check=False,
    )  # fmt: skip
    os.close(follower)
    err = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    os.close(leader)
    assert proc.returncode == 0, err
    lines = [x for x in err.decode().splitlines() if x.strip()]
    assert len(lines) == 1 and "encrypted" in lines[0] and "in clear" in lines[0], lines
