"""The journal exchange archive: one patient's records and photo files in a zip.

Layout (version 4, docs/exports.md has the full description)::

    manifest.json   format name, version, created, counts, sha256 + size of every member
    records.json    patient, providers, courses, sessions, checkins, photos, reviews,
                    flags (what providers recorded about red flags), tombstones
    photos/<aa>/<sha256>-display.jpg, -thumb.jpg and -original.<ext> when kept

Records are written column for column, ids and created/updated timestamps
included, so an import can merge by UUID and let the newer version of a record
win. The reader is written for archives from strangers: it checks every name,
size and hash and every record value *before* the caller writes anything, and
raises `ArchiveRefused` (a one-line `JournalError`) at the first problem. It
never extracts by member name: the caller stores photo bytes under names it
derives from validated hashes, so a crafted name cannot reach the file system
even if a check were missed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from journal.core.errors import InvalidValue, JournalError
from journal.core.flags import STATUSES, flag_id
from journal.core.values import (
    check_count,
    parse_cost,
    parse_currency,
    parse_depth,
    parse_int,
    parse_name,
    parse_past_date,
    parse_rating,
    parse_text,
)
from journal.core.vocab import (
    AREAS,
    CONCERNS,
    COURSE_STATUSES,
    DEVICE_KINDS,
    DEVICE_NAMES,
    GAIS,
    GAIS_LEGACY_NUMBERS,
    PHOTO_KINDS,
    RED_FLAGS,
    SCREENING,
    SERUMS,
    SETTINGS,
    SYMPTOM_KEYS,
    VERDICTS,
    Vocabulary,
)
from journal.export import files
from journal.store import zipfiles

FORMAT = "microneedling-journal-archive"
VERSION = 4  # 4: "flags"; 3: "tombstones"; 2: "sessions", "serums", "session_id"
READABLE_VERSIONS = (1, 2, 3, 4)
FLAGS_SINCE = 4  # older archives have no "flags" section and no count for it
TOMBSTONES = "tombstones"  # deletions made at the source: {kind, id, at}, no personal data
# rename-codemod: off  (these are the version-1 names, kept so old archives import)
LEGACY_SECTIONS = {"treatments": "sessions"}
LEGACY_FIELDS = {"sessions": {"adjuncts": "serums"}, "photos": {"treatment_id": "session_id"}}
# rename-codemod: on
MANIFEST = "manifest.json"
RECORDS = "records.json"
PHOTO_PREFIX = "photos/"
TABLE_KEYS = (
    "patient",
    "providers",
    "courses",
    "sessions",
    "checkins",
    "photos",
    "reviews",
    "flags",
)
PHOTO_MEMBER = re.compile(
    r"^photos/([0-9a-f]{2})/([0-9a-f]{64})-(display|thumb|original)\.([a-z0-9]{1,5})$"
)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_STAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})?"
)
EARLIEST_STAMP = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)  # as photo capture times
_CHUNK = 1 << 20
MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """What an archive may hold; generous for real journals, fatal for zip bombs."""

    member_bytes: int = 128 * MiB  # one photo file (a kept original can be large)
    total_bytes: int = 4096 * MiB  # everything unpacked
    json_bytes: int = 64 * MiB  # manifest.json and records.json each
    members: int = 50_000
    records: int = 20_000  # per section (sessions, check-ins, ...): decades of weekly visits


class ArchiveRefused(JournalError):
    """The archive is not something we will import; nothing was written."""


# ======================================================================================
# Record fields: one spec serves the writer (which attributes) and the reader (parsing)
# ======================================================================================

Parse = Callable[[str, Any], Any]


@dataclass(frozen=True)
class Field:
    name: str
    parse: Parse
    optional: bool = False
    default: Any = None


def _uuid(label: str, value: Any) -> uuid.UUID:
    if not isinstance(value, str):
        raise InvalidValue(label, value, "expected a UUID")
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidValue(label, value, "expected a UUID") from None


def _stamp(label: str, value: Any) -> dt.datetime:
    """An ISO timestamp as the writer makes it, within EARLIEST_STAMP .. a year ahead.

    Only `YYYY-MM-DDTHH:MM:SS[.ffffff][+HH:MM|Z]` (no week dates, no basic
    format), and an offset that moves it past year 1 or 9999 is refused, not
    an OverflowError. A record dated years ahead would win every later merge
    ("newer wins"), so the future is bounded as for dates.
    """
    if not isinstance(value, str) or not _STAMP.fullmatch(value):
        raise InvalidValue(label, value, "expected an ISO timestamp")
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        moment = moment.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise InvalidValue(label, value, "expected an ISO timestamp") from None
    latest = dt.datetime.now(dt.UTC) + dt.timedelta(days=366)
    if not EARLIEST_STAMP <= moment <= latest:
        raise InvalidValue(label, value, f"outside {EARLIEST_STAMP.year} to a year from now")
    return moment


def _date(label: str, value: Any) -> dt.date:
    """A session, check-in or review day: refused in the future, as when it is logged.

    One day of grace: the archive may come from a time zone already on tomorrow.
    """
    if not isinstance(value, str):
        raise InvalidValue(label, value, "expected a date as YYYY-MM-DD")
    return parse_past_date(label, value, grace_days=1)


def _int(low: int, high: int) -> Parse:
    def parse(label: str, value: Any) -> int:
        if not isinstance(value, int):
            raise InvalidValue(label, value, f"expected a whole number {low}-{high}")
        return parse_int(label, value, low, high)

    return parse


def _rating(label: str, value: Any) -> int:
    if not isinstance(value, int):
        raise InvalidValue(label, value, "expected a whole number 0-10")
    return parse_rating(label, value)


def _bool(label: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidValue(label, value, "expected true or false")
    return value


def _term(vocab: Vocabulary) -> Parse:
    def parse(label: str, value: Any) -> str:
        if not isinstance(value, str):
            raise InvalidValue(label, value, "expected text")
        return vocab.normalize(value)

    return parse


def _gais(label: str, value: Any) -> str:
    """A GAIS word; a bare digit is read with the numbering archives 1-2 were made under.

    The journal always wrote GAIS as a word, so a digit can only come from a
    hand-edited archive; when versions 1-2 were current the journal's digits ran
    5 = very much improved, so that is what such a digit meant to its author.
    """
    if isinstance(value, str) and value.strip() in GAIS_LEGACY_NUMBERS:
        return GAIS_LEGACY_NUMBERS[value.strip()]
    return str(_term(GAIS)(label, value))


def _terms(vocab: Vocabulary) -> Parse:
    def parse(label: str, value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidValue(label, value, "expected a list of text values")
        return vocab.normalize_all(value)

    return parse


def _text(limit: int, *, one_line: bool = False, required: bool = False) -> Parse:
    """Text checked by the same rules as typed input (core.values): length, controls, bidi."""

    def parse(label: str, value: Any) -> str | None:
        if not isinstance(value, str):
            raise InvalidValue(label, value, "expected text")
        if required:
            return parse_name(label, value, limit=limit)
        return parse_text(label, value, limit=limit, one_line=one_line)

    return parse


def _depth(label: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidValue(label, value, "expected millimetres as a number")
    return parse_depth(label, value)


def _depth_map(label: str, value: Any) -> dict[str, float]:
    if not isinstance(value, dict):
        raise InvalidValue(label, value, "expected AREA: MM pairs")
    check_count(label, value)
    return {AREAS.normalize(str(k)): _depth(label, v) for k, v in value.items()}


def _concern_map(label: str, value: Any) -> dict[str, int]:
    if not isinstance(value, dict):
        raise InvalidValue(label, value, "expected CONCERN: 0-10 pairs")
    check_count(label, value)
    return {CONCERNS.normalize(str(k)): _rating(f"{label} {k}", v) for k, v in value.items()}


def _cost(label: str, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidValue(label, value, "expected an amount")
    return parse_cost(label, value)


def _currency(label: str, value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidValue(label, value, "expected a currency code")
    return parse_currency(label, value)


def _choice(*choices: str) -> Parse:
    def parse(label: str, value: Any) -> str:
        if value not in choices:
            raise InvalidValue(label, value, "choose one of " + ", ".join(choices))
        return str(value)

    return parse


def _sha(label: str, value: Any) -> str:
    if not isinstance(value, str) or not _SHA256.match(value):
        raise InvalidValue(label, value, "expected a sha256 hex digest")
    return value


def _store_path(label: str, value: Any) -> str:
    if not isinstance(value, str) or not PHOTO_MEMBER.match(PHOTO_PREFIX + value):
        raise InvalidValue(label, value, "expected a photo store path")
    return value


_BIRTH_YEAR = _int(1900, 2100)
STAMPS = (Field("id", _uuid), Field("created_at", _stamp), Field("updated_at", _stamp))

TABLES: dict[str, tuple[Field, ...]] = {
    "patient": (
        *STAMPS,
        Field("display_name", _text(120, required=True)),
        Field("birth_year", _BIRTH_YEAR, optional=True),
        Field("skin_type", _int(1, 6), optional=True),
        Field("concerns", _terms(CONCERNS), default=[]),
        Field("screening", _terms(SCREENING), default=[]),
    ),
    "providers": (
        *STAMPS,
        Field("name", _text(120, required=True)),
        Field("credentials", _text(120, one_line=True), optional=True),
        Field("clinic", _text(200, one_line=True), optional=True),
    ),
    "courses": (
        *STAMPS,
        Field("patient_id", _uuid),
        Field("title", _text(200, required=True)),
        Field("areas", _terms(AREAS), default=[]),
        Field("concerns", _terms(CONCERNS), default=[]),
        Field("planned_sessions", _int(1, 20), default=3),
        Field("interval_weeks_min", _int(1, 52), default=4),
        Field("interval_weeks_max", _int(1, 52), default=6),
        Field("status", _term(COURSE_STATUSES), default="active"),
    ),
    "sessions": (
        *STAMPS,
        Field("course_id", _uuid),
        Field("date", _date),
        Field("provider_id", _uuid, optional=True),
        Field("setting", _term(SETTINGS), default="in-office"),
        Field("device_kind", _term(DEVICE_KINDS), optional=True),
        Field("device_name", _term(DEVICE_NAMES), optional=True),
        Field("depth_mm", _depth, optional=True),
        Field("depth_by_area", _depth_map, default={}),
        Field("passes", _int(1, 20), optional=True),
        Field("areas", _terms(AREAS), default=[]),
        Field("serums", _terms(SERUMS), default=[]),
        Field("anesthetic", _text(120, one_line=True), optional=True),
        Field("pain", _rating, optional=True),
        Field("cost", _cost, optional=True),
        Field("currency", _currency, optional=True),
        Field("notes", _text(10_000), optional=True),
    ),
    "checkins": (
        *STAMPS,
        Field("course_id", _uuid),
        Field("date", _date),
        *(Field(name, _rating, optional=True) for name in SYMPTOM_KEYS),
        Field("downtime", _bool, optional=True),
        Field("concerns", _concern_map, default={}),
        Field("gais", _gais, optional=True),
        Field("verdict", _term(VERDICTS), optional=True),
        Field("red_flags", _terms(RED_FLAGS), default=[]),
        Field("notes", _text(10_000), optional=True),
    ),
    "photos": (
        *STAMPS,
        Field("course_id", _uuid),
        Field("session_id", _uuid, optional=True),
        Field("checkin_id", _uuid, optional=True),
        Field("kind", _term(PHOTO_KINDS)),
        Field("area", _term(AREAS), optional=True),
        Field("angle", _text(40, one_line=True), optional=True),
        Field("taken_at", _stamp),
        Field("taken_at_source", _choice("exif", "file", "import")),
        Field("sha256", _sha),
        Field("width", _int(1, 200_000)),
        Field("height", _int(1, 200_000)),
        Field("display_path", _store_path),
        Field("thumb_path", _store_path),
        Field("original_path", _store_path, optional=True),
        Field("original_name", _text(255, one_line=True), optional=True),
    ),
    "reviews": (
        *STAMPS,
        Field("course_id", _uuid),
        Field("date", _date),
        Field("provider_id", _uuid, optional=True),
        Field("gais", _gais, optional=True),
        Field("goodman_baron", _int(1, 4), optional=True),
        Field("notes", _text(10_000), optional=True),
    ),
    # What a provider recorded about a red flag, under the flag's computed id (the
    # patient is the archive's; `lasting` only means something once resolved).
    "flags": (
        *STAMPS,
        Field("course_id", _uuid),
        Field("key", _text(60, required=True)),  # as stored: a custom flag keeps its words
        Field("first_date", _date),
        Field("status", _choice(*STATUSES)),
        Field("seen_by", _text(120, one_line=True), optional=True),
        Field("seen_at", _stamp, optional=True),
        Field("seen_note", _text(10_000), optional=True),
        Field("resolved_by", _text(120, one_line=True), optional=True),
        Field("resolved_on", _date, optional=True),
        Field("lasting", _bool),
        Field("resolved_note", _text(10_000), optional=True),
    ),
}
TOMBSTONE_FIELDS = (
    Field("kind", _choice("course", "session", "checkin", "photo", "review")),
    Field("id", _uuid),
    Field("at", _stamp),
)
SINGULAR = {
    "patient": "patient",
    "providers": "provider",
    "courses": "course",
    "sessions": "session",
    "checkins": "check-in",
    "photos": "photo",
    "reviews": "review",
    "flags": "red flag",
}


def _current_names(doc: dict[str, Any], fields: dict[str, dict[str, str]]) -> dict[str, Any]:
    """A version-1 document under today's names: same meaning, new keys.

    Old and new spellings of one key together are refused rather than guessed.
    """
    out = dict(doc)
    for old, new in LEGACY_SECTIONS.items():
        if old in out:
            if new in out:
                raise ValueError(f"records.json has both {old!r} and {new!r}")
            out[new] = out.pop(old)
    for section, renames in fields.items():
        items = out.get(section)
        if not isinstance(items, list):
            continue
        renamed = []
        for item in items:
            if isinstance(item, dict):
                item = dict(item)
                for old, new in renames.items():
                    if old in item:
                        if new in item:
                            raise ValueError(f"a record has both {old!r} and {new!r}")
                        item[new] = item.pop(old)
            renamed.append(item)
        out[section] = renamed
    return out


def record_of(table: str, row: Any) -> dict[str, Any]:
    """One row (ORM object or anything with the attributes) as archive JSON values."""
    return {f.name: _jsonable(getattr(row, f.name)) for f in TABLES[table]}


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"  # exact: a float would turn 0.10 into 0.1000000000000000055
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


# ======================================================================================
# Writing
# ======================================================================================


def write_archive(
    out: Path,
    tables: dict[str, Any],
    photo_files: Sequence[tuple[str, Path]] | Sequence[str],
    *,
    created: dt.datetime,
    generator: str,
    read_photo: Callable[[str], bytes | None] | None = None,
) -> dict[str, Any]:
    """Write the archive to `out` atomically; returns its manifest.

    `tables` maps TABLE_KEYS to record dicts (`record_of`); `photo_files` the
    store-relative names of the photo files to pack, whose bytes `read_photo`
    gives (the journal's photo store, one file at a time), or (name, path)
    pairs. JPEGs are stored, not deflated: they do not compress and storing
    them is much faster.
    """
    records = json.dumps(tables, ensure_ascii=False, indent=1, sort_keys=False).encode("utf-8")
    members: dict[str, dict[str, Any]] = {}
    with files.atomic_file(out) as temp, zipfile.ZipFile(temp, "w") as zf:
        zf.writestr(_info(RECORDS, created, zipfile.ZIP_DEFLATED), records)
        members[RECORDS] = zipfiles.digest_of(records)
        items: list[tuple[str, Path] | str] = list(photo_files)
        for item in sorted(items, key=lambda i: i if isinstance(i, str) else i[0]):
            relative = item if isinstance(item, str) else item[0]
            data = _photo_data(item, read_photo)
            if data is None:
                raise JournalError(
                    f"photo file {relative} is missing from the photo store; run `journal doctor`"
                )
            if not relative.rpartition("-")[2].startswith("original"):
                data = _pixels_only(relative, data)
            name = PHOTO_PREFIX + relative
            zf.writestr(_info(name, created, zipfile.ZIP_STORED), data)
            members[name] = zipfiles.digest_of(data)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created": created.astimezone(dt.UTC).isoformat(),
            "generator": generator,
            "counts": _counts(tables, len(photo_files)),
            "members": members,
        }
        zf.writestr(
            _info(MANIFEST, created, zipfile.ZIP_DEFLATED),
            json.dumps(manifest, indent=1).encode("utf-8"),
        )
    return manifest


def _pixels_only(relative: str, data: bytes) -> bytes:
    """A stored display copy or thumbnail as it may leave the journal: pixels only.

    The store should hold nothing else, but files from an older release may
    carry metadata; an archive is an export, and exports never do. (A kept
    original travels as it is: keeping it, metadata and all, was the choice.)
    """
    from journal.core.errors import BadPhoto
    from journal.imaging import pipeline

    try:
        return pipeline.vet_store_file(data, relative)
    except BadPhoto as exc:
        raise JournalError(
            f"photo file {relative} in the photo store is damaged ({exc.reason}); "
            "run `journal doctor`"
        ) from None


def _info(name: str, created: dt.datetime, compress: int) -> zipfile.ZipInfo:
    stamp = created.astimezone(dt.UTC)
    info = zipfile.ZipInfo(name, date_time=(max(stamp.year, 1980), *stamp.timetuple()[1:6]))
    info.compress_type = compress
    info.external_attr = 0o600 << 16  # health data: owner-only if someone unzips it
    return info


def _photo_data(
    item: tuple[str, Path] | str, read_photo: Callable[[str], bytes | None] | None
) -> bytes | None:
    if isinstance(item, str):
        return read_photo(item) if read_photo is not None else None
    try:
        return item[1].read_bytes()
    except OSError:
        return None


def _counts(tables: dict[str, Any], photo_files: int) -> dict[str, int]:
    counts = {"patients": 1 if tables.get("patient") else 0}
    counts.update({k: len(tables.get(k, [])) for k in TABLE_KEYS[1:]})
    counts["photo_files"] = photo_files
    return counts


# ======================================================================================
# Reading
# ======================================================================================


@dataclass
class ArchiveContent:
    """A fully validated archive: parsed records and the photo members to store."""

    manifest: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]]
    photo_members: dict[str, str] = field(default_factory=dict)  # member name -> sha256

    @property
    def patient(self) -> dict[str, Any]:
        return self.tables["patient"][0]


class ArchiveReader:
    """Open, check and read an archive; use as a context manager."""

    def __init__(self, path: Path, limits: Limits | None = None) -> None:
        self.path = Path(path)
        self.limits = limits or Limits()
        self._zip: zipfile.ZipFile | None = None
        self._infos: dict[str, zipfile.ZipInfo] = {}
        self._hashes: dict[str, str] = {}
        self._heads: dict[str, bytes] = {}  # first bytes of each member, to sniff JPEGs

    def __enter__(self) -> ArchiveReader:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._zip is not None:
            self._zip.close()

    def refuse(self, reason: str) -> ArchiveRefused:
        return ArchiveRefused(f"cannot import {self.path.name}: {reason}; nothing was imported")

    # -- the checks, in order ---------------------------------------------------------

    def load(self) -> ArchiveContent:
        """Every check but the database's; raises ArchiveRefused at the first problem."""
        self._open()
        manifest = self._manifest()
        self._verify_members(manifest)
        tables = self._records(manifest["version"])
        self._check_counts(manifest, tables)
        photo_members = self._check_photos(tables)
        self._check_images(photo_members)
        return ArchiveContent(manifest, tables, photo_members)

    def photo_bytes(self, name: str) -> bytes:
        """A photo member's bytes as they may enter the store: checked, and for a
        display copy or thumbnail, stripped of any metadata (see `_check_images`)."""
        return self._image(name, self.read_member(name))

    def read_member(self, name: str) -> bytes:
        """A member's bytes, checked again against the manifest (the file may have changed)."""
        data = self._read(self._infos[name], self.limits.member_bytes)
        if hashlib.sha256(data).hexdigest() != self._hashes[name]:
            raise self.refuse(f"member {name} does not match its sha256 in the manifest")
        return data

    def _open(self) -> None:
        if not self.path.is_file():
            raise JournalError(f"no archive at {self.path}")
        try:
            self._zip = zipfile.ZipFile(self.path)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise self.refuse("not a valid zip file (damaged or not an archive)") from None
        if len(infos) > self.limits.members:
            raise self.refuse(f"too many members ({len(infos)}; limit {self.limits.members})")
        total = 0
        for info in infos:
            name = info.filename
            if not zipfiles.is_safe_member(name):
                raise self.refuse(f"member {name!r} points outside the archive folder")
            if info.is_dir():
                continue
            if name in self._infos:
                raise self.refuse(f"member {name} appears twice")
            if info.flag_bits & 0x1:
                raise self.refuse(f"member {name} is encrypted")
            limit = self.limits.json_bytes if name.endswith(".json") else self.limits.member_bytes
            if info.file_size > limit:
                raise self.refuse(
                    f"member {name} is too large ({_size(info.file_size)}; limit {_size(limit)})"
                )
            total += info.file_size
            if total > self.limits.total_bytes:
                raise self.refuse(
                    f"contents too large when unpacked (over {_size(self.limits.total_bytes)})"
                )
            self._infos[name] = info

    def _manifest(self) -> dict[str, Any]:
        info = self._infos.get(MANIFEST)
        if info is None:
            raise self.refuse("no manifest.json: not a journal archive")
        manifest = self._json(MANIFEST, self._read(info, self.limits.json_bytes))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise self.refuse("manifest.json does not describe a journal archive")
        version = manifest.get("version")
        if version not in READABLE_VERSIONS:
            raise self.refuse(
                f"unsupported archive version {version!r} (this journal reads versions "
                f"{', '.join(map(str, READABLE_VERSIONS))})"
            )
        counts = manifest.get("counts")
        if isinstance(counts, dict):
            try:
                manifest["counts"] = _current_names(counts, {})
            except ValueError as exc:
                raise self.refuse(str(exc).replace("records.json", "manifest.json")) from None
        members = manifest.get("members")
        if not isinstance(members, dict):
            raise self.refuse("manifest.json has no member list")
        for name, entry in members.items():
            sha = entry.get("sha256") if isinstance(entry, dict) else None
            if not isinstance(sha, str) or not _SHA256.match(sha):
                raise self.refuse(f"manifest.json has no valid sha256 for {name!r}")
            self._hashes[name] = sha
        listed, present = set(self._hashes), set(self._infos) - {MANIFEST}
        if present - listed:
            raise self.refuse(f"member {sorted(present - listed)[0]} is not in the manifest")
        if listed - present:
            raise self.refuse(f"member {sorted(listed - present)[0]} is missing")
        return manifest

    def _verify_members(self, manifest: dict[str, Any]) -> None:
        """Stream every member through sha256 (and zip's CRC) before anything is used."""
        total = 0
        for name in sorted(self._hashes):
            info = self._infos[name]
            limit = self.limits.json_bytes if name.endswith(".json") else self.limits.member_bytes
            head = bytearray()

            def keep_head(chunk: bytes, head: bytearray = head) -> None:
                if len(head) < 8:
                    head.extend(chunk[: 8 - len(head)])

            found = zipfiles.digest_blocks(self._chunks(info, limit), keep_head)
            self._heads[name] = bytes(head)
            size = found["size"]
            total += size
            if total > self.limits.total_bytes:
                raise self.refuse(
                    f"contents too large when unpacked (over {_size(self.limits.total_bytes)})"
                )
            if found["sha256"] != self._hashes[name]:
                raise self.refuse(f"member {name} does not match its sha256 in the manifest")
            expected_size = manifest["members"][name].get("size")
            if expected_size is not None and expected_size != size:
                raise self.refuse(f"member {name} does not have the size the manifest gives")

    def _records(self, version: int) -> dict[str, list[dict[str, Any]]]:
        if RECORDS not in self._infos:
            raise self.refuse("no records.json")
        doc = self._json(RECORDS, self.read_member(RECORDS))
        if not isinstance(doc, dict):
            raise self.refuse("records.json is not a JSON object")
        try:
            doc = _current_names(doc, LEGACY_FIELDS)
        except ValueError as exc:
            raise self.refuse(str(exc)) from None
        known = set(TABLE_KEYS) if version >= FLAGS_SINCE else set(TABLE_KEYS) - {"flags"}
        unknown = set(doc) - known - {TOMBSTONES}
        if unknown:
            raise self.refuse(f"records.json has an unknown section {sorted(unknown)[0]!r}")
        patient = doc.get("patient")
        if not isinstance(patient, dict):
            raise self.refuse("records.json has no patient")
        tables: dict[str, list[dict[str, Any]]] = {"patient": [self._record("patient", patient, 0)]}
        for key in TABLE_KEYS[1:]:
            items = doc.get(key, [])
            if not isinstance(items, list):
                raise self.refuse(f"records.json: {key} is not a list")
            if len(items) > self.limits.records:
                raise self.refuse(
                    f"records.json: more than {self.limits.records} {key} (limit per section)"
                )
            tables[key] = [self._record(key, item, n) for n, item in enumerate(items)]
        self._check_links(tables)
        tables[TOMBSTONES] = self._tombstones(doc.get(TOMBSTONES, []))
        return tables

    def _tombstones(self, items: Any) -> list[dict[str, Any]]:
        if not isinstance(items, list):
            raise self.refuse(f"records.json: {TOMBSTONES} is not a list")
        if len(items) > self.limits.records:
            raise self.refuse(f"records.json: more than {self.limits.records} {TOMBSTONES}")
        parsed = []
        for n, raw in enumerate(items):
            if not isinstance(raw, dict) or set(raw) != {f.name for f in TOMBSTONE_FIELDS}:
                raise self.refuse(f"tombstone #{n + 1} in records.json is not {{kind, id, at}}")
            try:
                parsed.append({f.name: f.parse(f.name, raw[f.name]) for f in TOMBSTONE_FIELDS})
            except InvalidValue as exc:
                raise self.refuse(f"tombstone #{n + 1}: {exc.message}") from None
        return parsed

    def _record(self, table: str, raw: Any, index: int) -> dict[str, Any]:
        what = SINGULAR[table]
        if not isinstance(raw, dict):
            raise self.refuse(f"{what} #{index + 1} in records.json is not an object")
        ident = raw.get("id")
        name = f"{what} {str(ident)[:8]}" if isinstance(ident, str) else f"{what} #{index + 1}"
        specs = TABLES[table]
        unknown = set(raw) - {f.name for f in specs}
        if unknown:
            raise self.refuse(f"{name} has an unknown field {sorted(unknown)[0]!r}")
        values: dict[str, Any] = {}
        try:
            for spec in specs:
                label = spec.name.replace("_", " ")
                value = raw.get(spec.name)
                if value is not None:
                    values[spec.name] = spec.parse(label, value)
                elif spec.optional:
                    values[spec.name] = None
                elif spec.default is not None:
                    values[spec.name] = _copy(spec.default)
                else:
                    raise InvalidValue(label, value, "is required")
        except InvalidValue as exc:
            raise self.refuse(f"{name}: {exc.message}") from None
        if table == "courses" and values["interval_weeks_max"] < values["interval_weeks_min"]:
            raise self.refuse(f"{name}: interval maximum is below its minimum")
        if table == "sessions" and values["currency"] is not None and values["cost"] is None:
            raise self.refuse(f"{name}: a currency without a cost")
        if table == "photos":
            self._check_photo_paths(name, values)
        if table == "flags":
            self._check_flag(name, values)
        return values

    def _check_flag(self, name: str, flag: dict[str, Any]) -> None:
        """A flag's row must be one the journal could have written.

        Its id is computed from course, key and first day (`core.flags.flag_id`):
        a row under any other id would attach to no flag. A resolution needs its
        day, on or after the flag began, as `journal flag resolve` requires.
        """
        if flag["id"] != flag_id(flag["course_id"], flag["key"], flag["first_date"]):
            raise self.refuse(f"{name}: its id is not the id of a flag of that course, key and day")
        resolved_on = flag["resolved_on"]
        if flag["status"] == "resolved" and resolved_on is None:
            raise self.refuse(f"{name}: resolved without a resolution date")
        if resolved_on is not None and resolved_on < flag["first_date"]:
            raise self.refuse(f"{name}: resolved before the flag began")

    def _check_photo_paths(self, name: str, photo: dict[str, Any]) -> None:
        from journal.store.photostore import relative_path

        sha = photo["sha256"]
        for which in ("display", "thumb"):
            if photo[f"{which}_path"] != relative_path(sha, which):
                raise self.refuse(f"{name}: its {which} file is not named after its sha256")
        original = photo["original_path"]
        if original is not None:
            extension = original.rsplit(".", 1)[-1]
            if original != relative_path(sha, "original", extension):
                raise self.refuse(f"{name}: its original file is not named after its sha256")

    def _check_links(self, tables: dict[str, list[dict[str, Any]]]) -> None:
        """Every id unique and every reference pointing at a record of this archive."""
        seen: set[uuid.UUID] = set()
        for key in TABLE_KEYS:
            for record in tables[key]:
                if record["id"] in seen:
                    raise self.refuse(f"id {record['id']} appears twice in records.json")
                seen.add(record["id"])
        patient_id = tables["patient"][0]["id"]
        ids = {key: {r["id"] for r in tables[key]} for key in TABLE_KEYS}
        names = [p["name"].casefold() for p in tables["providers"]]
        if len(names) != len(set(names)):
            raise self.refuse("two providers in records.json have the same name")
        for course in tables["courses"]:
            if course["patient_id"] != patient_id:
                raise self.refuse(f"course {str(course['id'])[:8]} belongs to another patient")
        links = (
            ("sessions", "course_id", "courses"),
            ("sessions", "provider_id", "providers"),
            ("checkins", "course_id", "courses"),
            ("photos", "course_id", "courses"),
            ("photos", "session_id", "sessions"),
            ("photos", "checkin_id", "checkins"),
            ("reviews", "course_id", "courses"),
            ("reviews", "provider_id", "providers"),
            ("flags", "course_id", "courses"),
        )
        for table, column, target in links:
            for record in tables[table]:
                ref = record[column]
                if ref is not None and ref not in ids[target]:
                    what = f"{SINGULAR[table]} {str(record['id'])[:8]}"
                    raise self.refuse(f"{what} refers to a {SINGULAR[target]} not in the archive")
        shas = [p["sha256"] for p in tables["photos"]]
        if len(shas) != len(set(shas)):
            raise self.refuse("two photos in records.json have the same sha256")

    def _check_counts(self, manifest: dict[str, Any], tables: dict[str, Any]) -> None:
        photo_files = sum(1 for name in self._hashes if name.startswith(PHOTO_PREFIX))
        expected = {"patients": 1, **{k: len(tables[k]) for k in TABLE_KEYS[1:]}}
        if manifest["version"] < FLAGS_SINCE:
            del expected["flags"]
        expected["photo_files"] = photo_files
        if manifest.get("counts") != expected:
            raise self.refuse("the manifest's counts do not match records.json")

    def _check_photos(self, tables: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
        """Each photo record has its files; each photo file belongs to a record."""
        wanted: dict[str, str] = {}
        for photo in tables["photos"]:
            for column in ("display_path", "thumb_path", "original_path"):
                if photo[column] is not None:
                    wanted[PHOTO_PREFIX + photo[column]] = photo["sha256"]
        present = {n for n in self._hashes if n.startswith(PHOTO_PREFIX)}
        for name in present:
            match = PHOTO_MEMBER.match(name)
            if match is None or match.group(1) != match.group(2)[:2]:
                raise self.refuse(f"unexpected member {name}")
            if name not in wanted:
                raise self.refuse(f"member {name} belongs to no photo record")
        other = set(self._hashes) - present - {RECORDS}
        if other:
            raise self.refuse(f"unexpected member {sorted(other)[0]}")
        for name, sha in wanted.items():
            if name not in present:
                raise self.refuse(f"photo {sha[:12]} has no file {name} in the archive")
            if name.rsplit("-", 1)[-1].startswith("original"):
                # The member's verified sha256 is the hash of the original bytes.
                if self._hashes[name] != sha:
                    raise self.refuse(
                        f"photo {sha[:12]}: the original file's sha256 does not match the record"
                    )
            elif not self._heads.get(name, b"").startswith(b"\xff\xd8\xff"):
                raise self.refuse(f"member {name} is not a JPEG image")
        return {name: sha for name, sha in wanted.items()}

    def _check_images(self, photo_members: dict[str, str]) -> None:
        """Decode every photo member before anything is written.

        An archive is a door into the photo store, so its images get what
        `photo add` gives a file: a full decode under the pixel limit. Display
        copies and thumbnails that carry anything but pixels (GPS, camera,
        comments, XMP, ICC) are re-encoded when stored (`photo_bytes`); a kept
        original must be a still image of an accepted format whose extension
        matches its content. One bad image refuses the whole archive.
        """
        for name in sorted(photo_members):
            self._image(name, self.read_member(name))

    def _image(self, name: str, data: bytes) -> bytes:
        from journal.core.errors import BadPhoto
        from journal.imaging import pipeline

        try:
            return pipeline.vet_store_file(data, name)
        except BadPhoto as exc:
            raise self.refuse(f"member {name} {exc.reason}") from None

    # -- low level --------------------------------------------------------------------

    def _chunks(self, info: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
        """A member's bytes in chunks, stopping at `limit` whatever its header claims."""
        assert self._zip is not None
        size = 0
        try:
            with self._zip.open(info) as fh:
                while chunk := fh.read(_CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise self.refuse(
                            f"member {info.filename} is too large (over {_size(limit)})"
                        )
                    yield chunk
        except ArchiveRefused:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
            raise self.refuse(f"member {info.filename} is damaged ({_first_line(exc)})") from None
        except RuntimeError as exc:  # encrypted members
            raise self.refuse(f"member {info.filename} cannot be read ({exc})") from None

    def _read(self, info: zipfile.ZipInfo, limit: int) -> bytes:
        return b"".join(self._chunks(info, limit))

    def _json(self, name: str, data: bytes) -> Any:
        try:
            return json.loads(data.decode("utf-8"), parse_constant=_no_constant)
        except UnicodeDecodeError:
            raise self.refuse(f"{name} is not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise self.refuse(f"{name} is not valid JSON (line {exc.lineno})") from None
        except (ValueError, RecursionError) as exc:
            raise self.refuse(f"{name} is not valid JSON ({_first_line(exc)})") from None


def _no_constant(value: str) -> Any:
    raise ValueError(f"{value} is not allowed")


def _copy(value: Any) -> Any:
    return type(value)() if isinstance(value, list | dict) else value


def _size(n: int) -> str:
    return f"{n / MiB:.0f} MB" if n >= MiB else f"{n} bytes"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
