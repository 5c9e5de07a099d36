"""Photos as evidence: each photo's quality and skin measures, and its comparison.

Three nullable JSON columns on `photo`, none queried on its own (the models'
rule for such values):

* `quality`: `journal.imaging.quality.PhotoQuality.to_dict()` of the display
  copy, read at import (sharpness, exposure, colour cast, skin share, and the
  warnings in words).
* `measures`: `journal.imaging.measures.SkinMeasures.to_dict()` of the
  display copy on its own (redness, pigment spread, texture, marks).
* `comparison`: for a follow-up photo, its last comparison with its area's
  baseline (which baseline, the analysis version, the transform and its fit,
  comparable and the warnings, and each measure's change with its
  uncertainty), cached by `journal.services.evidence` so that the score can
  use it without decoding a photo or importing OpenCV.

Existing photos are left NULL, "unknown": the first `journal photo compare`
that uses a photo fills its quality and measures in (see
journal/services/evidence.py). No trigger is needed (0007's NOTIFY trigger is
per table, and `photo` already has it).

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-10 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("quality", "measures", "comparison")


def upgrade() -> None:
    with op.batch_alter_table("photo") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("photo") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
