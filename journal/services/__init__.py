"""Use cases: the only door to the database for the CLI, the TUI and the exports.

Most services take an open `Journal` (`journal.services.journal`); the
read-only fast paths `reading.history_for` and `scoring.course_report` take a
home and a database URL instead, so `journal history` and `journal score` can
skip SQLAlchemy on SQLite and PostgreSQL alike. User values are validated with `journal.core.values`
and the vocabularies of `journal.core.vocab` before anything is written. A
record is written in one `journal.write()` transaction (a photo batch commits
photo by photo); photo and archive imports write their files first and remove
them again when the commit does not happen. `backup`, `restore` and `doctor`
work on the journal's files (database, photo store) rather than on records.

What the front ends get back is never an ORM row: `journal.core.records`
objects (a patient, a session, a `PatientHistory`...), result dataclasses
declared next to their service (`CourseReport`, `ImportSummary`,
`ImportReport`, `BackupReport`, `DoctorReport`, the TUI's form defaults...) or
the `Path` of a file written. Only the internal helpers `lookup`, `history`'s
loaders and `convert` take a SQLAlchemy session or ORM rows, for the other
services to share.
"""
