"""Importing photos into a journal: rows, files, dedupe, links, kinds, failures.

Every test runs against both photo stores (the folder and the database), on
SQLite and on PostgreSQL when the run has one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import stat

import pytest
from conftest import stored_photo_files
from PIL import Image
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session as DbSession

from journal.core.errors import InvalidValue, JournalUnavailable, NotFound
from journal.imaging.synthetic import write_skin_photo
from journal.services.history import patient_history
from journal.services.patients import add_patient
from journal.services.photos import (
    OTHER_PATIENT,
    import_photos,
    list_photos,
    photo_path,
    read_photo,
)
from journal.services.sessions import add_session
from journal.store.models import PhotoRow

SMALL = (480, 360)


def skin(tmp_path, name, *, seed=1, severity=5, taken=dt.datetime(2024, 3, 1, 10, 30), **kw):
    path = tmp_path / name
    write_skin_photo(path, seed=seed, severity=severity, taken_at=taken, size=SMALL, **kw)
    return path


def photo_rows(journal) -> int:
    with journal.read() as db:
        return db.scalar(select(func.count()).select_from(PhotoRow))


@pytest.fixture(autouse=True)
def _both_stores(photo_store):
    """Parametrises every test of this module over the folder and the database store."""
    return photo_store


def stored(journal) -> list[str]:
    return stored_photo_files(journal)


@pytest.fixture
def ana(journal):
    return add_patient(journal, "Ana Lima")


def test_import_stores_a_row_and_two_clean_files(journal, ana, tmp_path, home):
    path = skin(tmp_path, "cheek.jpg")

    report = import_photos(journal, "Ana Lima", [path], area="left cheek", angle="front")

    assert report.duplicates == [] and report.failed == []
    (photo,) = report.imported
    assert photo.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (photo.width, photo.height) == SMALL
    assert photo.taken_at == dt.datetime(2024, 3, 1, 10, 30).astimezone().astimezone(dt.UTC)
    assert photo.taken_at_source == "exif"
    assert (photo.kind, photo.area, photo.angle) == ("before", "left-cheek", "front")
    assert photo.original_name == "cheek.jpg" and photo.original_path is None
    assert photo.display_path == f"{photo.sha256[:2]}/{photo.sha256}-display.jpg"
    assert stored(journal) == sorted([photo.display_path, photo.thumb_path])
    if journal.photos.kind == "folder":
        display = photo_path(journal, photo)
        assert stat.S_IMODE(display.stat().st_mode) == 0o600
        assert stat.S_IMODE(display.parent.stat().st_mode) == 0o700
    with Image.open(io.BytesIO(read_photo(journal, photo, "thumb"))) as im:
        assert max(im.size) == 320
    assert list_photos(journal, "Ana Lima") == [photo]


def test_the_same_bytes_twice_are_one_photo(journal, ana, tmp_path, home):
    path = skin(tmp_path, "a.jpg")
    copy = tmp_path / "copy-of-a.jpg"
    copy.write_bytes(path.read_bytes())
    first = import_photos(journal, "Ana Lima", [path]).imported[0]
    files = _untouched(journal)

    again = import_photos(journal, "Ana Lima", [path, copy])

    assert again.imported == [] and again.duplicates == [first, first]
    assert photo_rows(journal) == 1
    assert _untouched(journal) == files


def _untouched(journal) -> dict[str, object]:
    """Each stored file's bytes and when it was written (a rewrite would change it)."""
    if journal.photos.kind == "folder":
        return {n: journal.photos.path(n).stat().st_mtime_ns for n in stored_photo_files(journal)}
    from journal.store.models import PhotoBlobRow

    with journal.read() as db:
        rows = db.execute(select(PhotoBlobRow.sha256, PhotoBlobRow.which, PhotoBlobRow.created_at))
        return {f"{sha}-{which}": at for sha, which, at in rows}


def test_duplicates_within_one_batch_import_once(journal, ana, tmp_path):
    path = skin(tmp_path, "a.jpg")
    report = import_photos(journal, "Ana Lima", [path, path], workers=2)
    assert len(report.imported) == 1 and report.duplicates == report.imported
    assert photo_rows(journal) == 1


def test_the_same_photo_for_another_patient_is_refused(journal, ana, tmp_path):
    add_patient(journal, "Ben Okafor")
    path = skin(tmp_path, "a.jpg")
    import_photos(journal, "Ana Lima", [path])

    report = import_photos(journal, "Ben Okafor", [path])

    assert report.imported == [] and report.duplicates == []
    assert report.failed == [(str(path), OTHER_PATIENT)]
    assert "patient" not in OTHER_PATIENT  # says nothing about whose photo it is
    assert list_photos(journal, "Ben Okafor") == [] and photo_rows(journal) == 1


