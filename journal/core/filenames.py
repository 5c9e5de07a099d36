"""What a photo's file name says about it: the area shown and the kind of photo.

People name their shots `after-left-cheek.jpg`, `IMG_before_forehead.HEIC` or
`2026-07-01 right cheek after.jpg`; a batch import files each photo by what its
name says instead of giving a whole folder one area. The name is split into
words (at spaces, dashes, underscores, dots, digits and camelCase humps) and
matched against every spelling the area and photo-kind vocabularies know, as
whole words only: `backup.jpg` must not read as the back, nor `neckline` as the
neck. A spelling of several words also matches written as one
(`leftcheek`, `fullface`), and the vocabularies' short forms work as they do
everywhere (`l-cheek`, `pre`, `post`).

A guess is made only when the name is unambiguous: a word inside a longer
match does not count on its own ("cheek" in "left cheek"), and two different
areas (or kinds) in one name give no guess at all, so the caller keeps its
batch default rather than filing a photo under a coin toss.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from journal.core.vocab import AREAS, PHOTO_KINDS, Vocabulary

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_WORD = re.compile(r"[^\W\d_]+|\d+")


@dataclass(frozen=True)
class NameGuess:
    """The area and kind keys a file name names unambiguously (None: it does not say)."""

    area: str | None = None
    kind: str | None = None


def words(text: str) -> tuple[str, ...]:
    """The words of `text`, folded so that case and accents do not matter."""
    split = _CAMEL.sub(" ", text)
    decomposed = unicodedata.normalize("NFKD", split)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return tuple(_WORD.findall(bare))


def _spellings(vocabulary: Vocabulary) -> list[tuple[tuple[str, ...], str]]:
    """Every spelling of every term as words, longest first: (words, key)."""
    found: dict[tuple[str, ...], str] = {}
    for term in vocabulary.terms:
        for spelling in (term.key, term.label, *term.aliases):
            split = words(spelling)
            if split:
                found.setdefault(split, term.key)
    return sorted(found.items(), key=lambda item: -len(item[0]))


_AREA_SPELLINGS = _spellings(AREAS)
_KIND_SPELLINGS = _spellings(PHOTO_KINDS)


def _match(tokens: tuple[str, ...], spellings: list[tuple[tuple[str, ...], str]]) -> str | None:
    """The one key the tokens name, or None when they name none or several."""
    spans: list[tuple[int, int, str]] = []
    for start, token in enumerate(tokens):
        for spelling, key in spellings:
            end = start + len(spelling)
            if tokens[start:end] == spelling:
                spans.append((start, end, key))
            elif len(spelling) > 1 and token == "".join(spelling):
                spans.append((start, start + 1, key))
    kept = {
        key
        for start, end, key in spans
        if not any(s <= start and end <= e and (e - s) > (end - start) for s, e, _other in spans)
    }
    return kept.pop() if len(kept) == 1 else None


def guess_from_name(name: str, custom_areas: Iterable[str] = ()) -> NameGuess:
    """The area and kind a file name says; folders in `name` are ignored.

    `custom_areas` are area keys outside the vocabulary that the patient's
    course uses (`left-temple`): a name saying one of them is filed there.
    Never raises: any text is a possible file name, and a name that says
    nothing (or says two things) simply gives no guess.
    """
    base = re.split(r"[\\/]", name)[-1]
    tokens = words(base)
    areas = _AREA_SPELLINGS
    extra = [(words(key), key) for key in custom_areas if key not in AREAS and words(key)]
    if extra:
        areas = sorted([*extra, *areas], key=lambda item: -len(item[0]))
    return NameGuess(area=_match(tokens, areas), kind=_match(tokens, _KIND_SPELLINGS))
