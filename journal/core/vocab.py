"""Controlled vocabularies with aliases.

Two kinds of list live here. *Open* vocabularies (concerns, areas, device
names, serums, red flags) map the many ways people write a thing onto one
canonical key so that "acne scarring", "Acne scars" and "acne_scars" are rated
as one concern over time; a value we do not know is kept as a custom value
(tidied, never refused) because a patient's own words matter more than our
list, unless it is a near miss of a known word (`Vocabulary.near_miss`:
"forhead"), which the services refuse as a typo until the user says it is
their own word. *Closed* vocabularies (device kind, setting, photo kind, GAIS, verdict)
drive logic, so an unknown value there is an error naming the choices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from journal.core.errors import InvalidValue
from journal.core.values import check_characters, check_count


@dataclass(frozen=True)
class Term:
    """One canonical entry: its key, the label people read, and its aliases."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()


def _squash(text: str) -> str:
    """Reduce a value to the form used for alias matching (case, spaces, dashes)."""
    return re.sub(r"[\s_\-]+", " ", text.strip().lower())


def _slug(text: str) -> str:
    return re.sub(r"[\s_]+", "-", text.strip().lower())


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours is one edit).

    Stops early once every alignment exceeds `limit`: only "close or not" matters.
    """
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class Vocabulary:
    """A list of terms with alias lookup, open (custom kept) or closed (strict)."""

    def __init__(
        self, name: str, terms: list[Term], *, closed: bool = False, keep_custom: bool = False
    ) -> None:
        self.name = name
        self.terms = terms
        self.closed = closed
        self.keep_custom = keep_custom  # a custom value is a name: kept as typed, no slug
        self._index: dict[str, Term] = {}
        for term in terms:
            for spelling in (term.key, term.label, *term.aliases):
                self._index[_squash(spelling)] = term

    def __contains__(self, value: str) -> bool:
        return _squash(value) in self._index

    @property
    def keys(self) -> list[str]:
        return [t.key for t in self.terms]

    def normalize(self, value: str) -> str:
        """Return the canonical key; keep unknown values of open lists as custom.

        Text from a shell can carry bytes that are not UTF-8 (surrogate escapes)
        or control characters; kept as "custom values" they would crash the
        database driver or corrupt exports, so they are refused here.
        """
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidValue(self.name, value[:20], "is not valid UTF-8 text") from None
        cleaned = value.strip()
        check_characters(self.name, cleaned, one_line=True)
        if not cleaned:
            raise InvalidValue(self.name, value, "must not be empty")
        if len(cleaned) > 80:
            raise InvalidValue(self.name, cleaned[:20] + "...", "longer than 80 characters")
        term = self._index.get(_squash(cleaned))
        if term is not None:
            return term.key
        if self.closed:
            raise InvalidValue(self.name, value, "choose one of " + ", ".join(self.keys))
        return re.sub(r"\s+", " ", cleaned) if self.keep_custom else _slug(cleaned)

    def near_miss(self, value: str) -> str | None:
        """The key of a known word `value` is probably a typo of, else None.

        A known spelling (key, label or alias) is never a near miss; an unknown
        word within one edit (two for words of eight letters or more; a swap
        of neighbours counts as one) of a known spelling is. Words under four
        letters are too short to judge ("pn" and "ha" are aliases).
        """
        wanted = _squash(value)
        if wanted in self._index or len(wanted) < 4:
            return None
        limit = 2 if len(wanted) >= 8 else 1
        best: tuple[int, str] | None = None
        for spelling, term in self._index.items():
            if len(spelling) < 4 or abs(len(spelling) - len(wanted)) > limit:
                continue
            distance = _edit_distance(wanted, spelling, limit)
            if distance <= limit and (best is None or distance < best[0]):
                best = (distance, term.key)
        return best[1] if best else None

    def label(self, key: str) -> str:
        """Human label for a key; custom values read as themselves."""
        term = self._index.get(_squash(key))
        if term is not None:
            return term.label
        return key if self.keep_custom else key.replace("-", " ")

    def normalize_all(self, values: list[str] | tuple[str, ...]) -> list[str]:
        """Normalize a list, dropping duplicates while keeping first-seen order.

        At most MAX_LIST_ITEMS values: the limit is the same at every door, so a
        record the CLI or TUI accepts always fits an archive and back.
        """
        check_count(self.name, values)
        seen: dict[str, None] = {}
        for value in values:
            seen[self.normalize(value)] = None
        return list(seen)


CONCERNS = Vocabulary(
    "concern",
    [
        Term("acne-scars", "Acne scars", ("acne scar", "acne scarring", "scarring from acne")),
        Term("fine-lines", "Fine lines", ("fine line", "lines")),
        Term("wrinkles", "Wrinkles", ("wrinkle",)),
        Term("large-pores", "Large pores", ("pores", "enlarged pores", "pore size")),
        Term("texture", "Uneven texture", ("uneven texture", "rough texture", "skin texture")),
        Term("hyperpigmentation", "Hyperpigmentation", ("pigmentation", "dark spots", "melasma")),
        Term("stretch-marks", "Stretch marks", ("stretch mark", "striae")),
        Term("surgical-scars", "Surgical scars", ("surgical scar", "scar", "scars")),
        Term("laxity", "Skin laxity", ("skin laxity", "sagging", "loose skin")),
        Term("hair-loss", "Hair loss", ("alopecia", "thinning hair")),
        Term("sun-damage", "Sun damage", ("photoaging", "photodamage")),
    ],
)

AREAS = Vocabulary(
    "area",
    [
        Term("full-face", "Full face", ("face", "whole face")),
        Term("forehead", "Forehead"),
        Term("cheeks", "Cheeks", ("cheek", "both cheeks")),
        Term("left-cheek", "Left cheek", ("l cheek",)),
        Term("right-cheek", "Right cheek", ("r cheek",)),
        Term("nose", "Nose"),
        Term("chin", "Chin"),
        Term("jawline", "Jawline", ("jaw",)),
        Term("periorbital", "Under eyes", ("under eyes", "eyes", "crow's feet", "crows feet")),
        Term("perioral", "Around mouth", ("around mouth", "mouth", "upper lip")),
        Term("neck", "Neck"),
        Term("decolletage", "Décolletage", ("chest", "decollete", "décolleté")),
        Term("scalp", "Scalp"),
        Term("abdomen", "Abdomen", ("stomach", "belly")),
        Term("thighs", "Thighs", ("thigh",)),
        Term("arms", "Arms", ("arm", "upper arms")),
        Term("back", "Back"),
        Term("hands", "Hands", ("hand",)),
    ],
)

DEVICE_KINDS = Vocabulary(
    "device",
    [
        Term("pen", "Microneedling pen", ("microneedling pen", "dermapen", "automated pen")),
        Term("roller", "Derma roller", ("derma roller", "dermaroller")),
        Term("rf", "RF microneedling", ("rf microneedling", "radiofrequency")),
        Term("stamp", "Derma stamp", ("derma stamp", "dermastamp")),
    ],
    closed=True,
)

DEVICE_NAMES = Vocabulary(
    "device name",
    [
        Term("Dermapen", "Dermapen", ("dermapen 4", "dp4")),
        Term("SkinPen", "SkinPen", ("skin pen",)),
        Term("Morpheus8", "Morpheus8", ("morpheus", "morpheus 8")),
        Term("Vivace", "Vivace"),
        Term("Sylfirm X", "Sylfirm X", ("sylfirm",)),
        Term("Potenza", "Potenza"),
        Term("Secret RF", "Secret RF", ("secret",)),
        Term("Eclipse MicroPen", "Eclipse MicroPen", ("micropen", "eclipse")),
    ],
    keep_custom=True,  # "Dermapen™ 4" is a product name, never `dermapen™-4`
)

SERUMS = Vocabulary(
    "serum",
    [
        Term("prp", "PRP", ("platelet rich plasma", "vampire facial", "prf")),
        Term("hyaluronic-acid", "Hyaluronic acid", ("ha", "hyaluronic")),
        Term("vitamin-c", "Vitamin C", ("vit c", "ascorbic acid")),
        Term("growth-factors", "Growth factors", ("growth factor", "egf")),
        Term("exosomes", "Exosomes", ("exosome",)),
        Term("peptides", "Peptides", ("peptide", "copper peptides")),
        Term("tranexamic-acid", "Tranexamic acid", ("txa",)),
        Term("polynucleotides", "Polynucleotides", ("pn", "salmon dna")),
    ],
)

SETTINGS = Vocabulary(
    "setting",
    [
        Term("in-office", "In office", ("office", "clinic", "in clinic")),
        Term("at-home", "At home", ("home", "diy")),
    ],
    closed=True,
)

PHOTO_KINDS = Vocabulary(
    "kind",
    [
        Term("before", "Before", ("baseline", "pre")),
        Term("after", "After", ("post",)),
        Term("follow-up", "Follow-up", ("followup", "follow up")),
    ],
    closed=True,
)

SYMPTOMS = Vocabulary(
    "symptom",
    [
        Term("redness", "Redness", ("erythema",)),
        Term("swelling", "Swelling", ("edema", "oedema")),
        Term("bruising", "Bruising", ("bruise",)),
        Term("bleeding", "Bleeding", ("pinpoint bleeding",)),
        Term("pain", "Pain", ("soreness",)),
        Term("itching", "Itching", ("itch", "pruritus")),
        Term("flaking", "Flaking", ("peeling", "dryness")),
        Term("tightness", "Tightness", ("tight",)),
        Term("sensitivity", "Sensitivity", ("sensitive",)),
    ],
    closed=True,
)

SYMPTOM_KEYS: tuple[str, ...] = tuple(SYMPTOMS.keys)

RED_FLAGS = Vocabulary(
    "red flag",
    [
        Term("bleeding-over-24h", "Bleeding over 24 hours", ("prolonged bleeding",)),
        Term("blistering", "Blistering", ("blisters", "blister")),
        Term("swelling-over-week", "Swelling over a week", ("prolonged swelling",)),
        Term("infection", "Signs of infection", ("pus", "infected", "fever")),
        Term("hyperpigmentation", "Hyperpigmentation", ("pih", "dark patches")),
        Term("scarring", "New scarring", ("new scars", "track marks")),
        Term("cold-sore", "Cold-sore outbreak", ("cold sores", "herpes", "hsv")),
        Term("allergic-reaction", "Allergic reaction", ("allergy", "hives", "rash")),
        Term("granulomas", "Granulomas", ("granuloma", "bumps")),
    ],
)

_PLURAL_RED_FLAGS = frozenset({"infection", "granulomas"})  # "signs of ...", "granulomas"


def reads_plural(key: str, label: str) -> bool:
    """Does a red flag's label take a plural verb ("signs of infection were")?

    Known flags are listed; a patient's own word is plural when it ends in a
    plain -s ("bumps", "welts"), not in -ss, -us or -is ("abscess", "pruritus").
    """
    if key in RED_FLAGS.keys:
        return key in _PLURAL_RED_FLAGS
    word = label.strip().lower()
    return word.endswith("s") and not word.endswith(("ss", "us", "is"))


GAIS = Vocabulary(
    "GAIS",
    [
        Term("very-much-improved", "Very much improved", ("1",)),
        Term("much-improved", "Much improved", ("2",)),
        Term("improved", "Improved", ("3",)),
        Term("no-change", "No change", ("4", "none", "same")),
        Term("worse", "Worse", ("5", "worsened")),
    ],
    closed=True,
)
"""Global Aesthetic Improvement Scale; a typed digit means the published number."""

GAIS_NUMBERS: dict[str, int] = {
    "very-much-improved": 1,
    "much-improved": 2,
    "improved": 3,
    "no-change": 4,
    "worse": 5,
}
"""GAIS as published (Narins et al. 2003): 1 = very much improved ... 5 = worse.

