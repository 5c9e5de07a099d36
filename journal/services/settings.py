"""Journal settings: the few facts that belong to the journal, not to a patient.

Today that is who a provider's follow-up summary comes from: the clinic's name
and the provider's. They live in the database (table `setting`, migration
0006) rather than a config file, so a journal shared on PostgreSQL prints the
same letterhead from every machine, and a backup carries them. An archive does
not: it moves one patient between journals, and the receiving clinic keeps its
own name.

Only known names are accepted, so a typo (`journal settings set clinc ...`) is
refused with the list of names rather than stored where nothing reads it.
"""

from __future__ import annotations

from dataclasses import dataclass

from journal.core.errors import InvalidValue
from journal.core.values import parse_text
from journal.services.journal import Journal
from journal.store.models import SettingRow

# name -> what it is for (shown by `journal settings list` and in the docs)
KNOWN: dict[str, str] = {
    "clinic": "the clinic's name, printed on the provider summary",
    "provider": "the treating provider, printed on the provider summary",
}
MAX_VALUE_CHARS = 200


@dataclass(frozen=True)
class Setting:
    """One setting as shown: its name, its value (None when unset) and what it is for."""

    name: str
    value: str | None
    description: str

    def to_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "value": self.value, "description": self.description}


def setting_name(raw: str) -> str:
    """The canonical setting name, or a clear refusal naming the known ones."""
    name = (raw or "").strip().lower()
    if name not in KNOWN:
        raise InvalidValue("setting", raw, "choose one of " + ", ".join(KNOWN))
    return name


def set_setting(journal: Journal, name: str, value: str) -> Setting:
    """Store `value` under `name` (one line, trimmed, not empty), replacing any earlier one."""
    key = setting_name(name)
    text = parse_text(key, value, limit=MAX_VALUE_CHARS, one_line=True)
    if not text:
        raise InvalidValue(key, value, "must not be empty (use `journal settings unset` instead)")
    with journal.write() as db:
        row = db.get(SettingRow, key)
        if row is None:
            db.add(SettingRow(name=key, value=text))
        else:
            row.value = text
    return Setting(key, text, KNOWN[key])


def unset_setting(journal: Journal, name: str) -> Setting:
    """Forget `name`'s value (nothing happens when it had none)."""
    key = setting_name(name)
    with journal.write() as db:
        row = db.get(SettingRow, key)
        if row is not None:
            db.delete(row)
    return Setting(key, None, KNOWN[key])


def get_setting(journal: Journal, name: str) -> Setting:
    key = setting_name(name)
    return Setting(key, journal_settings(journal).get(key), KNOWN[key])


def list_settings(journal: Journal) -> list[Setting]:
    """Every known setting, set or not, in the documented order."""
    values = journal_settings(journal)
    return [Setting(key, values.get(key), about) for key, about in KNOWN.items()]


def journal_settings(journal: Journal) -> dict[str, str]:
    """The settings that have a value, by name (unknown names left by a newer release skipped)."""
    from sqlalchemy import select

    with journal.read() as db:
        rows = db.scalars(select(SettingRow))
        return {row.name: row.value for row in rows if row.name in KNOWN}
