"""From a photo file to a clean display copy and thumbnail, safely and cheaply.

The order of the steps is the point:

1. The file is checked before Pillow sees it (exists, regular, not empty, not
   absurdly large) and read once, so the sha256 describes exactly the bytes
   that were decoded.
2. The format is sniffed from the magic bytes, never trusted from the name,
   and Pillow is told to try only that format.
3. The declared size is checked against `MAX_PIXELS` *before* any pixel is
   decoded: a 100-byte PNG can claim 30000x30000 and would need 3.6 GB.
4. JPEGs are decoded at the smallest DCT scale (1/2, 1/4, 1/8) that still
   covers the display size; a 24 MP photo then costs a quarter of the memory
   and about half the CPU of a full decode, which is what libvips does too.
5. The display copy is resized from that, the thumbnail from the display copy
   (never a second decode), and the EXIF orientation is applied last, on the
   small images.
6. Only pixels are written out: no EXIF (GPS!), no XMP, no comments, no ICC
   profile. Colours in another space (Display P3 from iPhones, Adobe RGB,
   CMYK) are converted to sRGB first, because a JPEG without a profile is read
   as sRGB everywhere; an unreadable profile is dropped, not fatal.

The capture time is the one piece of metadata kept, because the journal is a
time series: EXIF DateTimeOriginal (with OffsetTimeOriginal when present,
else the computer's local time zone), then DateTimeDigitized; failing that the
file's modification time; failing that the import time.

Every failure is a `BadPhoto(path, reason)` with a one-line reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import stat
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from journal.core.errors import BadPhoto

if TYPE_CHECKING:
    from PIL import Image

#: Largest accepted image, in pixels (width x height as declared by the file).
#: 100 MP covers every phone's default mode and full-frame/medium-format
#: cameras up to 100 MP; it caps a PNG/HEIC decode near 400 MB. Full-resolution
#: modes of 108/200 MP phone sensors are refused with a message saying so.
MAX_PIXELS = 100_000_000
#: Largest accepted file: well above any real photo, far below a memory problem.
MAX_FILE_BYTES = 256 * 1024 * 1024
DISPLAY_EDGE = 2048
THUMB_EDGE = 320
JPEG_QUALITY = 85
EARLIEST_CAPTURE = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)

#: Pillow format name -> extension of a kept original.
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "HEIF": "heic"}
ACCEPTED = "JPEG, PNG, WebP or HEIC"
_HEIF_BRANDS = {
    b"heic",
    b"heix",
    b"heim",
    b"heis",
    b"hevc",
    b"hevx",
    b"hevm",
    b"hevs",
    b"mif1",
    b"mif2",
    b"mif3",  # the "minimized" HEIF of newer encoders; libheif reads it
    b"msf1",
}
_OTHER_FORMATS = (
    (b"GIF8", "a GIF"),
    (b"II*\x00", "a TIFF (or camera raw)"),
    (b"MM\x00*", "a TIFF (or camera raw)"),
    (b"BM", "a BMP"),
    (b"%PDF", "a PDF"),
)

# EXIF tags (numbers, so the header parse needs no name tables).
_ORIENTATION = 0x0112
_EXIF_IFD = 0x8769
_DATETIME_ORIGINAL = 0x9003
_DATETIME_DIGITIZED = 0x9004
_OFFSET_ORIGINAL = 0x9011
_OFFSET_DIGITIZED = 0x9012


@dataclass(frozen=True)
class Original:
    """The bytes of one offered file, read once, with what the file system says."""

    path: str
    data: bytes
    sha256: str
    format: str  # a key of EXTENSIONS
    mtime: float | None

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


@dataclass(frozen=True)
class Header:
    """What the file declares, known without decoding pixels."""

    width: int  # as seen, i.e. after the EXIF orientation is applied
    height: int
    orientation: int
    taken_at: dt.datetime  # aware, UTC
    taken_at_source: str  # exif | file | import
    icc_profile: bytes | None


@dataclass(frozen=True)
class Rendered:
    """The two derivatives as encoded JPEG bytes, ready for the photo store."""

    display: bytes
    thumb: bytes
    display_size: tuple[int, int]
    thumb_size: tuple[int, int]
    #: The display copy's pixels before JPEG encoding, for the quality reading at
    #: import (journal.imaging.evidence.read_photo) without decoding it again.
    pixels: Image.Image | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Processed:
    original: Original
    header: Header
    rendered: Rendered


def process(path: str | os.PathLike[str], *, now: dt.datetime | None = None) -> Processed:
    """The whole pipeline for one file (checks, header, decode, derivatives)."""
    original = read_original(path)
    image, header = open_image(original, now=now)
    with image:
        return Processed(original, header, render(original, image, header))


def read_original(path: str | os.PathLike[str]) -> Original:
    """Check the file and read its bytes; refuse what cannot be a photo."""
    name = os.fspath(path)
    try:
        info = os.stat(name)
    except FileNotFoundError:
        raise BadPhoto(name, "no such file") from None
    except OSError as exc:
        raise BadPhoto(name, f"cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise BadPhoto(name, "is a folder, not a photo file")
    if not stat.S_ISREG(info.st_mode):
        raise BadPhoto(name, "is not a regular file")
    if info.st_size == 0:
        raise BadPhoto(name, "is empty (0 bytes)")
    if info.st_size > MAX_FILE_BYTES:
        raise BadPhoto(
            name, f"is {info.st_size // 2**20} MB, over the {MAX_FILE_BYTES // 2**20} MB limit"
        )
    try:
        with open(name, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise BadPhoto(name, f"cannot read: {exc.strerror or exc}") from None
    if not data:
        raise BadPhoto(name, "is empty (0 bytes)")
    fmt = sniff(data[:64])
    if fmt is None:
        raise BadPhoto(name, _not_accepted(data[:64]))
    return Original(
        path=name,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        format=fmt,
        mtime=info.st_mtime,
    )


def sniff(head: bytes) -> str | None:
    """The accepted format the magic bytes announce (a Pillow format name), or None."""
    if head[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp":
        box = int.from_bytes(head[:4], "big")
        major = head[8:12]
        compatible = {head[i : i + 4] for i in range(16, min(box, len(head)) - 3, 4)}
        if major in (b"avif", b"avis"):
            return None
        if major in _HEIF_BRANDS or compatible & _HEIF_BRANDS:
            return "HEIF"
    return None


def _not_accepted(head: bytes) -> str:
    if head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis"):
        return f"is an AVIF image; accepted formats: {ACCEPTED}"
    for magic, label in _OTHER_FORMATS:
        if head.startswith(magic):
            return f"is {label} file; accepted formats: {ACCEPTED}"
    return f"is not a {ACCEPTED} image"


def open_image(original: Original, *, now: dt.datetime | None = None) -> tuple[Image.Image, Header]:
    """Parse the header only (no pixels yet) and refuse oversized images."""
    image = _open(original.data, original.format, original.path)
    width, height = image.size
    with quiet_pillow():
        exif = _exif(image)
    orientation = _orientation(exif)
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    taken_at, source = capture_time(exif, original.mtime, now=now)
    header = Header(
        width=width,
        height=height,
        orientation=orientation,
        taken_at=taken_at,
        taken_at_source=source,
        icc_profile=image.info.get("icc_profile") or None,
    )
    return image, header


def _open(data: bytes, fmt: str, name: str) -> Image.Image:
    """Open `data` as `fmt` (header only) and refuse what we never decode.

    Refused here, before any pixel: a declared size over `MAX_PIXELS` (a
    decompression bomb), an empty size, and animations (a WebP, APNG or HEIF
    sequence would otherwise come in silently as its first frame). A HEIF is
    opened by pillow-heif's image class directly: its Pillow plugin only
    accepts a few major brands, though libheif reads more (e.g. `mif3`).
    """
    from PIL import Image

    try:
        with quiet_pillow():
            if fmt == "HEIF":
                _register_heif()
                import pillow_heif

                image: Image.Image = pillow_heif.HeifImageFile(io.BytesIO(data))
            else:
                image = Image.open(io.BytesIO(data), formats=[fmt])
    except Image.DecompressionBombError as exc:
        raise BadPhoto(name, _too_large(None, str(exc))) from None
    except BadPhoto:
        raise
    except Exception as exc:
        raise BadPhoto(name, _decode_failure(fmt, exc)) from None
    width, height = image.size
    if width <= 0 or height <= 0:
        image.close()
        raise BadPhoto(name, f"declares an empty image ({width}x{height})")
    if width * height > MAX_PIXELS:
        image.close()
        raise BadPhoto(name, _too_large((width, height), ""))
    if fmt in _ANIMATABLE and _frames(image) > 1:
        image.close()
        raise BadPhoto(name, "is an animated image; import a still photo")
    return image


#: Formats whose extra frames are an animation. Not JPEG: a camera's MPO file
#: holds a preview or depth map after the photo; not HEIF: further top-level
#: images sit beside the primary one, which is the photo (sequences are tracks,
#: which are never decoded).
_ANIMATABLE = ("PNG", "WEBP")


def _frames(image: Image.Image) -> int:
    """How many frames the file holds (1 for a still image; damaged counts read as 1)."""
    try:
        return int(getattr(image, "n_frames", 1) or 1)
    except Exception:
        return 1


@contextmanager
def quiet_pillow() -> Iterator[None]:
    """Silence Pillow's warnings where we handle the case ourselves.

    `DecompressionBombWarning` (our `MAX_PIXELS` is the limit that counts),
    "Corrupt EXIF data" (damaged EXIF reads as none), palette transparency
    notes: none of them is news to the user of a command that succeeds, and a
    warning printed on stderr reads as a failure.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def render(original: Original, image: Image.Image, header: Header) -> Rendered:
    """Decode (reduced where possible) and make the two metadata-free JPEGs."""
    with quiet_pillow():
        return _render(original, image, header)


