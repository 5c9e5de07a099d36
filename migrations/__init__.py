"""Alembic migrations, shipped inside the wheel as `journal.migrations`.

The same folder is the checkout's top-level `migrations/` (see alembic.ini), so
`alembic upgrade head` from the checkout and migrate-on-open from an installed
`journal` apply the same revisions.
"""
