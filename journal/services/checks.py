"""Every refused value of a record at once, before anything is saved.

A service stops at the first bad value, which is right for the CLI (one
line on stderr, exit 2) but makes a form a guessing game: fix one field,
save, meet the next. A form asks here first and marks every field that would
be refused. The checks are the parsers of `journal.services.fields`, the
very ones the add services and `amend.edit` read values with, so a form
never refuses what the service would take and says it in the same words; what only the
database can tell (a near miss of a known word, a second session that day,
a patient of the same name) is still the service's to refuse on save.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from journal.core.errors import InvalidValue
from journal.services.fields import KINDS, RELATIONAL


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
                parse(part, today)
            except InvalidValue as refused:
                found.append(refused)
    return found
