"""The follow-up PDF: what it says, what it embeds, how it looks, and odd names."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from pypdf import PdfReader

from journal.export.pdftext import TextFitter, fallback_font, system_font
from journal.services.exporting import export_patient
from journal.services.patients import add_patient
from journal.services.sessions import add_session

from .helpers import DEMO, TODAY

PAIRS_AND_TILES = 2 * 2 + 10  # baseline + latest for two areas, and every photo as a tile


def _text(path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_pdf_summary_says_what_matters(journal, demo, tmp_path):
    out = export_patient(
        journal, DEMO, fmt="pdf", out=tmp_path / "summary.pdf", today=TODAY, audience="patient"
    )
    reader = PdfReader(out)
    text = _text(out)
    pages = len(reader.pages)
    assert pages >= 2
    for expected in (
        DEMO,
        "Microneedling follow-up summary",
        "Worth It",
        "Confidence: high",
        "Fitzpatrick III",
        "Acne scars",
        "Dermapen (pen)",
        "1.5 mm",
        "450.00 USD",
        "Dr. Maya Chen",
        "cold sores",
        "Maintenance session due",
        "Before and after",
        "Baseline 2025-10-22",
        f"Page 1 of {pages}",
        f"Page {pages} of {pages}",
        "generated 2026-03-01",
    ):
        assert expected in text, expected
    assert "not medical advice" in text.lower()
    assert text.lower().count("not medical advice") == pages  # on every page
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == PAIRS_AND_TILES
    for image in images:
        assert image.data[:3] == b"\xff\xd8\xff"  # JPEG passed through, not re-compressed
        assert b"Exif" not in image.data[:4096] and b"GPS" not in image.data[:4096]
    assert out.stat().st_size < 5 * 1024 * 1024
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4


def test_letter_paper(journal, demo, tmp_path):
    out = export_patient(
        journal, DEMO, fmt="pdf", out=tmp_path / "letter.pdf", today=TODAY, paper="letter"
    )
    box = PdfReader(out).pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((612, 792), abs=0.5)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler's pdftoppm is not installed")
def test_first_page_renders_with_ink(journal, demo, tmp_path):
    from PIL import Image, ImageStat

    out = export_patient(journal, DEMO, fmt="pdf", out=tmp_path / "s.pdf", today=TODAY)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(out), str(tmp_path / "page")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    (png,) = tmp_path.glob("page*.png")
    with Image.open(png) as page:
        grey = page.convert("L")
        assert grey.getextrema()[0] < 80  # some dark text
        dark = sum(grey.histogram()[:200])
        assert dark > grey.width * grey.height * 0.02  # not a blank page
        assert ImageStat.Stat(page.convert("RGB")).stddev[1] > 10  # and some colour


def test_emoji_and_accents_with_the_core_font(journal, tmp_path, monkeypatch):
    """No Unicode font: Helvetica's accents stay, others are transliterated, emoji become ?"""
    monkeypatch.setenv("JOURNAL_PDF_FONT", "core")
    name = "Zoë Łukasz “Lu” 🌸👩🏽‍⚕️ Ng"
    patient = add_patient(journal, name, concerns=["acne scars"])
    add_session(journal, str(patient.id), date="2026-02-01", provider="Dr. Ōkubo Ætna")
    out = export_patient(journal, str(patient.id), fmt="pdf", out=tmp_path / "z.pdf", today=TODAY)
    text = _text(out)
    assert "Zoë Lukasz “Lu” ??? Ng" in text
    assert "Dr. Okubo Ætna" in text


