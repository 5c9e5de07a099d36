"""The follow-up summary as one self-contained HTML file.

One file that opens anywhere, offline, forever: CSS inline, photos as
`data:` URIs, charts as inline SVG, and a Content-Security-Policy that forbids
loading anything from anywhere, so even a crafted note could not make the
page call home. Everything the user wrote is escaped. The layout is a single
column that reads on a phone (wide tables scroll sideways) and prints cleanly.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from journal.export import files
from journal.export.charts import Box, Chart, Series, recovery_chart, trend_chart
from journal.export.images import PAIR_EDGE, TILE_EDGE, PhotoCache, PhotoFile
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

LOG_HINT = "`journal log` shows who changed what, when, and the earlier values."
# A value no browser may wrap inside: a date (browsers break after its hyphens)
# or a number with its unit.
UNBREAKABLE = re.compile(r"\d{4}-\d{2}-\d{2}|\d+(?:\.\d+)?\u00a0mm")
SVG_WIDTH = 640.0
SVG_HEIGHT = 220.0

CSS = """
:root { --ink:#212121; --muted:#6e6e6e; --rule:#d2d2d2; --accent:#26547c; --head:#eceff4; }
* { box-sizing: border-box; }
body { margin:0; color:var(--ink); background:#fff;
  font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; }
main, footer { max-width:52rem; margin:0 auto; padding:1rem; }
h1 { font-size:1.6rem; margin:.5rem 0 0; line-height:1.2; }
h2 { color:var(--accent); font-size:1.25rem; border-bottom:1px solid var(--rule);
  padding-bottom:.2rem; margin:2rem 0 .8rem; }
h3 { font-size:1rem; margin:1.2rem 0 .4rem; }
.sub, .muted, figcaption, footer { color:var(--muted); }
.sub { margin:.2rem 0 1rem; }
dl.facts { display:grid; grid-template-columns:max-content 1fr; gap:.2rem 1rem; margin:0; }
dl.facts dt { font-weight:600; color:var(--muted); }
dl.facts dd { margin:0; overflow-wrap:anywhere; }
.warn { background:#fff4d6; padding:.6rem .9rem; margin:1rem 0; border-radius:4px; }
.warn strong { color:#784600; }
.flag { background:#fde8e8; color:#8c1414; padding:.5rem .8rem; margin:.4rem 0; border-radius:4px; }
.score { display:flex; flex-wrap:wrap; align-items:baseline; gap:.2rem 1rem; }
.score .num { font-size:3rem; font-weight:700; line-height:1; }
.score .verdict { font-size:1.5rem; font-weight:700; }
.table-wrap { overflow-x:auto; -webkit-overflow-scrolling:touch; margin:.6rem 0; }
table { border-collapse:collapse; width:100%; font-size:.85rem; }
th, td { text-align:left; vertical-align:top; padding:.35rem .45rem;
  border-bottom:1px solid var(--rule); }
th { background:var(--head); white-space:nowrap; }
.nw { white-space:nowrap; }
tbody tr:nth-child(even) td { background:#f7f8fa; }
td.text { min-width:14rem; }
figure { margin:1rem 0; }
figure.chart svg { width:100%; height:auto; display:block; }
.legend { display:flex; flex-wrap:wrap; gap:.2rem 1rem; font-size:.8rem; margin:.3rem 0 0;
  padding:0; list-style:none; }
.legend .key { display:inline-block; width:1.8rem; height:0; margin-right:.3rem;
  vertical-align:middle; text-align:center; line-height:0; font-size:.8rem; }
.pair { display:grid; grid-template-columns:1fr 1fr; gap:1rem; }
.pair figure { margin:0; }
img { max-width:100%; height:auto; display:block; border-radius:3px; }
.grid { display:grid; grid-template-columns:repeat(auto-fill,minmax(9rem,1fr)); gap:.8rem; }
.grid figure { margin:0; }
figcaption { font-size:.8rem; margin-top:.2rem; }
.panels { display:grid; grid-template-columns:1fr 1fr 1fr; gap:.5rem; text-align:center; }
.flag ul, .warn ul { margin:.3rem 0 0; padding-left:1.2rem; }
.missing { background:#ebebeb; aspect-ratio:4/3; display:flex; align-items:center;
  justify-content:center; font-size:.8rem; color:var(--muted); }
footer { border-top:1px solid var(--rule); font-size:.85rem; }
@media (max-width:36rem) {
  body { font-size:15px; }
  .pair { grid-template-columns:1fr; }
  dl.facts { grid-template-columns:1fr; }
  dl.facts dd { margin-bottom:.4rem; }
}
@media print {
  main, footer { max-width:none; padding:0; }
  h2 { break-after:avoid; }
  figure, tr, .pair, .flag { break-inside:avoid; }
  .table-wrap { overflow:visible; }
}
"""


def render_html(summary: Summary, out: Path, *, photo_file: PhotoFile) -> Path:
    """Write the summary to `out` (atomically) and return the path."""
    return files.write_bytes(out, html_text(summary, photo_file=photo_file).encode("utf-8"))


def html_text(summary: Summary, *, photo_file: PhotoFile) -> str:
    cache = PhotoCache(photo_file)
    cache.prefetch(
        [(i.photo, PAIR_EDGE) for p in _raw_pairs(summary) for i in (p.before, p.after) if i]
        + [(i.photo, TILE_EDGE) for i in summary.photos]
    )
    s = summary
    title = f"{s.title}: {s.patient_name}"
    parts = [
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">",
        '<meta name="referrer" content="no-referrer">',
        '<meta name="robots" content="noindex">',
        f"<title>{_e(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{_e(s.title)}</h1>",
        f'<p class="sub">{_e(_subtitle(s))}</p>',
        *(_provider_body(s, cache) if s.provider is not None else _patient_body(s, cache)),
        "</main>",
        "<footer>",
        f"<p><strong>{_e(s.disclaimer)}</strong></p>",
        f"<p>{_e(s.title)} · generated {s.generated.isoformat()} by microneedling-journal.</p>",
        "</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _patient_body(s: Summary, cache: PhotoCache) -> list[str]:
    return [
        *_facts(s),
        *_score(s),
        *_sessions(s),
        *_recovery(s),
        *_flags(s),
        *_reviews(s),
        *_plan(s),
        *_photos(s, cache),
    ]


def _provider_body(s: Summary, cache: PhotoCache) -> list[str]:
    """The provider's order: page 1's content first, then the detail (as in the PDF)."""
    page = s.provider
    assert page is not None
    out = ['<section id="patient">', '<dl class="facts">']
    out += [f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in page.identification]
    out += ["</dl>", "</section>", '<section id="flags">']
    if page.flags:
        out.append(f"<h2>{_e(flags_title(page.flags))}</h2>")
        rows = [
            (
                f.date.isoformat(),
                f"{f.label} ({f.context})",
                flag_status_text(f),
                f"\u201c{f.patient_words}\u201d" if f.patient_words else "(no note that day)",
            )
            for f in page.flags
        ]
        out += _table(("Date", "Red flag", "Status", "Patient's own words"), rows, (1, 3))
    else:
        out += ["<h2>Red flags: none</h2>", "<p>None reported or derived from the symptoms.</p>"]
    out.append("</section>")
    if page.screening:
        items = "".join(f"<li>{_e(m)}</li>" for m in page.screening)
        out.append(
            f'<div class="warn"><strong>Screening (intake answers):</strong><ul>{items}</ul></div>'
        )
    score = s.score
    if score is not None:
        capped = ", capped by a lasting side effect" if score.capped else ""
        out.append(
            f'<p class="score-line" style="color:{_rgb(s.verdict_color)}"><strong>Worth-it score '
            f"{score.score}/100: {_e(s.verdict_label)} (confidence {_e(score.confidence)}"
            f"{capped})</strong></p>"
        )
    out += ['<section id="concerns">', "<h2>Concern ratings and GAIS</h2>"]
    if page.concern_rows:
        out += _table(page.concern_columns, page.concern_rows)
        if page.concern_note:
            out.append(f'<p class="muted">{_e(page.concern_note)}</p>')
    else:
        out.append("<p>No concern or GAIS ratings recorded yet.</p>")
    out.append("</section>")
    out += [*_sessions(s), *_recovery(s), *_reviews(s)]
    if page.amendments:
        items = "".join(f"<li>{_e(line)}</li>" for line in page.amendments)
        out += ['<section id="amendments">', "<h2>Amendments</h2>", f"<ul>{items}</ul>"]
        out.append(f'<p class="muted">{_e(LOG_HINT)}</p>')
        out.append("</section>")
    return [*out, *_plan(s), *_score(s), *_measured(s), *_photos(s, cache)]


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _subtitle(s: Summary) -> str:
    bits = [s.patient_name] + ([s.course_title] if s.course_title else [])
    return " · ".join([*bits, f"generated {s.generated.isoformat()}"])


def _rgb(color: tuple[int, int, int]) -> str:
    return f"rgb({color[0]},{color[1]},{color[2]})"


def _table(
    columns: Sequence[str], rows: Iterable[Sequence[str]], text_columns: Sequence[int] = ()
) -> list[str]:
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="text">{_cell(v)}</td>' if i in text_columns else f"<td>{_cell(v)}</td>"
            for i, v in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return [
        '<div class="table-wrap"><table>',
        f"<thead><tr>{head}</tr></thead>",
        "<tbody>",
        *body,
        "</tbody></table></div>",
    ]


def _cell(value: str) -> str:
    """An escaped table cell whose dates and `N mm` values never wrap inside."""
    return UNBREAKABLE.sub(lambda m: f'<span class="nw">{m.group(0)}</span>', _e(value))


def _facts(s: Summary) -> list[str]:
    out = ['<section id="patient">', '<dl class="facts">']
    out += [f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in s.facts]
    out.append("</dl>")
    if s.screening:
        items = "".join(f"<li>{_e(m)}</li>" for m in s.screening)
        out.append(
            '<div class="warn"><strong>Screening answers to discuss before any session:</strong>'
            f"<ul>{items}</ul></div>"
        )
    out.append("</section>")
    return out


def _score(s: Summary) -> list[str]:
    out = ['<section id="score">', "<h2>Worth-it score</h2>"]
    score = s.score
    if score is None:
        return [*out, "<p>No course yet: there is nothing to score.</p>", "</section>"]
    color = _rgb(s.verdict_color)
    capped = " (capped: a lasting side effect)" if score.capped else ""
    out += [
        f'<div class="score" style="color:{color}">'
        f'<span><span class="num">{score.score}</span>'
        '<span class="muted">/100</span></span>'
        f'<span class="verdict">{_e(s.verdict_label)}</span>'
        f'<span class="muted">Confidence: {_e(score.confidence)}{capped}</span></div>',
        f'<p class="muted">{_e(score.benchmark.sentence)}</p>',
    ]
    if score.firm_when:
        out.append(f"<p><strong>{_e(score.firm_when)}</strong></p>")
    rows = [
        (c.name.capitalize(), str(c.score), f"{round(c.weight * 100)}%", c.sentence)
        for c in score.components
    ]
    out += _table(("Component", "Score", "Weight", "Why"), rows, text_columns=(3,))
    if score.missing:
        out.append(f'<p class="muted">Missing for a surer score: {_e(" ".join(score.missing))}</p>')
    out += _chart(trend_chart([(p.date, p.score) for p in score.trend]))
    out.append("</section>")
    return out


def _sessions(s: Summary) -> list[str]:
    out = ['<section id="sessions">', "<h2>Sessions</h2>"]
    if not s.sessions:
        return [*out, "<p>No sessions logged yet.</p>", "</section>"]
    out += _table(s.session_columns, s.sessions)
    if s.session_total:
        out.append(f'<p class="muted">{_e(s.session_total)}</p>')
    if s.amended_note:
        out.append(f'<p class="muted">{_e(s.amended_note)}</p>')
    out.append("</section>")
    return out


def _recovery(s: Summary) -> list[str]:
    out = ['<section id="recovery">', "<h2>Recovery</h2>"]
    out += _chart(recovery_chart(s.recovery), legend=True)
    if s.recovery_rows:
        out += _table(RECOVERY_COLUMNS, s.recovery_rows)
    out.append("</section>")
    return out


def _flags(s: Summary) -> list[str]:
    out = ['<section id="flags">', "<h2>Red flags</h2>"]
    if not s.flags:
        out.append("<p>None reported in the check-ins or derived from the symptoms.</p>")
    out += [f'<p class="flag">&#9888; {_e(sentence)}</p>' for _date, sentence in s.flags]
    out.append("</section>")
    return out


def _reviews(s: Summary) -> list[str]:
    out = ['<section id="reviews">', "<h2>Provider reviews</h2>"]
    if not s.reviews:
        return [*out, "<p>No provider reviews yet.</p>", "</section>"]
    note = [f'<p class="muted">{_e(s.amended_note)}</p>'] if s.amended_note else []
    return [*out, *_table(REVIEW_COLUMNS, s.reviews, text_columns=(4,)), *note, "</section>"]


def _plan(s: Summary) -> list[str]:
    out = ['<section id="plan">', "<h2>Plan</h2>"]
    if not s.plan:
        return [*out, "<p>No plan yet: log the first session.</p>", "</section>"]
    items = "".join(f"<li>{_e(sentence)}</li>" for sentence in s.plan)
    return [*out, f"<ul>{items}</ul>", "</section>"]


def _raw_pairs(s: Summary) -> list[Any]:
    """The before/after pairs still shown as taken: areas without an aligned pair."""
    return [pair for pair in s.pairs if pair.area not in s.measured_areas]


def _measured(s: Summary) -> list[str]:
    """Each area's aligned pair (with its difference picture) and its measured change."""
    if not s.measured:
        return []
    out = ['<section id="measured">', f"<h2>{_e(MEASURED_TITLE)}</h2>"]
    if s.measured_caveat:
        out.append(f'<p class="muted">{_e(s.measured_caveat)}</p>')
    for pair in s.measured:
        out += _measured_pair(pair)
    out.append("</section>")
    return out


def _measured_pair(pair: MeasuredPair) -> list[str]:
    if pair.picture is None:
        return [f"<h3>{_e(pair.area)}</h3>", f'<p class="muted">{_e(pair.problem or "")}</p>']
    width, height = pair.picture_size
    encoded = base64.b64encode(pair.picture).decode("ascii")
    alt = f"{pair.title}: " + "; ".join(pair.panels)
    labels = "".join(f"<span>{_e(label)}</span>" for label in pair.panels)
    out = [
        f"<h3>{_e(pair.title)}</h3>",
        f'<figure class="aligned"><img src="data:image/jpeg;base64,{encoded}" alt="{_e(alt)}" '
        f'width="{width}" height="{height}"><figcaption class="panels">{labels}</figcaption>'
        "</figure>",
    ]
    items = "".join(f"<li>{_e(w)}</li>" for w in pair.warnings)
    if pair.not_counted:
        out.append(
            f'<div class="flag"><strong>{_e(pair.not_counted)}</strong>'
            + (f"<ul>{items}</ul>" if items else "")
            + "</div>"
        )
    elif items:
        out.append(f'<div class="warn"><strong>Comparability notes:</strong><ul>{items}</ul></div>')
    out.append(f'<p class="muted">{_e(pair.alignment)}</p>')
    out += _table(CHANGE_COLUMNS, pair.rows, text_columns=(0,))
    return out


def _photos(s: Summary, cache: PhotoCache) -> list[str]:
    if not s.photos:
        return []
    raw = _raw_pairs(s)
    out = ['<section id="photos">', *(["<h2>Before and after</h2>"] if raw else [])]
    for pair in raw:
        out.append(f"<h3>{_e(pair.area)}</h3>")
        out.append('<div class="pair">')
        for n, item in enumerate([pair.before] + ([pair.after] if pair.after else [])):
            label = ("Baseline " if n == 0 else "Latest ") + item.day.isoformat()
            kind = item.caption.rsplit(" · ", 2)[1]
            out.append(_figure(item, cache, PAIR_EDGE, f"{label} ({kind})"))
        out.append("</div>")
    out.append("<h2>All photos</h2>")
    out.append('<div class="grid">')
    out += [_figure(item, cache, TILE_EDGE, item.caption) for item in s.photos]
    out += ["</div>", "</section>"]
    return out


def _figure(item: PhotoItem, cache: PhotoCache, edge: int, caption: str) -> str:
    data = cache.jpeg(item.photo, edge)
    if data is None:
        picture = '<div class="missing">photo file missing</div>'
    else:
        encoded = base64.b64encode(data).decode("ascii")
        picture = (
            f'<img src="data:image/jpeg;base64,{encoded}" alt="{_e(item.caption)}" '
            f'width="{item.photo.width}" height="{item.photo.height}" loading="lazy">'
        )
    return f"<figure>{picture}<figcaption>{_e(caption)}</figcaption></figure>"


def _chart(chart: Chart, *, legend: bool = False) -> list[str]:
    """The chart as inline SVG (no xmlns needed inside HTML, so no URL at all)."""
    side = 84.0 if chart.bands else 12.0
    box = Box(34.0, 10.0, SVG_WIDTH - 34.0 - side, SVG_HEIGHT - 10.0 - 30.0)
    bottom = box.top + box.height
    el: list[str] = []
    for band in chart.bands:
        _x, y0 = chart.project(chart.x_min, band.high, box)
        _x, y1 = chart.project(chart.x_min, band.low, box)
        el.append(
            f'<rect x="{box.left:.1f}" y="{y0:.1f}" width="{box.width:.1f}" '
            f'height="{y1 - y0:.1f}" fill="{_rgb(band.color)}"/>'
        )
        el.append(
            f'<text x="{box.left + box.width + 6:.1f}" y="{(y0 + y1) / 2 + 4:.1f}" '
            f'font-size="11" fill="#6e6e6e">{_e(band.label)}</text>'
        )
    for tick in chart.y_ticks:
        _x, y = chart.project(chart.x_min, tick.value, box)
        el.append(
            f'<line x1="{box.left:.1f}" y1="{y:.1f}" x2="{box.left + box.width:.1f}" '
            f'y2="{y:.1f}" stroke="#d2d2d2" stroke-width="1"/>'
        )
        el.append(
            f'<text x="{box.left - 6:.1f}" y="{y + 4:.1f}" font-size="11" fill="#6e6e6e" '
            f'text-anchor="end">{_e(tick.label)}</text>'
        )
    for x, label in chart.tick_labels(box, lambda t: len(t) * 11 * 0.6, gap=6.0):
        el.append(
            f'<text x="{x:.1f}" y="{bottom + 16:.1f}" font-size="11" fill="#6e6e6e" '
            f'text-anchor="middle">{_e(label)}</text>'
        )
    el.append(
        f'<line x1="{box.left:.1f}" y1="{bottom:.1f}" x2="{box.left + box.width:.1f}" '
        f'y2="{bottom:.1f}" stroke="#6e6e6e" stroke-width="1"/>'
    )
    if chart.is_empty:
        el.append(
            f'<text x="{box.left + box.width / 2:.1f}" y="{box.top + box.height / 2:.1f}" '
            f'font-size="13" fill="#6e6e6e" text-anchor="middle">{_e(chart.empty_text)}</text>'
        )
    for series in chart.series:
        pts = [chart.project(x, y, box) for x, y in series.points]
        if len(pts) > 1:
            el.append(_svg_line(series, pts))
        for (x, y), (_dx, value) in zip(pts, series.points, strict=True):
            el.append(_svg_marker(series, x, y))
            if chart.bands:
                el.append(
                    f'<text x="{x:.1f}" y="{y - 8:.1f}" font-size="12" font-weight="700" '
                    f'text-anchor="middle" fill="#212121">{round(value)}</text>'
                )
    svg = (
        f'<svg viewBox="0 0 {SVG_WIDTH:.0f} {SVG_HEIGHT:.0f}" role="img" '
        f'aria-label="{_e(chart.title)}">{"".join(el)}</svg>'
    )
    out = ['<figure class="chart">', f"<h3>{_e(chart.title)}</h3>", svg]
    if legend and chart.series:
        items = "".join(
            f"<li>{_legend_sample(s) if s.drawn else ''}{_e(s.label)}</li>" for s in chart.series
        )
        out.append(f'<ul class="legend">{items}</ul>')
    out.append("</figure>")
    return out


LINE_WIDTH = 2.5


def _svg_line(series: Series, pts: Sequence[tuple[float, float]]) -> str:
    """The series' polyline in its colour and dash pattern (see charts.DASHES)."""
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
    on, off = series.dash
    dash = f' stroke-dasharray="{on * LINE_WIDTH:g} {off * LINE_WIDTH:g}"' if on else ""
    return (
        f'<polyline points="{coords}" fill="none" stroke="{_rgb(series.color)}" '
        f'stroke-width="{LINE_WIDTH:g}" stroke-linejoin="round"{dash}/>'
    )


def _svg_marker(series: Series, x: float, y: float, r: float = 4.0) -> str:
    """The series' marker (circle, square, triangle or diamond) centred on (x, y)."""
    fill = _rgb(series.color)
    if series.marker == "square":
        return (
            f'<rect x="{x - r * 0.85:.1f}" y="{y - r * 0.85:.1f}" width="{r * 1.7:.1f}" '
            f'height="{r * 1.7:.1f}" fill="{fill}"/>'
        )
    if series.marker in ("triangle", "diamond"):
        corners = (
            [(x, y - r * 1.15), (x + r, y + r * 0.7), (x - r, y + r * 0.7)]
            if series.marker == "triangle"
            else [(x, y - r * 1.2), (x + r, y), (x, y + r * 1.2), (x - r, y)]
        )
        coords = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in corners)
        return f'<polygon points="{coords}" fill="{fill}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r * 0.9:.1f}" fill="{fill}"/>'


MARKER_GLYPHS = {"circle": "\u25cf", "square": "\u25a0", "triangle": "\u25b2", "diamond": "\u25c6"}


def _legend_sample(series: Series) -> str:
    """The series' line style and marker, so the legend shows what the plot draws.

    Plain CSS rather than another SVG: a chart stays one SVG element.
    """
    on, _off = series.dash
    style = "solid" if not on else "dotted" if on < 2 else "dashed"
    glyph = MARKER_GLYPHS.get(series.marker, MARKER_GLYPHS["circle"])
    color = _rgb(series.color)
    css = f"color:{color};border-top:3px {style} {color}"
    return f'<span class="key" aria-hidden="true" style="{css}">{glyph}</span>'
