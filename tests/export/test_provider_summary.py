"""The provider's follow-up summary (`export --for provider`, the pdf/html default).

Page 1 must be enough on its own: identification with the clinic and provider
from the journal's settings, the red flags with the patient's own words, the
screening in clinical wording, the score with its confidence and the concern
ratings with both GAIS side by side. Page 1 is rendered to PNG (poppler's
pdftoppm, installed in CI) as well as read back as text.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess

import numpy as np
import pytest
from pypdf import PdfReader

from journal.services.checkins import add_checkin
from journal.services.courses import add_course
from journal.services.exporting import export_patient
from journal.services.patients import add_patient
from journal.services.sessions import add_session
from journal.services.settings import list_settings, set_setting

from .helpers import DEMO, TODAY

WORDS = "warm, yellow crust near left jaw"


def _page_texts(path) -> list[str]:
    return [(page.extract_text() or "").replace("\xa0", " ") for page in PdfReader(path).pages]


@pytest.fixture
def flagged(journal, demo):
    """The demo patient with an infection reported two days ago, and the journal's settings."""
    add_checkin(
        journal, DEMO, date="2026-02-27", symptoms={"redness": 4}, flags=["infection"],
        notes=WORDS, today=TODAY,
    )  # fmt: skip
    set_setting(journal, "clinic", "Harbour Skin Clinic")
    set_setting(journal, "provider", "Dr. Maya Chen")
    return demo


