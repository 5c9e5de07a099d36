"""The follow-up summary as a PDF (fpdf2), A4 or US Letter.

Layout, top to bottom: who and what (patient, course, screening warnings), the
worth-it score with its reasons and trend, the sessions, the recovery after
each one, red flags, provider reviews, the plan, then the photos (a
before/after pair per area and a contact sheet of every photo). Charts are
drawn with fpdf2's lines and rectangles, so they stay sharp when printed and
cost no image bytes. Every page carries its number, the generation date and
the not-medical-advice line.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from journal.export import files
from journal.export.charts import Box, Chart, Series, recovery_chart, trend_chart
from journal.export.images import PAIR_EDGE, TILE_EDGE, PhotoCache, PhotoFile
from journal.export.pdftext import (
    CORE_ENCODING,
    CORE_FAMILY,
    TTF_FAMILY,
    TextFitter,
    choose_font,
    fallback_font,
    strings,
)
from journal.export.summary import (
    CHANGE_COLUMNS,
    MEASURED_TITLE,
    RECOVERY_COLUMNS,
    REVIEW_COLUMNS,
    MeasuredPair,
    PhotoItem,
    Summary,
    flag_status_text,
    flags_title,
)

# fpdf2 reports glyphs a font lacks through `logging`, which Python prints to
# stderr when nothing is configured. The text fitter already replaces what the
# chosen font cannot draw, so on a successful export those lines are noise.
logging.getLogger("fpdf").addHandler(logging.NullHandler())

PAPERS = ("a4", "letter")
MARGIN = 15.0
FOOTER_SPACE = 20.0
INK = (33, 33, 33)
MUTED = (110, 110, 110)
RULE = (210, 210, 210)
ACCENT = (38, 84, 124)
WARN_FILL = (255, 244, 214)
FLAG_FILL = (253, 232, 232)
CHART_HEIGHT = 58.0
GRID_COLUMNS = 5
FALLBACK_FAMILY = "JournalFallback"
BAND_LABELS = 20.0  # room right of the score chart for its zone names
CELL_PAD_X = 1.2
PATIENT_SESSION_WIDTHS = (5, 16, 20, 20, 18, 12, 24, 18, 9, 18)
PROVIDER_SESSION_WIDTHS = (5, 16, 20, 20, 24, 18, 10, 28, 9)
MIN_TABLE_SIZE = 6.0
FLAG_INK = (140, 20, 20)


def render_pdf(
    summary: Summary,
    out: Path,
    *,
    photo_file: PhotoFile,
    paper: str = "a4",
    font: str | None = None,
) -> Path:
    """Write the summary to `out` (atomically) and return the path."""
    data = pdf_bytes(summary, photo_file=photo_file, paper=paper, font=font)
    return files.write_bytes(out, data)


def pdf_bytes(
    summary: Summary, *, photo_file: PhotoFile, paper: str = "a4", font: str | None = None
) -> bytes:
    """The PDF document as bytes (see the module docstring for what it holds)."""
    if paper not in PAPERS:
        from journal.core.errors import InvalidValue

        raise InvalidValue("paper", paper, "choose a4 or letter")
    cache = PhotoCache(photo_file)
    cache.prefetch(
        [(i.photo, PAIR_EDGE) for p in _raw_pairs(summary) for i in (p.before, p.after) if i]
        + [(i.photo, TILE_EDGE) for i in summary.photos]
    )
    writer = _Writer(summary, cache, paper=paper, font=font)
    return writer.build()


class _Writer:
    """Lays the summary out page by page on one FPDF document."""

    def __init__(
        self, summary: Summary, cache: PhotoCache, *, paper: str, font: str | None
    ) -> None:
        self.s = summary
        self.cache = cache
        # fpdf2 types fonts and multi_cell outputs as unions it cannot narrow
        self.pdf: Any = _new_document(summary, paper)
        texts = list(strings(summary))
        choice = choose_font(iter(texts), font)
        if choice.is_unicode and choice.regular and choice.bold:
            self.family = TTF_FAMILY
            self.fit = self._unicode_fonts(choice.regular, choice.bold, texts)
        else:
            self.pdf.core_fonts_encoding = CORE_ENCODING
            self.family = CORE_FAMILY
            self.fit = TextFitter.core()
        self.pdf.fit = self.fit  # the footer needs it too
        self.pdf.family = self.family
        self.width = self.pdf.epw

    def _unicode_fonts(self, regular: Path, bold: Path, texts: list[str]) -> TextFitter:
        """Add the TrueType fonts (and a fallback for what they lack); the fitter for them."""
        pdf = self.pdf
        pdf.add_font(TTF_FAMILY, "", str(regular))
        pdf.add_font(TTF_FAMILY, "B", str(bold))
        covered = set(pdf.fonts[TTF_FAMILY.lower()].cmap) & set(
            pdf.fonts[TTF_FAMILY.lower() + "B"].cmap
        )
        missing = {ord(ch) for text in texts for ch in text} - covered
        extra = fallback_font() if any(_east_asian(code) for code in missing) else None
        if extra is not None:
            pdf.add_font(FALLBACK_FAMILY, "", str(extra))
            pdf.set_fallback_fonts([FALLBACK_FAMILY], exact_match=False)
            covered |= set(pdf.fonts[FALLBACK_FAMILY.lower()].cmap)
        return TextFitter.for_codepoints(covered)

    # -- document -------------------------------------------------------------------

    def build(self) -> bytes:
        pdf = self.pdf
        pdf.add_page()
        if self.s.provider is not None:
            return self._build_for_provider()
        self._title()
        self._facts()
        self._screening()
        self._score()
        self._sessions()
        self._recovery()
        self._flags()
        self._reviews()
        self._plan()
        self._photos()
        return bytes(pdf.output())

    def _build_for_provider(self) -> bytes:
        """Page 1 is enough on its own; the detail follows from page 2."""
        self._title()
        self._identification()
        self._provider_flags()
        self._screening(title="Screening (intake answers):")
        self._score_line()
        self._concerns()
        self.pdf.add_page()
        self._sessions()
        self._recovery()
        self._reviews()
        self._amendments()
        self._plan()
        self._score()
        self._measured()
        self._photos()
        return bytes(self.pdf.output())

    # -- primitives -------------------------------------------------------------------

    def font(self, size: float, bold: bool = False, color: tuple[int, int, int] = INK) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.set_text_color(*color)

    def para(self, text: str, size: float = 9.5, *, color: tuple[int, int, int] = INK) -> None:
        self.font(size, color=color)
        self.pdf.multi_cell(0, size * 0.5, self.fit(text), align="L", new_x="LMARGIN", new_y="NEXT")

    def heading(self, text: str, *, need: float = 30.0) -> None:
        """A section title, moved to the next page if the section can't start here."""
        self.ensure(need)
        self.pdf.ln(4)
        self.font(13, bold=True, color=ACCENT)
        self.pdf.cell(0, 7, self.fit(text), new_x="LMARGIN", new_y="NEXT")
        y = self.pdf.get_y()
        self.pdf.set_draw_color(*RULE)
        self.pdf.set_line_width(0.3)
        self.pdf.line(MARGIN, y, MARGIN + self.width, y)
        self.pdf.ln(2)

    def ensure(self, height: float) -> None:
        if self.pdf.get_y() + height > self.pdf.page_break_trigger:
            self.pdf.add_page()

    def table(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        *,
        size: float = 8.0,
        head_fill: tuple[int, int, int] = (236, 240, 244),
    ) -> None:
        """A table that wraps cells only at spaces: no value is ever cut in two.

        `widths` are the preferred proportions; `fit_columns` widens a column
        until its longest word fits (a date, `1.5 mm` joined by a no-break
        space) and takes the room from the columns with wrappable text.
        """
        from fpdf.fonts import FontFace

        size, widths = self.fit_columns(columns, rows, widths, size)
        self.font(size)
        self.pdf.set_fill_color(255, 255, 255)  # tables start from the current fill colour
        self.pdf.set_draw_color(*RULE)
        self.pdf.set_line_width(0.2)
        head = FontFace(emphasis="BOLD", color=INK, fill_color=head_fill)
        with self.pdf.table(
            col_widths=tuple(widths),
            width=self.width,
            text_align="LEFT",
            line_height=size * 0.5,
            headings_style=head,
            borders_layout="HORIZONTAL_LINES",
            padding=(1.0, CELL_PAD_X),
            repeat_headings=1,
            cell_fill_mode="ROWS",
            cell_fill_color=(247, 248, 250),
        ) as table:
            header = table.row()
            for name in columns:
                header.cell(self.fit(name))
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(self.fit(value))
        self.pdf.ln(1)

    def fit_columns(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[str]],
        preferred: Sequence[float],
        size: float,
    ) -> tuple[float, list[float]]:
        """Column widths (mm) where every word fits its column, and the font size used.

        Each column gets at least its widest word plus the cell padding; the
        rest of the page width is shared in the preferred proportions (a word
        wider than almost half the page, a pasted link, may still break). When
        even the words do not fit side by side the font shrinks (down to 6 pt)
        before anything would be cut.
        """
        total = self.width
        while True:
            need = [
                min(self._widest_word(i, columns, rows, size) + 2 * CELL_PAD_X + 0.6, total * 0.45)
                for i in range(len(columns))
            ]
            if sum(need) <= total or size <= MIN_TABLE_SIZE:
                break
            size -= 0.5
        scale = total / sum(preferred)
        widths = [w * scale for w in preferred]
        fixed: set[int] = set()
        while True:
            short = [i for i, w in enumerate(widths) if w < need[i] - 1e-6 and i not in fixed]
            if not short:
                break
            fixed |= set(short)
            for i in short:
                widths[i] = need[i]
            free = [i for i in range(len(widths)) if i not in fixed]
            room = total - sum(widths[i] for i in fixed)
            weight = sum(preferred[i] for i in free)
            if not free or room <= 0 or weight <= 0:
                break
            for i in free:
                widths[i] = room * preferred[i] / weight
        return size, widths

    def _widest_word(
        self, index: int, columns: Sequence[str], rows: Sequence[Sequence[str]], size: float
    ) -> float:
        pdf = self.pdf
        widest = 0.0
        pdf.set_font(self.family, "B", size)
        for word in self.fit(columns[index]).split():
            widest = max(widest, pdf.get_string_width(word))
        pdf.set_font(self.family, "", size)
        for row in rows:
            for word in self.fit(row[index]).replace("\n", " ").split(" "):
                widest = max(widest, pdf.get_string_width(word))
        return widest

    # -- sections ---------------------------------------------------------------------

    def _title(self) -> None:
        self.font(18, bold=True)
        self.pdf.cell(0, 9, self.fit(self.s.title), new_x="LMARGIN", new_y="NEXT")
        parts = [self.s.patient_name]
        if self.s.course_title:
            parts.append(self.s.course_title)
        parts.append(f"generated {self.s.generated.isoformat()}")
        self.para("  ·  ".join(parts), 10, color=MUTED)
        self.pdf.ln(3)

    def _facts(self) -> None:
        label_w = 32.0
        for label, value in self.s.facts:
            y = self.pdf.get_y()
            self.font(9.5, bold=True, color=MUTED)
            self.pdf.cell(label_w, 5.2, self.fit(label))
            self.font(9.5)
            self.pdf.set_xy(MARGIN + label_w, y)
            self.pdf.multi_cell(
                self.width - label_w, 5.2, self.fit(value), align="L", new_x="LMARGIN", new_y="NEXT"
            )

    def _screening(self, title: str = "Screening answers to discuss before any session:") -> None:
        if not self.s.screening:
            return
        pdf = self.pdf
        pdf.ln(3)
        lines = [self.fit(f"• {m}") for m in self.s.screening]
        self.font(9)
        wrapped = sum(
            len(pdf.multi_cell(self.width - 6, 4.5, line, dry_run=True, output="LINES"))
            for line in lines
        )
        height = 4 + 5 + 4.5 * wrapped + 2
        self.ensure(height)
        top = pdf.get_y()
        pdf.set_fill_color(*WARN_FILL)
        pdf.rect(MARGIN, top, self.width, height, style="F")
        pdf.set_xy(MARGIN + 3, top + 2)
        self.font(9.5, bold=True, color=(120, 70, 0))
        pdf.cell(0, 5, self.fit(title), new_x="LMARGIN", new_y="NEXT")
        self.font(9)
        for line in lines:
            pdf.set_x(MARGIN + 3)
            pdf.multi_cell(self.width - 6, 4.5, line, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(top + height)

    def _score(self) -> None:
        self.heading("Worth-it score", need=70)
        score = self.s.score
        if score is None:
            self.para("No course yet: there is nothing to score.")
            return
        pdf = self.pdf
        top = pdf.get_y()
        color = self.s.verdict_color
        self.font(30, bold=True, color=color)
        pdf.set_xy(MARGIN, top)
        pdf.cell(26, 13, str(score.score), align="R")
        self.font(10, color=MUTED)
        pdf.set_xy(MARGIN + 26.5, top + 5.5)
        pdf.cell(12, 6, "/100")
        pdf.set_xy(MARGIN + 44, top + 0.5)
        self.font(16, bold=True, color=color)
        pdf.cell(0, 7, self.fit(self.s.verdict_label or ""), new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(MARGIN + 44)
        self.font(9.5, color=MUTED)
        extra = " (capped: a lasting side effect)" if score.capped else ""
        pdf.cell(0, 5, self.fit(f"Confidence: {score.confidence}{extra}"))
        pdf.set_xy(MARGIN, top + 15)
        self.para(score.benchmark.sentence, 9, color=MUTED)
        if score.firm_when:
            self.para(score.firm_when, 9)
        pdf.ln(2)
        rows = [
            (c.name.capitalize(), str(c.score), f"{round(c.weight * 100)}%", c.sentence)
            for c in score.components
        ]
        self.table(("Component", "Score", "Weight", "Why"), rows, (20, 10, 11, 99), size=8)
        if score.missing:
            self.para("Missing for a surer score: " + " ".join(score.missing), 8, color=MUTED)
        self.pdf.ln(2)
        self.chart(trend_chart([(p.date, p.score) for p in score.trend]))

    def _sessions(self) -> None:
        self.heading("Sessions", need=40)
        if not self.s.sessions:
            self.para("No sessions logged yet.")
            return
        provider = self.s.provider is not None
        widths = PROVIDER_SESSION_WIDTHS if provider else PATIENT_SESSION_WIDTHS
        self.table(self.s.session_columns, self.s.sessions, widths, size=7.5)
        if self.s.session_total:
            self.para(self.s.session_total, 8.5, color=MUTED)
        if self.s.amended_note:
            self.para(self.s.amended_note, 8, color=MUTED)

    def _recovery(self) -> None:
        self.heading("Recovery", need=CHART_HEIGHT + 20)
        self.chart(recovery_chart(self.s.recovery), legend=True)
        if self.s.recovery_rows:
            self.table(RECOVERY_COLUMNS, self.s.recovery_rows, (22, 40, 20, 48), size=8)

    def _flags(self) -> None:
        self.heading("Red flags", need=25)
        if not self.s.flags:
            self.para("None reported in the check-ins or derived from the symptoms.")
            return
        for _date, sentence in self.s.flags:
            self.ensure(12)
            pdf = self.pdf
            pdf.set_fill_color(*FLAG_FILL)
            self.font(9, color=(140, 20, 20))
            pdf.multi_cell(
                0,
                4.8,
                self.fit(f"! {sentence}"),
                fill=True,
                align="L",
                new_x="LMARGIN",
                new_y="NEXT",
            )
            pdf.ln(1)

    def _identification(self) -> None:
        assert self.s.provider is not None
        label_w = 26.0
        for label, value in self.s.provider.identification:
            y = self.pdf.get_y()
            self.font(9.5, bold=True, color=MUTED)
            self.pdf.cell(label_w, 5, self.fit(label))
            self.font(9.5)
            self.pdf.set_xy(MARGIN + label_w, y)
            self.pdf.multi_cell(
                self.width - label_w, 5, self.fit(value), align="L", new_x="LMARGIN", new_y="NEXT"
            )

    def _provider_flags(self) -> None:
        assert self.s.provider is not None
        flags = self.s.provider.flags
        self.pdf.ln(3)
        self.font(11, bold=True, color=FLAG_INK if flags else INK)
        title = flags_title(flags)
        self.pdf.cell(0, 6, self.fit(title), new_x="LMARGIN", new_y="NEXT")
        if not flags:
            self.para("None reported in the check-ins or derived from the symptoms.", 9)
            return
        rows = [
            (
                f.date.isoformat(),
                f"{f.label} ({f.context})",
                flag_status_text(f),
                f'"{f.patient_words}"' if f.patient_words else "(no note that day)",
            )
            for f in flags
        ]
        self.table(
            ("Date", "Red flag", "Status", "Patient's own words"),
            rows,
            (16, 50, 16, 58),
            size=8,
            head_fill=FLAG_FILL,
        )

    def _score_line(self) -> None:
        score = self.s.score
        self.pdf.ln(3)
        if score is None:
            self.para("No course yet: there is nothing to score.", 9.5)
            return
        self.font(11, bold=True, color=self.s.verdict_color)
        capped = ", capped by a lasting side effect" if score.capped else ""
        line = (
            f"Worth-it score {score.score}/100: {self.s.verdict_label} "
            f"(confidence {score.confidence}{capped})"
        )
        self.pdf.cell(0, 6, self.fit(line), new_x="LMARGIN", new_y="NEXT")
        self.para(
            "Patient-reported outcome score; components and trend on a later page.", 8, color=MUTED
        )

    def _concerns(self) -> None:
        page = self.s.provider
        assert page is not None
        self.pdf.ln(2)
        self.font(11, bold=True)
        self.pdf.cell(0, 6, "Concern ratings and GAIS", new_x="LMARGIN", new_y="NEXT")
        if not page.concern_rows:
            self.para("No concern or GAIS ratings recorded yet.", 9)
            return
        n = len(page.concern_columns) - 3
        widths = (30, *([16] * n), 27, 27)
        self.table(page.concern_columns, page.concern_rows, widths, size=8)
        if page.concern_note:
            self.para(page.concern_note, 7.5, color=MUTED)

    def _amendments(self) -> None:
        page = self.s.provider
        if page is None or not page.amendments:
            return
        self.heading("Amendments", need=20)
        for line in page.amendments:
            self.para(f"• {line}", 9)
        self.para(
            "`journal log` shows who changed what, when, and the earlier values.", 8, color=MUTED
        )

    def _reviews(self) -> None:
        self.heading("Provider reviews", need=25)
        if not self.s.reviews:
            self.para("No provider reviews yet.")
            return
        self.table(REVIEW_COLUMNS, self.s.reviews, (18, 26, 24, 22, 70), size=8)
        if self.s.amended_note:
            self.para(self.s.amended_note, 8, color=MUTED)

    def _plan(self) -> None:
        self.heading("Plan", need=30)
        if not self.s.plan:
            self.para("No plan yet: log the first session.")
            return
        for sentence in self.s.plan:
            self.para(f"• {sentence}", 9.5)
            self.pdf.ln(0.6)

    def _measured(self) -> None:
        """Each area's aligned pair (with its difference picture) and its measured change."""
        if not self.s.measured:
            return
        self.heading(MEASURED_TITLE, need=90)
        if self.s.measured_caveat:
            self.para(self.s.measured_caveat, 8.5, color=MUTED)
        for pair in self.s.measured:
            self._measured_pair(pair)

    def _measured_pair(self, pair: MeasuredPair) -> None:
        pdf = self.pdf
        if pair.picture is None:
            self.ensure(16)
            pdf.ln(2)
            self.font(10.5, bold=True)
            pdf.cell(0, 6, self.fit(pair.area), new_x="LMARGIN", new_y="NEXT")
            self.para(pair.problem or "", 9, color=MUTED)
            return
        width, height = pair.picture_size
        draw_h = self.width * height / max(width, 1)
        self.ensure(draw_h + 60)  # the picture, its labels and the table's first rows
        pdf.ln(2)
        self.font(10.5, bold=True)
        pdf.cell(0, 6, self.fit(pair.title), new_x="LMARGIN", new_y="NEXT")
        top = pdf.get_y()
        pdf.image(io.BytesIO(pair.picture), x=MARGIN, y=top, w=self.width, h=draw_h)
        third = self.width / 3
        self.font(7.5, color=MUTED)
        for n, label in enumerate(pair.panels):
            pdf.set_xy(MARGIN + n * third, top + draw_h + 0.8)
            pdf.cell(third, 4, self.fit(label), align="C")
        pdf.set_xy(MARGIN, top + draw_h + 6)
        if pair.not_counted:
            self._notice(pair.not_counted, pair.warnings, FLAG_FILL, FLAG_INK)
        elif pair.warnings:
            self._notice("Comparability notes:", pair.warnings, WARN_FILL, (120, 70, 0))
        self.para(pair.alignment, 8, color=MUTED)
        pdf.ln(1)
        self.table(CHANGE_COLUMNS, pair.rows, (52, 16, 16, 24, 18, 26), size=8)

    def _notice(
        self,
        title: str,
        lines: Sequence[str],
        fill: tuple[int, int, int],
        ink: tuple[int, int, int],
    ) -> None:
        """A shaded box: a bold first line, then one bullet per line."""
        pdf = self.pdf
        bullets = [self.fit(f"• {line}") for line in lines]
        self.font(8.5)
        wrapped = sum(
            len(pdf.multi_cell(self.width - 6, 4.2, line, dry_run=True, output="LINES"))
            for line in bullets
        )
        height = 2 + 5 + 4.2 * wrapped + 2
        self.ensure(height)
        top = pdf.get_y()
        pdf.set_fill_color(*fill)
        pdf.rect(MARGIN, top, self.width, height, style="F")
        pdf.set_xy(MARGIN + 3, top + 1.5)
        self.font(9, bold=True, color=ink)
        pdf.cell(0, 5, self.fit(title), new_x="LMARGIN", new_y="NEXT")
        self.font(8.5, color=ink)
        for line in bullets:
            pdf.set_x(MARGIN + 3)
            pdf.multi_cell(self.width - 6, 4.2, line, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(top + height + 1)

    def _photos(self) -> None:
        if not self.s.photos:
            return
        gap = 6.0
        half = (self.width - gap) / 2
        raw = _raw_pairs(self.s)
        if raw:  # areas with an aligned pair were shown above, in `_measured`
            self.heading("Before and after", need=half * 0.75 + 30)
        for pair in raw:
            shown = [pair.before] + ([pair.after] if pair.after else [])
            height = max(half * i.photo.height / max(i.photo.width, 1) for i in shown)
            height = min(height, 95.0)
            self.ensure(height + 17)
            self.font(10.5, bold=True)
            self.pdf.cell(0, 6, self.fit(pair.area), new_x="LMARGIN", new_y="NEXT")
            top = self.pdf.get_y()
            for n, item in enumerate(shown):
                x = MARGIN + n * (half + gap)
                self.picture(item, x, top, half, height, PAIR_EDGE)
                self.font(8, color=MUTED)
                label = ("Baseline " if n == 0 else "Latest ") + item.day.isoformat()
                self.pdf.set_xy(x, top + height + 1)
                self.pdf.cell(half, 4, self.fit(f"{label} ({item.caption.split(' · ')[1]})"))
            self.pdf.set_xy(MARGIN, top + height + 8)
        self.heading("All photos", need=45)
        gap = 3.0
        tile = (self.width - gap * (GRID_COLUMNS - 1)) / GRID_COLUMNS
        tile_h = tile * 0.75
        for start in range(0, len(self.s.photos), GRID_COLUMNS):
            self.ensure(tile_h + 10)
            top = self.pdf.get_y()
            for n, item in enumerate(self.s.photos[start : start + GRID_COLUMNS]):
                x = MARGIN + n * (tile + gap)
                self.picture(item, x, top, tile, tile_h, TILE_EDGE)
                self.font(6.5, color=MUTED)
                self.pdf.set_xy(x, top + tile_h + 0.5)
                where, kind, day = item.caption.rsplit(" · ", 2)
                self.pdf.multi_cell(
                    tile, 2.9, self.fit(f"{where}, {kind}\n{day}"), align="L", new_x="RIGHT"
                )
            self.pdf.set_xy(MARGIN, top + tile_h + 9)

    # -- pictures and charts ------------------------------------------------------------

    def picture(self, item: PhotoItem, x: float, y: float, w: float, h: float, edge: int) -> None:
        """The photo fitted (aspect kept) in the box, or a grey placeholder if unreadable."""
        data = self.cache.jpeg(item.photo, edge)
        pdf = self.pdf
        if data is None:
            pdf.set_fill_color(235, 235, 235)
            pdf.rect(x, y, w, h, style="F")
            self.font(7, color=MUTED)
            pdf.set_xy(x, y + h / 2 - 2)
            pdf.cell(w, 4, "photo file missing", align="C")
            return
        ratio = item.photo.width / max(item.photo.height, 1)
        draw_w, draw_h = (w, w / ratio) if w / ratio <= h else (h * ratio, h)
        pdf.image(io.BytesIO(data), x=x + (w - draw_w) / 2, y=y, w=draw_w, h=draw_h)

    def chart(self, chart: Chart, *, legend: bool = False) -> None:
        pdf = self.pdf
        height = CHART_HEIGHT + (6 if legend else 0)
        self.ensure(height + 4)
        top = pdf.get_y()
        self.font(9, bold=True)
        pdf.set_xy(MARGIN, top)
        pdf.cell(0, 5, self.fit(chart.title))
        side = BAND_LABELS if chart.bands else 3.0
        box = Box(MARGIN + 9, top + 8, self.width - 9 - side, CHART_HEIGHT - 17)
        _draw_chart(self, chart, box)
        y = box.top + box.height + 8
        if legend and chart.series:
            x = MARGIN + 9
            self.font(7, color=INK)
            for series in chart.series:
                label = self.fit(series.label)
                w = pdf.get_string_width(label) + 13
                if x + w > MARGIN + self.width:
                    x, y = MARGIN + 9, y + 4
                if series.drawn:  # the same line and marker as in the plot
                    _line(pdf, series, [(x, y - 0.6), (x + 8, y - 0.6)])
                    _marker(pdf, series, x + 4, y - 0.6)
                pdf.text(x + 9, y, label)
                x += w
            y += 3
        pdf.set_xy(MARGIN, y + 1)


def _raw_pairs(summary: Summary) -> list[Any]:
    """The before/after pairs still shown as taken: areas without an aligned pair."""
    aligned = summary.measured_areas
    return [pair for pair in summary.pairs if pair.area not in aligned]


def _east_asian(code: int) -> bool:
    """CJK, kana, Hangul and full-width forms: what the fallback font is loaded for."""
    return (
        0x2E80 <= code <= 0x9FFF
        or 0xAC00 <= code <= 0xD7AF
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF
        or 0x20000 <= code <= 0x2FA1F
    )


def _draw_chart(w: _Writer, chart: Chart, box: Box) -> None:
    pdf = w.pdf
    for band in chart.bands:
        _x0, y0 = chart.project(chart.x_min, band.high, box)
        _x1, y1 = chart.project(chart.x_max, band.low, box)
        pdf.set_fill_color(*band.color)
        pdf.rect(box.left, y0, box.width, y1 - y0, style="F")
        w.font(6.5, color=MUTED)
        pdf.text(box.left + box.width + 1.5, (y0 + y1) / 2 + 1, band.label)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2)
    w.font(7, color=MUTED)
    for tick in chart.y_ticks:
        _x, y = chart.project(chart.x_min, tick.value, box)
        pdf.line(box.left, y, box.left + box.width, y)
        pdf.text(box.left - pdf.get_string_width(tick.label) - 1.5, y + 1.1, tick.label)
    for tick in chart.x_ticks:
        x, _y = chart.project(tick.value, chart.y_min, box)
        pdf.line(x, box.top + box.height, x, box.top + box.height + 1)
    for x, label in chart.tick_labels(box, lambda t: pdf.get_string_width(w.fit(t)), gap=1.5):
        label = w.fit(label)
        pdf.text(x - pdf.get_string_width(label) / 2, box.top + box.height + 4, label)
    pdf.set_draw_color(*MUTED)
    pdf.line(box.left, box.top + box.height, box.left + box.width, box.top + box.height)
    if chart.is_empty:
        w.font(8.5, color=MUTED)
        pdf.set_xy(box.left, box.top + box.height / 2 - 2)
        pdf.cell(box.width, 4, w.fit(chart.empty_text), align="C")
        return
    for series in chart.series:
        points = [chart.project(x, y, box) for x, y in series.points]
        if len(points) > 1:
            _line(pdf, series, points)
        for x, y in points:
            _marker(pdf, series, x, y)
        if chart.bands:  # the score chart: print each value above its point
            w.font(7, bold=True, color=INK)
            for (x, y), (_dx, value) in zip(points, series.points, strict=True):
                label = str(round(value))
                pdf.text(x - pdf.get_string_width(label) / 2, y - 1.8, label)
    pdf.set_line_width(0.2)


def _line(pdf: Any, series: Series, points: list[tuple[float, float]]) -> None:
    """The series' line in its colour and dash pattern (see charts.DASHES)."""
    width = 0.6
    pdf.set_draw_color(*series.color)
    pdf.set_line_width(width)
    on, off = series.dash
    pdf.set_dash_pattern(dash=on * width, gap=off * width)
    pdf.polyline(points)
    pdf.set_dash_pattern()


def _marker(pdf: Any, series: Series, x: float, y: float, r: float = 0.95) -> None:
    """The series' marker (circle, square, triangle or diamond) centred on (x, y)."""
    pdf.set_fill_color(*series.color)
    if series.marker == "square":
        pdf.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7, style="F")
    elif series.marker == "triangle":
        pdf.polygon([(x, y - r * 1.15), (x + r, y + r * 0.7), (x - r, y + r * 0.7)], style="F")
    elif series.marker == "diamond":
        pdf.polygon([(x, y - r * 1.2), (x + r, y), (x, y + r * 1.2), (x - r, y)], style="F")
    else:
        pdf.ellipse(x - r, y - r, 2 * r, 2 * r, style="F")


def _new_document(summary: Summary, paper: str) -> Any:
    from fpdf import FPDF

    class _Document(FPDF):
        """FPDF with our footer: disclaimer, generation date, page X of N."""

        fit: TextFitter
        family: str

        def footer(self) -> None:
            self.set_y(-14)
            self.set_font(self.family, "", 7)
            self.set_text_color(*MUTED)
            self.cell(0, 4, self.fit(summary.disclaimer), align="C", new_x="LMARGIN", new_y="NEXT")
            generated = f"{summary.title} · {summary.generated.isoformat()}"
            self.cell(self.epw / 2, 4, self.fit(generated))
            self.cell(self.epw / 2, 4, f"Page {self.page_no()} of {{nb}}", align="R")

    pdf: Any = _Document(orientation="portrait", unit="mm", format=paper.upper())
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=FOOTER_SPACE)
    pdf.alias_nb_pages()
    pdf.set_title(f"{summary.title}: {summary.patient_name}")
    pdf.set_creator("microneedling-journal")
    pdf.set_lang("en")
    pdf.set_compression(True)
    return pdf
