"""`journal photo add/list`: batch semantics, one-line errors, exit codes, --json."""

from __future__ import annotations

import datetime as dt
import os
import struct
import zlib

import pytest
from conftest import photo_files
from PIL import Image

from journal.imaging.synthetic import write_skin_photo

SMALL = (480, 360)


def skin(tmp_path, name, *, seed=1, taken=dt.datetime(2024, 3, 1, 10, 30)):
    path = tmp_path / name
    write_skin_photo(path, seed=seed, severity=5, taken_at=taken, size=SMALL)
    return path


@pytest.fixture
def patient(cli):
    assert cli("patient", "add", "Ana Lima").code == 0
    return "Ana Lima"


def listed(cli, patient):
    r = cli("photo", "list", "--patient", patient, "--json")
    assert r.code == 0, r.err
    return r.json()


def assert_refused(cli, home, patient, result, *names):
    """Exit 2, one line on stderr naming the culprit, no traceback, nothing stored."""
    assert result.code == 2, (result.out, result.err)
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("journal: error: ")
    for name in names:
        assert name in lines[0]
    assert "Traceback" not in result.err + result.out
    assert listed(cli, patient) == []
    assert photo_files(home) == []
    return lines[0]


def test_add_then_list(cli, patient, tmp_path, home):
    path = skin(tmp_path, "cheek.jpg")

    r = cli("photo", "add", "--patient", patient, str(path), "--area", "cheeks")

    assert r.code == 0, r.err
    assert r.err == ""
    assert "Imported cheek.jpg" in r.out and "before" in r.out and "cheeks" in r.out
    (photo,) = listed(cli, patient)
    assert photo["area"] == "cheeks" and photo["taken_at_source"] == "exif"
    assert len(photo_files(home)) == 2
    table = cli("photo", "list", "--patient", patient)
    assert table.code == 0 and photo["id"].replace("-", "")[:8] in table.out


def test_add_json_is_one_document(cli, patient, tmp_path):
    path = skin(tmp_path, "a.jpg")
    r = cli("photo", "add", "--patient", patient, str(path), "--kind", "after", "--json")
    assert r.code == 0, r.err
    doc = r.json()
    assert set(doc) == {"imported", "duplicates", "failed"}
    assert doc["imported"][0]["kind"] == "after" and doc["failed"] == []

    again = cli("photo", "add", "--patient", patient, str(path), "--json")
    assert again.code == 0 and again.json()["duplicates"][0]["id"] == doc["imported"][0]["id"]
    assert len(listed(cli, patient)) == 1


def test_heic_and_keep_original(cli, patient, tmp_path, home):
    import pillow_heif

    pillow_heif.register_heif_opener()
    path = tmp_path / "IMG_0001.HEIC"
    Image.new("RGB", (320, 240), (180, 120, 100)).save(path, "HEIF", quality=70)

    r = cli("photo", "add", "--patient", patient, str(path), "--keep-original", "--json")

    assert r.code == 0, r.err
    original = r.json()["imported"][0]["original_path"]
    assert original.endswith("-original.heic")
    assert (home / "photos" / original).read_bytes() == path.read_bytes()
    assert len(photo_files(home)) == 3


def test_session_and_date_link_the_photo(cli, patient, tmp_path):
    session = cli("session", "add", "--patient", patient, "--date", "2024-03-01", "--json")
    assert session.code == 0, session.err
    session_id = session.json()["id"]
    by_session = cli(
        "photo", "add", "--patient", patient, str(skin(tmp_path, "a.jpg", seed=1)),
        "--session", session_id[:8], "--json",
    )  # fmt: skip
    by_date = cli(
        "photo", "add", "--patient", patient, str(skin(tmp_path, "b.jpg", seed=2)),
        "--date", "2024-03-01", "--angle", "left", "--json",
    )  # fmt: skip
    assert by_session.json()["imported"][0]["session_id"] == session_id
    assert by_date.json()["imported"][0]["session_id"] == session_id
    assert by_date.json()["imported"][0]["angle"] == "left"


# -- each bad input on its own ---------------------------------------------------------


def test_a_text_file_named_jpg(cli, patient, tmp_path, home):
    path = tmp_path / "notes.jpg"
    path.write_text("hello")
    r = cli("photo", "add", "--patient", patient, str(path))
    line = assert_refused(cli, home, patient, r, str(path))
    assert line.endswith("is not a JPEG, PNG, WebP or HEIC image")


def test_a_zero_byte_file(cli, patient, tmp_path, home):
    path = tmp_path / "empty.jpg"
    path.touch()
    r = cli("photo", "add", "--patient", patient, str(path))
    assert assert_refused(cli, home, patient, r, str(path)).endswith("is empty (0 bytes)")


def test_a_truncated_jpeg(cli, patient, tmp_path, home):
    full = tmp_path / "full.jpg"
    Image.frombytes("RGB", (300, 200), os.urandom(180_000)).save(full, quality=90)
    path = tmp_path / "cut.jpg"
    path.write_bytes(full.read_bytes()[:20_000])
    r = cli("photo", "add", "--patient", patient, str(path))
    assert_refused(cli, home, patient, r, str(path), "truncated")


def test_a_png_claiming_30000x30000(cli, patient, tmp_path, home):
    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    path = tmp_path / "bomb.png"
    ihdr = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )
    r = cli("photo", "add", "--patient", patient, str(path))
    assert_refused(cli, home, patient, r, str(path), "100-megapixel limit")


