"""An encrypted PostgreSQL journal from the command line: sealed photos, a header row.

A PostgreSQL journal's records stay in the server (its access control, TLS
and disks protect them); what `journal encrypt` encrypts there is the photo
files, in the database store and in the local folder store, with the header
kept as a row of the database. Every test runs the real CLI in-process on a
throwaway database of a real server (.ci/run starts one).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from conftest import PG_URL, jpeg_inside, throwaway_pg_database

from journal.cli.main import run_cli

pytestmark = pytest.mark.skipif(PG_URL is None, reason="needs JOURNAL_TEST_PG_URL (CI sets it)")

PASS = "correct horse battery"
NAME = "Zelda Secretname"
NOTE = "tingling under the left eye, private words"
SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"ftypheic")


@pytest.fixture
def url() -> Any:
    with throwaway_pg_database() as made:
        yield made


@pytest.fixture
def run(home: Path, url: str, capsys, monkeypatch):
    def invoke(*args: str, passphrase: str | None = None, stdin: str | None = None):
        monkeypatch.delenv("JOURNAL_PASSPHRASE", raising=False)
        if passphrase is not None:
            monkeypatch.setenv("JOURNAL_PASSPHRASE", passphrase)
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin or ""))
        capsys.readouterr()
        code, _ = run_cli(["--home", str(home), "--db", url, *args])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def _fill_with_photos(run, tmp_path: Path, passphrase: str | None = None) -> list[str]:
    """A patient, a session with a note, two photos (one deleted, kept for undo)."""
    from journal.imaging.synthetic import write_skin_photo

    assert run("patient", "add", NAME, passphrase=passphrase)[0] == 0
    code, _, err = run(
        "session", "add", "-p", NAME, "-d", "2026-03-01", "--device", "pen",
        "--depth", "1.5", "--notes", NOTE, passphrase=passphrase,
    )  # fmt: skip
    assert code == 0, err
    shots = []
    for i in (1, 2):
        shots.append(tmp_path / f"s{i}.jpg")
        write_skin_photo(shots[-1], seed=i, severity=4, taken_at=dt.datetime(2026, 3, i))
    code, out, err = run(
        "photo", "add", "-p", NAME, *map(str, shots), "--json", passphrase=passphrase
    )
    assert code == 0, err
    code, _, err = run(
        "photo", "delete", out.split('"id": "')[1][:8], "--yes", passphrase=passphrase
    )
    assert code == 0, err
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in shots]


def _photo_bytes(home: Path, url: str) -> dict[str, bytes]:
    """Every photo byte the journal wrote: the home's files and the server's blobs."""
    import psycopg

    found = {str(p): p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file()}
    with psycopg.connect(url) as conn, conn.cursor(binary=True) as cursor:
        cursor.execute("SELECT sha256, which, data FROM photo_blob")
        for sha, which, data in cursor.fetchall():
            found[f"photo_blob:{sha}:{which}"] = bytes(data)
    return found


def _scalar(url: str, sql: str) -> Any:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(sql).fetchone()
        return None if row is None else row[0]


def test_encrypt_seals_every_photo_file_and_leaves_the_records_to_the_server(
    run, home, url, tmp_path, photo_store
):
    shas = _fill_with_photos(run, tmp_path)
    history = run("history", "-p", NAME, "--json")[1]
    code, out, err = run("encrypt", passphrase=PASS)
    assert code == 0, err
    assert "photo files are sealed" in out and "PostgreSQL" in out and "Recovery key" in out
    assert "Sealed 4 photo files" in out  # two photos' display copies and thumbnails
    stored = _photo_bytes(home, url)
    assert stored, "the scan found nothing to scan"
    if photo_store == "database":
        assert sum(1 for name in stored if name.startswith("photo_blob:")) == 4
    for name, data in stored.items():
        assert not jpeg_inside(data), f"a JPEG is readable in {name}"
        assert not any(sig in data for sig in SIGNATURES), name
        assert PASS.encode() not in data
        if not name.startswith("photo_blob:"):
            assert not any(sha in name for sha in shas), name  # sealed names hide the hash
    header = _scalar(url, "SELECT value FROM setting WHERE name = 'key_header'")
    assert header is not None and "argon2id" in header and PASS not in header
    # What is left to the server, as docs/privacy.md says: the records themselves.
    assert _scalar(url, "SELECT notes FROM session") == NOTE
    # Everything still works with the passphrase, and only with it.
    assert run("history", "-p", NAME, "--json", passphrase=PASS)[1] == history
    code, out, err = run("photo", "list", "-p", NAME, "--json", passphrase=PASS)
    assert code == 0 and len(out.split('"id"')) == 2, err
    code, out, err = run("undo", passphrase=PASS)  # the deleted photo comes back, sealed
    assert code == 0, err
    code, out, err = run("photo", "list", "-p", NAME, "--json", passphrase=PASS)
    assert code == 0 and len(out.split('"id"')) == 3, err
    assert not any(jpeg_inside(d) for d in _photo_bytes(home, url).values())
    code, _, err = run("encrypt", passphrase=PASS)
    assert code == 0 or "already encrypted" in err  # a re-run finishes or says so


def test_decrypt_puts_every_photo_back_in_clear_and_takes_the_header_out(
    run, home, url, tmp_path, photo_store
):
    _fill_with_photos(run, tmp_path)
    before = {n: d for n, d in _photo_bytes(home, url).items() if jpeg_inside(d)}
    assert run("encrypt", passphrase=PASS)[0] == 0
    code, _, err = run("decrypt", "--yes")
    assert code == 2 and "is encrypted: give its passphrase" in err
    code, out, err = run("decrypt", "--yes", passphrase=PASS)
    assert code == 0 and "photo files are stored in clear again" in out, err
    assert _scalar(url, "SELECT count(*) FROM setting WHERE name = 'key_header'") == 0
    after = _photo_bytes(home, url)
    assert {n: d for n, d in after.items() if jpeg_inside(d)} == before
    assert run("history", "-p", NAME)[0] == 0  # no passphrase needed any more
    code, _, err = run("history", "-p", NAME, passphrase=PASS)
    assert code == 2 and "is not encrypted, yet a passphrase was given" in err


def test_refusals_are_one_line_and_touch_nothing(run, home, url, tmp_path):
    recovery = ""
    code, out, err = run("init", "--encrypt", passphrase=PASS)
    assert code == 0, err
    lines = out.splitlines()
    recovery = lines[lines.index(next(x for x in lines if x.startswith("Recovery key"))) + 1]
    _fill_with_photos(run, tmp_path, PASS)
    counts = "SELECT (SELECT count(*) FROM patient) || '/' || (SELECT count(*) FROM photo_blob)"
    blobs_before = _photo_bytes(home, url)
    rows_before = _scalar(url, counts)
    for passphrase, wanted in (
        (None, "is encrypted: give its passphrase"),
        ("not the passphrase", "wrong passphrase for this journal"),
    ):
        for args in (("history", "-p", NAME, "--json"), ("patient", "add", "X"), ("log",)):
            code, out, err = run(*args, passphrase=passphrase)
            assert code == 2 and out == "", (args, out)
            assert err.count("\n") == 1 and wanted in err, err
            assert "Zelda" not in err and "postgres@" not in err
    assert _scalar(url, counts) == rows_before and _photo_bytes(home, url) == blobs_before
    code, out, err = run("--recovery-key", "history", "-p", NAME, "--json", stdin=recovery + "\n")
    assert code == 0 and NOTE in out, err
    code, _, err = run("init", "--encrypt", passphrase=PASS)
    assert code == 2 and "already encrypted" in err and err.count("\n") == 1


def test_a_damaged_header_row_is_one_line_exit_2(run, url):
    import psycopg

    assert run("init", "--encrypt", passphrase=PASS)[0] == 0
    with psycopg.connect(url) as conn:
        conn.execute("UPDATE setting SET value = '{\"format\": 1' WHERE name = 'key_header'")
    code, out, err = run("patient", "list", passphrase=PASS)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "key header kept in the database is damaged" in err
    code, out, _ = run("doctor", passphrase=PASS)
    assert code != 0 and "damaged" in out


def test_passphrase_change_rewraps_without_touching_a_photo(run, home, url, tmp_path, monkeypatch):
    assert run("init", "--encrypt", passphrase=PASS)[0] == 0
    _fill_with_photos(run, tmp_path, PASS)
    before = _photo_bytes(home, url)
    header_before = _scalar(url, "SELECT value FROM setting WHERE name = 'key_header'")
    monkeypatch.setenv("JOURNAL_NEW_PASSPHRASE", "the new passphrase")
    code, out, err = run("passphrase", "change", passphrase=PASS)
    assert code == 0 and "Passphrase changed" in out, err
    assert _photo_bytes(home, url) == before
    assert _scalar(url, "SELECT value FROM setting WHERE name = 'key_header'") != header_before
    assert run("photo", "list", "-p", NAME, passphrase=PASS)[0] == 2
    assert run("photo", "list", "-p", NAME, passphrase="the new passphrase")[0] == 0


def test_doctor_checks_the_header_and_every_sealed_photo(run, url, tmp_path, photo_store):
    import psycopg

    assert run("init", "--encrypt", passphrase=PASS)[0] == 0
    _fill_with_photos(run, tmp_path, PASS)
    code, out, err = run("doctor", passphrase=PASS)
    assert code == 0, out + err
    assert "key header intact" in out and "records left to the server" in out
    if photo_store != "database":
        return
    with psycopg.connect(url) as conn, conn.cursor(binary=True) as cursor:
        cursor.execute("SELECT sha256, which, data FROM photo_blob WHERE trashed_batch IS NULL")
        sha, which, data = cursor.fetchone()
        flipped = bytearray(data)
        flipped[-20] ^= 0x01
        cursor.execute(
            "UPDATE photo_blob SET data = %s WHERE sha256 = %s AND which = %s",
            (bytes(flipped), sha, which),
        )
    code, out, err = run("doctor", passphrase=PASS)
    assert code != 0 and "authentication" in out, out + err


def test_a_journal_opened_before_encryption_writes_no_clear_photo_after_it(
    home, url, tmp_path, photo_store
):
    """Another program had the journal open when it was encrypted: its next photo
    import is refused under the write lock, nothing is written, and it says why."""
    from journal.core.errors import JournalUnavailable
    from journal.imaging.synthetic import write_skin_photo
    from journal.services import crypt
    from journal.services.journal import open_journal
    from journal.services.patients import add_patient
    from journal.services.photos import import_photos

    shot = tmp_path / "late.jpg"
    write_skin_photo(shot, seed=5, severity=3, taken_at=dt.datetime(2026, 3, 5))
    with open_journal(home, url) as early:
        add_patient(early, NAME)
        assert early.photos.kind == photo_store
        crypt.encrypt(PASS, home, url)
        with pytest.raises(JournalUnavailable, match="open it again"):
            import_photos(early, NAME, [shot])
    assert _scalar(url, "SELECT count(*) FROM photo_blob") == 0
    assert _scalar(url, "SELECT count(*) FROM photo") == 0
    assert not any(jpeg_inside(d) for d in _photo_bytes(home, url).values())


def test_two_encrypted_postgres_journals_sharing_one_home_keep_their_own_keys(home):
    from journal.services import crypt
    from journal.services.journal import open_journal
    from journal.services.unlock import Secret

    with throwaway_pg_database() as one, throwaway_pg_database() as two:
        crypt.init_encrypted(PASS, home, one)
        crypt.init_encrypted("another passphrase", home, two)
        first = open_journal(home, one, secret=Secret("passphrase", PASS))
        second = open_journal(home, two, secret=Secret("passphrase", "another passphrase"))
        with first as a, second as b:
            assert a.key_id != b.key_id
            assert a.sealing is not None and b.sealing is not None


def test_history_of_an_encrypted_journal_takes_the_light_path_and_asks_alike(run, home, url):
    """`history --json` of an encrypted PostgreSQL journal is read through psycopg alone
    (no SQLAlchemy, no Typer) after the same unlock and refusals as every command."""
    import os
    import subprocess
    import sys

    assert run("init", "--encrypt", passphrase=PASS)[0] == 0
    assert run("patient", "add", NAME, passphrase=PASS)[0] == 0
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write("
        "'LOADED ' + ' '.join(m for m in ('typer', 'sqlalchemy', 'alembic')"
        " if m in sys.modules)))\n"
        "from journal.entry import main\n"
        "main(sys.argv[1:])\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOURNAL_")}
    argv = [sys.executable, "-c", probe, "--home", str(home), "--db", url]
    argv += ["history", "-p", NAME, "--json"]
    for passphrase, code, wanted in ((PASS, 0, ""), ("not it at all", 2, "wrong passphrase")):
        done = subprocess.run(
            argv, capture_output=True, text=True, env={**env, "JOURNAL_PASSPHRASE": passphrase}
        )
        assert done.returncode == code, done.stderr
        assert wanted in done.stderr and done.stderr.rstrip().endswith("LOADED"), done.stderr
    assert (
        '"patient"'
        in subprocess.run(
            argv, capture_output=True, text=True, env={**env, "JOURNAL_PASSPHRASE": PASS}
        ).stdout
    )
