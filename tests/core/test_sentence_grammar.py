"""Generated sentences read as English for every red flag and every count.

"signs of infection was reported" was the bug: the verb followed the number of
flags, not the flag's own grammatical number.
"""

from __future__ import annotations

import itertools
import re
from types import SimpleNamespace

import pytest

from journal.core.flags import LASTING_HARM_FLAGS
from journal.core.score import score_course
from journal.core.score_text import cap_sentence
from journal.core.vocab import RED_FLAGS

from .strategies import checkin, record, session

CUSTOM = ("welts", "weeping skin", "abscess")  # a patient's own words: plural, singular, singular
PLURAL = {"infection", "granulomas", "welts"}
FLAGS = (*RED_FLAGS.keys, *CUSTOM)


def _sentences(flags: tuple[str, ...], sessions: int, checkins: int) -> list[str]:
    """Every sentence the score writes, plus the cap sentence whenever it could show
    (it only shows when the total would pass 69, so it is asked for directly)."""
    days = [0, 35, 70][:sessions]
    notes = [checkin(-1, concerns={"acne-scars": 6})]
    notes += [checkin(2 + i, red_flags=flags, concerns={"acne-scars": 5}) for i in range(checkins)]
    result = score_course(record([session(d) for d in days], notes))
    found = [*result.explanation, *result.missing, *(f.sentence() for f in result.flags)]
    if any(f.key in LASTING_HARM_FLAGS for f in result.flags) and not result.capped:
        found.append(cap_sentence(SimpleNamespace(episodes=result.episodes, as_of=None)))  # type: ignore[arg-type]
    return found


BAD = [
    r"\b1 (red flag|session|rating|downtime day)s\b",
    r"(?<![-\d])([02-9]|[1-9]\d+) (red flag|session|rating|downtime day)\b(?!s)",
    r"\b1 ratings?\b[^.;]* are\b",
    r"\b([02-9]|\d\d+) ratings\b[^.;]* is set aside",
]


@pytest.mark.parametrize("flag", FLAGS)
@pytest.mark.parametrize(("sessions", "checkins"), [(1, 1), (2, 2), (3, 3)])
def test_every_flag_and_count_reads_as_english(flag, sessions, checkins):
    for sentence in _sentences((flag,), sessions, checkins):
        for pattern in BAD:
            assert not re.search(pattern, sentence), sentence
    cap = [s for s in _sentences((flag,), sessions, checkins) if s.startswith("Because")]
    if flag in LASTING_HARM_FLAGS:
        (sentence,) = cap
        label = RED_FLAGS.label(flag).lower()
        verb, pronoun = ("were", "them") if flag in PLURAL else ("was", "it")
        assert sentence.startswith(f"Because {label} {verb} reported"), sentence
        assert sentence.endswith(f"has resolved {pronoun} without lasting harm."), sentence
    else:
        assert cap == []


@pytest.mark.parametrize("pair", list(itertools.combinations(sorted(LASTING_HARM_FLAGS), 2)))
def test_two_lasting_harms_take_a_plural_verb(pair):
    (sentence,) = [s for s in _sentences(pair, 1, 1) if s.startswith("Because")]
    assert " were reported" in sentence and sentence.endswith(
        "has resolved them without lasting harm."
    )
