"""Backups of an encrypted journal stay encrypted; a database-backed SQLite journal's
photos travel inside its database (issue 17's gap).

The real CLI in-process on real files: SQLCipher, Argon2id, sealed photos,
both photo stores.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from conftest import jpeg_inside

from journal.cli.main import run_cli
from journal.imaging.synthetic import write_skin_photo

PASS = "correct horse battery"
NAME = "Zelda Secretname"
NOTE = "tingling under the left eye, private words"
SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"ftypheic", b"SQLite format 3")


@pytest.fixture
def run(capsys, monkeypatch):
    """`journal --home HOME ARGS` with JOURNAL_PASSPHRASE when given; (code, out, err)."""

    def invoke(home: Path, *args: str, passphrase: str | None = None, stdin: str = ""):
        monkeypatch.delenv("JOURNAL_PASSPHRASE", raising=False)
        if passphrase is not None:
            monkeypatch.setenv("JOURNAL_PASSPHRASE", passphrase)
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        capsys.readouterr()
        code, _ = run_cli(["--home", str(home), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def _fill(run, home: Path, tmp_path: Path, passphrase: str | None) -> None:
    assert run(home, "patient", "add", NAME, passphrase=passphrase)[0] == 0
    code, _, err = run(
        home, "session", "add", "-p", NAME, "-d", "2024-03-01", "--notes", NOTE,
        passphrase=passphrase,
    )  # fmt: skip
    assert code == 0, err
    files = []
    for i in (1, 2):
        path = tmp_path / f"b{i}.jpg"
        write_skin_photo(
            path, seed=i, severity=3, taken_at=dt.datetime(2024, 3, i), size=(480, 360)
        )
        files.append(str(path))
    code, _, err = run(home, "photo", "add", "-p", NAME, *files, passphrase=passphrase)
    assert code == 0, err


def _photos(home: Path, passphrase: str | None) -> dict[str, bytes]:
    from journal.services.journal import open_journal
    from journal.services.photos import list_photos, read_photo
    from journal.services.unlock import Secret

    secret = Secret("passphrase", passphrase) if passphrase else None
    with open_journal(home, secret=secret) as journal:
        found = {}
        for photo in list_photos(journal, NAME):
            data = read_photo(journal, photo)
            assert data is not None
            found[photo.sha256] = data
        return found


def test_an_encrypted_backup_stays_encrypted_and_restores_with_the_passphrase_or_recovery_key(
    run, tmp_path, photo_store
):
    home = tmp_path / "home"
    code, out, err = run(home, "init", "--encrypt", passphrase=PASS)
    assert code == 0, err
    lines = out.splitlines()
    recovery = lines[next(i for i, x in enumerate(lines) if x.startswith("Recovery key")) + 1]
    _fill(run, home, tmp_path, PASS)
    before = _photos(home, PASS)
    archive = tmp_path / "backup.zip"
    code, _, err = run(home, "backup", "-o", str(archive), passphrase=PASS)
    assert code == 0, err

    data = archive.read_bytes()
    for needle in (NAME.encode(), NOTE.encode(), *SIGNATURES[1:]):
        assert needle not in data, needle
    assert not jpeg_inside(data)
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        assert "journal-keys.json" in names
        for member in names:  # inflated members too (the database is deflated)
            inside = zf.read(member)
            for needle in (NAME.encode(), NOTE.encode(), *SIGNATURES[1:]):
                assert needle not in inside, (member, needle)
            assert not jpeg_inside(inside), member
    assert not any(sha in name for sha in before for name in names)

    # No secret, or a wrong one: one line, nothing restored.
    for passphrase in (None, "not the passphrase"):
        target = tmp_path / f"wrong-{passphrase is None}"
        code, out, err = run(target, "restore", str(archive), passphrase=passphrase)
        assert code == 2 and out == "" and err.count("\n") == 1, err
        assert not target.exists()
        assert not list(tmp_path.glob(f".{target.name}.restore-*"))

    restored = tmp_path / "restored"
    code, _, err = run(restored, "restore", str(archive), passphrase=PASS)
    assert code == 0, err
    assert _photos(restored, PASS) == before
    code, out, err = run(restored, "history", "-p", NAME, "--json", passphrase=PASS)
    assert code == 0 and NOTE in out, err

    by_recovery = tmp_path / "by-recovery"
    code, _, err = run(
        by_recovery, "--recovery-key", "restore", str(archive), stdin=recovery.strip() + "\n"
    )
    assert code == 0, err
    assert _photos(by_recovery, PASS) == before


def test_a_sqlite_journal_with_its_photos_in_the_database_backs_up_and_restores(
    run, tmp_path, monkeypatch
):
    monkeypatch.setenv("JOURNAL_PHOTO_STORE", "database")
    home = tmp_path / "home"
    _fill(run, home, tmp_path, None)
    before = _photos(home, None)
    archive = tmp_path / "backup.zip"
    code, out, err = run(home, "backup", "-o", str(archive), "--json")
    assert code == 0, err
    assert '"missing": []' in out
    with zipfile.ZipFile(archive) as zf:
        assert not [n for n in zf.namelist() if n.startswith("photos/")]  # inside journal.db
    restored = tmp_path / "restored"
    code, _, err = run(restored, "restore", str(archive))
    assert code == 0, err
    assert _photos(restored, None) == before


def _on_a_terminal(argv: list[str], answers: list[tuple[bytes, bytes]]) -> tuple[int, str]:
    """Run `argv` with a pseudo-terminal as its controlling terminal, typing each
    answer once its prompt has appeared; (exit status, everything it showed)."""
    import os
    import pty
    import select
    import time

    env = {k: v for k, v in os.environ.items() if k != "JOURNAL_PASSPHRASE"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: its terminal is the pty, as a user's would be
        os.execvpe(argv[0], argv, env)
    shown, pending, deadline = b"", list(answers), time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal: it has exited
                break
            if not chunk:
                break
            shown += chunk
        if pending and pending[0][0] in shown:
            os.write(fd, pending.pop(0)[1])
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")


def test_restore_asks_for_the_passphrase_on_the_terminal_without_echo(run, tmp_path):
    """A person restoring types the passphrase at the prompt: it is not echoed, and a
    wrong one is one line with nothing restored."""
    import sys

    home = tmp_path / "home"
    assert run(home, "init", "--encrypt", passphrase=PASS)[0] == 0
    _fill(run, home, tmp_path, PASS)
    archive = tmp_path / "backup.zip"
    assert run(home, "backup", "-o", str(archive), passphrase=PASS)[0] == 0
    journal = [sys.executable, "-m", "journal"]

    wrong = tmp_path / "wrong"
    code, shown = _on_a_terminal(
        [*journal, "--home", str(wrong), "restore", str(archive)],
        [(b"assphrase", b"not the passphrase\n")],
    )
    assert code == 2 and "wrong passphrase for this journal" in shown, shown
    assert "not the passphrase" not in shown  # typed without echo
    assert not wrong.exists()

    restored = tmp_path / "restored"
    code, shown = _on_a_terminal(
        [*journal, "--home", str(restored), "restore", str(archive)],
        [(b"assphrase", PASS.encode() + b"\n")],
    )
    assert code == 0, shown
    assert PASS not in shown
    assert _photos(restored, PASS) == _photos(home, PASS)
