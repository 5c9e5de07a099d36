"""Show what users typed exactly as typed: never as markup, never as terminal codes.

Textual reads console markup in plain strings handed to most widgets
(`Static`, `Label`, `notify`, border titles, tab labels, option prompts,
Rich table cells): a patient called ``[red]Eve`` would turn red, and
``[@click=app.quit]x[/]`` would become a link that quits the app. Names,
notes, device names, custom areas and concerns, provider names, photo file
names and error messages that quote a value therefore reach the screen only
as `rich.text.Text` or `textual.content.Content` built from `clean` text.

`clean` also makes control characters visible instead of letting them reach
the terminal: Rich strips only a few C0 codes, so an ESC in a name
(``Eve\\x1b]0;PWNED\\x07``) would otherwise be written raw and retitle or
clear the terminal, and a bidi override (U+202E) would reorder what follows
it. Each becomes a visible symbol, so the record still reads as what is
stored.
"""

from __future__ import annotations

from rich.style import StyleType
from rich.text import Text
from textual.content import Content

CONTROL_PICTURES = 0x2400  # U+2400.. "SYMBOL FOR NULL" ..: one visible glyph per C0 code
DELETE_PICTURE = "\N{SYMBOL FOR DELETE}"
REPLACEMENT = "\N{REPLACEMENT CHARACTER}"
# Bidirectional formatting characters: embeddings, overrides, isolates and marks.
BIDI_CONTROLS = frozenset({0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)})
KEPT = frozenset({"\n", "\t"})  # line breaks and tabs lay text out; they emit no codes


def _visible(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(CONTROL_PICTURES + code)
    if code == 0x7F:
        return DELETE_PICTURE
    return REPLACEMENT  # C1 controls and bidi formatting


_TABLE = {
    code: _visible(chr(code))
    for code in (*range(0x20), 0x7F, *range(0x80, 0xA0), *BIDI_CONTROLS)
    if chr(code) not in KEPT
}


def clean(text: object) -> str:
    """`text` as a string with every control and bidi character shown as a symbol."""
    return str(text).translate(_TABLE)


def plain(text: object, style: StyleType = "") -> Text:
    """User text as a Rich `Text`: literal (no markup) and cleaned."""
    return Text(clean(text), style=style)


def literal(text: object) -> Content:
    """User text as Textual `Content` (border titles, tab labels, prompts): literal, cleaned."""
    return Content(clean(text))
