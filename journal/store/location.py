"""Where a journal lives: its home folder, its database URL and its photo folder.

Resolution order follows DESIGN.md: an explicit `--home` beats `JOURNAL_HOME`,
which beats the platform's user-data folder; `--db`/`JOURNAL_DB_URL` moves only
the records (e.g. to PostgreSQL) and `JOURNAL_PHOTOS_DIR` moves only the photos.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from journal.core.errors import JournalUnavailable

DB_FILENAME = "journal.db"
PHOTOS_DIRNAME = "photos"
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


@dataclass(frozen=True)
class Location:
    home: Path
    db_url: str
    photos_dir: Path

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


def resolve_location(
    home: str | os.PathLike[str] | None = None,
    db_url: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Location:
    """Pick home, database and photo folder from flags, then environment, then defaults."""
    env = os.environ if env is None else env
    if home is not None:
        home_path = Path(home)
    elif env.get("JOURNAL_HOME"):
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
    return Location(home=home_path, db_url=url, photos_dir=photos_path)


def prepare_private_dir(path: Path) -> None:
    """Create a folder only its owner can read: this is health data."""
    try:
        if path.exists() and not path.is_dir():
            raise JournalUnavailable(f"journal home {path} exists and is not a folder")
        path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        if path.stat().st_mode & 0o777 != PRIVATE_DIR:
            path.chmod(PRIVATE_DIR)
    except PermissionError as exc:
        raise JournalUnavailable(f"cannot use journal folder {path}: {exc.strerror}") from None


def prepare_private_file(path: Path) -> None:
    """Create an empty file with owner-only permissions, so SQLite inherits them."""
    if path.exists():
        if path.stat().st_mode & 0o777 != PRIVATE_FILE:
            path.chmod(PRIVATE_FILE)
        return
    try:
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, PRIVATE_FILE)
        os.close(fd)
    except FileExistsError:
        pass
    except PermissionError as exc:
        raise JournalUnavailable(f"cannot create {path}: {exc.strerror}") from None