def test_page_one_is_enough_for_the_provider(journal, flagged, tmp_path):
    out = export_patient(journal, DEMO, fmt="pdf", out=tmp_path / "p.pdf", today=TODAY)
    first = _page_texts(out)[0]
    short_id = str(flagged.id).replace("-", "")[:8]
    for expected in (
        "Microneedling clinical follow-up summary",
        f"{DEMO} (id {short_id})",
        "1991",
        "Fitzpatrick III",
        "Harbour Skin Clinic",
        "Dr. Maya Chen",
        "Red flags: 1 open",
        "2026-02-27",
        "Signs of infection",
        "OPEN",
        WORDS,
        "History of HSV (cold sores): consider antiviral prophylaxis.",
        "confidence high",
        "Concern ratings and GAIS",
        "Patient GAIS",
        "Observer GAIS",
        "Baseline 2025-10-21",
        "Much improved (2)",
        "Change",
        "4 of 4 planned sessions done",
        "Page 1 of",
    ):
        assert expected in first, expected
    assert "ask about an antiviral" not in first  # the patient's wording stays out
    # Both GAIS on the day the provider reviewed and the patient rated: one row.
    latest = next(line for line in first.splitlines() if line.startswith("Latest 2026-02-04"))
    assert latest.count("Much improved (2)") == 2, latest


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler's pdftoppm is not installed")
def test_page_one_renders_with_the_flag_box(journal, flagged, tmp_path):
    from PIL import Image

    out = export_patient(journal, DEMO, fmt="pdf", out=tmp_path / "p.pdf", today=TODAY)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(out), str(tmp_path / "page")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    (png,) = tmp_path.glob("page*.png")
    image = Image.open(png).convert("RGB")
    colours = {c for _n, c in image.getcolors(maxcolors=1 << 20)}
    assert (253, 232, 232) in colours  # the red flag table's header
    assert (255, 244, 214) in colours  # the screening box
    top_half = image.crop((0, 0, image.width, image.height // 2))
    ink = int((np.asarray(top_half, dtype=np.int32).sum(axis=2) < 300).sum())
    assert ink > 2000  # the identification, flags and score are drawn, not blank


def test_patient_version_keeps_the_patients_wording(journal, flagged, tmp_path):
    out = export_patient(
        journal, DEMO, fmt="pdf", out=tmp_path / "me.pdf", today=TODAY, audience="patient"
    )
    text = "\n".join(_page_texts(out))
    assert "Microneedling follow-up summary" in text
    assert "ask about an antiviral" in text
    assert "Contact your provider today" in text
    assert "Harbour Skin Clinic" not in text and "Patient GAIS" not in text


def test_provider_html_has_the_same_first_sections(journal, flagged, tmp_path):
    page = export_patient(journal, DEMO, fmt="html", out=tmp_path / "p.html", today=TODAY)
    html = page.read_text(encoding="utf-8")
    order = [html.index(s) for s in ("Harbour Skin Clinic", WORDS, "Observer GAIS", "Sessions")]
    assert order == sorted(order)
    assert "consider antiviral prophylaxis" in html
    assert '<span class="nw">2026-02-27</span>' in html  # a date a browser cannot wrap


def test_tables_never_split_a_date_or_a_depth(journal, tmp_path):
    add_patient(journal, "Robin Quist", birth_year=1980, skin_type=2, concerns=["wrinkles"])
    add_course(journal, "Robin Quist", title="Forehead and cheeks", planned=3)
    for n in range(5):
        add_session(
            journal,
            "Robin Quist",
            date=f"2026-0{n + 1}-24",
            provider="Dr. Anneliese Vandenberghe-Oosterhuis",
            device="pen",
            device_name="SkinPen Precision Elite",
            depth="forehead=0.5,left-cheek=1.5,right-cheek=1.75",
            passes=4,
            areas=["forehead", "left-cheek", "right-cheek"],
            serums=["prp", "hyaluronic-acid"],
            pain=6,
            today=TODAY.replace(year=2026, month=7),
        )
    for audience in ("provider", "patient"):
        out = export_patient(
            journal, "Robin Quist", fmt="pdf", out=tmp_path / f"{audience}.pdf",
            today=TODAY.replace(month=7), audience=audience,
        )  # fmt: skip
        lines = "\n".join(_page_texts(out)).splitlines()
        for n in range(5):
            assert any(f"2026-0{n + 1}-24" in line for line in lines), (audience, n)
        for depth in ("0.5 mm", "1.5 mm", "1.75 mm"):
            assert sum(depth in line for line in lines) >= 5, (audience, depth)
        for line in lines:
            assert not re.search(r"\d{4}-(\d{2}-?)?$", line), (audience, line)
            assert not line.strip().startswith("mm"), (audience, line)


def test_the_course_line_agrees_with_the_plan(journal, tmp_path):
    add_patient(journal, "Sam Lee")
    add_course(journal, "Sam Lee", title="Texture", planned=4)
    for month in range(1, 7):
        add_session(journal, "Sam Lee", date=f"2025-{month:02d}-10", device="pen", today=TODAY)
    for audience in ("provider", "patient"):
        out = export_patient(
            journal, "Sam Lee", fmt="pdf", out=tmp_path / f"{audience}.pdf", today=TODAY,
            audience=audience,
        )  # fmt: skip
        text = " ".join("\n".join(_page_texts(out)).split())
        assert "6 of 4 planned sessions done" in text
        assert "(series complete)" in text and "The series is complete." in text
        assert "(active)" not in text


def _one_line_error(r, *needles: str) -> None:
    assert r.code == 2, (r.out, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("journal: error: "), r.err
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_for_is_refused_where_it_means_nothing(cli, journal, demo, tmp_path):
    _one_line_error(
        cli("export", "-p", DEMO, "-f", "csv", "--for", "provider", "-o", str(tmp_path / "x")),
        "invalid for 'provider'",
        "only pdf and html",
    )
    _one_line_error(
        cli("export", "-p", DEMO, "-f", "pdf", "--for", "doctor", "-o", str(tmp_path / "x.pdf")),
        "invalid for 'doctor'",
        "provider or patient",
    )
    assert not list(tmp_path.glob("x*"))
    r = cli("export", "-p", DEMO, "-f", "html", "--for", "patient", "-o", str(tmp_path / "p.html"))
    assert r.code == 0, r.err
    assert "ask about an antiviral" in (tmp_path / "p.html").read_text(encoding="utf-8")


def test_settings_commands(cli, journal):
    r = cli("settings", "set", "clinic", "  Harbour Skin Clinic ")
    assert r.code == 0, r.err
    assert r.out == "clinic: Harbour Skin Clinic\n"
    assert cli("settings", "get", "clinic", "--json").json()["value"] == "Harbour Skin Clinic"
    assert cli("settings", "set", "clinic", "Harbour Skin & Laser").code == 0
    listed = cli("settings", "list", "--json").json()
    assert [(s["name"], s["value"]) for s in listed] == [
        ("clinic", "Harbour Skin & Laser"),
        ("provider", None),
    ]
    assert "provider: (not set)" in cli("settings", "list").out
    _one_line_error(cli("settings", "set", "clinc", "X"), "invalid setting 'clinc'", "clinic")
    _one_line_error(cli("settings", "set", "provider", "   "), "must not be empty")
    _one_line_error(cli("settings", "set", "provider", "Dr\nChen"), "single line")
    assert cli("settings", "unset", "clinic").code == 0
    assert [s.value for s in list_settings(journal)] == [None, None]


def test_equal_recoveries_stay_two_lines_and_every_session_is_listed():
    import datetime as dt

    from journal.export.charts import recovery_chart
    from journal.export.summary import RecoveryLine

    same = ((1, 5), (3, 3), (7, 1))
    lines = [
        RecoveryLine(1, dt.date(2026, 1, 1), same),
        RecoveryLine(2, dt.date(2026, 2, 1), same),
        RecoveryLine(3, dt.date(2026, 3, 1), ()),
    ]
    chart = recovery_chart(lines)
    assert [s.label for s in chart.series] == [
        "#1 2026-01-01",
        "#2 2026-02-01",
        "#3 2026-03-01 (not rated)",
    ]
    first, second, unrated = chart.series
    assert (first.marker, first.dash) != (second.marker, second.dash)
    assert [x for x, _y in first.points] != [x for x, _y in second.points]  # dodged apart
    assert all(abs(a - b) < 0.5 for (a, _), (b, _) in zip(first.points, second.points, strict=True))
    assert not unrated.drawn


def test_x_labels_never_overlap():
    import datetime as dt

    from journal.export.charts import Box, trend_chart

    start = dt.date(2026, 1, 1)
    points = [(start + dt.timedelta(days=d), 50) for d in (0, 2, 4, 6, 90, 92, 180)]
    chart = trend_chart(points)
    box = Box(0, 0, 120, 40)
    width = 7.0
    placed = chart.tick_labels(box, lambda _t: width, gap=1.0)
    xs = [x for x, _label in placed]
    assert all(b - a >= width + 1.0 for a, b in itertools.pairwise(xs))
    assert placed[-1][1] == chart.x_ticks[-1].label  # the last date is always shown
    assert len(placed) < len(chart.x_ticks)
