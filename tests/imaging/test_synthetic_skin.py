"""Synthetic skin photos: deterministic, dated, and visibly healing as severity drops."""

from __future__ import annotations

import datetime as dt

import pytest
from PIL import Image, ImageChops, ImageStat

from journal.imaging import pipeline
from journal.imaging.synthetic import write_skin_photo

TAKEN = dt.datetime(2024, 3, 1, 10, 30)
SMALL = (400, 300)


def paint(tmp_path, severity, *, seed=5, name=None, **kw):
    path = tmp_path / (name or f"skin-{seed}-{severity}.jpg")
    write_skin_photo(path, seed=seed, severity=severity, taken_at=TAKEN, size=SMALL, **kw)
    return path


def difference(a, b) -> float:
    with Image.open(a) as one, Image.open(b) as two:
        diff = ImageChops.difference(one.convert("L"), two.convert("L"))
        return sum(ImageStat.Stat(diff).mean)


def test_the_same_seed_paints_the_same_photo(tmp_path):
    first = paint(tmp_path, 6, name="a.jpg")
    second = paint(tmp_path, 6, name="b.jpg")
    assert first.read_bytes() == second.read_bytes()
    assert paint(tmp_path, 6, seed=6).read_bytes() != first.read_bytes()


def test_marks_fade_as_severity_drops(tmp_path):
    clear = paint(tmp_path, 0)
    severe, mild = paint(tmp_path, 10), paint(tmp_path, 3)
    assert difference(severe, clear) > 2 * difference(mild, clear) > 0
    # Healing removes marks; it does not move them: mild is closer to severe than clear is.
    assert difference(severe, mild) < difference(severe, clear)


def test_taken_at_is_written_as_exif_capture_time(tmp_path):
    aware = dt.datetime(2024, 3, 1, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    path = tmp_path / "aware.jpg"
    write_skin_photo(path, seed=1, severity=4, taken_at=aware, size=SMALL, area_label="Cheeks")
    header = pipeline.process(path).header
    assert (header.taken_at, header.taken_at_source) == (aware.astimezone(dt.UTC), "exif")

    naive = pipeline.process(paint(tmp_path, 4)).header
    assert naive.taken_at == TAKEN.astimezone().astimezone(dt.UTC)


def test_size_and_label_are_honoured(tmp_path):
    path = paint(tmp_path, 2, area_label="Left cheek")
    with Image.open(path) as im:
        assert im.size == SMALL and im.format == "JPEG"


def test_severity_outside_0_to_10_is_refused(tmp_path):
    with pytest.raises(ValueError):
        paint(tmp_path, 11)
