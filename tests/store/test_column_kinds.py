"""The SQLAlchemy-free reader's column map is derived from the models, not kept by hand."""

from journal.store.column_kinds import COLUMN_KINDS
from journal.store.models import column_kinds


def test_the_fast_readers_column_map_equals_the_models():
    assert column_kinds() == COLUMN_KINDS, (
        "the models changed: regenerate with\n"
        "python -c 'from journal.store.models import render_column_kinds as r; "
        'print(r(), end="")\' > journal/store/column_kinds.py && ruff format journal/store'
    )


def test_every_typed_column_kind_is_one_the_reader_knows():
    known = {"uuid", "date", "datetime", "json", "bool", "float", "plain"}
    for table, columns in COLUMN_KINDS.items():
        for column, kind in columns.items():
            assert kind in known or kind.startswith("decimal:"), (table, column, kind)
