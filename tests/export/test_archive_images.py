"""Images that arrive in an exchange archive get what `photo add` gives a file.

A display copy or thumbnail with GPS, a camera make, a comment or XMP is
stored re-encoded, pixels only; garbage behind a JPEG magic number, a
decompression-bomb header, a truncated image, an animated or mislabelled
original refuses the whole archive: one line naming the member, exit 2, no
row and no file written.
"""

from __future__ import annotations

import hashlib
import io
import struct

import pytest
from conftest import photo_files
from PIL import Image, ImageCms

from journal.imaging import pipeline
from journal.services.archive_import import import_archive

from .helpers import row_counts


def _with_metadata(jpeg: bytes) -> bytes:
    """The same picture, now carrying camera make, GPS, a comment, XMP and ICC."""
    from PIL.TiffImagePlugin import IFDRational

    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    exif.get_ifd(0x8825).update({1: "N", 2: (IFDRational(48), IFDRational(51), IFDRational(29))})
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    with Image.open(io.BytesIO(jpeg)) as im:
        im.save(
            out,
            "JPEG",
            quality=90,
            exif=exif.tobytes(),
            comment=b"lives at 12 Elm St",
            xmp=b"<x:xmpmeta>secret</x:xmpmeta>",
            icc_profile=icc,
        )
    return out.getvalue()


def _bomb() -> bytes:
    data = bytearray(pipeline.encode_jpeg(Image.new("RGB", (16, 16), (9, 9, 9))))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 65000, 65000)
    return bytes(data)


def _refused(cli, journal, home, archive, *needles: str) -> str:
    r = cli("import", str(archive))
    assert r.code == 2, (r.out, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("journal: error: "), r.err
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert set(row_counts(journal).values()) == {0}
    assert photo_files(home) == []
    return lines[0]


def _assert_pixels_only(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as im:
        assert "comment" not in im.info and "exif" not in im.info
        assert "xmp" not in im.info and "icc_profile" not in im.info
        assert dict(im.getexif()) == {}
        assert [marker for marker, _ in im.applist] in ([], ["APP0"])
    assert b"SecretCam" not in data and b"Elm St" not in data and b"xmpmeta" not in data


def test_display_and_thumb_metadata_is_stripped_on_import(journal, home, parts, tmp_path):
    p = parts()
    names = [n for n in p.members if n.endswith(("-display.jpg", "-thumb.jpg"))]
    for name in names:
        p.members[name] = _with_metadata(p.members[name])
    import_archive(journal, p.write(tmp_path / "meta.zip"))
    stored = {f.name: f.read_bytes() for f in photo_files(home)}
    assert len(stored) == len(names)
    for data in stored.values():
        _assert_pixels_only(data)


def test_our_own_archive_is_stored_byte_for_byte(journal, home, parts, tmp_path):
    """No generation loss: clean members are verified, not re-encoded."""
    p = parts()
    import_archive(journal, p.write(tmp_path / "clean.zip"))
    stored = {f.name: f.read_bytes() for f in photo_files(home)}
    members = {n.rsplit("/", 1)[-1]: d for n, d in p.members.items() if n.startswith("photos/")}
    assert stored == members


@pytest.mark.parametrize(
    ("which", "make", "needle"),
    [
        ("display", lambda d: b"\xff\xd8\xff" + b"junk" * 500, "is not a readable JPEG image"),
        ("display", lambda d: _bomb(), "over the 100-megapixel limit"),
        ("thumb", lambda d: d[: len(d) // 2], "truncated"),
    ],
    ids=["garbage-with-magic", "bomb-65000x65000", "truncated"],
)
def test_a_bad_image_refuses_the_whole_archive(
    cli, journal, home, parts, tmp_path, which, make, needle
):
    p = parts()
    name = sorted(n for n in p.members if n.endswith(f"-{which}.jpg"))[-1]  # not the first
    p.members[name] = make(p.members[name])
    _refused(cli, journal, home, p.write(tmp_path / "bad.zip"), name, needle)


def _with_original(p, data: bytes, extension: str) -> str:
    """Make the first photo's id the hash of `data` and add it as its kept original."""
    photo = p.records["photos"][0]
    old, sha = photo["sha256"], hashlib.sha256(data).hexdigest()
    for which in ("display", "thumb"):
        p.members[f"photos/{sha[:2]}/{sha}-{which}.jpg"] = p.members.pop(
            f"photos/{old[:2]}/{old}-{which}.jpg"
        )
        photo[f"{which}_path"] = f"{sha[:2]}/{sha}-{which}.jpg"
    photo["sha256"] = sha
    photo["original_path"] = f"{sha[:2]}/{sha}-original.{extension}"
    name = f"photos/{photo['original_path']}"
    p.members[name] = data
    p.manifest["counts"]["photo_files"] += 1
    return name


def test_an_original_must_be_an_image_of_an_accepted_format(cli, journal, home, parts, tmp_path):
    p = parts()
    name = _with_original(p, b"<html><script>alert(1)</script></html>", "html")
    _refused(cli, journal, home, p.write(tmp_path / "html.zip"), name, "is not a JPEG, PNG")


def test_an_original_under_the_wrong_extension_is_refused(cli, journal, home, parts, tmp_path):
    png = io.BytesIO()
    Image.new("RGB", (40, 30), (1, 2, 3)).save(png, "PNG")
    p = parts()
    name = _with_original(p, png.getvalue(), "html")
    _refused(cli, journal, home, p.write(tmp_path / "png.zip"), name, "under the extension")


def test_an_animated_original_is_refused(cli, journal, home, parts, tmp_path):
    frames = [Image.new("RGB", (32, 32), c) for c in ((200, 0, 0), (0, 200, 0))]
    webp = io.BytesIO()
    frames[0].save(webp, "WEBP", save_all=True, append_images=frames[1:], duration=100)
    p = parts()
    name = _with_original(p, webp.getvalue(), "webp")
    _refused(cli, journal, home, p.write(tmp_path / "anim.zip"), name, "animated")


def test_a_good_original_is_accepted(journal, home, parts, tmp_path):
    png = io.BytesIO()
    Image.new("RGB", (40, 30), (1, 2, 3)).save(png, "PNG")
    p = parts()
    _with_original(p, png.getvalue(), "png")
    import_archive(journal, p.write(tmp_path / "ok.zip"))
    assert any(f.name.endswith("-original.png") for f in photo_files(home))