def test_keep_original_stores_the_untouched_bytes(journal, ana, tmp_path, home):
    path = tmp_path / "phone.png"
    Image.new("RGB", (64, 48), (120, 80, 60)).save(path)

    (photo,) = import_photos(journal, "Ana Lima", [path], keep_original=True).imported

    assert read_photo(journal, photo, "original") == path.read_bytes()
    assert photo.original_path == f"{photo.sha256[:2]}/{photo.sha256}-original.png"
    if journal.photos.kind == "folder":
        assert stat.S_IMODE(photo_path(journal, photo, "original").stat().st_mode) == 0o600
    assert len(stored(journal)) == 3


def test_photo_path_without_a_kept_original_says_so(journal, ana, tmp_path):
    (photo,) = import_photos(journal, "Ana Lima", [skin(tmp_path, "a.jpg")]).imported
    with pytest.raises(InvalidValue, match="without its original"):
        photo_path(journal, photo, "original")


# -- links and kinds -------------------------------------------------------------------


def test_kind_defaults_from_the_first_session_and_an_explicit_kind_wins(journal, ana, tmp_path):
    add_session(journal, "Ana Lima", date="2024-03-10")
    early = skin(tmp_path, "early.jpg", seed=1, taken=dt.datetime(2024, 3, 1, 9, 0))
    same_day = skin(tmp_path, "same.jpg", seed=2, taken=dt.datetime(2024, 3, 10, 9, 0))
    later = skin(tmp_path, "later.jpg", seed=3, taken=dt.datetime(2024, 4, 20, 9, 0))
    forced = skin(tmp_path, "forced.jpg", seed=4, taken=dt.datetime(2024, 4, 21, 9, 0))

    kinds = [p.kind for p in import_photos(journal, "Ana Lima", [early, same_day, later]).imported]
    explicit = import_photos(journal, "Ana Lima", [forced], kind="post").imported[0]

    assert kinds == ["before", "before", "follow-up"]
    assert explicit.kind == "after"


def test_session_links_the_photo_to_that_session_and_its_course(journal, ana, tmp_path):
    first = add_session(journal, "Ana Lima", date="2024-03-10")
    second = add_session(journal, "Ana Lima", date="2024-04-10")

    photo = import_photos(
        journal, "Ana Lima", [skin(tmp_path, "a.jpg")], session=second.id.hex[:8]
    ).imported[0]

    assert photo.session_id == second.id and photo.course_id == second.course_id
    assert photo.kind == "follow-up"  # the session's date, not the capture date, decides
    assert first.id != second.id


def test_date_links_the_session_of_that_day(journal, ana, tmp_path):
    session = add_session(journal, "Ana Lima", date="2024-03-01")
    photo = import_photos(journal, "Ana Lima", [skin(tmp_path, "a.jpg")], date="2024-03-01")
    assert photo.imported[0].session_id == session.id
    assert photo.imported[0].taken_at_source == "exif"  # the capture time agrees: kept


def test_date_without_a_session_sets_the_day_and_links_only_the_course(journal, ana, tmp_path):
    session = add_session(journal, "Ana Lima", date="2024-03-01")

    (photo,) = import_photos(
        journal, "Ana Lima", [skin(tmp_path, "a.jpg")], date="2024-05-02"
    ).imported

    assert photo.session_id is None and photo.course_id == session.course_id
    assert photo.taken_at.astimezone().date() == dt.date(2024, 5, 2)
    assert photo.taken_at_source == "import" and photo.kind == "follow-up"


def test_a_first_photo_creates_the_default_course(journal, ana, tmp_path):
    (photo,) = import_photos(journal, "Ana Lima", [skin(tmp_path, "a.jpg")]).imported
    assert photo.course_id is not None and photo.kind == "before"
    assert [c.id for c in patient_history(journal, "Ana Lima").courses] == [photo.course_id]


def test_an_import_where_every_file_fails_writes_nothing_at_all(journal, ana, tmp_path, home):
    text = tmp_path / "notes.jpg"
    text.write_text("not a photo")
    report = import_photos(journal, "Ana Lima", [text, tmp_path / "missing.jpg"])
    assert len(report.failed) == 2 and report.imported == []
    assert patient_history(journal, "Ana Lima").courses == ()  # not even a default course
    assert stored(journal) == []


