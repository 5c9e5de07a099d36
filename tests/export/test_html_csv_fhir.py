"""HTML (self-contained, escaped), CSV (headers, rows, spreadsheet-safe) and FHIR (valid R4B)."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from html.parser import HTMLParser

import pytest

from journal.core.vocab import SYMPTOM_KEYS
from journal.services.exporting import export_patient
from journal.services.reviews import add_review

from .helpers import DEMO, TODAY

EVIL = "<script>alert('x')</script> & \"quotes\""


class _Collector(HTMLParser):
    """Every tag and attribute of a page, to check what it would load."""

    def __init__(self) -> None:
        super().__init__()
        self.attrs: list[tuple[str, str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(tag, k, v or "") for k, v in attrs]


def test_html_is_self_contained_and_escaped(journal, demo, tmp_path):
    add_review(journal, DEMO, date="2026-02-20", provider="Dr. Maya Chen", notes=EVIL)
    out = export_patient(journal, DEMO, fmt="html", out=tmp_path / "s.html", today=TODAY)
    page = out.read_text(encoding="utf-8")
    parser = _Collector()
    parser.feed(page)
    assert "script" not in parser.tags
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quotes&quot;" in page
    sources = [v for tag, k, v in parser.attrs if k in ("src", "href")]
    # The provider's version: one aligned picture per area instead of its raw pair.
    assert len(sources) == 2 + 10 and all(v.startswith("data:image/jpeg;base64,") for v in sources)
    outside_data = re.sub(r"data:image/jpeg;base64,[A-Za-z0-9+/=]+", "", page)
    assert not re.search(r"https?:|//[a-z]|url\(|@import", outside_data, re.IGNORECASE)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "default-src 'none'" in page
    assert parser.tags.count("svg") == 2  # trend and recovery charts
    for expected in (DEMO, "Worth It", "Not medical advice", "Dermapen (pen)", "Baseline"):
        assert expected in page


def _read_tables(source) -> dict[str, tuple[bytes, list[list[str]]]]:
    if isinstance(source, zipfile.ZipFile):
        raw = {name: source.read(name) for name in source.namelist()}
    else:
        raw = {p.name: p.read_bytes() for p in source.iterdir()}
    return {
        name: (data, list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))))
        for name, data in raw.items()
    }


@pytest.mark.parametrize("target", ["export.zip", "folder"])
def test_csv_tables(journal, demo, tmp_path, target):
    add_review(journal, DEMO, date="2026-02-20", notes='=HYPERLINK("http://x")')
    out = export_patient(journal, DEMO, fmt="csv", out=tmp_path / target, today=TODAY)
    if target.endswith(".zip"):
        with zipfile.ZipFile(out) as zf:
            tables = _read_tables(zf)
    else:
        tables = _read_tables(out)
    assert set(tables) == {"sessions.csv", "checkins.csv", "photos.csv", "reviews.csv"}
    for data, _rows in tables.values():
        assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
        assert b"\r\n" in data
    counts = {name: len(rows) - 1 for name, (_d, rows) in tables.items()}
    assert counts == {"sessions.csv": 4, "checkins.csv": 17, "photos.csv": 10, "reviews.csv": 3}
    sessions = tables["sessions.csv"][1]
    assert sessions[0][:4] == ["id", "course", "date", "provider"]
    assert sessions[1][2:8] == [
        "2025-10-22",
        "Dr. Maya Chen",
        "in-office",
        "pen",
        "Dermapen",
        "1.5",
    ]
    checkins = tables["checkins.csv"][1]
    header = checkins[0]
    assert header[4 : 4 + len(SYMPTOM_KEYS)] == list(SYMPTOM_KEYS)
    assert {"day_after_session", "downtime", "concern_acne-scars", "gais", "verdict"} <= set(header)
    day1 = next(r for r in checkins[1:] if r[header.index("day_after_session")] == "1")
    assert day1[header.index("redness")] == "6" and day1[header.index("downtime")] == "yes"
    reviews = tables["reviews.csv"][1]
    assert reviews[-1][-1] == '\'=HYPERLINK("http://x")'  # defused formula


def test_fhir_bundle_validates_with_r4b(journal, demo, tmp_path):
    from fhir.resources.R4B.bundle import Bundle

    from journal.services.history import patient_history

    out = export_patient(journal, DEMO, fmt="fhir", out=tmp_path / "b.json", today=TODAY)
    document = json.loads(out.read_text(encoding="utf-8"))
    bundle = Bundle.model_validate(document)
    assert bundle.type == "collection"
    kinds: dict[str, int] = {}
    for entry in document["entry"]:
        kind = entry["resource"]["resourceType"]
        kinds[kind] = kinds.get(kind, 0) + 1
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
    assert kinds["Patient"] == 1 and kinds["Practitioner"] == 1 and kinds["CarePlan"] == 1
    assert kinds["Procedure"] == 4 and kinds["Media"] == 10 and kinds["Device"] == 1
    assert kinds["QuestionnaireResponse"] == 4 + 2  # four rated check-ins, two reviews
    assert kinds["Observation"] >= 17  # symptoms/concerns per check-in and the score
    urls = [e["fullUrl"] for e in document["entry"]]
    assert len(urls) == len(set(urls))
    refs = re.findall(r'"reference": "(urn:uuid:[0-9a-f-]+)"', out.read_text(encoding="utf-8"))
    assert refs and set(refs) <= set(urls)  # every reference resolves inside the bundle
    history = patient_history(journal, DEMO)
    by_id = {e["resource"]["id"]: e["resource"] for e in document["entry"]}
    for t in history.sessions:
        procedure = by_id[str(t.id)]
        assert procedure["performedDateTime"] == t.date.isoformat()
        assert [s["text"] for s in procedure["bodySite"]] == ["Left cheek", "Right cheek"]
        prp = [u for u in procedure["usedReference"] if u.get("display") == "PRP"]
        assert prp and by_id[prp[0]["reference"].removeprefix("urn:uuid:")]["resourceType"] == (
            "Substance"
        )
    score = next(
        r for r in by_id.values() if r.get("code", {}).get("text", "").startswith("Personal")
    )
    assert score["valueInteger"] == 85
    media = next(r for r in by_id.values() if r["resourceType"] == "Media")
    assert media["content"]["data"] and media["content"]["contentType"] == "image/jpeg"


def test_fhir_ids_are_stable(journal, demo, tmp_path):
    first = export_patient(journal, DEMO, fmt="fhir", out=tmp_path / "1.json", today=TODAY)
    second = export_patient(journal, DEMO, fmt="fhir", out=tmp_path / "2.json", today=TODAY)
    urls = [
        [e["fullUrl"] for e in json.loads(p.read_text(encoding="utf-8"))["entry"]]
        for p in (first, second)
    ]
    assert urls[0] == urls[1]
