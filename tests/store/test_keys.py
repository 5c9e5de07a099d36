"""The key header: wrapping, unlocking, recovery, re-wrapping, and what a damaged one says."""

from __future__ import annotations

import json

import pytest

from journal.store import keys
from journal.store.keys import KeyProblem

PASS = "correct horse battery"


@pytest.fixture
def header(tmp_path):
    made = keys.create(PASS)
    path = tmp_path / "journal-keys.json"
    keys.write_atomic(path, made.header.to_bytes(made.journal_key))
    return path, made


def test_passphrase_and_recovery_key_unlock_the_same_journal_key(header):
    path, made = header
    assert keys.unlock(path, passphrase=PASS) == made.journal_key
    assert keys.unlock(path, recovery=made.recovery_key) == made.journal_key
    # Typed loosely: lower case, spaces instead of dashes.
    sloppy = made.recovery_key.lower().replace("-", " ")
    assert keys.unlock(path, recovery=sloppy) == made.journal_key
    assert len(made.journal_key) == 32
    groups = made.recovery_key.split("-")
    assert len(groups) == 8 and all(len(g) == 4 for g in groups)


def test_the_header_holds_no_key_in_the_clear_and_states_its_kdf(header):
    path, made = header
    doc = json.loads(path.read_bytes())
    assert doc["format"] == keys.FORMAT and doc["version"] == 1
    assert doc["kdf"]["name"] == "argon2id"
    assert doc["kdf"]["memory_kib"] == keys.KDF_MEMORY_KIB
    assert doc["kdf"]["time_cost"] == keys.KDF_TIME_COST
    raw = path.read_bytes()
    for secret in (made.journal_key, made.journal_key.hex().encode(), PASS.encode()):
        assert secret not in raw
    assert made.recovery_key.encode() not in raw
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_wrong_secrets_are_one_line_without_content(header):
    path, _ = header
    with pytest.raises(KeyProblem, match=r"^wrong passphrase for this journal$"):
        keys.unlock(path, passphrase="not the passphrase")
    other = keys.create("another passphrase").recovery_key
    with pytest.raises(KeyProblem, match=r"^wrong recovery key for this journal$"):
        keys.unlock(path, recovery=other)
    with pytest.raises(KeyProblem, match="not a recovery key"):
        keys.unlock(path, recovery="ABCD-EFGH")


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: b"{",
        lambda d: b"",
        lambda d: json.dumps({**json.loads(d), "format": "x"}).encode(),
        lambda d: json.dumps({**json.loads(d), "kdf": {"name": "scrypt"}}).encode(),
        lambda d: d.replace(b'"salt"', b'"sult"', 1),
        lambda d: json.dumps(
            {**json.loads(d), "kdf": {**json.loads(d)["kdf"], "memory_kib": 1}}
        ).encode(),
    ],
    ids=["truncated", "empty", "format", "kdf-name", "field", "kdf-too-cheap"],
)
def test_a_damaged_header_is_named(header, damage):
    path, _ = header
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(KeyProblem, match="is damaged"):
        keys.unlock(path, passphrase=PASS)


def test_an_edited_kdf_or_swapped_wrap_fails(header, tmp_path):
    path, _ = header
    doc = json.loads(path.read_bytes())
    cheaper = {**doc, "kdf": {**doc["kdf"], "time_cost": 1}}
    path.write_text(json.dumps(cheaper))
    with pytest.raises(KeyProblem, match="wrong passphrase"):  # the KDF is the wraps' AAD
        keys.unlock(path, passphrase=PASS)
    # A recovery wrap from another journal with the same id cannot be slipped in:
    # the header's MAC under the journal key catches it once unlocked.
    doc["keyring"] = True
    path.write_text(json.dumps(doc))
    with pytest.raises(KeyProblem, match="was altered"):
        keys.unlock(path, passphrase=PASS)


def test_rewrap_changes_the_passphrase_not_the_key_or_the_recovery_key(header):
    path, made = header
    changed = keys.rewrap(keys.header_of(path), made.journal_key, "a brand new passphrase")
    keys.write_atomic(path, changed.to_bytes(made.journal_key))
    assert keys.unlock(path, passphrase="a brand new passphrase") == made.journal_key
    assert keys.unlock(path, recovery=made.recovery_key) == made.journal_key
    with pytest.raises(KeyProblem, match="wrong passphrase"):
        keys.unlock(path, passphrase=PASS)


def test_short_passphrases_are_refused():
    with pytest.raises(KeyProblem, match="at least 8"):
        keys.create("short")


def test_subkeys_are_distinct_per_purpose():
    key = bytes(range(32))
    names = {keys.subkey(key, p) for p in ("database", "photo files", "photo names")}
    assert len(names) == 3
    assert keys.database_key_pragma(key).startswith("PRAGMA key = \"x'")


def test_settle_finishes_or_undoes_an_interrupted_conversion(tmp_path):
    import sqlite3

    home = tmp_path
    header, db = home / "journal-keys.json", home / "journal.db"
    pending = keys.pending_path(header)
    sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.close()
    # Plaintext database + pending header: the journal is plaintext; the header goes.
    pending.write_text("{}")
    (home / f".{db.name}.convert-abcd").write_bytes(b"half")
    keys.settle(header, db)
    assert not pending.exists() and not header.exists()
    assert not list(home.glob(".journal.db.convert-*"))
    # Encrypted-looking database + pending header: the header is put in place.
    db.write_bytes(bytes(range(256)) * 16)
    pending.write_text("{}")
    keys.settle(header, db)
    assert header.exists() and not pending.exists()