def test_list_photos_orders_by_capture_time_and_filters_by_area(journal, ana, tmp_path):
    late = skin(tmp_path, "late.jpg", seed=1, taken=dt.datetime(2024, 5, 1, 9, 0))
    early = skin(tmp_path, "early.jpg", seed=2, taken=dt.datetime(2024, 1, 1, 9, 0))
    import_photos(journal, "Ana Lima", [late], area="forehead")
    import_photos(journal, "Ana Lima", [early], area="cheeks")

    names = [p.original_name for p in list_photos(journal, "Ana Lima")]
    assert names == ["early.jpg", "late.jpg"]
    assert [p.original_name for p in list_photos(journal, "Ana Lima", area="Cheek")] == [
        "early.jpg"
    ]


# -- refusals before any file is touched --------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"kind": "during"}, InvalidValue, "kind"),
        ({"date": "2024-13-01"}, InvalidValue, "date"),
        ({"date": "2024-03-01", "session": "abcd"}, InvalidValue, "date"),
        ({"session": "abcd1234"}, NotFound, "session"),
        ({"course": "Nope"}, NotFound, "course"),
        ({"angle": "x" * 41}, InvalidValue, "angle"),
    ],
)
def test_bad_values_are_refused_before_any_file_is_read(
    journal, ana, tmp_path, home, kwargs, error, field
):
    path = skin(tmp_path, "a.jpg")
    with pytest.raises(error, match=field):
        import_photos(journal, "Ana Lima", [path, tmp_path / "missing.jpg"], **kwargs)
    assert stored(journal) == [] and photo_rows(journal) == 0


def test_an_unknown_patient_is_refused_before_any_file_is_read(journal, tmp_path, home):
    with pytest.raises(NotFound, match="unknown patient 'Zed'"):
        import_photos(journal, "Zed", [skin(tmp_path, "a.jpg")])
    assert stored(journal) == [] and photo_rows(journal) == 0


# -- batches and failures ----------------------------------------------------------------


def test_a_batch_keeps_good_files_and_reports_each_bad_one(journal, ana, tmp_path, home):
    good = [skin(tmp_path, f"good-{i}.jpg", seed=i) for i in range(3)]
    text = tmp_path / "notes.jpg"
    text.write_text("not a photo")
    empty = tmp_path / "empty.png"
    empty.touch()
    progress: list[tuple[int, int]] = []

    report = import_photos(
        journal,
        "Ana Lima",
        [good[0], text, good[1], empty, good[2]],
        workers=2,
        progress=lambda done, total: progress.append((done, total)),
    )

    assert [p.original_name for p in report.imported] == ["good-0.jpg", "good-1.jpg", "good-2.jpg"]
    assert report.failed == [
        (str(text), "is not a JPEG, PNG, WebP or HEIC image"),
        (str(empty), "is empty (0 bytes)"),
    ]
    assert progress[-1] == (5, 5) and len(progress) == 6
    assert len(stored(journal)) == 6 and photo_rows(journal) == 3


def _conflict_on_flush(session, _context, _instances):
    """Add a second row with the same sha256 as a new photo: a real UNIQUE violation."""
    for obj in list(session.new):
        if isinstance(obj, PhotoRow) and not session.info.get("twin"):
            session.info["twin"] = True
            columns = ("course_id", "kind", "taken_at", "taken_at_source", "sha256", "width")
            twin = PhotoRow(**{c: getattr(obj, c) for c in columns})
            twin.height, twin.display_path, twin.thumb_path = obj.height, "x", "y"
            session.add(twin)


def test_a_failed_commit_removes_only_the_files_it_created(journal, ana, tmp_path, home):
    kept = import_photos(journal, "Ana Lima", [skin(tmp_path, "kept.jpg", seed=1)]).imported[0]
    orphan = skin(tmp_path, "orphan.jpg", seed=2)
    orphan_sha = hashlib.sha256(orphan.read_bytes()).hexdigest()
    journal.photos.put(orphan_sha, display=b"old", thumb=b"old")
    before = stored(journal)
    fresh = skin(tmp_path, "fresh.jpg", seed=3)

    event.listen(DbSession, "before_flush", _conflict_on_flush)
    try:
        with pytest.raises(JournalUnavailable, match="cannot save the photos"):
            import_photos(journal, "Ana Lima", [fresh, orphan], keep_original=True)
    finally:
        event.remove(DbSession, "before_flush", _conflict_on_flush)

    assert stored(journal) == before  # fresh.jpg's files gone, older files untouched
    assert read_photo(journal, kept) is not None
    assert list_photos(journal, "Ana Lima") == [kept]