@pytest.mark.skipif(not system_font().is_unicode, reason="no Unicode TrueType font here")
def test_unicode_names_with_a_system_font(journal, tmp_path, monkeypatch):
    monkeypatch.delenv("JOURNAL_PDF_FONT", raising=False)
    name = "Łukasz Ирина Σοφία 🌸"
    patient = add_patient(journal, name)
    add_session(journal, str(patient.id), date="2026-02-01")
    out = export_patient(journal, str(patient.id), fmt="pdf", out=tmp_path / "u.pdf", today=TODAY)
    text = _text(out)
    assert "Łukasz Ирина Σοφία ?" in text
    fonts = {
        str(font["/BaseFont"])
        for page in PdfReader(out).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("DejaVu" in f or "Arial" in f for f in fonts), fonts


@pytest.mark.skipif(
    not system_font().is_unicode or fallback_font() is None, reason="no CJK fallback font here"
)
def test_cjk_names_use_the_fallback_font(journal, tmp_path, monkeypatch):
    monkeypatch.delenv("JOURNAL_PDF_FONT", raising=False)
    patient = add_patient(journal, "李娜 (Li Na) 🌸")
    add_session(journal, str(patient.id), date="2026-02-01")
    out = export_patient(journal, str(patient.id), fmt="pdf", out=tmp_path / "c.pdf", today=TODAY)
    assert "李娜 (Li Na) ?" in _text(out)


def test_latin_text_uses_the_builtin_font(journal, demo, tmp_path, monkeypatch):
    """Nothing outside cp1252: no font file embedded, the fast path."""
    monkeypatch.delenv("JOURNAL_PDF_FONT", raising=False)
    out = export_patient(journal, DEMO, fmt="pdf", out=tmp_path / "h.pdf", today=TODAY)
    fonts = {
        str(font["/BaseFont"])
        for page in PdfReader(out).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts <= {"/Helvetica", "/Helvetica-Bold"}


def test_patient_without_course_or_photos(journal, tmp_path):
    add_patient(journal, "Sam Lee")
    out = export_patient(journal, "Sam Lee", fmt="pdf", out=tmp_path / "empty.pdf", today=TODAY)
    text = _text(out)
    assert "Sam Lee" in text and "No course yet" in text and "No sessions logged yet" in text
    assert not [image for page in PdfReader(out).pages for image in page.images]


def test_a_missing_photo_file_gets_a_placeholder(journal, demo, home, tmp_path):
    from journal.services.photos import list_photos, photo_path

    first = list_photos(journal, DEMO)[0]
    photo_path(journal, first, "display").unlink()
    photo_path(journal, first, "thumb").unlink()
    out = export_patient(journal, DEMO, fmt="pdf", out=tmp_path / "m.pdf", today=TODAY)
    assert "photo file missing" in _text(out)
    # The provider's version: the area whose baseline is gone keeps its raw pair (a
    # placeholder and its latest photo); the other area's pair is one aligned picture;
    # nine tiles.
    assert len([i for p in PdfReader(out).pages for i in p.images]) == 1 + 1 + 9


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Zoë", "Zoë"),
        ("Łódź", "Lódz"),
        ("Ærøskøbing", "Ærøskøbing"),
        ("“quoted” – dash…", "“quoted” – dash…"),
        ("Ōkubo", "Okubo"),
        ("Ирина Σοφία", "Irina Sofia"),
        ("李", "?"),
        ("🌸", "?"),
        ("👩🏽‍⚕️", "??"),
        ("a\x00b\tc", "a b c"),
        ("e\u0301", "é"),
    ],
)
def test_core_font_text_fitting(text, expected):
    assert TextFitter.core()(text) == expected


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is not installed")
def test_qpdf_finds_the_pdf_structurally_sound(journal, demo, tmp_path):
    """An independent checker: cross-reference table, streams and objects are all valid."""
    out = export_patient(journal, DEMO, fmt="pdf", out=tmp_path / "check.pdf", today=TODAY)
    result = subprocess.run(["qpdf", "--check", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


@pytest.mark.skipif(fallback_font() is None, reason="no CJK fallback font here")
def test_a_successful_export_prints_nothing_on_stderr(tmp_path):
    """fpdf2's missing-glyph log lines must not reach the terminal of a command that worked."""
    import os
    import sys

    env = {**os.environ, "JOURNAL_HOME": str(tmp_path / "home")}
    env["JOURNAL_PDF_FONT"] = str(fallback_font())  # a CJK font without most Latin glyphs

    def journal(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "journal", *args]
        return subprocess.run(command, env=env, capture_output=True, text=True, check=False)

    assert journal("patient", "add", "李娜").returncode == 0
    assert journal("session", "add", "-p", "李娜", "--date", "2026-01-02").returncode == 0
    out = journal("export", "-p", "李娜", "--format", "pdf", "-o", str(tmp_path / "s.pdf"))
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
