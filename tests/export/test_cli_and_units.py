"""`journal export` errors and messages, lazy imports, and the pure helpers behind the documents."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET

import pytest

from journal.core.records import CheckIn, Course, CourseRecord, Patient, Session
from journal.export.charts import Box, recovery_chart, trend_chart
from journal.export.csvexport import safe_text
from journal.export.summary import recovery_lines

from .helpers import DEMO


def _one_line_error(r, *needles: str) -> None:
    assert r.code == 2, (r.out, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("journal: error: "), r.err
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_export_errors_are_one_line(cli, journal, demo, tmp_path):
    _one_line_error(
        cli("export", "-p", DEMO, "-f", "docx", "-o", str(tmp_path / "x")),
        "invalid format 'docx'",
        "pdf, html, csv, json, fhir",
    )
    _one_line_error(
        cli("export", "-p", DEMO, "-f", "pdf", "--paper", "a5", "-o", str(tmp_path / "x.pdf")),
        "invalid paper 'a5'",
    )
    _one_line_error(
        cli("export", "-p", "Nobody", "-f", "pdf", "-o", str(tmp_path / "x.pdf")), "Nobody"
    )
    _one_line_error(
        cli("export", "-p", DEMO, "--course", "nope", "-f", "pdf", "-o", str(tmp_path / "x.pdf")),
        "unknown course 'nope'",
    )
    _one_line_error(cli("export", "-p", DEMO, "-f", "pdf", "-o", str(tmp_path)), "is a folder")
    assert not list(tmp_path.glob("x*"))


def test_export_success_messages(cli, journal, demo, tmp_path):
    r = cli("export", "-p", DEMO, "-f", "pdf", "-o", str(tmp_path / "s.pdf"))
    assert r.code == 0, r.err
    assert re.match(r"Wrote pdf export to .*s\.pdf \(\d+ KB\)\n$", r.out)
    r = cli("export", "-p", DEMO, "-f", "csv", "-o", str(tmp_path / "sheets"), "--json")
    assert r.code == 0, r.err
    assert r.json()["format"] == "csv" and r.json()["bytes"] > 0
    assert (tmp_path / "sheets" / "checkins.csv").stat().st_mode & 0o777 == 0o600


def test_export_writes_atomically(journal, demo, tmp_path, monkeypatch):
    """A renderer that fails leaves neither a partial file nor a temporary one."""
    from journal.export import pdf
    from journal.services.exporting import export_patient

    def broken(*_args, **_kwargs):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(pdf._Writer, "build", broken)
    with pytest.raises(RuntimeError):
        export_patient(journal, DEMO, fmt="pdf", out=tmp_path / "s.pdf")
    assert not (tmp_path / "s.pdf").exists()
    assert not list(tmp_path.glob(".s.pdf*"))  # the temporary file is gone too


def test_help_lists_the_commands_and_loads_no_renderer():
    code = (
        "import sys, journal.cli.main;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('fpdf', 'fhir')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    listed = subprocess.run(
        [sys.executable, "-m", "journal", "--help"], capture_output=True, text=True, check=True
    )
    assert "export" in listed.stdout and "import" in listed.stdout


# -- pure helpers ---------------------------------------------------------------------------


def _record(sessions, checkins) -> CourseRecord:
    patient = Patient(uuid.uuid4(), "P")
    course = Course(uuid.uuid4(), patient.id, "C")
    return CourseRecord(patient, course, tuple(sessions), tuple(checkins))


def _t(day: str) -> Session:
    return Session(uuid.uuid4(), uuid.uuid4(), dt.date.fromisoformat(day))


def _c(day: str, **symptoms: int) -> CheckIn:
    return CheckIn(uuid.uuid4(), uuid.uuid4(), dt.date.fromisoformat(day), symptoms=symptoms)


def test_recovery_lines_follow_each_session_until_the_next():
    record = _record(
        [_t("2026-01-01"), _t("2026-01-29")],
        [
            _c("2026-01-02", redness=6, swelling=7),
            _c("2026-01-04", redness=2),
            _c("2026-01-20"),  # nothing rated: not a point at 0
            _c("2026-01-30", pain=3),
            _c("2026-03-30", redness=1),  # beyond the month after the last session
        ],
    )
    first, second = recovery_lines(record)
    assert first.points == ((1, 7), (3, 2))
    assert second.points == ((1, 3),)


def test_chart_projection_stays_inside_its_box():
    chart = trend_chart(
        [
            (dt.date(2026, 1, 1) + dt.timedelta(days=28 * i), s)
            for i, s in enumerate(range(0, 110, 10))
        ]
    )
    box = Box(10, 20, 100, 50)
    for x, y in chart.series[0].points:
        px, py = chart.project(x, y, box)
        assert 10 < px < 110 and 20 <= py <= 70
    assert len(chart.x_ticks) <= 8 + 1
    assert chart.project(0, 0, box)[1] == 70 and chart.project(0, 100, box)[1] == 20
    empty = recovery_chart([])
    assert empty.is_empty and empty.x_max == 7


def test_html_charts_are_well_formed_svg(journal, demo, tmp_path):
    from journal.services.exporting import export_patient

    out = export_patient(journal, DEMO, fmt="html", out=tmp_path / "c.html")
    svgs = re.findall(r"<svg .*?</svg>", out.read_text(encoding="utf-8"), re.DOTALL)
    assert len(svgs) == 2
    for svg in svgs:
        root = ET.fromstring(svg)
        assert root.findall("polyline") and root.findall("circle")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+CMD", "'+CMD"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("plain", "plain"),
        (None, ""),
    ],
)
def test_csv_text_is_defused(value, expected):
    assert safe_text(value) == expected


def test_the_archive_carries_every_column():
    """A column added to a table later must be added to the archive too (or it is lost)."""
    from journal.export.archive import TABLES
    from journal.store import models

    tables = {
        "patient": models.PatientRow,
        "providers": models.ProviderRow,
        "courses": models.CourseRow,
        "sessions": models.SessionRow,
        "checkins": models.CheckInRow,
        "photos": models.PhotoRow,
        "reviews": models.ReviewRow,
    }
    # Readings derived from a photo's pixels (journal.services.evidence): not carried,
    # read again from the carried display copy at the receiving journal's first compare.
    derived = {"photos": {"quality", "measures", "comparison"}}
    for key, model in tables.items():
        columns = {c.key for c in model.__table__.columns} - derived.get(key, set())
        assert columns == {f.name for f in TABLES[key]}, key
