"""`journal restore` is a door into the photo store: its photo files are vetted.

The archives here are consistent forgeries (the manifest rehashed), so only
the image checks can catch them: a photo file that does not decode refuses
the restore before anything is swapped in; a display copy carrying metadata
is restored re-encoded, pixels only.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zipfile

import pytest
from PIL import Image

from journal.imaging import pipeline

from .test_backup import _fill, _tree


def _forge(good, bad, change) -> str:
    """Copy `good` to `bad`, letting `change` alter the first display copy; rehash."""
    with zipfile.ZipFile(good) as src:
        members = {n: src.read(n) for n in src.namelist()}
    manifest = json.loads(members.pop("manifest.json"))
    target = sorted(n for n in members if n.endswith("-display.jpg"))[0]
    members[target] = change(members[target])
    manifest["members"][target] = {
        "sha256": hashlib.sha256(members[target]).hexdigest(),
        "size": len(members[target]),
    }
    with zipfile.ZipFile(bad, "w") as dst:
        for name, data in members.items():
            dst.writestr(name, data)
        dst.writestr("manifest.json", json.dumps(manifest))
    return target


def _bomb(_data: bytes) -> bytes:
    data = bytearray(pipeline.encode_jpeg(Image.new("RGB", (16, 16))))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 65000, 65000)
    return bytes(data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: b"\xff\xd8\xff" + b"junk" * 400, "is not a readable JPEG image"),
        (_bomb, "over the 100-megapixel limit"),
        (lambda d: d[: len(d) // 2], "truncated"),
    ],
    ids=["garbage-with-magic", "bomb-65000x65000", "truncated"],
)
def test_a_backup_with_a_bad_photo_file_is_refused(sqlite_cli, home, tmp_path, change, message):
    _fill(home, tmp_path, photos=2)
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    assert sqlite_cli("backup", "-o", str(good)).code == 0
    member = _forge(good, bad, change)
    before = _tree(home)

    result = sqlite_cli("restore", str(bad), "--force")

    assert result.code == 2, result.err
    assert result.err.count("\n") == 1 and member in result.err and message in result.err
    assert _tree(home) == before
    assert not [p for p in home.parent.iterdir() if "restore" in p.name or ".bak" in p.name]


def test_a_display_copy_with_metadata_is_restored_stripped(sqlite_cli, home, tmp_path):
    def with_metadata(data: bytes) -> bytes:
        exif = Image.Exif()
        exif[0x010F] = "SecretCam"
        out = io.BytesIO()
        with Image.open(io.BytesIO(data)) as im:
            im.save(out, "JPEG", exif=exif.tobytes(), comment=b"lives at 12 Elm St")
        return out.getvalue()

    _fill(home, tmp_path, photos=2)
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    assert sqlite_cli("backup", "-o", str(good)).code == 0
    member = _forge(good, bad, with_metadata)

    result = sqlite_cli("restore", str(bad), "--force")

    assert result.code == 0, result.err
    assert result.err == ""
    restored = (home / member).read_bytes()
    assert b"SecretCam" not in restored and b"Elm St" not in restored
    assert pipeline.jpeg_is_bare(restored)
