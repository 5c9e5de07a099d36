"""Persistence: SQLAlchemy models, engine setup, migrations on open, photo files."""
