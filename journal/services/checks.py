"""Every refused value of a record at once, before anything is saved.

A service stops at the first bad value, which is right for the CLI (one
line on stderr, exit 2) but makes a form a guessing game: fix one field,
save, meet the next. A form asks here first and marks every field that would
be refused. The checks are the edit parsers of `journal.services.fields`,
the same `journal.core.values` parsers and vocabularies the add services
use, so a form never refuses what the service would take; what only the
database can tell (a near miss of a known word, a second session that day,
a patient of the same name) is still the service's to refuse on save.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from journal.core.errors import InvalidValue
from journal.core.values import parse_name, parse_past_date
from journal.services.fields import KINDS, RELATIONAL

# Fields no record can leave empty, checked as the add services check them: the
# edit parsers say "cannot be cleared" (odd on a new record) and date against
# the real clock, not the app's `today`.
_REQUIRED: dict[str, Any] = {
    "name": lambda value, today: parse_name("name", value),
    "title": lambda value, today: parse_name("title", value),
    "date": lambda value, today: parse_past_date("date", value, today=today),
}


def refusals(
    kind_name: str, values: Mapping[str, Any], *, today: dt.date | None = None
) -> list[InvalidValue]:
    """What is wrong with `values` (a record's fields as `amend.edit` names them), field by field.

    None means "not given" and is never refused here. A mapping of ratings
    (a check-in's symptoms or concerns) is checked rating by rating, so three
    bad ratings give three refusals. Dates are checked against `today` (the
    app's day), as the add services check them.
    """
    kind = KINDS[kind_name]
    found: list[InvalidValue] = []
    for field, value in values.items():
        parse = kind.fields.get(field)
        if value is None or field in RELATIONAL or parse is None:
            continue
        parts = [{k: v} for k, v in value.items()] if isinstance(value, Mapping) else [value]
        for part in parts:
            try:
                if field in _REQUIRED:
                    _REQUIRED[field](part, today)
                else:
                    parse(part)
            except InvalidValue as refused:
                found.append(refused)
    return found
