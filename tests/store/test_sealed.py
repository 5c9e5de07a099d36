"""Sealed photo files: AES-256-GCM per file, names that do not reveal the photo's hash."""

from __future__ import annotations

import hashlib
import io
import secrets

import pytest
from PIL import Image

from journal.store import sealed
from journal.store.keys import subkey
from journal.store.sealed import SealedFileDamaged

KEY = secrets.token_bytes(32)
FILE_KEY, NAMES_KEY = subkey(KEY, "photo files"), subkey(KEY, "photo names")


def _jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


def test_roundtrip_through_real_files_with_a_fresh_nonce_each_time(tmp_path):
    data = _jpeg((200, 120, 90))
    sha = hashlib.sha256(data).hexdigest()
    name = sealed.sealed_name(NAMES_KEY, sha, "display")
    sealed.write_sealed(tmp_path, name, FILE_KEY, data)
    stored = (tmp_path / name).read_bytes()
    assert stored[:5] == b"MNJS\x01"
    assert b"\xff\xd8\xff" not in stored and b"JFIF" not in stored
    assert sealed.read_sealed(tmp_path, name, FILE_KEY) == data
    again = sealed.seal(FILE_KEY, data, name)
    assert again[5:17] != stored[5:17]  # fresh 96-bit nonce per file written
    assert oct((tmp_path / name).stat().st_mode & 0o777) == "0o600"
    with Image.open(io.BytesIO(sealed.read_sealed(tmp_path, name, FILE_KEY))) as img:
        assert img.size == (64, 48)


def test_names_are_stable_keyed_and_do_not_reveal_the_hash():
    sha = hashlib.sha256(b"photo").hexdigest()
    name = sealed.sealed_name(NAMES_KEY, sha, "display")
    assert name == sealed.sealed_name(NAMES_KEY, sha, "display")  # imports stay idempotent
    assert sha not in name and sha[:16] not in name
    assert name != sealed.sealed_name(NAMES_KEY, sha, "thumb")
    assert name != sealed.sealed_name(secrets.token_bytes(32), sha, "display")
    shard, rest = name.split("/")
    assert rest.startswith(shard) and len(rest) == 64


def test_a_tampered_file_is_named_in_one_line_and_the_others_still_open(tmp_path):
    names = []
    for colour in ((10, 20, 30), (40, 50, 60), (70, 80, 90)):
        data = _jpeg(colour)
        name = sealed.sealed_name(NAMES_KEY, hashlib.sha256(data).hexdigest(), "display")
        sealed.write_sealed(tmp_path, name, FILE_KEY, data)
        names.append(name)
    victim = tmp_path / names[1]
    raw = bytearray(victim.read_bytes())
    raw[40] ^= 0x01
    victim.write_bytes(bytes(raw))
    with pytest.raises(SealedFileDamaged) as caught:
        sealed.read_sealed(tmp_path, names[1], FILE_KEY)
    message = str(caught.value)
    assert names[1] in message and "\n" not in message and caught.value.exit_code == 2
    assert sealed.verify(tmp_path, names[1], FILE_KEY) == message
    for other in (names[0], names[2]):
        assert sealed.verify(tmp_path, other, FILE_KEY) is None


@pytest.mark.parametrize(
    "damage, reason",
    [
        (lambda b: b[:20], "not a sealed journal file"),
        (lambda b: b"GIF89a" + b[6:], "not a sealed journal file"),
        (lambda b: b[:4] + b"\x02" + b[5:], "version 2"),
        (lambda b: b[:-1] + bytes([b[-1] ^ 1]), "authentication"),
    ],
    ids=["truncated", "replaced", "version", "tag"],
)
def test_damage_of_every_kind_is_refused(damage, reason):
    blob = sealed.seal(FILE_KEY, b"image bytes", "ab/abcd")
    with pytest.raises(SealedFileDamaged, match=reason):
        sealed.unseal(FILE_KEY, damage(blob), "ab/abcd")


def test_a_file_moved_to_another_name_or_opened_with_another_key_fails():
    blob = sealed.seal(FILE_KEY, b"image bytes", "ab/one")
    with pytest.raises(SealedFileDamaged, match="authentication"):
        sealed.unseal(FILE_KEY, blob, "ab/two")
    with pytest.raises(SealedFileDamaged, match="authentication"):
        sealed.unseal(secrets.token_bytes(32), blob, "ab/one")
