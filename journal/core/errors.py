"""Errors every layer can raise and the CLI/TUI can show as one line.

They live in core so that pure validation, services and front ends share one
vocabulary of failure: anything that is the user's fault is a `JournalError`
and becomes exit status 2 with its message, never a traceback.
"""

from __future__ import annotations


class JournalError(Exception):
    """A problem the user can fix; its message is one line naming the culprit."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidValue(JournalError):
    """A field got a value outside its rules (range, format, vocabulary)."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        super().__init__(f"invalid {field} {value!r}: {reason}")


class NotFound(JournalError):
    """A patient, course or record named by the user does not exist."""


class Ambiguous(JournalError):
    """A name or id prefix matches more than one record."""


class BadPhoto(JournalError):
    """A file offered as a photo cannot be imported; nothing was stored for it."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class JournalUnavailable(JournalError):
    """The journal home or database cannot be opened or written."""


class JournalDamaged(JournalUnavailable):
    """The database is damaged or lacks part of its schema; `journal doctor` says more.

    Exit status 1, not 2: the command was right, the journal is not.
    """

    exit_code = 1


class DiskFull(JournalUnavailable):
    """The disk holding the journal is full; nothing is damaged, space must be freed."""

    exit_code = 1


class JournalReadOnly(JournalUnavailable):
    """The journal (or its file system) is read-only: reads work, changes are refused."""


class NeedsConfirmation(InvalidValue):
    """A value that is probably a mistake, accepted once the user confirms it.

    A second session on the same day, a patient whose name already exists or
    a near miss of a known word: refused like any bad value, but `confirm`
    names the service keyword that says "yes, I mean it" (`again`,
    `allow_duplicate`, `custom`), so the CLI can name its flag and a TUI form
    can ask and save again with it.
    """

    def __init__(self, field: str, value: object, reason: str, *, confirm: str) -> None:
        self.confirm = confirm
        super().__init__(field, value, reason)
