"""Where a journal lives: its home folder, its database URL and its photo folder.

Resolution order follows docs/architecture.md: an explicit `--home` beats `JOURNAL_HOME`,
which beats the platform's user-data folder; `--db`/`JOURNAL_DB_URL` moves only
the records (e.g. to PostgreSQL) and `JOURNAL_PHOTOS_DIR` moves only the photos
(and keeps them in a folder: a new PostgreSQL journal otherwise keeps its
photos in the database, see journal/store/photostore.py).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from journal.core.errors import JournalUnavailable

DB_FILENAME = "journal.db"
PHOTOS_DIRNAME = "photos"
KEYS_FILENAME = "journal-keys.json"  # an encrypted journal's key header (docs/privacy.md)
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


@dataclass(frozen=True)
class Location:
    home: Path
    db_url: str
    photos_dir: Path
    #: JOURNAL_PHOTOS_DIR named the folder: a new journal keeps its photos there,
    #: even on PostgreSQL (see journal.services.journal.Journal.photos).
    photos_dir_chosen: bool = False
    #: JOURNAL_PHOTO_STORE (folder or database): the store a journal that has
    #: not recorded one yet starts with; a recorded choice always wins.
    photo_store: str | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        """The database file for a file-backed SQLite URL, else None."""
        if not self.is_sqlite:
            return None
        _, _, rest = self.db_url.partition(":///")
        if not rest or rest.startswith(":memory:"):
            return None
        return Path(rest.split("?", 1)[0])

    @property
    def header_path(self) -> Path:
        """Where an encrypted journal keeps its wrapped key; absent for a plaintext one."""
        return self.home / KEYS_FILENAME


def resolve_location(
    home: str | os.PathLike[str] | None = None,
    db_url: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Location:
    """Pick home, database and photo folder from flags, then environment, then defaults.

    An empty home (`--home ''`, `JOURNAL_HOME=`) is refused: `Path('')` is the
    current folder, which would silently become a journal and be made private.
    """
    env = os.environ if env is None else env
    if home is not None:
        if not os.fspath(home).strip():
            raise JournalUnavailable("--home is empty: give the journal folder, e.g. --home ~/skin")
        home_path = Path(home)
    elif "JOURNAL_HOME" in env:
        if not env["JOURNAL_HOME"].strip():
            raise JournalUnavailable(
                "JOURNAL_HOME is set but empty: give the journal folder or unset it"
            )
        home_path = Path(env["JOURNAL_HOME"])
    else:
        import platformdirs

        home_path = Path(platformdirs.user_data_dir("microneedling-journal", appauthor=False))
    home_path = home_path.expanduser().absolute()
    url = db_url or env.get("JOURNAL_DB_URL") or f"sqlite:///{home_path / DB_FILENAME}"
    if not url.split(":", 1)[0].startswith(("sqlite", "postgresql")):
        raise JournalUnavailable(
            f"invalid database URL {url.split('://')[0]!r}: use sqlite:/// or postgresql://"
        )
    photos = env.get("JOURNAL_PHOTOS_DIR")
    photos_path = Path(photos).expanduser().absolute() if photos else home_path / PHOTOS_DIRNAME
    store = (env.get("JOURNAL_PHOTO_STORE") or "").strip().lower() or None
    if store not in (None, "folder", "database"):
        raise JournalUnavailable("JOURNAL_PHOTO_STORE must be folder or database")
    return Location(
        home=home_path,
        db_url=url,
        photos_dir=photos_path,
        photos_dir_chosen=bool(photos),
        photo_store=store,
    )


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


def refuse_symlink(path: Path, what: str) -> None:
    """Stop before following a link the journal did not make.

    A link at the home, the database or inside the photo store would make the
    journal create, chmod or read something elsewhere (a system folder, another
    program's file); the journal never follows one, whoever planted it.
    """
    if os.path.islink(path):
        raise JournalUnavailable(
            f"{what} {path} is a symbolic link; the journal never follows links"
            " (use the real path instead)"
        )


def prepare_private_dir(path: Path, what: str = "journal folder") -> bool:
    """Create a folder only its owner can read (this is health data); True if created.

    A folder that already exists is used as it is: its mode is the owner's
    choice (a shared or read-only folder stays that way), and a link is refused.
    """
    refuse_symlink(path, what)
    try:
        if path.exists():
            if not path.is_dir():
                raise JournalUnavailable(f"{what} {path} exists and is not a folder")
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.mkdir(path, PRIVATE_DIR)
        except FileExistsError:  # another process made it first: theirs, not ours
            refuse_symlink(path, what)
            return False
        set_mode(path, PRIVATE_DIR, directory=True)  # the umask may have taken bits away
    except PermissionError as exc:
        raise JournalUnavailable(f"cannot use {what} {path}: {exc.strerror}") from None
    return True


def prepare_private_file(path: Path, what: str = "journal database") -> bool:
    """Create an empty owner-only file, so SQLite inherits its mode; True if created.

    An existing file keeps its mode (a 0400 database is the owner saying "read
    only"); a link is refused, never opened.
    """
    refuse_symlink(path, what)
    if path.exists():
        if not path.is_file():
            raise JournalUnavailable(f"{what} {path} is not a regular file")
        return False
    try:
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL | _NOFOLLOW, PRIVATE_FILE)
    except FileExistsError:
        refuse_symlink(path, what)
        return False
    except PermissionError as exc:
        raise JournalUnavailable(f"cannot create {what} {path}: {exc.strerror}") from None
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)
    return True


def set_mode(path: Path, mode: int, *, directory: bool) -> None:
    """chmod `path` itself, never what a link points to (there is no portable lchmod).

    The file is opened with O_NOFOLLOW and changed through its descriptor, so
    a link swapped in between a check and the chmod is refused, not followed.
    """
    flags = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0)
    if directory:
        flags |= _DIRECTORY
    if not hasattr(os, "fchmod"):  # pragma: no cover - Windows has no modes to keep
        refuse_symlink(path, "path")
        path.chmod(mode)
        return
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if os.path.islink(path):
            refuse_symlink(path, "path")
        raise JournalUnavailable(f"cannot change the mode of {path}: {exc.strerror}") from None
    try:
        os.fchmod(fd, mode)
    finally:
        os.close(fd)


def owner_read_only(path: Path) -> bool:
    """True when the owner took away their own write permission (chmod 0400 / 0500).

    Judged by the mode bits, not by access(): root may write anything, but the
    owner's chmod is still their word that the journal must not change.
    """
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return not st.st_mode & stat.S_IWUSR or not os.access(path, os.W_OK)
