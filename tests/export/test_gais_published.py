"""GAIS is numbered as published (1 = very much improved ... 5 = worse) in every export.

The journal stores GAIS as a word; these tests pin the number each export
prints next to it, and that archives keep their meaning.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

from pypdf import PdfReader

from journal.core.vocab import GAIS, GAIS_NUMBERS, gais_text
from journal.services.archive_import import import_archive
from journal.services.exporting import export_patient
from journal.services.history import patient_history
from journal.services.journal import open_journal
from journal.services.reviews import add_review

from .helpers import DEMO, TODAY

PUBLISHED = {
    "very-much-improved": 1,
    "much-improved": 2,
    "improved": 3,
    "no-change": 4,
    "worse": 5,
}


def test_the_vocabulary_is_the_published_scale():
    assert GAIS_NUMBERS == PUBLISHED
    for key, number in PUBLISHED.items():
        assert GAIS.normalize(str(number)) == key  # a typed digit is the published number
    assert gais_text("much-improved") == "Much improved (GAIS 2)"


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_gives_the_published_number_beside_the_word(journal, demo, tmp_path):
    add_review(journal, DEMO, date="2026-02-21", gais="worse")
    out = export_patient(journal, DEMO, fmt="csv", out=tmp_path / "t.zip", today=TODAY)
    with zipfile.ZipFile(out) as zf:
        checkins = _rows(zf.read("checkins.csv"))
        reviews = _rows(zf.read("reviews.csv"))
    rated = [r for r in checkins + reviews if r["gais"]]
    assert {r["gais"] for r in rated} >= {"much-improved", "no-change", "worse"}
    for row in rated:
        assert int(row["gais_number"]) == PUBLISHED[row["gais"]]
    assert all(r["gais_number"] == "" for r in checkins if not r["gais"])


def test_fhir_shows_the_published_number_never_a_fraction(journal, demo, tmp_path):
    out = export_patient(journal, DEMO, fmt="fhir", out=tmp_path / "b.json", today=TODAY)
    text = out.read_text(encoding="utf-8")
    assert "/5)" not in text
    answers = [
        item["answer"][0]["valueCoding"]
        for e in json.loads(text)["entry"]
        if e["resource"]["resourceType"] == "QuestionnaireResponse"
        for item in e["resource"]["item"]
        if item["linkId"] == "gais"
    ]
    assert answers
    for coding in answers:
        assert coding["display"] == gais_text(coding["code"])
    assert {"Much improved (GAIS 2)", "No change (GAIS 4)"} <= {a["display"] for a in answers}


def test_pdf_and_html_print_the_published_number(journal, demo, tmp_path):
    add_review(journal, DEMO, date="2026-02-21", gais="very-much-improved")
    html = export_patient(journal, DEMO, fmt="html", out=tmp_path / "s.html", today=TODAY)
    page = html.read_text(encoding="utf-8")
    pdf = export_patient(journal, DEMO, fmt="pdf", out=tmp_path / "s.pdf", today=TODAY)
    text = "\n".join(p.extract_text() or "" for p in PdfReader(pdf).pages)
    for shown in (page, text):
        assert "Very much improved (GAIS 1)" in shown
        assert "(GAIS 5)" not in shown and "/5)" not in shown


def test_archives_keep_their_meaning(journal, demo, tmp_path, parts):
    """An archive stores the word; a bare digit (hand-edited) keeps the old 5 = best."""
    out = export_patient(journal, DEMO, fmt="json", out=tmp_path / "a.zip", today=TODAY)
    records = json.loads(zipfile.ZipFile(out).read("records.json"))
    stored = {c["gais"] for c in records["checkins"] if c["gais"]}
    assert stored and stored <= set(PUBLISHED)  # words, never numbers
    p = parts()
    words = [c for c in p.records["checkins"] if c["gais"]]
    legacy = {"very-much-improved": "5", "much-improved": "4", "improved": "3", "no-change": "2"}
    expected = [c["gais"] for c in words]
    for c in words:
        c["gais"] = legacy[c["gais"]]
    edited = p.write(tmp_path / "digits.zip")
    with open_journal(tmp_path / "fresh") as fresh:
        import_archive(fresh, edited)
        by_id = {str(c.id): c.gais for c in patient_history(fresh, DEMO).checkins}
    assert [by_id[c["id"]] for c in words] == expected
