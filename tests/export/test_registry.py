"""Export formats are declared once and a clinic can add its own through an entry point."""

from __future__ import annotations

import importlib.metadata
import textwrap
from pathlib import Path
from typing import Any

import pytest

from journal.export.registry import ENTRY_POINT_GROUP, ExportFormat, with_plugins
from journal.services import exporting
from journal.services.patients import add_patient


def _names_only(journal: Any, job: Any) -> Path:
    job.out.write_text(job.patient_ref)
    return job.out


EXTRA = ExportFormat("txt", ".txt", "Plain text", "the patient's name", _names_only)


class FakeEntryPoint:
    """Stands in for `importlib.metadata.EntryPoint`: a name and a `load()`."""

    def __init__(self, name: str, loaded: Any) -> None:
        self.name = name
        self._loaded = loaded

    def load(self) -> Any:
        if isinstance(self._loaded, Exception):
            raise self._loaded
        return self._loaded


def test_built_in_formats_are_the_five_documented_ones():
    assert list(exporting.FORMATS) == ["pdf", "html", "csv", "json", "fhir"]
    for fmt in exporting.FORMATS.values():
        assert fmt.suffix.startswith(".") and fmt.label and fmt.description
        assert "\n" not in fmt.description


def test_plugins_are_added_and_bad_ones_are_left_out_with_a_reason():
    clash = ExportFormat("pdf", ".x", "Mine", "replaces pdf", _names_only)
    found, problems = with_plugins(
        exporting.FORMATS,
        [
            FakeEntryPoint("txt", EXTRA),
            FakeEntryPoint("broken", ImportError("no module named clinic_thing")),
            FakeEntryPoint("odd", object()),
            FakeEntryPoint("clash", clash),
        ],
    )
    assert list(found) == ["pdf", "html", "csv", "json", "fhir", "txt"]
    assert found["pdf"] is exporting.FORMATS["pdf"]  # a built-in cannot be replaced
    assert problems == [
        "export plugin 'broken' did not load: no module named clinic_thing",
        "export plugin 'odd' is not an ExportFormat",
        "export plugin 'clash' reuses the name 'pdf'",
    ]


@pytest.fixture
def clinic_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An installed distribution (dist-info on sys.path) declaring one export entry point."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "clinic_export.py").write_text(
        textwrap.dedent(
            """
            from journal.export.registry import ExportFormat

            def write(journal, job):
                job.out.write_text("clinic note for " + job.patient_ref)
                return job.out

            NOTE = ExportFormat("note", ".txt", "Clinic note", "the clinic's own note", write)
            """
        )
    )
    info = site / "clinic_export-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: clinic-export\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\nnote = clinic_export:NOTE\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(exporting, "_with_plugins", None)  # forget what an earlier test read
    assert "note" in {e.name for e in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}


def test_an_installed_plugin_format_exports_through_the_service(journal, clinic_plugin, tmp_path):
    add_patient(journal, "Ana")
    assert "note" in exporting.all_formats()
    assert "note" not in exporting.FORMATS  # the built-ins (and so --help) stay static
    out = exporting.export_patient(journal, "Ana", fmt="NOTE", out=tmp_path / "n.txt")
    assert out.read_text() == "clinic note for Ana"


def test_unknown_format_names_the_choices(journal, tmp_path):
    from journal.core.errors import InvalidValue

    with pytest.raises(InvalidValue, match="choose one of pdf, html, csv, json, fhir"):
        exporting.export_patient(journal, "Ana", fmt="docx", out=tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_cli_format_help_lists_every_built_in_format(cli):
    r = cli("export", "--help")
    assert r.code == 0
    flat = " ".join(r.out.split())
    for fmt in exporting.FORMATS.values():
        assert f"{fmt.name}: {fmt.description}" in flat
