"""`journal photo compare` and the evidence stored with photos (issue 14).

Real photos through the real pipeline: generated skin written as JPEG, imported
with `photo add`, compared, scored. The follow-up is the same skin turned and
re-framed, with a third of its marks and some redness gone.
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image, ImageFilter

from journal.imaging.synthetic import paint_skin
from journal.services.journal import open_journal
from journal.services.results import load_course_records, stored_results

SIZE = (800, 600)
SEED = 9  # a mid skin tone: nothing clips, so the whole frame can be measured


def _write(path, image: Image.Image) -> str:
    image.save(path, "JPEG", quality=92)
    return str(path)


def before_photo(tmp_path) -> str:
    return _write(tmp_path / "before.jpg", paint_skin(seed=SEED, severity=9, size=SIZE))


def follow_up_photo(tmp_path, name="after.jpg", *, blur=0.0) -> str:
    skin = np.asarray(paint_skin(seed=SEED, severity=6, size=SIZE, redness=0.8))
    turn = cv2.getRotationMatrix2D((SIZE[0] / 2, SIZE[1] / 2), 4, 1.06)
    moved = cv2.warpAffine(skin, turn, SIZE, borderMode=cv2.BORDER_REFLECT)
    image = Image.fromarray(moved)
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    return _write(tmp_path / name, image)


@pytest.fixture
def patient(cli):
    assert cli("patient", "add", "Ana Lima").code == 0
    assert cli("session", "add", "-p", "Ana Lima", "--date", "2024-01-05").code == 0
    return "Ana Lima"


@pytest.fixture
def pair(cli, patient, tmp_path):
    """A baseline before the first session and a follow-up eight weeks after it."""
    add = cli(
        "photo", "add", "-p", patient, before_photo(tmp_path), "--area", "cheeks",
        "--kind", "before", "--date", "2024-01-04", "--json",
    )  # fmt: skip
    assert add.code == 0, add.err
    later = cli(
        "photo", "add", "-p", patient, follow_up_photo(tmp_path), "--area", "cheeks",
        "--date", "2024-03-01", "--json",
    )  # fmt: skip
    assert later.code == 0, later.err
    return add.json()["imported"][0]["id"], later.json()["imported"][0]["id"]


def listed(cli, patient):
    r = cli("photo", "list", "-p", patient, "--json")
    assert r.code == 0, r.err
    return r.json()


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc
        chunks.append(kind)
        pos += 12 + length
    return chunks


def test_photo_list_json_gives_quality_and_measures_from_the_import(cli, patient, pair):
    photos = listed(cli, patient)
    assert len(photos) == 2
    for photo in photos:
        quality, measures = photo["quality"], photo["measures"]
        assert quality["ok"] is True and quality["warnings"] == []
        assert set(quality["checks"]) == {"sharpness", "exposure", "colour", "skin"}
        assert {"redness", "pigment_spread", "texture", "spots"} <= set(measures)
        assert measures["measured_fraction"] > 0.5
    assert photos[0]["measures"]["spots"] > photos[1]["measures"]["spots"]


def test_a_blurry_photo_is_imported_with_a_warning_in_words(cli, patient, tmp_path):
    path = follow_up_photo(tmp_path, "blurry.jpg", blur=5)
    r = cli("photo", "add", "-p", patient, path, "--area", "cheeks")
    assert r.code == 0, r.err
    assert "Imported blurry.jpg" in r.out
    assert r.err.strip() == (
        "journal: warning: blurry.jpg: blurry: hold the phone still or tap the skin to focus"
    )
    (photo,) = listed(cli, patient)
    assert photo["quality"]["checks"]["sharpness"] == "poor"


def test_compare_json_aligns_measures_and_stores_the_comparison(cli, patient, pair, tmp_path):
    baseline_id, follow_id = pair
    r = cli("photo", "compare", "-p", patient, "--area", "cheeks", "--json")
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["baseline"]["id"] == baseline_id and doc["follow_up"]["id"] == follow_id
    alignment = doc["alignment"]
    assert alignment["ok"] is True
    assert abs(abs(alignment["rotation_deg"]) - 4) < 0.5
    assert len(alignment["matrix"]) == 3 and alignment["inliers"] >= 20
    assert doc["comparable"] is True, doc["warnings"]
    by_name = {m["name"]: m for m in doc["measures"]}
    assert set(by_name) == {"redness", "pigment_spread", "texture", "spots"}
    for m in by_name.values():
        assert {"baseline", "follow_up", "change", "uncertainty", "sentence"} <= set(m)
    assert by_name["spots"]["change"] < 0 and by_name["spots"]["detected"]
    assert by_name["redness"]["change"] < 0
    assert "same light" in doc["caveat"]
    stored = {p["id"]: p for p in listed(cli, patient)}[follow_id]["comparison"]
    assert stored["baseline_id"] == baseline_id and stored["comparable"] is True

    # A second compare reuses the stored transform and gives the same numbers.
    again = cli("photo", "compare", "-p", patient, "--area", "cheeks", "--json").json()
    assert again["alignment"]["matrix"] == alignment["matrix"]
    assert again["measures"] == doc["measures"]


def test_compare_text_output_names_the_measures(cli, patient, pair):
    r = cli("photo", "compare", "-p", patient, "--area", "cheek")
    assert r.code == 0, r.err
    assert "Aligned to the baseline" in r.out and "Comparable: yes" in r.out
    for label in ("redness", "uneven pigmentation", "texture", "marks"):
        assert label in r.out
    assert "same light" in r.out


def test_output_writes_a_metadata_free_png_of_the_aligned_pair(cli, patient, pair, tmp_path):
    out = tmp_path / "pair.png"
    r = cli("photo", "compare", "-p", patient, "--area", "cheeks", "-o", str(out))
    assert r.code == 0, r.err
    data = out.read_bytes()
    assert set(png_chunks(data)) == {b"IHDR", b"IDAT", b"IEND"}
    with Image.open(out) as image:
        width, height = image.size
        assert image.mode == "RGB" and width > 2.9 * height
    assert not list(tmp_path.glob(".journal-*"))


def test_the_score_uses_a_comparable_pair_and_says_so(cli, patient, pair, home, journal_url):
    before = cli("score", "-p", patient, "--json").json()
    assert before["photo_evidence"] is None
    assert any("comparable before/after photo pair" in line for line in before["missing"])
    assert cli("photo", "compare", "-p", patient, "--area", "cheeks").code == 0
    after = cli("score", "-p", patient, "--json").json()
    evidence = after["photo_evidence"]
    assert evidence is not None and evidence["pairs"][0]["area"] == "cheeks"
    assert any(s.startswith("Measured in aligned, comparable photos") for s in after["explanation"])
    assert not any("comparable before/after photo pair" in line for line in after["missing"])
    # The stored result (the provider list's) took the photo share in the compare's own write.
    listed = cli("patient", "list", "--json").json()
    assert [row["score"] for row in listed] == [after["score"]]
    with open_journal(home, journal_url) as journal, journal.read() as db:
        course_id = next(iter(stored_results(db.connection())))
        (record,) = load_course_records(db, [course_id])
    assert [pair.area for pair in record.photo_pairs] == ["cheeks"]
    doctor = cli("doctor").out
    assert any(line.split()[:2] == ["ok", "results"] for line in doctor.splitlines()), doctor


def refused(r, *words):
    assert r.code == 2, (r.out, r.err)
    lines = r.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("journal: error: "), r.err
    assert "Traceback" not in r.out + r.err
    for word in words:
        assert word in lines[0]
    return lines[0]


def test_bad_compare_input_is_one_line_exit_2_and_writes_nothing(cli, patient, pair, tmp_path):
    baseline_id, _follow_id = pair
    out = tmp_path / "pair.png"
    compare = ("photo", "compare", "-p", patient)
    refused(cli(*compare, "--area", "forehead", "-o", str(out)), "forehead", "no photos")
    refused(
        cli(*compare, "--area", "cheeks", "--from", baseline_id[:8], "--to", baseline_id[:8]),
        "same photo",
    )
    refused(cli(*compare, "--area", "cheeks", "-o", str(tmp_path / "no" / "pair.png")), "folder")
    refused(cli(*compare, "--area", "cheeks", "--to", "ffffffff"), "ffffffff")
    assert not out.exists()
    assert all(p["comparison"] is None for p in listed(cli, patient))


def test_an_area_without_a_baseline_photo_is_refused(cli, patient, tmp_path):
    path = follow_up_photo(tmp_path)
    assert cli("photo", "add", "-p", patient, path, "--area", "chin", "--kind", "after").code == 0
    refused(cli("photo", "compare", "-p", patient, "--area", "chin"), "no baseline photo")


def test_a_photo_of_another_area_is_refused(cli, patient, pair, tmp_path):
    path = follow_up_photo(tmp_path, "chin.jpg", blur=0.5)  # other bytes than after.jpg
    add = cli("photo", "add", "-p", patient, path, "--area", "chin", "--json")
    chin_id = add.json()["imported"][0]["id"]
    refused(cli("photo", "compare", "-p", patient, "--area", "cheeks", "--to", chin_id), "chin")


def test_start_up_does_not_import_opencv_or_numpy():
    """Every command module is imported at start-up; none may pull in OpenCV or numpy."""
    import subprocess
    import sys

    code = (
        "import sys, journal.cli.main, journal.cli.photo_cmds, journal.services.scoring;"
        "print(sorted(m for m in ('cv2', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_dates_are_the_photo_dates(cli, patient, pair):
    photos = listed(cli, patient)
    days = [dt.datetime.fromisoformat(p["taken_at"]).date().isoformat() for p in photos]
    assert days == ["2024-01-04", "2024-03-01"]
