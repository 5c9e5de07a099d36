"""Which record a user means when they type a name or an id prefix.

Pure so that the ORM path and the fast SQLite reader resolve references the
same way: a case-insensitive exact name wins, then a unique id prefix of at
least four hex digits (like git), then a unique name prefix ("alex" for
"Alex Rivera"); anything else is a clear error naming the candidates.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
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


def match_patient(ref: str, patients: Iterable[tuple[uuid.UUID, str]]) -> uuid.UUID:
    """The id of the one patient `ref` names among (id, display name) pairs."""
    text = ref.strip()
    if not text:
        raise InvalidValue("patient", ref, "must not be empty")
    pairs = list(patients)
    wanted = text.casefold()
    by_name = [pid for pid, name in pairs if name.casefold() == wanted]
    if len(by_name) == 1:
        return by_name[0]
    if len(by_name) > 1:
        ids = ", ".join(p.hex[:8] for p in by_name)
        raise Ambiguous(f"patient {ref!r} is ambiguous: {len(by_name)} patients ({ids}); use an id")
    if looks_like_id(text):
        by_id = id_matches(text, [pid for pid, _ in pairs])
        if len(by_id) == 1:
            return by_id[0]
        if len(by_id) > 1:
            raise Ambiguous(f"patient id prefix {ref!r} is ambiguous; type more characters")
    by_prefix = [(pid, name) for pid, name in pairs if name.casefold().startswith(wanted)]
    if len(by_prefix) == 1:
        return by_prefix[0][0]
    if len(by_prefix) > 1:
        names = ", ".join(sorted(name for _, name in by_prefix)[:5])
        raise Ambiguous(f"patient {ref!r} is ambiguous: matches {names}; type more of the name")
    raise NotFound(f"unknown patient {ref!r}: see `journal patient list`")


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
        raise Ambiguous(f"course {ref!r} is ambiguous for {patient_name}; use its id")
    raise NotFound(f"unknown course {ref!r} for patient {patient_name}")