Stored values are the keys, never the numbers, so this is the only place a GAIS
number comes from: every export and screen that prints one reads it here.
"""

GAIS_LEGACY_NUMBERS: dict[str, str] = {
    "5": "very-much-improved",
    "4": "much-improved",
    "3": "improved",
    "2": "no-change",
    "1": "worse",
}
"""The journal's own numbering before it followed the published one (5 = best).

Only a hand-edited exchange archive could hold a bare digit (the journal always
wrote keys); such an archive was made when digits meant this, so it is read so.
"""


def gais_text(key: str) -> str:
    """`Much improved (GAIS 2)`: the words with the published number, never "2/5"."""
    number = GAIS_NUMBERS.get(key)
    return f"{GAIS.label(key)} (GAIS {number})" if number else GAIS.label(key)


VERDICTS = Vocabulary(
    "verdict",
    [
        Term("worth-it", "Worth It", ("worth", "yes")),
        Term("not-sure", "Not Sure", ("unsure", "maybe")),
        Term("not-worth-it", "Not Worth It", ("not worth", "no")),
    ],
    closed=True,
)

GOODMAN_BARON = Vocabulary(
    "goodman-baron",
    [
        Term("1", "macular (flat, discoloured)", ("macular",)),
        Term("2", "mild (visible at social distance)", ("mild",)),
        Term("3", "moderate (obvious, flattens on stretching)", ("moderate",)),
        Term("4", "severe (does not flatten)", ("severe",)),
    ],
    closed=True,
)
"""Goodman & Baron qualitative scar grade: key is the grade, alias its one-word name."""


def goodman_baron_text(grade: int) -> str:
    """`grade 2 (mild ...)`: the grade as exports print it, with what it means."""
    return f"grade {grade} ({GOODMAN_BARON.label(str(grade))})"


COURSE_STATUSES = Vocabulary(
    "status",
    [
        Term("active", "Active"),
        Term("completed", "Completed", ("done", "complete")),
        Term("paused", "Paused"),
        Term("stopped", "Stopped", ("abandoned", "cancelled")),
    ],
    closed=True,
)

SCREENING = Vocabulary(
    "screening item",
    [
        Term(
            "pregnant-or-nursing", "Pregnant or nursing", ("pregnant", "nursing", "breastfeeding")
        ),
        Term(
            "active-skin-condition",
            "Active acne, eczema, rosacea or psoriasis",
            ("active acne", "eczema", "rosacea", "psoriasis"),
        ),
        Term("isotretinoin", "Isotretinoin in the last 6 months", ("accutane", "roaccutane")),
        Term("autoimmune", "Lupus or vitiligo", ("lupus", "vitiligo")),
        Term(
            "bleeding-risk",
            "Blood thinners or a bleeding disorder",
            ("blood thinners", "anticoagulants", "bleeding disorder", "warfarin"),
        ),
        Term("keloid-tendency", "Tendency to keloid scars", ("keloids", "keloid")),
        Term("chemo-or-radiation", "Chemotherapy or radiation", ("chemotherapy", "radiation")),
        Term("changing-moles", "Moles that change", ("moles", "changing mole")),
        Term("cold-sores", "History of cold sores", ("herpes history", "hsv history")),
    ],
)