def _render(original: Original, image: Image.Image, header: Header) -> Rendered:
    from PIL import Image

    try:
        display_size = fit(image.size, DISPLAY_EDGE)
        if image.format in ("JPEG", "MPO") and display_size != image.size:
            # Must come before anything touches the pixels; picks the DCT scale
            # whose output still covers `display_size` in both directions.
            image.draft("RGB" if image.mode in ("RGB", "YCbCr") else None, display_size)
        image.load()
        pixels = _to_rgb(image, header.icc_profile)
        if pixels.size != display_size:
            pixels = pixels.resize(display_size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        if header.icc_profile and image.mode != "CMYK":
            pixels = _to_srgb(pixels, header.icc_profile)
        pixels = _orient(pixels, header.orientation)
        thumb_size = fit(pixels.size, THUMB_EDGE)
        thumb = pixels.resize(thumb_size, Image.Resampling.LANCZOS, reducing_gap=2.0)
        return Rendered(
            display=encode_jpeg(pixels),
            thumb=encode_jpeg(thumb),
            display_size=pixels.size,
            thumb_size=thumb.size,
            pixels=pixels,
        )
    except BadPhoto:
        raise
    except MemoryError:
        raise BadPhoto(original.path, "not enough memory to decode this image") from None
    except Exception as exc:
        raise BadPhoto(original.path, _decode_failure(original.format, exc)) from None


def fit(size: tuple[int, int], edge: int) -> tuple[int, int]:
    """`size` scaled so its long edge is at most `edge`; never enlarged."""
    width, height = size
    long_edge = max(width, height)
    if long_edge <= edge:
        return width, height
    scale = edge / long_edge
    return max(1, round(width * scale)), max(1, round(height * scale))


def encode_jpeg(image: Image.Image, quality: int = JPEG_QUALITY) -> bytes:
    """Baseline JPEG with nothing but pixels (no EXIF, XMP, comment or ICC)."""
    image.info = {}  # Pillow copies a source's comment into a saved JPEG
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, exif=b"", optimize=False)
    return out.getvalue()


