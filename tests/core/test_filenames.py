"""Guessing a photo's area and kind from its file name (issue 12, part 5)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journal.core.filenames import NameGuess, guess_from_name, words
from journal.core.vocab import AREAS, PHOTO_KINDS


@pytest.mark.parametrize(
    ("name", "area", "kind"),
    [
        ("after-left-cheek.jpg", "left-cheek", "after"),
        ("IMG_before_forehead.HEIC", "forehead", "before"),
        ("2026-07-01 right cheek after.jpg", "right-cheek", "after"),
        ("leftcheek.jpg", "left-cheek", None),
        ("left_cheek.png", "left-cheek", None),
        ("l-cheek-post.jpg", "left-cheek", "after"),
        ("afterLeftCheek.jpg", "left-cheek", "after"),
        ("Décolleté pre.jpg", "decolletage", "before"),
        ("fullface_baseline.webp", "full-face", "before"),
        ("crows-feet followup2.jpg", "periorbital", "follow-up"),
        ("week4 Follow-Up nose.jpeg", "nose", "follow-up"),
        ("chin.after.1.jpg", "chin", "after"),
    ],
)
def test_a_name_that_says_where_and_what_is_read(name, area, kind):
    assert guess_from_name(name) == NameGuess(area=area, kind=kind)


@pytest.mark.parametrize(
    "name",
    [
        "IMG_0042.jpg",  # says nothing
        "backup.jpg",  # "back" inside a word is not the back
        "neckline-2.jpg",  # nor "neck" inside "neckline"
        "left-cheek-right-cheek.jpg",  # two areas: no guess
        "face-left-cheek.jpg",  # the full face or one cheek?
        "before-after-chin.jpg",  # two kinds: no kind (the area still counts)
    ],
)
def test_a_name_that_says_nothing_or_two_things_gives_no_guess(name):
    guess = guess_from_name(name)
    assert guess.kind is None
    assert guess.area == ("chin" if "chin" in name else None)


def test_folders_in_the_path_are_not_the_name():
    assert guess_from_name("/photos/before/forehead/IMG_1.jpg") == NameGuess()
    assert guess_from_name("C:\\after\\left cheek.jpg") == NameGuess(area="left-cheek")


def test_a_word_inside_a_longer_match_does_not_count_on_its_own():
    """A lone cheek is the cheeks; in "left cheek" it is part of the left cheek."""
    assert guess_from_name("left-cheek.jpg").area == "left-cheek"
    assert guess_from_name("cheek.jpg").area == "cheeks"
    assert guess_from_name("full face.jpg").area == "full-face"


def test_a_courses_custom_area_is_recognised_when_given():
    assert guess_from_name("left-temple-after.jpg").area is None
    guess = guess_from_name("left-temple-after.jpg", custom_areas=["left-temple", "chin"])
    assert guess == NameGuess(area="left-temple", kind="after")


SEPARATORS = st.sampled_from(["-", "_", " ", ".", "--", " - "])
AREA_SPELLINGS = st.sampled_from(
    [(s, t.key) for t in AREAS.terms for s in (t.key, t.label, *t.aliases)]
)
KIND_SPELLINGS = st.sampled_from(
    [(s, t.key) for t in PHOTO_KINDS.terms for s in (t.key, t.label, *t.aliases)]
)
NOISE = st.sampled_from(["IMG", "2026-07-01", "0042", "DSC", "week", "photo"])


@given(
    AREA_SPELLINGS, KIND_SPELLINGS, SEPARATORS, st.lists(NOISE, max_size=3), st.booleans(), NOISE
)
def test_any_known_spelling_with_noise_around_it_is_read(
    area, kind, sep, prefix, kind_first, suffix
):
    """Every spelling the vocabularies accept elsewhere works in a file name,
    in either order, with camera prefixes and dates around it."""
    area_text, area_key = area
    kind_text, kind_key = kind
    middle = [kind_text, area_text] if kind_first else [area_text, kind_text]
    name = sep.join([*prefix, *middle, suffix]) + ".jpg"
    guess = guess_from_name(name)
    assert guess.kind == kind_key
    assert guess.area == area_key


@given(st.text(max_size=60))
def test_any_text_gives_a_known_key_or_nothing_and_never_raises(name):
    guess = guess_from_name(name)
    assert guess.area is None or guess.area in AREAS.keys
    assert guess.kind is None or guess.kind in PHOTO_KINDS.keys


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789 -_.", max_size=40))
def test_case_does_not_matter(name):
    assert guess_from_name(name.upper()) == guess_from_name(name)


@given(AREA_SPELLINGS, AREA_SPELLINGS, SEPARATORS)
def test_two_different_areas_side_by_side_give_no_area(first, second, sep):
    (text_a, key_a), (text_b, key_b) = first, second
    tokens_a, tokens_b = words(text_a), words(text_b)
    # one spelling inside the other ("cheek" in "left cheek") is one area, not two
    nested = any(
        tokens_a == tokens_b[i : i + len(tokens_a)] or tokens_b == tokens_a[i : i + len(tokens_b)]
        for i in range(max(len(tokens_a), len(tokens_b)))
    )
    guess = guess_from_name(f"{text_a}{sep}{text_b}.jpg")
    if key_a == key_b:
        assert guess.area == key_a
    elif not nested:
        assert guess.area is None
