"""Exports never carry image metadata, whatever the stored files hold.

The store is meant to hold pixels only, but a journal may hold files from an
older release (archive imports once stored display copies as given). Here
every stored display copy and thumbnail is replaced by the same picture with
a comment, EXIF camera make, GPS, XMP and an ICC profile; the images pulled
back out of the PDF, the HTML, the FHIR bundle and the exchange archive must
carry none of it.
"""

from __future__ import annotations

import base64
import io
import json
import re

import pytest
from conftest import photo_files
from PIL import Image, ImageCms

from journal.services.exporting import export_patient

from .helpers import DEMO, TODAY

SECRETS = (b"SecretCam", b"Elm St", b"xmpmeta")


def _plant_metadata(home) -> int:
    from PIL.TiffImagePlugin import IFDRational

    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    exif.get_ifd(0x8825).update({1: "N", 2: (IFDRational(48), IFDRational(51), IFDRational(29))})
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    count = 0
    for path in photo_files(home):
        with Image.open(path) as im:
            im.load()
            picture = im.copy()
        picture.save(
            path,
            "JPEG",
            quality=90,
            exif=exif.tobytes(),
            comment=b"lives at 12 Elm St",
            xmp=b"<x:xmpmeta>secret</x:xmpmeta>",
            icc_profile=icc,
        )
        count += 1
    return count


def _assert_pixels_only(data: bytes) -> None:
    for secret in SECRETS:
        assert secret not in data
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "JPEG"
        for key in ("comment", "exif", "xmp", "icc_profile"):
            assert key not in im.info, key
        assert dict(im.getexif()) == {}
        assert [marker for marker, _ in im.applist] in ([], ["APP0"])


def _html_images(text: str) -> list[bytes]:
    return [
        base64.b64decode(m) for m in re.findall(r"data:image/jpeg;base64,([A-Za-z0-9+/=]+)", text)
    ]


def _fhir_images(doc: dict) -> list[bytes]:
    found = []
    for entry in doc.get("entry", []):
        resource = entry.get("resource", {})
        if resource.get("resourceType") == "Media" and "data" in resource.get("content", {}):
            found.append(base64.b64decode(resource["content"]["data"]))
    return found


def _archive_images(path) -> list[bytes]:
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return [zf.read(n) for n in zf.namelist() if n.endswith(("-display.jpg", "-thumb.jpg"))]


def _pdf_images(path) -> list[bytes]:
    from pypdf import PdfReader

    return [image.data for page in PdfReader(path).pages for image in page.images]


@pytest.mark.parametrize("fmt", ["pdf", "html", "fhir", "json"])
def test_exported_images_carry_no_metadata(journal, demo, home, tmp_path, fmt):
    assert _plant_metadata(home) == 20  # ten photos, display and thumbnail each
    out = export_patient(journal, DEMO, fmt=fmt, out=tmp_path / f"out.{fmt}", today=TODAY)
    if fmt == "html":
        images = _html_images(out.read_text())
    elif fmt == "fhir":
        images = _fhir_images(json.loads(out.read_text()))
    elif fmt == "json":
        images = _archive_images(out)
    else:
        images = _pdf_images(out)
    assert images, "the export holds no photo at all"
    for data in images:
        _assert_pixels_only(data)
