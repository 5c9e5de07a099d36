"""`journal doctor` on an encrypted journal: the header, the key, every photo's tag.

The real CLI in-process on real files (SQLCipher, Argon2id, sealed photos in
both stores); each finding is one line.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest

from journal.cli.main import run_cli
from journal.imaging.synthetic import write_skin_photo
from journal.services import crypt
from journal.services.journal import open_journal
from journal.services.patients import add_patient
from journal.services.photos import import_photos
from journal.services.unlock import Secret

PASS = "correct horse battery"


@pytest.fixture
def doctor(home: Path, capsys, monkeypatch):
    """`journal --home HOME doctor --json` with JOURNAL_PASSPHRASE; (code, checks by name)."""

    def invoke(passphrase: str | None = PASS, *extra: str):
        monkeypatch.delenv("JOURNAL_PASSPHRASE", raising=False)
        if passphrase is not None:
            monkeypatch.setenv("JOURNAL_PASSPHRASE", passphrase)
        monkeypatch.setattr("sys.stdin", io.StringIO(""))
        capsys.readouterr()
        code, _ = run_cli(["--home", str(home), "doctor", "--json", *extra])
        out, err = capsys.readouterr()
        checks = {c["name"]: c for c in json.loads(out)["checks"]} if out else {}
        return code, checks, err

    return invoke


def _encrypted_with_photos(home: Path, tmp_path: Path) -> list:
    crypt.init_encrypted(PASS, home)
    files = []
    for i in (1, 2):
        path = tmp_path / f"d{i}.jpg"
        write_skin_photo(
            path, seed=i, severity=3, taken_at=dt.datetime(2024, 3, i), size=(480, 360)
        )
        files.append(path)
    with open_journal(home, secret=Secret("passphrase", PASS)) as journal:
        add_patient(journal, "Ana Lima")
        return import_photos(journal, "Ana Lima", files).imported


def _flip_a_byte(journal, name: str) -> None:
    """Alter one stored byte of a photo file, wherever its store keeps it."""
    store = journal.photos
    if store.kind == "folder":
        path = store.path(name)
        blob = bytearray(path.read_bytes())
        blob[-20] ^= 0x01
        path.write_bytes(bytes(blob))
        return
    from sqlalchemy import select, update

    from journal.store.models import PhotoBlobRow as B
    from journal.store.photostore import parse_name

    sha, which, _ext = parse_name(name)
    with journal.engine.begin() as conn:
        where = (B.sha256 == sha, B.which == which)
        blob = bytearray(conn.execute(select(B.data).where(*where)).scalar())
        blob[-20] ^= 0x01
        conn.execute(update(B).where(*where).values(data=bytes(blob)))


def test_a_healthy_encrypted_journal_checks_keys_database_and_every_tag(
    doctor, home, tmp_path, photo_store
):
    _encrypted_with_photos(home, tmp_path)
    code, checks, err = doctor()
    assert code == 0, (checks, err)
    assert checks["keys"]["status"] == "ok" and "Argon2id" in checks["keys"]["summary"]
    assert checks["database"]["status"] == "ok"
    assert checks["photos"]["status"] == "ok"
    assert "4 sealed file(s): all authentic and decode" in checks["photos"]["summary"]


def test_a_tampered_photo_is_one_finding_naming_the_photo(doctor, home, tmp_path, photo_store):
    photos = _encrypted_with_photos(home, tmp_path)
    with open_journal(home, secret=Secret("passphrase", PASS)) as journal:
        _flip_a_byte(journal, photos[0].thumb_path)
    code, checks, _ = doctor()
    assert code == 1
    label = str(photos[0].id).replace("-", "")[:8]
    assert checks["photos"]["status"] == "problem"
    assert checks["photos"]["details"] == [
        f"photo {label} thumb: failed its authentication check (altered or damaged)"
    ]


def test_a_wrong_passphrase_or_a_damaged_header_is_a_keys_finding(doctor, home, tmp_path):
    _encrypted_with_photos(home, tmp_path)
    code, checks, _ = doctor("not the passphrase")
    assert code == 1
    assert checks["keys"]["status"] == "problem"
    assert checks["keys"]["summary"] == "wrong passphrase for this journal"
    assert checks["database"]["status"] == "skipped"
    header = home / "journal-keys.json"
    header.write_bytes(header.read_bytes()[:40])
    _code, checks, _ = doctor()
    assert checks["keys"]["status"] == "problem" and "damaged" in checks["keys"]["summary"]


def test_a_header_from_another_journal_does_not_open_the_database(doctor, home, tmp_path):
    _encrypted_with_photos(home, tmp_path)
    other = tmp_path / "other"
    crypt.init_encrypted(PASS, other)
    shutil.copy(other / "journal-keys.json", home / "journal-keys.json")
    _code, checks, _ = doctor()
    assert checks["keys"]["status"] == "ok"
    assert checks["database"]["status"] == "problem"
    assert "the journal key does not open journal.db" in checks["database"]["summary"]


def test_photo_files_left_in_clear_are_named(doctor, home, tmp_path):
    (photo, _) = _encrypted_with_photos(home, tmp_path)
    clear = home / "photos" / photo.display_path
    clear.parent.mkdir(mode=0o700, exist_ok=True)
    clear.write_bytes(b"\xff\xd8\xff left by an interrupted conversion")
    _code, checks, _ = doctor()
    assert checks["orphans"]["status"] == "problem"
    assert (
        "in clear" in checks["orphans"]["summary"]
        and "journal encrypt" in checks["orphans"]["summary"]
    )
