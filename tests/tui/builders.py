"""Journals for the TUI tests, built through the services with fixed dates.

Everything a screen shows derives from these dates and the injected `TODAY`,
never from the clock or from ids, so snapshots are the same on every run.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PIL import Image

from journal.services.checkins import add_checkin
from journal.services.courses import add_course
from journal.services.demo import seed_demo
from journal.services.journal import Journal, open_journal
from journal.services.patients import add_patient
from journal.services.photos import import_photos
from journal.services.reviews import add_review
from journal.services.sessions import add_session

TODAY = dt.date(2026, 6, 1)


def build_demo(home: Path) -> None:
    """The realistic demo journal (one patient, photos) as of `TODAY`."""
    with open_journal(home) as journal:
        seed_demo(journal, today=TODAY)


def add_clinic_patients(journal: Journal) -> None:
    """Four more patients with short, fixed histories (one of them with a red flag)."""
    add_patient(journal, "Bea Okafor", birth_year=1979, skin_type=5, concerns=["fine-lines"])
    add_course(journal, "Bea Okafor", title="Fine lines", areas=["full-face"], planned=3)
    for n, day in enumerate((dt.date(2026, 3, 2), dt.date(2026, 4, 6))):
        add_session(
            journal,
            "Bea Okafor",
            date=day.isoformat(),
            provider="Dr. Maya Chen",
            device="rf",
            device_name="Morpheus8",
            depth="2.0",
            areas=["full-face"],
            cost="700",
        )
        add_checkin(
            journal,
            "Bea Okafor",
            date=(day + dt.timedelta(days=2)).isoformat(),
            symptoms={"redness": 5, "swelling": 3 + n},
            concerns={"fine-lines": 6 - n},
            flags=["blistering"] if n == 1 else [],
            verdict="not-sure",
        )

    add_patient(journal, "Carlos Dubois", birth_year=1990, concerns=["texture"])
    add_session(
        journal,
        "Carlos Dubois",
        date="2026-05-11",
        provider="Dr. Sam Park",
        device="pen",
        depth="1.0",
        areas=["cheeks"],
        cost="250",
    )
    add_checkin(
        journal,
        "Carlos Dubois",
        date="2026-05-12",
        symptoms={"redness": 3},
        concerns={"texture": 5},
        verdict="worth-it",
        gais="improved",
    )
    add_review(
        journal, "Carlos Dubois", date="2026-05-30", provider="Dr. Sam Park", gais="improved"
    )

    add_patient(journal, "Dana Novak", birth_year=1985, concerns=["large-pores"])

    add_patient(journal, "Eli Tanaka", birth_year=1972, concerns=["wrinkles", "laxity"])
    for day in ("2025-11-03", "2025-12-08", "2026-01-12"):
        add_session(
            journal,
            "Eli Tanaka",
            date=day,
            provider="Dr. Sam Park",
            device="pen",
            depth="1.5",
            areas=["forehead"],
            cost="400",
        )
    add_checkin(
        journal,
        "Eli Tanaka",
        date="2026-02-09",
        concerns={"wrinkles": 6, "laxity": 6},
        verdict="not-worth-it",
        gais="no-change",
    )


def build_clinic(home: Path) -> None:
    """The demo patient plus four clinic patients: the provider view's journal."""
    with open_journal(home) as journal:
        seed_demo(journal, today=TODAY)
        add_clinic_patients(journal)


def write_jpeg(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> Path:
    """A small JPEG of one colour (with a darker square, so halves differ)."""
    image = Image.new("RGB", size, colour)
    darker = tuple(max(0, c - 60) for c in colour)
    for x in range(size[0] // 4, size[0] // 2):
        for y in range(size[1] // 4, size[1] // 2):
            image.putpixel((x, y), darker)
    image.save(path, "JPEG", quality=90)
    return path


EVIDENCE_PATIENT = "Noor Haddad"


def skin_jpeg(
    path: Path, *, severity: int, redness: float = 1.0, turn: float = 0.0, gain: float = 1.0
) -> Path:
    """Generated skin (journal.imaging.synthetic), turned `turn` degrees, `gain` times brighter."""
    import cv2
    import numpy as np

    from journal.imaging.synthetic import paint_skin

    size = (640, 480)
    skin = np.asarray(paint_skin(seed=9, severity=severity, size=size, redness=redness))
    if turn:
        matrix = cv2.getRotationMatrix2D((size[0] / 2, size[1] / 2), turn, 1.04)
        skin = cv2.warpAffine(skin, matrix, size, borderMode=cv2.BORDER_REFLECT)
    if gain != 1.0:
        skin = np.clip(skin.astype(np.float32) * gain, 0, 255).astype(np.uint8)
    Image.fromarray(skin).save(path, "JPEG", quality=92)
    return path


def build_evidence(journal: Journal, folder: Path) -> None:
    """One patient whose photos make every case of the compare view and the provider export.

    Cheeks: a baseline and a follow-up ten weeks later, turned 4 degrees, with
    fewer marks and less redness (a comparable, improved pair). Chin: the same
    skin, but the follow-up is about 60% brighter (not comparable). Forehead:
    two follow-ups and no baseline.
    """
    add_patient(journal, EVIDENCE_PATIENT, birth_year=1988, concerns=["acne-scars"])
    add_course(
        journal, EVIDENCE_PATIENT, title="Scars", areas=["cheeks", "chin", "forehead"], planned=3
    )
    add_session(
        journal,
        EVIDENCE_PATIENT,
        date="2026-01-12",
        provider="Dr. Maya Chen",
        device="pen",
        depth="1.5",
        areas=["cheeks", "chin", "forehead"],
    )
    shots = [
        ("cheeks", "before", "2026-01-11", {"severity": 9}),
        ("cheeks", "follow-up", "2026-03-23", {"severity": 5, "redness": 0.8, "turn": 4.0}),
        ("chin", "before", "2026-01-11", {"severity": 8}),
        ("chin", "follow-up", "2026-03-23", {"severity": 8, "gain": 1.6}),
        ("forehead", "follow-up", "2026-02-10", {"severity": 7}),
        ("forehead", "follow-up", "2026-03-23", {"severity": 6}),
    ]
    for n, (area, kind, day, knobs) in enumerate(shots):
        path = skin_jpeg(folder / f"{area}-{n}.jpg", **knobs)  # type: ignore[arg-type]
        report = import_photos(
            journal, EVIDENCE_PATIENT, [path], date=day, kind=kind, area=area, workers=1,
            today=TODAY,
        )  # fmt: skip
        assert not report.failed, report.failed
