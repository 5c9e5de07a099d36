"""Hostile and unusual image files at the pipeline: every door's shared checks.

`clean_derivative`, `check_original` and `vet_store_file` are what archive
import and restore use for files that arrive already rendered; `photo add`
uses `process`. These tests hold them to one standard: decodes fully, within
the pixel limit, still, metadata-free (derivatives), one line naming the file.
"""

from __future__ import annotations

import io
import struct
import warnings
from pathlib import Path

import pytest
from PIL import Image

from journal.core.errors import BadPhoto
from journal.imaging import pipeline

# -- helpers -------------------------------------------------------------------


def halves(size: tuple[int, int]) -> Image.Image:
    im = Image.new("RGB", size, (220, 30, 30))
    im.paste((30, 30, 220), (size[0] // 2, 0, size[0], size[1]))
    return im


def camera_exif() -> Image.Exif:
    """Camera make and GPS position: what must never leave a phone's photo."""
    from PIL.TiffImagePlugin import IFDRational

    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    exif.get_ifd(0x8825).update({1: "N", 2: (IFDRational(48), IFDRational(51), IFDRational(29))})
    return exif


def bare_jpeg(size: tuple[int, int] = (400, 300)) -> bytes:
    return pipeline.encode_jpeg(halves(size))


def metadata_jpeg(size: tuple[int, int] = (400, 300)) -> bytes:
    """A JPEG with camera make, GPS, a comment, XMP and an ICC profile."""
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    halves(size).save(
        out,
        "JPEG",
        exif=camera_exif().tobytes(),
        comment=b"patient lives at 12 Elm St",
        xmp=b"<x:xmpmeta>secret</x:xmpmeta>",
        icc_profile=icc,
    )
    return out.getvalue()


def bomb_jpeg(width: int = 65000, height: int = 65000) -> bytes:
    """A small valid JPEG whose frame header claims `width` x `height`."""
    data = bytearray(bare_jpeg((16, 16)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def assert_no_metadata(data: bytes) -> None:
    """Pixels only, as Pillow sees it (the check the exports are held to as well)."""
    with Image.open(io.BytesIO(data)) as im:
        info = {k: v for k, v in im.info.items() if not k.startswith("jfif") and k != "dpi"}
        assert info == {}, info
        assert dict(im.getexif()) == {}
        assert [marker for marker, _ in im.applist] in ([], ["APP0"])  # JFIF only
    assert pipeline.jpeg_is_bare(data)


def heif_bytes(major: bytes | None = None) -> bytes:
    pipeline._register_heif()
    out = io.BytesIO()
    halves((64, 48)).save(out, "HEIF", quality=80)
    data = bytearray(out.getvalue())
    if major is not None:
        box = int.from_bytes(data[:4], "big")
        data[8:12] = major
        for i in range(16, box, 4):  # every compatible brand too: nothing else to go by
            if data[i : i + 4] in (b"mif1", b"heic"):
                data[i : i + 4] = major
    return bytes(data)


# -- derivatives that arrive from elsewhere ---------------------------------------


def test_a_bare_jpeg_is_kept_byte_for_byte():
    data = bare_jpeg()
    assert pipeline.clean_derivative(data, "d.jpg", pipeline.DISPLAY_EDGE) is data


def test_a_derivative_with_metadata_is_reencoded_without_it():
    data = metadata_jpeg()
    assert not pipeline.jpeg_is_bare(data)
    cleaned = pipeline.clean_derivative(data, "d.jpg", pipeline.DISPLAY_EDGE)
    assert_no_metadata(cleaned)
    with Image.open(io.BytesIO(cleaned)) as im:
        assert im.size == (400, 300)


def test_an_oversized_derivative_is_fitted_to_its_edge():
    cleaned = pipeline.clean_derivative(bare_jpeg((900, 600)), "t.jpg", pipeline.THUMB_EDGE)
    with Image.open(io.BytesIO(cleaned)) as im:
        assert im.size == (320, 213)


def test_trailing_bytes_after_the_image_are_not_bare():
    assert not pipeline.jpeg_is_bare(bare_jpeg() + b"hidden payload")


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"\xff\xd8\xff" + b"garbage!" * 200, "is not a readable JPEG image"),
        (bomb_jpeg(), "over the 100-megapixel limit"),
        (bare_jpeg()[:900], "truncated"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "is not a JPEG image"),
    ],
    ids=["garbage-with-magic", "bomb-65000x65000", "truncated", "png"],
)
def test_a_bad_derivative_is_refused_naming_it(data, needle):
    with pytest.raises(BadPhoto) as refused:
        pipeline.clean_derivative(data, "photos/ab/x-display.jpg", pipeline.DISPLAY_EDGE)
    message = str(refused.value)
    assert message.startswith("photos/ab/x-display.jpg: ") and needle in message
    assert "\n" not in message and "<_io" not in message


# -- originals that arrive from elsewhere -------------------------------------------


def test_an_original_must_be_an_image_whose_extension_matches():
    with pytest.raises(BadPhoto, match="is not a JPEG, PNG, WebP or HEIC image"):
        pipeline.vet_store_file(b"<html><script>alert(1)</script></html>", "x-original.html")
    png = io.BytesIO()
    halves((40, 30)).save(png, "PNG")
    with pytest.raises(BadPhoto, match=r"holds a PNG image under the extension \.html"):
        pipeline.vet_store_file(png.getvalue(), "x-original.html")
    assert pipeline.vet_store_file(png.getvalue(), "x-original.png") == png.getvalue()


def test_an_original_keeps_its_metadata_but_must_decode():
    data = metadata_jpeg()
    assert pipeline.vet_store_file(data, "x-original.jpg") is data
    with pytest.raises(BadPhoto, match="truncated"):
        pipeline.vet_store_file(data[: len(data) // 2], "x-original.jpg")


# -- item 7: animations, HEIF brands, messages, warnings ----------------------------


def _animated(path: Path, fmt: str) -> Path:
    frames = [Image.new("RGB", (32, 32), c) for c in ((200, 0, 0), (0, 200, 0))]
    frames[0].save(path, fmt, save_all=True, append_images=frames[1:], duration=100)
    return path


@pytest.mark.parametrize(("name", "fmt"), [("a.webp", "WEBP"), ("a.png", "PNG")])
def test_animated_webp_and_apng_are_refused_like_gif(tmp_path, name, fmt):
    path = _animated(tmp_path / name, fmt)
    with pytest.raises(BadPhoto) as refused:
        pipeline.process(path)
    assert str(refused.value) == f"{path}: is an animated image; import a still photo"
    with pytest.raises(BadPhoto, match="animated"):
        pipeline.vet_store_file(path.read_bytes(), f"x-original.{path.suffix[1:]}")


def test_a_camera_mpo_jpeg_is_not_taken_for_an_animation(tmp_path):
    """Many cameras append a preview or depth map (MPO): the photo is the first image."""
    path = tmp_path / "camera.jpg"
    halves((64, 48)).save(path, "MPO", save_all=True, append_images=[halves((32, 24))])
    with Image.open(path) as im:
        assert im.format == "MPO" and im.n_frames == 2
    assert pipeline.process(path).header.width == 64
    assert pipeline.vet_store_file(path.read_bytes(), "x-original.jpg")


def test_a_heif_with_brand_mif3_is_accepted(tmp_path):
    path = tmp_path / "mif3.heic"
    path.write_bytes(heif_bytes(b"mif3"))
    assert path.read_bytes()[8:12] == b"mif3"
    done = pipeline.process(path)
    assert done.original.format == "HEIF"
    assert (done.header.width, done.header.height) == (64, 48)


def test_an_unreadable_heic_names_the_file_not_a_buffer(tmp_path):
    """Pillow says `cannot identify image file <_io.BytesIO object at 0x...>`."""
    path = tmp_path / "phone.heic"
    path.write_bytes(b"\0\0\0\x18ftypmiafmif1heic" + b"\x07" * 300)
    with pytest.raises(BadPhoto) as refused:
        pipeline.process(path)
    message = str(refused.value)
    assert message.startswith(f"{path}: ") and "HEIC" in message
    assert "<_io" not in message and "0x" not in message


def test_garbage_with_a_jpeg_magic_number_names_the_file(tmp_path):
    path = tmp_path / "fake.jpg"
    path.write_bytes(b"\xff\xd8\xff" + b"not really a jpeg" * 20)
    with pytest.raises(BadPhoto) as refused:
        pipeline.process(path)
    assert (
        str(refused.value)
        == f"{path}: is not a readable JPEG image (damaged, or a variant we cannot decode)"
    )


def _with_broken_exif(path: Path) -> Path:
    """A good JPEG whose EXIF tag points past the end of its data (Pillow warns)."""
    data = bare_jpeg((64, 48))
    tiff = b"II*\x00" + struct.pack("<IH", 8, 1) + struct.pack("<HHII", 0x010F, 2, 100, 0xFFFF)
    app1 = b"Exif\x00\x00" + tiff + struct.pack("<I", 0)
    path.write_bytes(data[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + data[2:])
    return path


def test_a_successful_import_raises_no_pillow_warning(tmp_path):
    """Damaged EXIF, a 95 MP photo: handled by us, so nothing for stderr."""
    big = tmp_path / "big.png"
    Image.new("L", (9500, 10000), 120).save(big)
    for path in (_with_broken_exif(tmp_path / "exif.jpg"), big):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            pipeline.process(path)
        assert [str(w.message) for w in caught] == [], path.name
