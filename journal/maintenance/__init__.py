"""Keeping a journal whole: `journal doctor`, `journal backup`, `journal restore`.

These are file-system and zip tools over a whole journal (its database file,
its photo folder, the folders beside it), not use cases on records, so they
live apart from `journal.services`: they may open a journal through the
services, never the other way round.
"""
