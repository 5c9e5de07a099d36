"""Which record a user means when they type a name or an id prefix.

Pure so that the ORM path and the fast SQLite reader resolve references the
same way: a case-insensitive exact name wins, then a unique id prefix of at
least four hex digits (like git), then a unique name prefix ("alex" for
"Alex Rivera"); anything else is a clear error naming the candidates.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol, TypeVar

from journal.core.errors import Ambiguous, InvalidValue, NotFound

_HEX_PREFIX = re.compile(r"^[0-9a-fA-F-]{4,36}$")


def looks_like_id(text: str) -> bool:
    return bool(_HEX_PREFIX.match(text.strip()))


def id_matches(ref: str, candidates: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    """Ids equal to `ref` (any UUID spelling) or starting with its hex digits."""
    text = ref.strip()
    try:
        exact = uuid.UUID(text)
    except ValueError:
        exact = None
    if exact is not None:
        return [c for c in candidates if c == exact]
    prefix = text.replace("-", "").lower()
    return [c for c in candidates if c.hex.startswith(prefix)]


BirthYears = Callable[[list[uuid.UUID]], Mapping[uuid.UUID, int | None]]


def match_patient(
    ref: str,
    patients: Iterable[tuple[uuid.UUID, str]],
    birth_years: BirthYears | None = None,
) -> uuid.UUID:
    """The id of the one patient `ref` names among (id, display name) pairs.

    `birth_years` is asked only when `ref` is ambiguous, for the candidates'
    birth years: "Alex Rivera (ea10795a, born 1991)" is what lets a user
    pick the right one, and the common path never pays for reading them.
    """
    text = ref.strip()
    if not text:
        raise InvalidValue("patient", ref, "must not be empty")
    pairs = list(patients)
    wanted = text.casefold()
    by_name = [(pid, name) for pid, name in pairs if name.casefold() == wanted]
    if len(by_name) == 1:
        return by_name[0][0]
    if len(by_name) > 1:
        raise Ambiguous(
            f"patient {ref!r} is ambiguous: {_candidates(by_name, birth_years)}; use the id"
        )
    if looks_like_id(text):
        ids = set(id_matches(text, [pid for pid, _ in pairs]))
        by_id = [(pid, name) for pid, name in pairs if pid in ids]
        if len(by_id) == 1:
            return by_id[0][0]
        if len(by_id) > 1:
            raise Ambiguous(
                f"patient id prefix {ref!r} is ambiguous: {_candidates(by_id, birth_years)}; "
                "type more characters"
            )
    by_prefix = [(pid, name) for pid, name in pairs if name.casefold().startswith(wanted)]
    if len(by_prefix) == 1:
        return by_prefix[0][0]
    if len(by_prefix) > 1:
        raise Ambiguous(
            f"patient {ref!r} is ambiguous: {_candidates(by_prefix, birth_years)}; "
            "use the id or more of the name"
        )
    raise NotFound(f"unknown patient {ref!r}: see `journal patient list`")


MAX_CANDIDATES = 8  # a message is one line; `journal patient list` shows them all


def _candidates(matches: Sequence[tuple[uuid.UUID, str]], birth_years: BirthYears | None) -> str:
    """`Alex Rivera (ea10795a, born 1991), Alex Stone (1b2c3d4e)`, by name then id."""
    shown = sorted(matches, key=lambda m: (m[1].casefold(), m[0].hex))[:MAX_CANDIDATES]
    years = birth_years([pid for pid, _ in shown]) if birth_years else {}
    parts = []
    for pid, name in shown:
        year = years.get(pid)
        parts.append(f"{name} ({pid.hex[:8]}" + (f", born {year})" if year else ")"))
    more = len(matches) - len(shown)
    return ", ".join(parts) + (f" and {more} more" if more > 0 else "")


class _CourseLike(Protocol):
    """Read-only, so frozen records and ORM rows both qualify."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def title(self) -> str: ...

    @property
    def status(self) -> str: ...


C = TypeVar("C", bound=_CourseLike)


def match_course(ref: str | None, courses: Sequence[C], patient_name: str) -> C | None:
    """The course `ref` names (title or id prefix) among a patient's courses, oldest first.

    Without a reference: the latest active course, else the latest one, else
    None. Works on ORM rows and on records alike, so every layer agrees.
    """
    if ref is None:
        active = [c for c in courses if c.status == "active"]
        pool = active or list(courses)
        return pool[-1] if pool else None
    text = ref.strip()
    matches = [c for c in courses if c.title.casefold() == text.casefold()]
    if not matches and looks_like_id(text):
        ids = set(id_matches(text, [c.id for c in courses]))
        matches = [c for c in courses if c.id in ids]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        listed = ", ".join(f"{c.title} ({c.id.hex[:8]})" for c in matches[:MAX_CANDIDATES])
        raise Ambiguous(f"course {ref!r} is ambiguous for {patient_name}: {listed}; use the id")
    raise NotFound(f"unknown course {ref!r} for patient {patient_name}")
