"""The provider PDF and HTML show photos as evidence (issue 14, item 5).

For each area with a pair: the aligned pair with its difference picture, the
table of measured change, the comparability warnings and the caveat; a pair
that is not comparable is shown with its warning and marked as not counted;
an area without a baseline says why. Real photos through the real pipeline
(`tui.builders.build_evidence`), on SQLite and PostgreSQL, photos in the
folder and in the database store. The patient's version is unchanged.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from typing import Any

import pytest
from tui.builders import EVIDENCE_PATIENT, TODAY, build_evidence

from journal.export.summary import CHANGE_COLUMNS, MEASURED_TITLE
from journal.imaging import evidence as imaging_evidence
from journal.services.evidence import NO_BASELINE, NOT_COUNTED
from journal.services.exporting import export_patient
from journal.services.history import patient_history

ALLOWED_BEFORE_SCAN = {0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDD}  # JFIF, tables, frame: no metadata


@pytest.fixture
def evidence_journal(journal: Any, tmp_path, photo_store: str) -> Any:
    build_evidence(journal, tmp_path)
    return journal


def jpeg_segments(data: bytes) -> list[int]:
    """The markers of a JPEG up to its scan (APP1 would be EXIF/XMP, APP2 ICC, FE a comment)."""
    assert data[:2] == b"\xff\xd8"
    pos, markers = 2, []
    while pos < len(data):
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:
            return markers
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return markers


def assert_metadata_free(data: bytes, tmp_path) -> None:
    assert set(jpeg_segments(data)) - {0xDA} <= ALLOWED_BEFORE_SCAN
    if shutil.which("exiftool"):
        path = tmp_path / "embedded.jpg"
        path.write_bytes(data)
        out = subprocess.run(
            ["exiftool", "-G", "-s", str(path)], capture_output=True, text=True, check=True
        ).stdout
        groups = {line.split("]")[0].strip("[") for line in out.splitlines() if line}
        assert groups <= {"ExifTool", "File", "JFIF", "Composite"}, out


def test_provider_html_shows_aligned_pairs_the_table_and_what_is_not_counted(
    evidence_journal, tmp_path
):
    out = export_patient(
        evidence_journal, EVIDENCE_PATIENT, fmt="html", out=tmp_path / "p.html", today=TODAY
    )
    page = out.read_text("utf-8")
    section = page[page.index('<section id="measured">') :]
    section = section[: section.index("</section>")]
    assert f"<h2>{MEASURED_TITLE}</h2>" in section
    assert "same light" in section  # the caveat, said once above the pairs
    head = "".join(f"<th>{c}</th>" for c in CHANGE_COLUMNS)
    assert section.count(head) == 2  # cheeks and chin: the two areas with a baseline pair
    cheeks = section[section.index("<h3>Cheeks: 2026-01-11 to 2026-03-23 (10 weeks)</h3>") :]
    cheeks = cheeks[: cheeks.index("<h3>", 4)]
    assert "Redness (erythema-index points" in cheeks and "improved" in cheeks
    assert NOT_COUNTED not in cheeks
    chin = section[section.index("<h3>Chin: ") :]
    assert f'<div class="flag"><strong>{NOT_COUNTED}</strong>' in chin
    assert "brighter" in chin
    assert "<h3>Forehead</h3>" in section and NO_BASELINE in section
    pictures = re.findall(r'src="data:image/jpeg;base64,([^"]+)"', section)
    assert len(pictures) == 2
    for encoded in pictures:
        assert_metadata_free(base64.b64decode(encoded), tmp_path)
    # The raw pair of an area shown aligned is not shown again; forehead's still is.
    photos = page[page.index('<section id="photos">') :]
    assert "<h3>Cheeks</h3>" not in photos and "<h3>Forehead</h3>" in photos


def test_provider_pdf_has_the_table_in_its_text_and_passes_qpdf(evidence_journal, tmp_path):
    out = export_patient(
        evidence_journal, EVIDENCE_PATIENT, fmt="pdf", out=tmp_path / "p.pdf", today=TODAY
    )
    if shutil.which("qpdf"):
        check = subprocess.run(["qpdf", "--check", str(out)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    text = subprocess.run(
        ["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout.replace("\xa0", " ")
    assert MEASURED_TITLE in text
    assert "Cheeks: 2026-01-11 to 2026-03-23 (10 weeks)" in text
    assert " ".join(CHANGE_COLUMNS) in text
    assert re.search(r"Marks \(countable marks\) \d+ \d+ -\d+ \(-\d+%\) ±2 improved", text)
    assert NOT_COUNTED in text and "brighter" in text
    assert "Baseline 2026-01-11" in text and "Follow-up 2026-03-23, aligned" in text
    listed = subprocess.run(
        ["pdfimages", "-list", str(out)], capture_output=True, text=True, check=True
    ).stdout
    assert len([line for line in listed.splitlines()[2:] if " jpeg " in line]) >= 2
    subprocess.run(["pdfimages", "-j", str(out), str(tmp_path / "img")], check=True)
    for extracted in sorted(tmp_path.glob("img-*.jpg")):
        assert_metadata_free(extracted.read_bytes(), tmp_path)


def test_one_export_compares_each_pair_once_and_stores_it_for_the_score(
    evidence_journal, tmp_path, monkeypatch
):
    calls: list[int] = []
    real = imaging_evidence.compare

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(imaging_evidence, "compare", counted)
    export_patient(evidence_journal, EVIDENCE_PATIENT, fmt="pdf", out=tmp_path / "a", today=TODAY)
    assert len(calls) == 2  # cheeks and chin, once each (forehead has no baseline)
    stored = [p for p in patient_history(evidence_journal, EVIDENCE_PATIENT).photos if p.comparison]
    assert sorted(p.area for p in stored) == ["cheeks", "chin"]
    export_patient(evidence_journal, EVIDENCE_PATIENT, fmt="html", out=tmp_path / "b", today=TODAY)
    assert len(calls) == 4  # the stored alignment is reused; the pictures are made again


def test_the_patient_version_is_unchanged_and_compares_nothing(evidence_journal, tmp_path):
    out = export_patient(
        evidence_journal, EVIDENCE_PATIENT, fmt="html", out=tmp_path / "me.html",
        today=TODAY, audience="patient",
    )  # fmt: skip
    page = out.read_text("utf-8")
    assert MEASURED_TITLE not in page and "<h2>Before and after</h2>" in page
    assert "<h3>Cheeks</h3>" in page
    assert not any(p.comparison for p in patient_history(evidence_journal, EVIDENCE_PATIENT).photos)
