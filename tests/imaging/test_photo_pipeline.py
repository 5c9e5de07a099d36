"""The pure photo pipeline: formats, orientation, capture time, stripping, sizes, refusals."""

from __future__ import annotations

import datetime as dt
import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageCms
from PIL.TiffImagePlugin import IFDRational

from journal.core.errors import BadPhoto
from journal.imaging import pipeline

# -- helpers -------------------------------------------------------------------


def halves(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """Left half red, right half blue: orientation mistakes become visible."""
    im = Image.new("RGB", size, (220, 30, 30))
    im.paste((30, 30, 220), (size[0] // 2, 0, size[0], size[1]))
    return im.convert(mode) if mode != "RGB" else im


def exif_with(
    *,
    orientation: int | None = None,
    taken: str | None = None,
    offset: str | None = None,
    gps: bool = False,
) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0131] = "PhotoEditor 9"  # Software
    if orientation is not None:
        exif[0x0112] = orientation
    sub = exif.get_ifd(0x8769)
    if taken is not None:
        sub[0x9003] = taken
    if offset is not None:
        sub[0x9011] = offset
    if gps:
        exif.get_ifd(0x8825).update(
            {
                1: "N",
                2: (IFDRational(48), IFDRational(51), IFDRational(2957, 100)),
                3: "E",
                4: (IFDRational(2), IFDRational(17), IFDRational(4012, 100)),
            }
        )
    return exif


def write_jpeg(path: Path, im: Image.Image, exif: Image.Exif | None = None, **kw) -> Path:
    im.save(path, "JPEG", quality=90, exif=exif if exif is not None else b"", **kw)
    return path


def png_claiming(path: Path, width: int, height: int) -> Path:
    """A tiny PNG whose header declares a huge image (a decompression bomb's shape)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)
    return path


def segments(jpeg: bytes) -> list[tuple[int, bytes]]:
    """(marker, first payload bytes) of every segment before the image data."""
    assert jpeg[:2] == b"\xff\xd8"
    found, i = [], 2
    while i < len(jpeg):
        assert jpeg[i] == 0xFF
        marker = jpeg[i + 1]
        if marker == 0xDA:
            break
        length = int.from_bytes(jpeg[i + 2 : i + 4], "big")
        found.append((marker, jpeg[i + 4 : i + 4 + min(length - 2, 8)]))
        i += 2 + length
    return found


def decoded(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


# -- formats ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_every_accepted_format_becomes_display_and_thumbnail_jpegs(tmp_path, fmt):
    if fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    path = tmp_path / f"photo.{fmt.lower()}"
    halves((640, 480)).save(path, fmt, quality=90)

    done = pipeline.process(path)

    assert done.original.format == fmt
    assert done.original.sha256 == __import__("hashlib").sha256(path.read_bytes()).hexdigest()
    assert (done.header.width, done.header.height) == (640, 480)
    display, thumb = decoded(done.rendered.display), decoded(done.rendered.thumb)
    assert display.format == thumb.format == "JPEG"
    assert display.mode == thumb.mode == "RGB"
    assert display.size == (640, 480) and thumb.size == (320, 240)
    left, right = display.getpixel((100, 240)), display.getpixel((540, 240))
    assert left[0] > 150 > left[2] and right[2] > 150 > right[0]


def test_heic_from_a_phone_keeps_its_capture_time_and_rotation(tmp_path):
    import pillow_heif

    pillow_heif.register_heif_opener()
    path = tmp_path / "IMG_0001.HEIC"
    exif = exif_with(orientation=6, taken="2024:03:01 10:30:00", offset="+01:00")
    halves((640, 480)).save(path, "HEIF", quality=80, exif=exif.tobytes())

    done = pipeline.process(path)

    assert done.header.taken_at == dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC)
    assert done.header.taken_at_source == "exif"
    assert done.rendered.display_size == (480, 640)


def test_the_format_is_sniffed_not_taken_from_the_name(tmp_path):
    path = tmp_path / "really-a-png.jpg"
    halves((64, 48)).save(path, "PNG")
    assert pipeline.process(path).original.format == "PNG"


# -- orientation, capture time -----------------------------------------------------


def test_exif_orientation_is_applied_so_dimensions_swap(tmp_path):
    path = write_jpeg(tmp_path / "rotated.jpg", halves((400, 200)), exif_with(orientation=6))

    done = pipeline.process(path)

    assert (done.header.width, done.header.height) == (200, 400)
    display = decoded(done.rendered.display)
    assert display.size == (200, 400) and done.rendered.thumb_size == (160, 320)
    # Orientation 6 = turn 90 degrees clockwise to view: the left half ends on top.
    top, bottom = display.getpixel((100, 50)), display.getpixel((100, 350))
    assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]


def test_capture_time_comes_from_exif_with_its_offset(tmp_path):
    exif = exif_with(taken="2024:03:01 10:30:00", offset="+02:00")
    path = write_jpeg(tmp_path / "p.jpg", halves((64, 48)), exif)

    header = pipeline.process(path).header

    assert header.taken_at == dt.datetime(2024, 3, 1, 8, 30, tzinfo=dt.UTC)
    assert header.taken_at_source == "exif"


def test_exif_time_without_offset_is_local_camera_time(tmp_path):
    path = write_jpeg(tmp_path / "p.jpg", halves((64, 48)), exif_with(taken="2023:12:24 18:05:09"))

    header = pipeline.process(path).header

    assert header.taken_at == dt.datetime(2023, 12, 24, 18, 5, 9).astimezone().astimezone(dt.UTC)
    assert header.taken_at.tzinfo is dt.UTC


def test_without_exif_time_the_file_time_is_used(tmp_path):
    path = tmp_path / "scan.png"
    halves((64, 48)).save(path, "PNG")
    stamp = dt.datetime(2022, 6, 1, 7, 0, tzinfo=dt.UTC).timestamp()
    os.utime(path, (stamp, stamp))

    header = pipeline.process(path).header

    assert header.taken_at == dt.datetime(2022, 6, 1, 7, 0, tzinfo=dt.UTC)
    assert header.taken_at_source == "file"


def test_nonsense_dates_fall_back_to_the_import_time(tmp_path):
    exif = exif_with(taken="0000:00:00 00:00:00")
    path = write_jpeg(tmp_path / "p.jpg", halves((64, 48)), exif)
    os.utime(path, (86400, 86400))  # 1970: a camera that never had its clock set
    now = dt.datetime(2024, 5, 5, 12, 0, tzinfo=dt.UTC)

    header = pipeline.process(path, now=now).header

    assert (header.taken_at, header.taken_at_source) == (now, "import")


# -- metadata stripping --------------------------------------------------------------


def test_gps_and_every_other_metadata_field_are_gone(tmp_path):
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    exif = exif_with(orientation=1, taken="2024:03:01 10:30:00", gps=True)
    path = write_jpeg(
        tmp_path / "gps.jpg",
        halves((800, 600)),
        exif,
        icc_profile=srgb,
        comment=b"patient: Jane Doe",
        xmp=b"<x:xmpmeta>Jane Doe, 48.85N 2.29E</x:xmpmeta>",
    )
    assert Image.open(path).getexif().get_ifd(0x8825)  # the input really has GPS

    done = pipeline.process(path)

    for data in (done.rendered.display, done.rendered.thumb):
        markers = segments(data)
        assert [m for m, _ in markers if 0xE1 <= m <= 0xEF or m == 0xFE] == []
        assert [payload[:4] for m, payload in markers if m == 0xE0] == [b"JFIF"]
        for secret in (b"SecretCam", b"Jane Doe", b"PhotoEditor", b"Exif", b"ICC_PROFILE"):
            assert secret not in data
        im = decoded(data)
        assert dict(im.getexif()) == {}
        assert "icc_profile" not in im.info and "comment" not in im.info
    assert done.header.taken_at_source == "exif"  # the one field we keep, in the row


def test_a_broken_icc_profile_is_dropped_not_fatal(tmp_path):
    path = write_jpeg(tmp_path / "icc.jpg", halves((64, 48)), icc_profile=b"not a profile" * 20)
    done = pipeline.process(path)
    assert "icc_profile" not in decoded(done.rendered.display).info


# -- sizes and modes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "display", "thumb"),
    [
        ((3000, 1000), (2048, 683), (320, 107)),
        ((1000, 3000), (683, 2048), (107, 320)),
        ((2048, 1536), (2048, 1536), (320, 240)),
        ((800, 600), (800, 600), (320, 240)),
        ((100, 50), (100, 50), (100, 50)),
    ],
)
def test_long_edges_are_2048_and_320_and_never_upscaled(tmp_path, size, display, thumb):
    path = write_jpeg(tmp_path / "p.jpg", halves(size))
    rendered = pipeline.process(path).rendered
    assert decoded(rendered.display).size == display == rendered.display_size
    assert decoded(rendered.thumb).size == thumb == rendered.thumb_size


def test_a_large_jpeg_is_decoded_at_reduced_scale(tmp_path, monkeypatch):
    path = write_jpeg(tmp_path / "big.jpg", halves((4400, 3300)))
    decoded_sizes = []
    real_load = Image.Image.load

    def spy(self):
        decoded_sizes.append(self.size)
        return real_load(self)

    monkeypatch.setattr(Image.Image, "load", spy)
    rendered = pipeline.process(path).rendered
    assert rendered.display_size == (2048, 1536)
    assert (2200, 1650) in decoded_sizes  # DCT scale 1/2, never the full 4400x3300
    assert (4400, 3300) not in decoded_sizes


@pytest.mark.parametrize(
    ("mode", "fmt"),
    [
        ("RGBA", "PNG"),
        ("LA", "PNG"),
        ("P", "PNG"),
        ("L", "JPEG"),
        ("CMYK", "JPEG"),
        ("I;16", "PNG"),
    ],
)
def test_every_pixel_mode_becomes_rgb(tmp_path, mode, fmt):
    path = tmp_path / f"p.{fmt.lower()}"
    if mode == "I;16":
        im = Image.new("I;16", (64, 48), 40000)
    elif mode == "P":
        im = halves((64, 48)).convert("P")
        im.info["transparency"] = 0
    else:
        im = halves((64, 48), mode)
    im.save(path, fmt)

    display = decoded(pipeline.process(path).rendered.display)

    assert display.mode == "RGB" and display.size == (64, 48)
    if mode == "I;16":  # 40000/65535 of white, scaled rather than clipped to 255
        assert 145 <= display.getpixel((32, 24))[0] <= 165


def test_transparency_is_flattened_on_white(tmp_path):
    path = tmp_path / "alpha.png"
    im = Image.new("RGBA", (64, 48), (200, 0, 0, 255))
    im.paste((0, 0, 0, 0), (32, 0, 64, 48))
    im.save(path)
    display = decoded(pipeline.process(path).rendered.display)
    assert min(display.getpixel((60, 24))) > 240


# -- refusals --------------------------------------------------------------------------


def reason(path: Path) -> str:
    with pytest.raises(BadPhoto) as caught:
        pipeline.process(path)
    assert caught.value.path == str(path)
    assert "\n" not in caught.value.reason
    return caught.value.reason


def test_a_text_file_named_jpg_is_refused(tmp_path):
    path = tmp_path / "notes.jpg"
    path.write_text("this is not a photo\n")
    assert reason(path) == "is not a JPEG, PNG, WebP or HEIC image"


def test_other_image_formats_are_named_in_the_refusal(tmp_path):
    path = tmp_path / "anim.gif"
    halves((16, 16)).save(path, "GIF")
    assert "GIF" in reason(path)
    avif = tmp_path / "photo.avif"
    avif.write_bytes(b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + b"\x00" * 64)
    assert "AVIF" in reason(avif)


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.jpg"
    path.touch()
    assert reason(path) == "is empty (0 bytes)"


def test_a_truncated_jpeg_is_refused(tmp_path):
    full = tmp_path / "full.jpg"
    Image.frombytes("RGB", (300, 200), os.urandom(300 * 200 * 3)).save(full, quality=90)
    path = tmp_path / "cut.jpg"
    path.write_bytes(full.read_bytes()[: full.stat().st_size * 2 // 3])
    assert "truncated" in reason(path)


def test_a_png_claiming_30000x30000_is_refused_before_decoding(tmp_path):
    path = png_claiming(tmp_path / "bomb.png", 30000, 30000)
    text = reason(path)
    assert "100-megapixel limit" in text and "900 MP" in text


def test_an_image_just_over_our_limit_is_refused_with_its_size(tmp_path):
    path = png_claiming(tmp_path / "huge.png", 11000, 10000)  # 110 MP: Pillow would allow it
    text = reason(path)
    assert "11000x10000" in text and "100-megapixel limit" in text


def test_a_missing_path_is_refused(tmp_path):
    assert reason(tmp_path / "nope.jpg") == "no such file"


def test_a_directory_is_refused(tmp_path):
    folder = tmp_path / "folder.jpg"
    folder.mkdir()
    assert reason(folder) == "is a folder, not a photo file"


def test_a_damaged_jpeg_header_is_refused(tmp_path):
    path = tmp_path / "bad.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(400))
    assert reason(path).startswith(("damaged JPEG file", "JPEG file is truncated"))


def test_sniff_knows_the_accepted_magic_numbers():
    assert pipeline.sniff(b"\xff\xd8\xff\xe1") == "JPEG"
    assert pipeline.sniff(b"\x89PNG\r\n\x1a\n") == "PNG"
    assert pipeline.sniff(b"RIFF\0\0\0\0WEBPVP8 ") == "WEBP"
    assert pipeline.sniff(b"\0\0\0\x18ftypmif1\0\0\0\0mif1heic") == "HEIF"
    assert pipeline.sniff(b"\0\0\0\x18ftypavif\0\0\0\0avifmif1") is None
    assert pipeline.sniff(b"GIF89a") is None
    assert pipeline.sniff(b"") is None