def test_heavy_modules_stay_out_of_the_worker_import():
    import subprocess
    import sys

    code = (
        "import sys, journal.services.photos, journal.cli.photo_cmds; "
        "print(sorted(m for m in ('PIL', 'sqlalchemy', 'pillow_heif') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- each photo filed on its own (issue 12, part 5) ----------------------------------


def test_area_and_kind_from_each_file_name(journal, ana, tmp_path):
    """One batch, three places: each photo is filed by what its name says."""
    paths = [
        skin(tmp_path, "after-left-cheek.jpg", seed=1),
        skin(tmp_path, "IMG_before_forehead.jpg", seed=2),
        skin(tmp_path, "2026-07-01 right cheek after.jpg", seed=3),
        skin(tmp_path, "IMG_0042.jpg", seed=4),
    ]
    report = import_photos(
        journal, "Ana Lima", paths, area="chin", area_from_name=True, kind_from_name=True
    )
    assert report.failed == []
    filed = {p.original_name: (p.area, p.kind) for p in report.imported}
    assert filed == {
        "after-left-cheek.jpg": ("left-cheek", "after"),
        "IMG_before_forehead.jpg": ("forehead", "before"),
        "2026-07-01 right cheek after.jpg": ("right-cheek", "after"),
        "IMG_0042.jpg": ("chin", "before"),  # says nothing: the batch area, the automatic kind
    }


def test_names_are_not_read_unless_asked(journal, ana, tmp_path):
    report = import_photos(journal, "Ana Lima", [skin(tmp_path, "after-left-cheek.jpg")])
    (photo,) = report.imported
    assert (photo.area, photo.kind) == (None, "before")


def test_a_name_without_an_area_and_no_batch_area_stops_the_whole_batch(
    journal, ana, tmp_path, home
):
    """All or nothing: the file that names no area is named, and nothing is stored."""
    paths = [
        skin(tmp_path, "after-left-cheek.jpg", seed=1),
        skin(tmp_path, "IMG_0042.jpg", seed=2),
        skin(tmp_path, "left-cheek-right-cheek.jpg", seed=3),
    ]
    with pytest.raises(InvalidValue) as caught:
        import_photos(journal, "Ana Lima", paths, area_from_name=True)
    assert "IMG_0042.jpg" in caught.value.message and "(and 1 more)" in caught.value.message
    assert caught.value.field == "area"
    assert stored(journal) == [] and photo_rows(journal) == 0


def test_a_courses_custom_area_is_read_from_names(journal, ana, tmp_path):
    from journal.services.courses import add_course

    add_course(journal, "Ana Lima", title="Temples", areas=["left temple"], custom=True)
    report = import_photos(
        journal, "Ana Lima", [skin(tmp_path, "left_temple_post.jpg")], area_from_name=True
    )
    (photo,) = report.imported
    assert photo.area == "left-temple"


def test_each_files_own_filing_wins_and_is_checked_first(journal, ana, tmp_path, home):
    from journal.services.photos import Filing

    paths = [skin(tmp_path, "a.jpg", seed=1), skin(tmp_path, "b.jpg", seed=2)]
    with pytest.raises(InvalidValue, match="kind"):
        import_photos(journal, "Ana Lima", paths, filing=[Filing(kind="later"), Filing()])
    with pytest.raises(InvalidValue, match="one per file"):
        import_photos(journal, "Ana Lima", paths, filing=[Filing()])
    assert stored(journal) == [] and photo_rows(journal) == 0

    report = import_photos(
        journal,
        "Ana Lima",
        paths,
        area="chin",
        filing=[Filing(area="Left cheek", kind="post"), Filing()],
    )
    filed = {p.original_name: (p.area, p.kind) for p in report.imported}
    assert filed == {"a.jpg": ("left-cheek", "after"), "b.jpg": ("chin", "before")}


def test_preview_reads_names_and_capture_days_without_storing(journal, ana, tmp_path, home):
    from journal.services.photos import preview_photos

    good = skin(tmp_path, "post-chin.jpg", taken=dt.datetime(2024, 3, 1, 10, 30))
    bad = tmp_path / "before-nose.jpg"
    bad.write_text("not a photo")
    first, second = preview_photos([good, bad])
    assert (first.name, first.guess.area, first.guess.kind) == ("post-chin.jpg", "chin", "after")
    assert first.taken == dt.date(2024, 3, 1) and first.problem is None
    assert (second.guess.area, second.guess.kind) == ("nose", "before")
    assert second.taken is None and "not a" in (second.problem or "")
    assert stored(journal) == [] and photo_rows(journal) == 0
