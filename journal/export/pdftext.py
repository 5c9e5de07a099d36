"""Fonts for the PDF, and text made safe for whichever font we got.

Names and notes are the user's own words: "Zoë", "Łukasz", "李", an emoji. A
Unicode TrueType font (DejaVu Sans where the system has it) prints most of
them, but no font is guaranteed on a user's machine, and fpdf2's built-in
Helvetica only knows Latin-1. Rather than crash an export on a character, text
goes through `TextFitter`: characters the font has pass through; others are
transliterated (Ł -> L, curly quotes -> straight, é -> e when needed) or
replaced by "?", and invisible emoji joiners and modifiers are dropped.

The built-in Helvetica (with its WinAnsi/cp1252 encoding) is used whenever
every character of the document fits it: it needs no font file, costs no
embedding and no subsetting, and keeps the PDF small and fast. A TrueType
font is loaded only when some text needs it. `JOURNAL_PDF_FONT` overrides:
a path to a .ttf file (always used), or `core` to force Helvetica (what the
tests use to check the fallback on machines that have DejaVu).
"""

from __future__ import annotations

import dataclasses
import os
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FONT_ENV = "JOURNAL_PDF_FONT"
CORE_FAMILY = "Helvetica"
CORE_ENCODING = "cp1252"  # what fpdf2 declares for core fonts: /WinAnsiEncoding
TTF_FAMILY = "JournalSans"

# (regular, bold) candidates, most common first: Debian/Ubuntu, Fedora, Arch,
# openSUSE, macOS, Windows.
CANDIDATES: tuple[tuple[str, str], ...] = (
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
    (
        "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf",
    ),
    ("/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
    ("/Library/Fonts/Arial Unicode.ttf", "/Library/Fonts/Arial Unicode.ttf"),
    (
        "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
        "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    ),
    ("C:/Windows/Fonts/arial.ttf", "C:/Windows/Fonts/arialbd.ttf"),
)

# Wide-coverage fonts for what the main font lacks (CJK above all): loaded only
# when the document has such characters, because they are large to parse.
FALLBACK_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-droid-sans-fonts/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/droid/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
)

# Letters without a Unicode decomposition to a Latin-1 base, and punctuation.
TRANSLITERATION: dict[str, str] = {
    "Ł": "L",
    "ł": "l",
    "Đ": "D",
    "đ": "d",
    "Ħ": "H",
    "ħ": "h",
    "ı": "i",
    "Œ": "OE",
    "œ": "oe",
    "ŉ": "'n",
    "ſ": "s",
    "Ŋ": "N",
    "ŋ": "n",
    "Ŧ": "T",
    "ŧ": "t",
    "‘": "'",
    "’": "'",
    "‚": ",",
    "“": '"',
    "”": '"',
    "„": '"',
    "–": "-",
    "—": "-",
    "−": "-",
    "…": "...",
    "•": "*",
    "€": "EUR",
    "™": "TM",
    "→": "->",
    "←": "<-",
    "≥": ">=",
    "≤": "<=",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
}


def _alphabet(letters: str, latin: str) -> dict[str, str]:
    """Lower- and upper-case letters to Latin; "-" in `latin` means "drop"."""
    table: dict[str, str] = {}
    for letter, word in zip(letters, latin.split(), strict=True):
        word = "" if word == "-" else word
        table[letter] = word
        table.setdefault(letter.upper(), word[:1].upper() + word[1:])
    return table


# Cyrillic and Greek read better transliterated than as "?????" ("Ирина" -> "Irina").
TRANSLITERATION.update(
    _alphabet(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya i i ye g",
    )
)
TRANSLITERATION.update(
    _alphabet(
        "αβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώϊϋΐΰ",
        "a v g d e z i th i k l m n x o p r s s t y f ch ps o a e i i o y o i y i y",
    )
)

# Invisible parts of emoji sequences and formatting characters: dropped, not "?".
INVISIBLE = {0x200B, 0x200C, 0x200D, 0x2060, 0xFE0E, 0xFE0F, 0xFEFF}
REPLACEMENT = "?"


def _invisible(code: int) -> bool:
    return (
        code in INVISIBLE
        or 0x1F3FB <= code <= 0x1F3FF  # skin-tone modifiers
        or 0xE0020 <= code <= 0xE007F  # emoji tag sequences
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
    )


@dataclass(frozen=True)
class FontChoice:
    """A Unicode TrueType font (regular + bold paths) or None for core Helvetica."""

    regular: Path | None
    bold: Path | None

    @property
    def is_unicode(self) -> bool:
        return self.regular is not None


CORE = FontChoice(None, None)


def choose_font(texts: Iterator[str] | None = None, setting: str | None = None) -> FontChoice:
    """The font for a document made of `texts` (see the module docstring).

    `setting` (else JOURNAL_PDF_FONT) may name a .ttf file or `core`; otherwise
    Helvetica when every text fits cp1252, else the first Unicode font found.
    """
    wanted = setting if setting is not None else os.environ.get(FONT_ENV)
    if wanted:
        if wanted.strip().lower() == "core":
            return CORE
        path = Path(wanted).expanduser()
        if path.is_file():
            return FontChoice(path, path)
    if texts is not None and all(fits_core(text) for text in texts):
        return CORE
    return system_font()


def fits_core(text: str) -> bool:
    try:
        text.encode(CORE_ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def strings(value: Any) -> Iterator[str]:
    """Every string inside records, dataclasses and containers: what a document prints."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from strings(getattr(value, f.name))
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def fallback_font() -> Path | None:
    """A wide-coverage TrueType font for characters the main font lacks, if installed."""
    for candidate in FALLBACK_CANDIDATES:
        if candidate.endswith(".ttf") and Path(candidate).is_file():
            return Path(candidate)
    return None


def system_font() -> FontChoice:
    """The first Unicode TrueType font installed here, else core Helvetica."""
    for regular, bold in CANDIDATES:
        if Path(regular).is_file():
            return FontChoice(Path(regular), Path(bold) if Path(bold).is_file() else Path(regular))
    return FontChoice(None, None)


class TextFitter:
    """Makes any string printable with the current font (see the module docstring)."""

    def __init__(self, supported: Callable[[int], bool]) -> None:
        self._supported = supported
        self._cache: dict[str, str] = {}

    @classmethod
    def core(cls) -> TextFitter:
        """For Helvetica: what cp1252 (WinAnsi) can encode."""
        return cls(lambda code: code >= 0x20 and fits_core(chr(code)))

    @classmethod
    def for_codepoints(cls, codepoints: set[int]) -> TextFitter:
        return cls(lambda code: code in codepoints)

    def __call__(self, text: str) -> str:
        return "".join(self._char(ch) for ch in unicodedata.normalize("NFC", text))

    def _char(self, ch: str) -> str:
        found = self._cache.get(ch)
        if found is not None:
            return found
        self._cache[ch] = result = self._fit(ch)
        return result

    def _fit(self, ch: str) -> str:
        code = ord(ch)
        if ch == "\n":
            return ch
        if code < 0x20 or 0x7F <= code < 0xA0:  # other control characters
            return " "
        if self._supported(code):
            return ch
        if _invisible(code) or unicodedata.combining(ch):
            return ""
        candidate = TRANSLITERATION.get(ch)
        if candidate is None:
            decomposed = unicodedata.normalize("NFKD", ch)
            candidate = "".join(c for c in decomposed if not unicodedata.combining(c))
        if candidate and candidate != ch and all(self._supported(ord(c)) for c in candidate):
            return candidate
        return REPLACEMENT
