"""Drop-downs and tick lists a person can drive by typing the first letters of a choice.

Textual's `Select` searches only while its menu is open, and only by
substring, so on a closed select typing did nothing (and a stray `q` reached
the app's quit key). These subclasses behave like a native select: with the
control focused, typing `l` chooses the first option starting with "l"
(`Left cheek`), typing `l` again the next one, and typing `le` quickly
narrows to the options starting with "le". A choice's value counts as well
as its label, so `4` chooses "Type IV" on the skin type select.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.content import Content
from textual.widgets import Select, SelectionList

TYPING_PAUSE = 1.0  # seconds after which typing starts a new search


def jump_index(choices: Sequence[tuple[str, str]], current: int | None, typed: str) -> int | None:
    """The index of the choice `typed` selects, given the one selected now.

    `choices` are (label, value) pairs. One letter typed once or again and
    again (`l`, `ll`) cycles through the choices starting with it, after
    `current`; longer text (`le`) keeps `current` while it still matches.
    None when nothing starts with it.
    """
    typed = typed.casefold()
    if not typed or not choices:
        return None
    repeated = len(set(typed)) == 1
    prefix = typed[0] if repeated else typed
    start = 0 if current is None else (current + 1 if repeated else current)
    count = len(choices)
    for step in range(count):
        index = (start + step) % count
        label, value = choices[index]
        if label.casefold().startswith(prefix) or (value and value.casefold().startswith(prefix)):
            return index
    return None


def _label(prompt: object) -> str:
    if isinstance(prompt, Text):
        return prompt.plain
    if isinstance(prompt, Content):
        return prompt.plain
    return str(prompt)


def _types_into(event: events.Key) -> str | None:
    """The letter or digit a key types, or None (space, punctuation, `?` keep their keys)."""
    character = event.character
    if character is not None and len(character) == 1 and character.isalnum():
        return character
    return None


class _TypeAhead:
    """What was typed since the last pause, and the choice it selects."""

    def __init__(self) -> None:
        self.typed = ""
        self.at = 0.0

    def jump(
        self, choices: Sequence[tuple[str, str]], current: int | None, character: str
    ) -> int | None:
        """The choice the typed text selects; text matching nothing starts again at `character`."""
        now = time.monotonic()
        if now - self.at > TYPING_PAUSE:
            self.typed = ""
        self.at = now
        self.typed += character
        index = jump_index(choices, current, self.typed)
        if index is None and self.typed != character:
            self.typed = character
            index = jump_index(choices, current, character)
        return index


class _JumpsByTyping:
    """The typing a widget remembers (created on first use: Textual widgets take many arguments)."""

    _type_ahead: _TypeAhead | None = None

    def jump(
        self, choices: Sequence[tuple[str, str]], current: int | None, character: str
    ) -> int | None:
        if self._type_ahead is None:
            self._type_ahead = _TypeAhead()
        return self._type_ahead.jump(choices, current, character)


class JumpSelect(_JumpsByTyping, Select[str]):
    """A `Select` that, closed and focused, chooses the option starting with what is typed."""

    def choices(self) -> list[tuple[str, str]]:
        """(label, value) of every option, the blank one as ("", "")."""
        return [
            ("", "") if value == Select.NULL else (_label(prompt), str(value))
            for prompt, value in self._options
        ]

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        """Letters and digits choose an option here (so the footer hides keys they would press)."""
        return (
            not self.expanded
            and character is not None
            and len(character) == 1
            and character.isalnum()
        )

    async def _on_key(self, event: events.Key) -> None:
        character = _types_into(event)
        if self.expanded or character is None:
            return
        event.stop()
        event.prevent_default()
        current = next(
            (i for i, (_, value) in enumerate(self._options) if value == self.value), None
        )
        index = self.jump(self.choices(), current, character)
        if index is not None:
            self.value = self._options[index][1]


class JumpSelectionList(_JumpsByTyping, SelectionList[str]):
    """A tick list whose highlight jumps to the item starting with what is typed (space ticks)."""

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        return character is not None and len(character) == 1 and character.isalnum()

    async def _on_key(self, event: events.Key) -> None:
        character = _types_into(event)
        if character is None:
            return
        event.stop()
        event.prevent_default()
        choices = [
            (_label(option.prompt), str(option.value))
            for option in (self.get_option_at_index(i) for i in range(self.option_count))
        ]
        index = self.jump(choices, self.highlighted, character)
        if index is not None:
            self.highlighted = index
