"""Helpers for the export tests: fixed dates, a caching photo painter, archive surgery."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

TODAY = dt.date(2026, 3, 1)
DEMO = "Alex Rivera"
ANA = "Ana Lima"
SEEN_AT = dt.datetime(2026, 2, 6, 9, 30, tzinfo=dt.UTC)


def caching_painter(real: Callable[..., Any], cache: Path) -> Callable[..., None]:
    """`write_skin_photo` that paints each distinct argument set once, then copies."""

    def cached(path: Any, **kwargs: Any) -> None:
        key = hashlib.sha256(repr(sorted(kwargs.items())).encode()).hexdigest()[:24]
        stored = cache / f"{key}.jpg"
        if not stored.exists():
            real(stored, **kwargs)
        shutil.copyfile(stored, path)

    return cached


# -- archive surgery --------------------------------------------------------------------


class Parts:
    """An archive taken apart: manifest, records and raw members, to tamper with."""

    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as zf:
            self.members: dict[str, bytes] = {n: zf.read(n) for n in zf.namelist()}
        self.manifest: dict[str, Any] = json.loads(self.members.pop("manifest.json"))
        self.records: dict[str, Any] = json.loads(self.members["records.json"])

    def write(self, out: Path, *, rehash: bool = True, records: bool = True) -> Path:
        """Write it back; `rehash` recomputes the manifest's hashes (a consistent forgery)."""
        if records:
            self.members["records.json"] = json.dumps(self.records).encode()
        if rehash:
            self.manifest["members"] = {
                name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                for name, data in self.members.items()
            }
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            zf.writestr("manifest.json", json.dumps(self.manifest))
            for name, data in self.members.items():
                zf.writestr(name, data)
        out.write_bytes(buffer.getvalue())
        return out


def row_counts(journal: Any) -> dict[str, int]:
    """How many rows each table holds (to prove a refused import wrote nothing)."""
    from sqlalchemy import func, select

    from journal.store import models

    tables = [
        models.PatientRow,
        models.ProviderRow,
        models.CourseRow,
        models.SessionRow,
        models.CheckInRow,
        models.PhotoRow,
        models.ReviewRow,
        models.FlagRow,
    ]
    with journal.read() as db:
        return {t.__tablename__: db.scalar(select(func.count()).select_from(t)) for t in tables}


# -- red flags with a status -------------------------------------------------------------


def flag_of(journal: Any, key: str) -> str:
    from journal.services.flags import patient_flags

    return next(str(p.flag.id) for p in patient_flags(journal, ANA) if p.flag.key == key)


def flagged_patient(journal: Any) -> dict[str, str]:
    """Ana: one session, then blistering (seen), infection (resolved), scarring (open)."""
    from journal.services.checkins import add_checkin
    from journal.services.flags import mark_seen, resolve
    from journal.services.patients import add_patient
    from journal.services.sessions import add_session

    add_patient(journal, ANA)
    add_session(journal, ANA, date="2026-02-01", provider="Dr Chen")
    add_checkin(journal, ANA, date="2026-02-03", flags=["blistering"])
    add_checkin(journal, ANA, date="2026-02-04", flags=["infection"])
    add_checkin(journal, ANA, date="2026-02-05", flags=["scarring"])
    ids = {key: flag_of(journal, key) for key in ("blistering", "infection", "scarring")}
    mark_seen(journal, ids["blistering"], by="Dr Chen", note="Seen at the clinic", now=SEEN_AT)
    resolve(journal, ids["infection"], on="2026-02-10", by="Dr Chen", note="Cleared", now=SEEN_AT)
    return ids
