"""The content-addressed photo store: names, permissions, atomic writes, no rewrites."""

from __future__ import annotations

import hashlib
import stat

import pytest

from journal.store import photostore

SHA = hashlib.sha256(b"original bytes").hexdigest()


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_are_named_by_content_and_private(tmp_path):
    stored = photostore.put(
        tmp_path, SHA, display=b"D", thumb=b"T", original=b"O", original_extension="heic"
    )
    assert stored.display == f"{SHA[:2]}/{SHA}-display.jpg"
    assert stored.thumb == f"{SHA[:2]}/{SHA}-thumb.jpg"
    assert stored.original == f"{SHA[:2]}/{SHA}-original.heic"
    assert set(stored.created) == {stored.display, stored.thumb, stored.original}
    for rel, content in ((stored.display, b"D"), (stored.thumb, b"T"), (stored.original, b"O")):
        path = photostore.resolve(tmp_path, rel)
        assert path.read_bytes() == content and mode(path) == 0o600
    assert mode(tmp_path / SHA[:2]) == 0o700
    assert [p.name for p in (tmp_path / SHA[:2]).iterdir() if p.name.startswith(".")] == []
    assert photostore.has_derivatives(tmp_path, SHA)


def test_an_identical_file_is_not_rewritten(tmp_path):
    photostore.put(tmp_path, SHA, display=b"D", thumb=b"T")
    path = photostore.resolve(tmp_path, photostore.relative_path(SHA, "display"))
    before = path.stat()

    again = photostore.put(tmp_path, SHA, display=b"D", thumb=b"T")

    assert again.created == ()
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_damaged_copy_is_replaced_but_not_counted_as_new(tmp_path):
    photostore.put(tmp_path, SHA, display=b"broken", thumb=b"T")
    again = photostore.put(tmp_path, SHA, display=b"D", thumb=b"T")
    assert again.created == ()
    assert photostore.resolve(tmp_path, again.display).read_bytes() == b"D"


def test_none_keeps_what_is_stored(tmp_path):
    stored = photostore.put(tmp_path, SHA, display=None, thumb=None)
    assert stored.created == () and not photostore.has_derivatives(tmp_path, SHA)


def test_remove_deletes_files_and_the_emptied_shard(tmp_path):
    stored = photostore.put(tmp_path, SHA, display=b"D", thumb=b"T")
    photostore.remove(tmp_path, stored.created)
    assert list(tmp_path.iterdir()) == []
    photostore.remove(tmp_path, stored.created)  # already gone: no error


@pytest.mark.parametrize("bad", ["../etc/passwd", "/etc/passwd", "ab/../../x", ""])
def test_paths_outside_the_store_are_refused(tmp_path, bad):
    with pytest.raises(ValueError):
        photostore.resolve(tmp_path, bad)


def test_names_are_validated(tmp_path):
    with pytest.raises(ValueError):
        photostore.relative_path("../" + SHA[3:], "display")
    with pytest.raises(ValueError):
        photostore.relative_path(SHA, "secret")
    with pytest.raises(ValueError):
        photostore.relative_path(SHA, "original", "j/pg")