# -- images that arrive already rendered (archive import, restore) -------------------


def clean_derivative(data: bytes, name: str, edge: int) -> bytes:
    """A display copy or thumbnail from elsewhere, made safe to store.

    The bytes must be a JPEG that decodes completely, within `MAX_PIXELS`.
    When they are exactly what `encode_jpeg` writes (no metadata segment, no
    bytes after the image) and fit within `edge`, they are returned as they
    are, so our own archives round-trip without a generation loss; anything
    else (EXIF, GPS, XMP, ICC, comments, trailing data, oversize) is decoded
    and re-encoded from its pixels, like a photo that came in by `photo add`.
    Raises `BadPhoto(name, reason)` when the bytes are not such a JPEG.
    """
    from PIL import Image

    if sniff(data[:64]) != "JPEG":
        raise BadPhoto(name, "is not a JPEG image")
    clean = jpeg_is_bare(data)
    image = _open(data, "JPEG", name)
    with image, quiet_pillow():
        try:
            if clean and max(image.size) <= edge:
                image.draft("RGB", (max(1, image.size[0] // 8), max(1, image.size[1] // 8)))
                image.load()  # a truncated or garbled stream fails here
                return data
            image.load()
            pixels = _to_rgb(image, None)
            size = fit(pixels.size, edge)
            if size != pixels.size:
                pixels = pixels.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
            return encode_jpeg(pixels)
        except MemoryError:
            raise BadPhoto(name, "not enough memory to decode this image") from None
        except Exception as exc:
            raise BadPhoto(name, _decode_failure("JPEG", exc)) from None


def check_original(data: bytes, name: str) -> str:
    """A kept original from elsewhere: an accepted, still, decodable image; its format.

    It goes through the same header checks and full decode as `photo add`
    (so a bomb, garbage behind a magic number or a truncated file is refused);
    its metadata stays, because a kept original is the file as it was given.
    """
    fmt = sniff(data[:64])
    if fmt is None:
        raise BadPhoto(name, _not_accepted(data[:64]))
    original = Original(
        path=name, data=data, sha256=hashlib.sha256(data).hexdigest(), format=fmt, mtime=None
    )
    image, header = open_image(original)
    with image:
        render(original, image, header)
    return fmt


def vet_store_file(data: bytes, name: str) -> bytes:
    """The bytes a photo-store file named like `name` may hold, checked (and cleaned).

    `name` ends like a store path: `-display.jpg` and `-thumb.jpg` go through
    `clean_derivative` (returned re-encoded if they carried anything but
    pixels), `-original.<ext>` through `check_original`, its extension
    matching its content. The one check for every door that brings stored
    files from elsewhere (archive import, restore). Raises `BadPhoto`.
    """
    stem, _, extension = name.rpartition(".")
    which = stem.rpartition("-")[2]
    if which in ("display", "thumb"):
        if extension != "jpg":
            raise BadPhoto(name, f"a {which} file must be a .jpg")
        return clean_derivative(data, name, DISPLAY_EDGE if which == "display" else THUMB_EDGE)
    if which == "original":
        fmt = check_original(data, name)
        if extension != EXTENSIONS[fmt]:
            label = {"HEIF": "HEIC", "WEBP": "WebP"}.get(fmt, fmt)
            raise BadPhoto(name, f"holds a {label} image under the extension .{extension}")
        return data
    raise BadPhoto(name, "is not a photo store file")


#: JPEG markers `encode_jpeg` writes; anything else (APPn but JFIF, COM) is metadata.
_BARE_MARKERS = {0xC0, 0xC4, 0xDB, 0xDD, 0xDA}


def jpeg_is_bare(data: bytes) -> bool:
    """True when a JPEG holds pixels only: SOI, one plain JFIF APP0, tables,
    baseline frame, scans, EOI, and nothing after it.

    A walk over the marker segments; entropy-coded data is skipped to the
    next marker. Anything unexpected answers False (the caller re-encodes).
    """
    if data[:2] != b"\xff\xd8":
        return False
    pos, n, seen_app0 = 2, len(data), False
    while pos + 2 <= n:
        if data[pos] != 0xFF:
            return False
        marker = data[pos + 1]
        if marker == 0xD9:
            return pos + 2 == n
        if pos + 4 > n:
            return False
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if length < 2 or pos + 2 + length > n:
            return False
        if marker == 0xE0:
            segment = data[pos + 4 : pos + 2 + length]
            # JFIF with no embedded thumbnail (Xthumbnail = Ythumbnail = 0), once.
            jfif = length == 16 and segment[:5] == b"JFIF\x00" and segment[12:14] == b"\0\0"
            if seen_app0 or not jfif:
                return False
            seen_app0 = True
        elif marker not in _BARE_MARKERS:
            return False
        pos += 2 + length
        if marker == 0xDA:
            pos = _after_scan(data, pos)
    return False


def _after_scan(data: bytes, pos: int) -> int:
    """The offset of the first marker after entropy-coded data (stuffing and RSTn skipped)."""
    n = len(data)
    while pos + 1 < n:
        if data[pos] == 0xFF:
            following = data[pos + 1]
            if following == 0x00 or 0xD0 <= following <= 0xD7:
                pos += 2
                continue
            if following == 0xFF:
                pos += 1
                continue
            return pos
        pos += 1
    return n


def capture_time(
    exif: dict[int, object], mtime: float | None, *, now: dt.datetime | None = None
) -> tuple[dt.datetime, str]:
    """When the photo was taken, and how we know: ("exif" | "file" | "import")."""
    now = now or dt.datetime.now(dt.UTC)
    latest = now + dt.timedelta(days=1)
    for stamp_tag, offset_tag in (
        (_DATETIME_ORIGINAL, _OFFSET_ORIGINAL),
        (_DATETIME_DIGITIZED, _OFFSET_DIGITIZED),
    ):
        stamp = _exif_datetime(exif.get(stamp_tag), exif.get(offset_tag))
        if stamp is not None and EARLIEST_CAPTURE <= stamp <= latest:
            return stamp, "exif"
    if mtime is not None:
        try:
            stamp = dt.datetime.fromtimestamp(mtime, dt.UTC)
        except (OverflowError, OSError, ValueError):
            stamp = None
        if stamp is not None and EARLIEST_CAPTURE <= stamp <= latest:
            return stamp, "file"
    return now.astimezone(dt.UTC), "import"


def _exif_datetime(value: object, offset: object) -> dt.datetime | None:
    """EXIF's "YYYY:MM:DD HH:MM:SS" (+ optional "+HH:MM") as an aware UTC datetime."""
    text = _exif_text(value)
    if not text:
        return None
    try:
        naive = dt.datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    zone_text = _exif_text(offset)
    zone = None
    if zone_text and len(zone_text) >= 6 and zone_text[0] in "+-":
        try:
            hours, minutes = int(zone_text[1:3]), int(zone_text[4:6])
            delta = dt.timedelta(hours=hours, minutes=minutes)
            zone = dt.timezone(delta if zone_text[0] == "+" else -delta)
        except ValueError:
            zone = None
    try:
        local = naive.replace(tzinfo=zone) if zone else naive.astimezone()
        return local.astimezone(dt.UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _exif_text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return None
    return value.strip("\x00 ").strip() or None


def _exif(image: Image.Image) -> dict[int, object]:
    """IFD0 and the Exif sub-IFD merged; damaged EXIF reads as none, never as an error.

    A photo whose metadata is garbage is still a good photo; it just falls
    back to the file time.
    """
    try:
        exif = image.getexif()
        merged: dict[int, object] = dict(exif)
        merged.update(exif.get_ifd(_EXIF_IFD))
        return merged
    except Exception:
        return {}


def _orientation(exif: dict[int, object]) -> int:
    value = exif.get(_ORIENTATION)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _orient(image: Image.Image, orientation: int) -> Image.Image:
    """Apply an EXIF orientation (same table as `ImageOps.exif_transpose`)."""
    from PIL import Image

    method = {
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_270,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90,
    }.get(orientation)
    return image.transpose(method) if method is not None else image


def _to_rgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """8-bit RGB from whatever mode the file decoded to.

    Transparency is flattened onto white (how a photo viewer shows it), 16-bit
    greyscale is scaled down rather than clipped, CMYK goes through its ICC
    profile when it has one (Pillow's plain CMYK conversion is crude).
    """
    from PIL import Image

    mode = image.mode
    if mode == "RGB":
        return image
    if mode == "CMYK":
        if icc_profile:
            converted = _icc_convert(image, icc_profile, "RGB")
            if converted is not None:
                return converted
        return image.convert("RGB")
    if mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        mode = image.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        as_int = image if mode == "I" else image.convert("I")
        image = as_int.point(lambda v: v * (1 / 256)).convert("L")
        mode = "L"
    if mode == "F":
        image = image.convert("L")
        mode = "L"
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def _to_srgb(image: Image.Image, icc_profile: bytes) -> Image.Image:
    """Convert RGB pixels from their embedded profile to sRGB (skipped when already sRGB)."""
    try:
        from PIL import ImageCms

        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        description = ImageCms.getProfileDescription(source) or ""
    except Exception:
        return image  # unreadable profile: drop it, keep the pixels
    if "srgb" in description.lower():
        return image
    return _icc_convert(image, icc_profile, "RGB") or image


def _icc_convert(image: Image.Image, icc_profile: bytes, mode: str) -> Image.Image | None:
    try:
        from PIL import ImageCms

        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        target = ImageCms.createProfile("sRGB")
        return ImageCms.profileToProfile(image, source, target, outputMode=mode)
    except Exception:
        return None


def _too_large(size: tuple[int, int] | None, pillow_message: str) -> str:
    limit = f"the {MAX_PIXELS // 1_000_000}-megapixel limit"
    if size is not None:
        megapixels = size[0] * size[1] / 1_000_000
        return f"image is {size[0]}x{size[1]} ({megapixels:.0f} MP), over {limit}"
    digits = "".join(ch if ch.isdigit() else " " for ch in pillow_message).split()
    if digits:
        return f"image claims {int(digits[0]) / 1_000_000:.0f} MP, over {limit}"
    return f"image is over {limit}"


def _decode_failure(fmt: str, exc: BaseException) -> str:
    """One line for a decoder error: truncated files get a plain-words reason."""
    label = {"HEIF": "HEIC", "WEBP": "WebP"}.get(fmt, fmt)
    if type(exc).__name__ == "UnidentifiedImageError":
        return f"is not a readable {label} image (damaged, or a variant we cannot decode)"
    # Pillow names its input in messages; ours is an in-memory buffer whose
    # repr (`<_io.BytesIO object at 0x...>`) means nothing to anyone.
    text = _BUFFER_REPR.sub("the file", " ".join(str(exc).split())) or type(exc).__name__
    if "truncated" in text.lower() or isinstance(exc, EOFError):
        return f"{label} file is truncated or incomplete ({text})"
    if len(text) > 160:
        text = text[:157] + "..."
    return f"damaged {label} file: {text}"


_BUFFER_REPR = re.compile(r"<_io\.\w+ (?:object|name=[^>]*) at 0x[0-9a-fA-F]+>|<_io\.\w+[^>]*>")

_heif_registered = False


def _register_heif() -> None:
    """Teach Pillow HEIC only when one shows up: pillow-heif loads libheif (slow)."""
    global _heif_registered
    if _heif_registered:
        return
    try:
        import pillow_heif
    except ImportError:  # pragma: no cover - a declared dependency
        raise BadPhoto("HEIC", "HEIC support needs the pillow-heif package") from None
    pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)
    _heif_registered = True


def file_name(path: str | os.PathLike[str]) -> str:
    """The name to remember for an original (no folders: they can be personal)."""
    return Path(path).name
