"""The provider summary shows each red flag's status as the provider recorded it.

A seen flag says who saw it and their note, and still counts as waiting; a
flag resolved long before the visit leaves page 1 (it is history), a recent
one stays with its date and whether harm lasted. The same flags as `journal
flag list`, never a different story.
"""

from __future__ import annotations

import datetime as dt

from pypdf import PdfReader

from journal.services.checkins import add_checkin
from journal.services.exporting import export_patient
from journal.services.flags import mark_seen, patient_flags, resolve

from .helpers import DEMO, TODAY


def _first_page(path) -> str:
    return (PdfReader(path).pages[0].extract_text() or "").replace("\xa0", " ")


def _flag(journal, key):
    return next(p.flag for p in patient_flags(journal, DEMO) if p.flag.key == key)


def test_seen_and_resolved_flags_read_as_the_provider_left_them(journal, demo, tmp_path):
    add_checkin(
        journal, DEMO, date="2026-02-27", flags=["infection"],
        notes="warm, yellow crust near left jaw", today=TODAY,
    )  # fmt: skip
    add_checkin(journal, DEMO, date="2026-02-28", flags=["blistering"], today=TODAY)
    seen_at = dt.datetime(2026, 2, 28, 10, tzinfo=dt.UTC)  # before the summary's day
    mark_seen(
        journal, _flag(journal, "infection").short_id, by="Dr Chen", note="swab taken",
        now=seen_at,
    )  # fmt: skip
    resolve(
        journal, _flag(journal, "blistering").short_id, on="2026-02-28", by="Dr Chen",
        today=TODAY,
    )  # fmt: skip

    first = _first_page(
        export_patient(journal, DEMO, fmt="pdf", out=tmp_path / "a.pdf", today=TODAY)
    )
    assert "Red flags: 1 seen, not resolved, 1 recently resolved" in first
    words = " ".join(first.split())
    assert "SEEN by Dr Chen: swab taken" in words
    assert "RESOLVED by Dr Chen: 2026-02-28, no lasting harm" in words
    html = export_patient(journal, DEMO, fmt="html", out=tmp_path / "a.html", today=TODAY)
    assert "1 seen, not resolved, 1 recently resolved" in html.read_text()


def test_a_flag_resolved_long_before_the_visit_leaves_page_one(journal, demo, tmp_path):
    add_checkin(journal, DEMO, date="2025-10-20", flags=["blistering"], today=TODAY)
    resolve(
        journal, _flag(journal, "blistering").short_id, on="2025-10-25", by="Dr Chen",
        today=TODAY,
    )  # fmt: skip
    first = _first_page(
        export_patient(journal, DEMO, fmt="pdf", out=tmp_path / "b.pdf", today=TODAY)
    )
    assert "Blistering" not in first and "Red flags: none" in first
