"""Footer keys shared by the main screens, and a way to re-order a screen's footer.

At 80 columns the footer has room for about seven keys beside the command
palette's `^p`. Textual lists the focused widget's keys first, then the
screen's, then the app's, so an app-level `?` would be the first to fall off
the right edge. Every main screen therefore declares `HELP` (and, where it
fits, `QUIT`) itself, ordered by how often the key is used; everything else
is `show=False` and reachable through `?` (the help screen) and `ctrl+p` (the
palette). tests/tui/test_small_screens.py checks that no footer key is cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from textual.binding import Binding, BindingsMap

HELP = Binding("question_mark", "app.help", "Help", key_display="?")
QUIT = Binding("q", "app.quit", "Quit")
UNDO = Binding("ctrl+z", "app.undo", "Undo")
"""Shown only where records are deleted (the app-level ctrl+z is hidden from the footer)."""
NO_UNDO = replace(UNDO, show=False)
"""Keeps the app's ctrl+z out of a screen's full footer; the key still works."""


def footer_shows(bindings: BindingsMap, keys: Sequence[str]) -> BindingsMap:
    """A copy of `bindings` whose footer shows exactly `keys`, in that order.

    For screens whose footer depends on who uses them (the dashboard is a
    patient's home and a provider's review); every key keeps working, the
    others simply move to the help screen and the palette.
    """
    found = bindings.key_to_bindings
    missing = [key for key in keys if key not in found]
    if missing:
        raise ValueError(f"no binding for {missing}")
    ordered: dict[str, list[Binding]] = {
        key: [replace(b, show=True) for b in found[key]] for key in keys
    }
    for key, items in found.items():
        if key not in ordered:
            ordered[key] = [replace(b, show=False) for b in items]
    arranged = BindingsMap()
    arranged.key_to_bindings = ordered
    return arranged
