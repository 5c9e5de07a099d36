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
from collections.abc import Iterable, Sequence
from pathlib import Path

from journal.export import files
from journal.export.charts import Box, Chart, recovery_chart, trend_chart
from journal.export.images import PAIR_EDGE, TILE_EDGE, PhotoCache, PhotoFile
from journal.export.summary import (
    RECOVERY_COLUMNS,
    REVIEW_COLUMNS,
    SESSION_COLUMNS,
    PhotoItem,
    Summary,
)

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
tbody tr:nth-child(even) td { background:#f7f8fa; }
td.text { min-width:14rem; }
figure { margin:1rem 0; }
figure.chart svg { width:100%; height:auto; display:block; }
.legend { display:flex; flex-wrap:wrap; gap:.2rem 1rem; font-size:.8rem; margin:.3rem 0 0;
  padding:0; list-style:none; }
.legend i { display:inline-block; width:1rem; height:.35rem; margin-right:.3rem;
  vertical-align:middle; }
.pair { display:grid; grid-template-columns:1fr 1fr; gap:1rem; }
.pair figure { margin:0; }
img { max-width:100%; height:auto; display:block; border-radius:3px; }
.grid { display:grid; grid-template-columns:repeat(auto-fill,minmax(9rem,1fr)); gap:.8rem; }
.grid figure { margin:0; }
figcaption { font-size:.8rem; margin-top:.2rem; }
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
        [(i.photo, PAIR_EDGE) for pair in summary.pairs for i in (pair.before, pair.after) if i]
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
        *_facts(s),
        *_score(s),
        *_sessions(s),
        *_recovery(s),
        *_flags(s),
        *_reviews(s),
        *_plan(s),
        *_photos(s, cache),
        "</main>",
        "<footer>",
        f"<p><strong>{_e(s.disclaimer)}</strong></p>",
        f"<p>{_e(s.title)} · generated {s.generated.isoformat()} by microneedling-journal.</p>",
        "</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


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
            f'<td class="text">{_e(v)}</td>' if i in text_columns else f"<td>{_e(v)}</td>"
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
    out += _table(SESSION_COLUMNS, s.sessions)
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


def _photos(s: Summary, cache: PhotoCache) -> list[str]:
    if not s.photos:
        return []
    out = ['<section id="photos">', "<h2>Before and after</h2>"]
    for pair in s.pairs:
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
    for tick in chart.x_ticks:
        x, _y = chart.project(tick.value, chart.y_min, box)
        el.append(
            f'<text x="{x:.1f}" y="{bottom + 16:.1f}" font-size="11" fill="#6e6e6e" '
            f'text-anchor="middle">{_e(tick.label)}</text>'
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
        color = _rgb(series.color)
        if len(pts) > 1:
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            el.append(
                f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2.5" '
                'stroke-linejoin="round"/>'
            )
        for (x, y), (_dx, value) in zip(pts, series.points, strict=True):
            el.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}"/>')
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
            f'<li><i style="background:{_rgb(s.color)}"></i>{_e(s.label)}</li>'
            for s in chart.series
        )
        out.append(f'<ul class="legend">{items}</ul>')
    out.append("</figure>")
    return out