def test_a_missing_path(cli, patient, tmp_path, home):
    path = tmp_path / "nope.jpg"
    r = cli("photo", "add", "--patient", patient, str(path))
    assert assert_refused(cli, home, patient, r, str(path)).endswith("no such file")


def test_a_directory(cli, patient, tmp_path, home):
    r = cli("photo", "add", "--patient", patient, str(tmp_path))
    assert_refused(cli, home, patient, r, str(tmp_path), "is a folder")


def test_an_unknown_kind(cli, patient, tmp_path, home):
    path = skin(tmp_path, "a.jpg")
    r = cli("photo", "add", "--patient", patient, str(path), "--kind", "during")
    assert_refused(cli, home, patient, r, "kind", "'during'")


def test_an_unknown_patient(cli, patient, tmp_path, home):
    path = skin(tmp_path, "a.jpg")
    r = cli("photo", "add", "--patient", "Zed", str(path))
    assert_refused(cli, home, patient, r, "patient", "'Zed'")


def test_date_and_session_together(cli, patient, tmp_path, home):
    path = skin(tmp_path, "a.jpg")
    r = cli("photo", "add", "--patient", patient, str(path), "--date", "2024-03-01",
            "--session", "abcd")  # fmt: skip
    assert_refused(cli, home, patient, r, "--session")


# -- batches -----------------------------------------------------------------------------


def test_a_batch_with_good_and_bad_files(cli, patient, tmp_path, home):
    good = [skin(tmp_path, f"good-{i}.jpg", seed=i) for i in range(2)]
    bad_text = tmp_path / "notes.jpg"
    bad_text.write_text("hello")
    missing = tmp_path / "gone.jpg"

    r = cli("photo", "add", "--patient", patient, str(good[0]), str(bad_text), str(good[1]),
            str(missing))  # fmt: skip

    assert r.code == 2
    assert r.out.count("Imported ") == 2
    assert r.err.splitlines() == [
        f"journal: error: {bad_text}: is not a JPEG, PNG, WebP or HEIC image",
        f"journal: error: {missing}: no such file",
    ]  # no progress bar: stderr is not a terminal
    assert len(listed(cli, patient)) == 2 and len(photo_files(home)) == 4


def test_a_batch_with_json_reports_failures_in_the_document(cli, patient, tmp_path):
    good = skin(tmp_path, "good.jpg")
    empty = tmp_path / "empty.webp"
    empty.touch()

    r = cli("photo", "add", "--patient", patient, str(good), str(empty), "--json")

    assert r.code == 2
    doc = r.json()
    assert len(doc["imported"]) == 1
    assert doc["failed"] == [{"path": str(empty), "error": "is empty (0 bytes)"}]
    assert r.err.splitlines() == [f"journal: error: {empty}: is empty (0 bytes)"]


def test_another_patients_photo_is_refused(cli, patient, tmp_path):
    assert cli("patient", "add", "Ben Okafor").code == 0
    path = skin(tmp_path, "a.jpg")
    assert cli("photo", "add", "--patient", patient, str(path)).code == 0
    r = cli("photo", "add", "--patient", "Ben Okafor", str(path))
    assert r.code == 2
    assert r.err.strip() == (
        f"journal: error: {path}: this photo is already stored in this journal and cannot be "
        "added again"
    )
    assert listed(cli, "Ben Okafor") == []


# -- each photo filed by its name (issue 12, part 5) -------------------------------------


def test_area_and_kind_from_each_file_name(cli, patient, tmp_path):
    paths = [
        skin(tmp_path, "after-left-cheek.jpg", seed=1),
        skin(tmp_path, "IMG_before_forehead.jpg", seed=2),
        skin(tmp_path, "2026-07-01 right cheek after.jpg", seed=3),
    ]
    r = cli("photo", "add", "-p", patient, *map(str, paths), "--area-from-name",
            "--kind-from-name")  # fmt: skip
    assert r.code == 0, r.err
    assert "after-left-cheek.jpg as " in r.out and "(after, 2024-03-01, left-cheek)" in r.out
    filed = {p["original_name"]: (p["area"], p["kind"]) for p in listed(cli, patient)}
    assert filed == {
        "after-left-cheek.jpg": ("left-cheek", "after"),
        "IMG_before_forehead.jpg": ("forehead", "before"),
        "2026-07-01 right cheek after.jpg": ("right-cheek", "after"),
    }


def test_a_name_that_says_nothing_takes_the_given_area_and_kind(cli, patient, tmp_path):
    paths = [skin(tmp_path, "IMG_0042.jpg", seed=1), skin(tmp_path, "chin-post.jpg", seed=2)]
    r = cli("photo", "add", "-p", patient, *map(str, paths), "--area-from-name",
            "--kind-from-name", "--area", "cheeks", "--kind", "follow-up")  # fmt: skip
    assert r.code == 0, r.err
    filed = {p["original_name"]: (p["area"], p["kind"]) for p in listed(cli, patient)}
    assert filed == {"IMG_0042.jpg": ("cheeks", "follow-up"), "chin-post.jpg": ("chin", "after")}


def test_a_name_without_an_area_and_no_area_given_imports_nothing(cli, patient, tmp_path, home):
    good = skin(tmp_path, "after-left-cheek.jpg", seed=1)
    vague = skin(tmp_path, "IMG_0042.jpg", seed=2)
    r = cli("photo", "add", "-p", patient, str(good), str(vague), "--area-from-name")
    line = assert_refused(cli, home, patient, r, "IMG_0042.jpg", "--area")
    assert "after-left-cheek" not in line
