"""The Textual terminal UI: the patient's journal and the provider's review.

Only this package imports Textual. It reaches the journal through
`journal.services` alone (never the store or SQLAlchemy), and `journal.cli`
imports it lazily so that commands which never open the UI never pay for it.
"""
