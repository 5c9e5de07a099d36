"""Archives from strangers: bad timestamps, hostile text, huge lists, and a fuzz run.

Issue 9: an archive timestamp whose offset moves it past year 1 or 9999
overflowed into a traceback; text with terminal escapes imported as is; list
fields had no count limit (200,000 custom areas imported). Every case below is
now one line on stderr, exit 2, nothing written; and a Hypothesis run over
mutated records and members of a real exported archive finds no traceback and
no escape sequence in any output.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal.export.archive import TABLE_KEYS
from tests.reliability._archive import UNSAFE, Parts, build_small_archive, invoke


class Exported(bytes):
    """The exported archive's bytes, with a short repr for Hypothesis' failure reports."""

    def __repr__(self) -> str:
        return f"<archive of {len(self)} bytes>"


@pytest.fixture(scope="module")
def archive_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return Exported(build_small_archive(tmp_path_factory.mktemp("source")))


def _import(home: Path, archive: Path) -> tuple[int, str, str]:
    return invoke(["--home", str(home), "import", str(archive)])


def _refused(home: Path, archive: Path, *needles: str) -> str:
    code, out, err = _import(home, archive)
    assert code == 2, (code, out, err)
    assert err.startswith("journal: error: cannot import ") and err.count("\n") == 1, err
    assert not UNSAFE.search(err) and not out
    for needle in needles:
        assert needle in err, err
    listed = invoke(["--home", str(home), "patient", "list", "--json"])
    assert listed[0] == 0 and json.loads(listed[1]) == []  # nothing was written
    return err


def test_the_untouched_archive_imports(archive_bytes, tmp_path):
    archive = Parts(archive_bytes).write(tmp_path / "a.zip")
    code, out, err = _import(tmp_path / "home", archive)
    assert code == 0, err
    assert "Imported Ana Lima" in out


# -- item 3: timestamps -----------------------------------------------------------------


@pytest.mark.parametrize(
    "stamp",
    [
        "0001-01-01T00:00:00+05:00",  # before year 1 in UTC: OverflowError before the fix
        "9999-12-31T23:59:59-05:00",  # after year 9999 in UTC
        "1989-12-31T23:59:59+00:00",  # before any record could be made
        "2999-01-01T00:00:00+00:00",  # would win every later merge ("newer wins")
        "20260101T000000",  # basic format
        "2026-W01-1T00:00:00",  # week date
        "2026-01-01 00:00:00\x1b[2J",
        "2026-13-01T00:00:00+00:00",
        "2026-01-01T00:00:00+24:00",
    ],
)
@pytest.mark.parametrize("field", ["created_at", "updated_at"])
def test_out_of_range_or_malformed_timestamps_are_refused_in_one_line(
    archive_bytes, tmp_path, stamp, field
):
    parts = Parts(archive_bytes)
    parts.records["sessions"][0][field] = stamp
    archive = parts.write(tmp_path / "a.zip")
    _refused(tmp_path / "home", archive, f"invalid {field.replace('_', ' ')} ", repr(stamp)[:20])


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_photo_taken_at_overflow_is_refused(archive_bytes, tmp_path, stamp):
    parts = Parts(archive_bytes)
    parts.records["photos"][0]["taken_at"] = stamp
    _refused(tmp_path / "home", parts.write(tmp_path / "a.zip"), "invalid taken at")


@pytest.mark.parametrize("date", ["20261001", "2026-W40-1", "0001-01-01"])
def test_record_dates_in_other_forms_are_refused(archive_bytes, tmp_path, date):
    parts = Parts(archive_bytes)
    parts.records["checkins"][0]["date"] = date
    _refused(tmp_path / "home", parts.write(tmp_path / "a.zip"), "invalid date", repr(date))


def test_overflowing_timestamp_through_the_real_command_has_no_traceback(archive_bytes, tmp_path):
    parts = Parts(archive_bytes)
    parts.records["patient"]["updated_at"] = "0001-01-01T00:00:00+05:00"
    archive = parts.write(tmp_path / "a.zip")
    done = subprocess.run(
        [sys.executable, "-m", "journal", "--home", str(tmp_path / "home"), "import", str(archive)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "invalid updated at '0001-01-01T00:00:00+05:00'" in done.stderr


# -- item 4: hostile text ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "field", "value"),
    [
        ("patient", "display_name", "Eve\x1b]0;PWNED\x07\x1b[2J"),
        ("patient", "display_name", "Eve\u202e"),
        ("patient", "display_name", "Eve\u200f"),
        ("providers", "name", "Dr\x9b Ito"),
        ("providers", "clinic", "Clinic\x07"),
        ("courses", "title", "Cheeks\x1b[5m"),
        ("sessions", "notes", "first\x1b[2J"),
        ("sessions", "notes", "first\u2066"),
        ("sessions", "anesthetic", "lido\ncaine"),
        ("checkins", "notes", "a\x7fb"),
        ("reviews", "notes", "a\x85b"),
        ("photos", "angle", "front\x1b"),
        ("photos", "original_name", "x\u202egpj.exe"),
    ],
)
def test_control_and_bidi_characters_in_archive_text_are_refused(
    archive_bytes, tmp_path, section, field, value
):
    parts = Parts(archive_bytes)
    record = parts.records[section] if section == "patient" else parts.records[section][0]
    record[field] = value
    _refused(
        tmp_path / "home", parts.write(tmp_path / "a.zip"), f"invalid {field.replace('_', ' ')}"
    )


@pytest.mark.parametrize(
    ("section", "field", "value"),
    [
        ("sessions", "areas", ["cheeks\x1b[2J"]),
        ("sessions", "serums", ["prp\u202e"]),
        ("checkins", "red_flags", ["blister\x07"]),
        ("checkins", "concerns", {"acne\x1b": 3}),
        ("sessions", "depth_by_area", {"che\u2067eks": 1.0}),
    ],
)
def test_control_characters_in_archive_terms_are_refused(
    archive_bytes, tmp_path, section, field, value
):
    parts = Parts(archive_bytes)
    parts.records[section][0][field] = value
    _refused(tmp_path / "home", parts.write(tmp_path / "a.zip"))


# -- item 7: list limits ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "field", "value", "needle"),
    [
        ("courses", "areas", [f"custom area {n}" for n in range(200_000)], "more than 32"),
        ("patient", "concerns", [f"c{n}" for n in range(33)], "more than 32"),
        ("sessions", "serums", [f"serum {n}" for n in range(33)], "more than 32"),
        ("checkins", "red_flags", [f"flag {n}" for n in range(33)], "more than 32"),
        ("checkins", "concerns", {f"c{n}": 1 for n in range(33)}, "more than 32"),
        ("sessions", "depth_by_area", {f"a{n}": 1.0 for n in range(33)}, "more than 32"),
        ("sessions", "notes", "n" * 10_001, "longer than 10000"),
        ("patient", "display_name", "n" * 121, "longer than 120"),
    ],
)
def test_list_and_text_fields_have_limits(archive_bytes, tmp_path, section, field, value, needle):
    parts = Parts(archive_bytes)
    record = parts.records[section] if section == "patient" else parts.records[section][0]
    record[field] = value
    _refused(tmp_path / "home", parts.write(tmp_path / "a.zip"), needle)


@pytest.mark.parametrize(
    ("cost", "needle"),
    [
        (None, "a currency without a cost"),
        ("12.345", "more than two decimal places"),
        ("1_0", "invalid cost"),
    ],
)
def test_costs_follow_the_same_rules_as_typed_input(archive_bytes, tmp_path, cost, needle):
    parts = Parts(archive_bytes)
    parts.records["sessions"][0]["cost"] = cost
    _refused(tmp_path / "home", parts.write(tmp_path / "a.zip"), needle)


def test_sections_have_a_record_limit(archive_bytes, tmp_path):
    from journal.core.errors import JournalError
    from journal.export.archive import Limits
    from journal.services.archive_import import import_archive
    from journal.services.journal import open_journal

    parts = Parts(archive_bytes)
    review = parts.records["reviews"][0]
    parts.records["reviews"] = [
        dict(review, id=f"00000000-0000-4000-8000-{n:012d}") for n in range(3)
    ]
    archive = parts.write(tmp_path / "a.zip")
    with open_journal(tmp_path / "home") as journal, pytest.raises(JournalError) as caught:
        import_archive(journal, archive, limits=Limits(records=2))
    assert "more than 2 reviews" in str(caught.value)


# -- the fuzz run -----------------------------------------------------------------------

HOSTILE_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x1b[2J",
        "Eve\x1b]0;PWNED\x07",
        "\x9b31m",
        "\u202eevil",
        "\u2066x\u2069",
        "\x00",
        "\udcff",
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T23:59:59-05:00",
        "20261001",
        "2026-W40-1",
        "1_0",
        "12.345",
        "NaN",
        "x" * 10_001,
        "../../etc/passwd",
        "ab" * 32,
    ]
)
JSON_VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | HOSTILE_TEXT
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
SECTIONS = TABLE_KEYS  # every section an archive holds


def _records_of(parts: Parts, section: str) -> list[dict[str, Any]]:
    """The section's records that are still records (an earlier mutation may have replaced it)."""
    found = parts.records.get(section)
    found = [found] if section == "patient" else found
    if not isinstance(found, list):
        return []
    return [r for r in found if isinstance(r, dict)]


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> tuple[Parts, bool, bool]:
    """A copy of the archive with a few record values and members changed."""
    parts = Parts(original)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        what = draw(
            st.sampled_from(["value", "value", "value", "drop", "extra", "member", "section"])
        )
        section = draw(st.sampled_from(SECTIONS))
        records = _records_of(parts, section)
        record = records[0] if records else {}
        if what == "value" and record:
            record[draw(st.sampled_from(sorted(record)))] = draw(JSON_VALUE)
        elif what == "drop" and record:
            del record[draw(st.sampled_from(sorted(record)))]
        elif what == "extra" and record:
            record[draw(st.text(max_size=8))] = draw(JSON_VALUE)
        elif what == "section":
            parts.records[section] = draw(JSON_VALUE)
        elif what == "member":
            names = sorted(n for n in parts.members if n != "records.json")
            name = draw(st.sampled_from(names)) if names else None
            action = draw(st.sampled_from(["remove", "garbage", "rename", "add"]))
            if action == "remove" and name:
                del parts.members[name]
            elif action == "garbage" and name:
                parts.members[name] = draw(st.binary(max_size=64))
            elif action == "rename" and name:
                parts.members[name.replace("display", "d\x1b[2J")] = parts.members.pop(name)
            else:
                parts.members[draw(HOSTILE_TEXT | st.text(min_size=1, max_size=10))] = b"x"
    # Mostly a consistent forgery, so the mutation reaches the record checks.
    rehash = draw(st.sampled_from([True] * 7 + [False]))
    recount = draw(st.sampled_from([True] * 7 + [False]))
    return parts, rehash, recount


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_fuzz_mutated_archives_answer_in_one_line_without_escapes(archive_bytes, tmp_path, data):
    parts, rehash, recount = data.draw(mutated(archive_bytes))
    try:
        archive = parts.write(tmp_path / "fuzz.zip", rehash=rehash, recount=recount)
    except (UnicodeEncodeError, ValueError, IndexError):  # a name zipfile cannot write
        return
    code, out, err = _import(tmp_path / "home", archive)
    assert code in (0, 2), (code, err)
    assert "Traceback" not in err and not UNSAFE.search(out) and not UNSAFE.search(err), err
    if code == 2:
        assert err.startswith("journal: error: ") and err.count("\n") == 1, err
    else:
        assert not err
    for args in (["patient", "list"], ["history", "-p", "Ana"]):
        code, out, err = invoke(["--home", str(tmp_path / "home"), *args])
        assert code in (0, 2) and not UNSAFE.search(out) and not UNSAFE.search(err), (args, err)
