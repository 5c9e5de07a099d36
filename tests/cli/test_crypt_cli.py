"""Encrypted journals from the command line: init --encrypt, unlocking, refusals, conversions.

Every test runs the real CLI in-process on real files (SQLCipher, Argon2id).
The same record round trip runs on a plaintext and an encrypted journal, on
SQLite and PostgreSQL; what is particular to an encrypted PostgreSQL journal
(sealed photos, a header row, records left to the server) is in
test_crypt_postgres_cli.py.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from conftest import jpeg_inside

from journal.cli.main import run_cli

PASS = "correct horse battery"
NAME = "Zelda Secretname"
NOTE = "tingling under the left eye, private words"
SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"ftypheic", b"SQLite format 3")


@pytest.fixture
def run(home: Path, capsys, monkeypatch, request):
    """`journal --home HOME [--db URL] ARGS`, with JOURNAL_PASSPHRASE from `passphrase=`.

    On the parametrized database when the test asks for `db_kind`, else SQLite.
    """
    url = request.getfixturevalue("journal_url") if "db_kind" in request.fixturenames else None
    where = ["--home", str(home), *(["--db", url] if url else [])]

    def invoke(*args: str, passphrase: str | None = None, stdin: str | None = None):
        monkeypatch.delenv("JOURNAL_PASSPHRASE", raising=False)
        if passphrase is not None:
            monkeypatch.setenv("JOURNAL_PASSPHRASE", passphrase)
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin or ""))
        capsys.readouterr()
        code, _ = run_cli([*where, *args])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def _fill(run, passphrase: str | None) -> None:
    assert run("patient", "add", NAME, passphrase=passphrase)[0] == 0
    code, _, err = run(
        "session", "add", "-p", NAME, "-d", "2026-03-01", "--device", "pen",
        "--depth", "1.5", "--notes", NOTE, passphrase=passphrase,
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run(
        "checkin", "add", "-p", NAME, "-d", "2026-03-02", "--redness", "5",
        "--notes", NOTE, passphrase=passphrase,
    )  # fmt: skip
    assert code == 0, err


def _init_encrypted(run) -> str:
    code, out, err = run("init", "--encrypt", passphrase=PASS)
    assert code == 0, err
    lines = out.splitlines()
    recovery = lines[lines.index(next(x for x in lines if x.startswith("Recovery key"))) + 1]
    return recovery.strip()


def _every_byte(home: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_the_same_record_round_trip_works_on_plain_and_encrypted_journals(run, encrypted, db_kind):
    passphrase = PASS if encrypted else None
    if encrypted:
        _init_encrypted(run)
    _fill(run, passphrase)
    code, out, err = run("history", "-p", NAME, "--json", passphrase=passphrase)
    assert code == 0, err
    assert NOTE in out
    code, out, err = run("score", "-p", NAME, "--json", passphrase=passphrase)
    assert code == 0, err
    code, out, err = run("log", passphrase=passphrase)
    assert code == 0 and out, err
    code, out, err = run("patient", "list", "--json", passphrase=passphrase)
    assert code == 0 and NAME in out, err


def test_no_byte_of_an_encrypted_home_shows_a_name_a_note_or_a_file_signature(
    run, home, tmp_path, photo_store
):
    """Database, WAL, photos (live and kept for undo), header and a backup in the home."""
    import datetime as dt
    import zipfile

    from journal.imaging.synthetic import write_skin_photo
    from journal.services.journal import open_journal
    from journal.services.patients import add_patient
    from journal.services.unlock import Secret

    _init_encrypted(run)
    _fill(run, PASS)
    shots = []
    for i in (1, 2):
        shots.append(tmp_path / f"s{i}.jpg")
        write_skin_photo(shots[-1], seed=i, severity=4, taken_at=dt.datetime(2026, 3, i))
    code, out, err = run("photo", "add", "-p", NAME, *map(str, shots), "--json", passphrase=PASS)
    assert code == 0, err
    shas = [hashlib.sha256(p.read_bytes()).hexdigest() for p in shots]
    code, _, err = run("photo", "delete", out.split('"id": "')[1][:8], "--yes", passphrase=PASS)
    assert code == 0, err  # a deleted photo's files, kept for undo, are scanned too
    (home / "backups").mkdir()
    code, _, err = run("backup", "-o", str(home / "backups" / "b.zip"), passphrase=PASS)
    assert code == 0, err
    # Keep a connection with uncheckpointed writes open, so the WAL is scanned too.
    with open_journal(home, secret=Secret("passphrase", PASS)) as journal:
        add_patient(journal, "Second Secretperson")
        files = _every_byte(home)
        assert any(p.name.endswith("-wal") for p in files), sorted(p.name for p in files)
        assert any(p.name == "journal-keys.json" for p in files)
        if photo_store == "folder":
            assert len([p for p in files if "photos" in p.parts]) >= 4
        with zipfile.ZipFile(home / "backups" / "b.zip") as zf:
            files.update({Path(f"b.zip:{m}"): zf.read(m) for m in zf.namelist()})
        for path, data in files.items():
            for needle in (NAME.encode(), b"Secretperson", NOTE.encode(), *SIGNATURES[1:]):
                assert needle not in data, f"{needle!r} readable in {path}"
            assert not jpeg_inside(data), f"a JPEG is readable in {path}"
            assert PASS.encode() not in data
            assert not any(sha in str(path) for sha in shas), path


def test_an_encrypted_journal_without_a_secret_or_with_a_wrong_one_touches_nothing(run, home):
    recovery = _init_encrypted(run)
    _fill(run, PASS)
    before = {p: (d, p.stat().st_mtime_ns) for p, d in _every_byte(home).items()}
    for passphrase, wanted in (
        (None, "is encrypted: give its passphrase"),
        ("not the passphrase", "wrong passphrase for this journal"),
    ):
        for args in (("history", "-p", NAME, "--json"), ("patient", "add", "X"), ("log",)):
            code, out, err = run(*args, passphrase=passphrase)
            assert code == 2 and out == ""
            assert err.count("\n") == 1 and wanted in err, err
            assert NAME not in err and "Zelda" not in err
    code, _, err = run("--recovery-key", "history", "-p", NAME, stdin="AAAA-BBBB-CCCC\n")
    assert code == 2 and "not a recovery key" in err
    after = {p: (d, p.stat().st_mtime_ns) for p, d in _every_byte(home).items()}
    assert after == before
    # The recovery key (typed loosely, from a pipe) opens it.
    code, out, err = run(
        "--recovery-key", "history", "-p", NAME, "--json", stdin=recovery.lower() + "\n"
    )
    assert code == 0 and NOTE in out, err


def test_a_damaged_header_is_one_line_exit_2(run, home):
    _init_encrypted(run)
    (home / "journal-keys.json").write_text('{"format": "microneedling-journal-keys"')
    code, out, err = run("history", "-p", NAME, passphrase=PASS)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "key header" in err and "damaged" in err


def test_a_plaintext_journal_given_a_passphrase_is_refused(run, home, db_kind):
    assert run("patient", "add", NAME)[0] == 0
    code, out, err = run("history", "-p", NAME, passphrase=PASS)
    assert code == 2 and out == "" and "is not encrypted, yet a passphrase was given" in err
    assert err.count("\n") == 1


def test_encrypt_then_decrypt_keeps_every_record_and_changes_the_file(run, home):
    _fill(run, None)
    plain_history = run("history", "-p", NAME, "--json")[1]
    code, out, err = run("encrypt", passphrase=PASS)
    assert code == 0, err
    assert "Recovery key" in out
    db = (home / "journal.db").read_bytes()
    assert not db.startswith(b"SQLite format 3") and NAME.encode() not in db
    assert (home / "journal-keys.json").is_file()
    assert run("history", "-p", NAME, "--json", passphrase=PASS)[1] == plain_history
    code, _, err = run("encrypt", passphrase=PASS)
    assert code == 2 and "already encrypted" in err
    code, _, err = run("decrypt", passphrase=PASS)
    assert code == 2 and "--yes" in err  # no terminal to confirm on
    code, out, err = run("decrypt", "--yes", passphrase=PASS)
    assert code == 0, err
    assert (home / "journal.db").read_bytes().startswith(b"SQLite format 3")
    assert not (home / "journal-keys.json").exists()
    assert run("history", "-p", NAME, "--json")[1] == plain_history


def test_encrypt_is_refused_while_another_program_holds_the_journal(run, home):
    import subprocess
    import sys

    _fill(run, None)
    holder = (
        "import sys, time\n"
        "from journal.services.journal import open_journal\n"
        "from journal.services.patients import list_patients\n"
        "j = open_journal(sys.argv[1]); list_patients(j)\n"
        "print('ready', flush=True); time.sleep(60)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", holder, str(home)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        code, _, err = run("encrypt", passphrase=PASS)
        assert code == 2 and "open in another program" in err, err
    finally:
        proc.kill()
        proc.wait()
    assert not (home / "journal-keys.json").exists()
    assert (home / "journal.db").read_bytes().startswith(b"SQLite format 3")
    assert run("history", "-p", NAME)[0] == 0


def test_passphrase_change_rewraps_without_touching_the_database(run, home, monkeypatch):
    recovery = _init_encrypted(run)
    _fill(run, PASS)
    db_before = (home / "journal.db").read_bytes()
    monkeypatch.setenv("JOURNAL_NEW_PASSPHRASE", "the new passphrase")
    code, out, err = run("passphrase", "change", passphrase=PASS)
    assert code == 0 and "Passphrase changed" in out, err
    assert (home / "journal.db").read_bytes() == db_before
    assert run("history", "-p", NAME, passphrase=PASS)[0] == 2
    assert run("history", "-p", NAME, passphrase="the new passphrase")[0] == 0
    assert run("--recovery-key", "history", "-p", NAME, stdin=recovery)[0] == 0
    monkeypatch.setenv("JOURNAL_NEW_PASSPHRASE", "short")
    code, _, err = run("passphrase", "change", passphrase="the new passphrase")
    assert code == 2 and "at least 8" in err


def test_init_encrypt_refuses_short_passphrases_and_existing_journals(run, home):
    code, _, err = run("init", "--encrypt", passphrase="short")
    assert code == 2 and "at least 8" in err
    assert not (home / "journal-keys.json").exists()
    assert run("init")[0] == 0
    assert run("patient", "add", NAME)[0] == 0
    code, _, err = run("init", "--encrypt", passphrase=PASS)
    assert code == 2 and "journal encrypt" in err


def test_the_os_keyring_remembers_the_passphrase_only_when_asked(
    run, home, memory_keyring, db_kind
):
    _init_encrypted(run)
    _fill(run, PASS)
    assert run("history", "-p", NAME)[0] == 2  # not remembered by default
    assert not memory_keyring.stored
    code, _, err = run("passphrase", "remember", passphrase=PASS)
    assert code == 0, err
    assert list(memory_keyring.stored.values()) == [PASS]
    assert run("history", "-p", NAME)[0] == 0  # no passphrase given: the keyring had it
    code, _, err = run("passphrase", "forget")
    assert code == 0, err
    assert not memory_keyring.stored
    assert run("history", "-p", NAME)[0] == 2


@pytest.fixture
def memory_keyring():
    """keyring's own backend interface, kept in memory: no OS keyring is touched."""
    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.stored: dict[tuple[str, str], str] = {}

        def get_password(self, service, username):
            return self.stored.get((service, username))

        def set_password(self, service, username, password):
            self.stored[(service, username)] = password

        def delete_password(self, service, username):
            self.stored.pop((service, username), None)

    previous = keyring.get_keyring()
    backend = Memory()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def test_erasing_a_patient_compacts_an_encrypted_journal_too(run, home):
    """Erasure rewrites the database so freed pages go; on SQLCipher that needs the key."""
    _init_encrypted(run)
    _fill(run, PASS)
    code, out, err = run("patient", "delete", NAME, "--yes", passphrase=PASS)
    assert code == 0, err
    assert "Traceback" not in err and "Another program" not in out, out + err
    code, out, err = run("patient", "list", "--json", passphrase=PASS)
    assert code == 0 and out.strip() == "[]", out + err
    code, out, _ = run("doctor", passphrase=PASS)
    assert code == 0, out


def test_encrypt_says_which_set_aside_files_it_leaves_in_clear(run, home):
    """Files `journal doctor --repair` set aside are the user's to look at: encrypt
    leaves them as they are, and says so in one warning line."""
    _fill(run, None)
    aside = home / "photos" / ".orphaned" / "20260301-120000"
    aside.mkdir(parents=True)
    (aside / "stray-display.jpg").write_bytes(b"\xff\xd8\xff not a photo of ours")
    code, out, err = run("encrypt", passphrase=PASS)
    assert code == 0 and "Recovery key" in out, err
    assert err.count("\n") == 1 and "1 files that `journal doctor --repair` set aside" in err
    assert (aside / "stray-display.jpg").is_file()
