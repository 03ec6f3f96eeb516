"""A report as JSON, as CSV (one tidy table: a row per figure, filtered by ``section``) and as
one self-contained HTML file: inline CSS and inline SVG charts, no script, no font, no
network — it opens offline, in a mail attachment as well as in a browser."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from html import escape

from knowledge.reports.figures import (
    DEFINITIONS,
    SMALL_SAMPLE,
    Counts,
    Mean,
    Report,
    Satisfaction,
    TouchRow,
)
from knowledge.reports.period import week_label

# --- JSON --------------------------------------------------------------------------------------


def to_json(report: Report) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"


# --- CSV ---------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "section",
    "touch_id",
    "title",
    "staff_id",
    "staff_name",
    "role",
    "dealer",
    "week",
    "version",
    "suggested",
    "done",
    "skipped",
    "not_applicable",
    "open",
    "done_rate",
    "rated_good",
    "rated_not_appropriate",
    "top_skip_reasons",
    "satisfaction_group",
    "visits",
    "average_score",
)


def _rate(value: float | None, digits: int = 4) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _count_cells(c: Counts) -> dict[str, object]:
    return {
        "suggested": c.suggested,
        "done": c.done,
        "skipped": c.skipped,
        "not_applicable": c.not_applicable,
        "open": c.open,
        "done_rate": _rate(c.done_rate),
    }


def _mean_cells(group: str, m: Mean) -> dict[str, object]:
    return {"satisfaction_group": group, "visits": m.visits, "average_score": _rate(m.average)}


def _satisfaction_groups(s: Satisfaction) -> list[tuple[str, Mean]]:
    return [
        ("touches_done", s.touches_done),
        ("without_touches", s.without_touches),
        ("suggested_none_done", s.suggested_none_done),
        ("nothing_suggested", s.nothing_suggested),
    ]


def csv_rows(report: Report) -> Iterable[dict[str, object]]:
    yield {"section": "totals", **_count_cells(report.totals)}
    for group, mean in _satisfaction_groups(report.satisfaction):
        yield {"section": "satisfaction", **_mean_cells(group, mean)}
    for t in report.touches:
        yield {
            "section": "touch",
            "touch_id": t.touch_id,
            "title": t.title,
            **_count_cells(t.counts),
            "rated_good": t.ratings.good,
            "rated_not_appropriate": t.ratings.not_appropriate,
            "top_skip_reasons": "; ".join(f"{r.text} ({r.count})" for r in t.skip_reasons),
        }
    for t in report.touches:
        for group, per_touch in (
            ("touch_done", t.when_done),
            ("touch_not_done", t.when_not_done),
        ):
            if per_touch is None:
                continue
            yield {
                "section": "touch_satisfaction",
                "touch_id": t.touch_id,
                "title": t.title,
                **_mean_cells(group, per_touch),
            }
    for s in report.staff:
        yield {
            "section": "staff",
            "staff_id": "" if s.staff_id is None else s.staff_id,
            "staff_name": s.name,
            "role": s.role or "",
            "dealer": s.dealer_code or "",
            **_count_cells(s.counts),
        }
    for w in report.weeks:
        yield {"section": "week", "week": w.label, **_count_cells(w.counts)}
        for group, mean in _satisfaction_groups(w.satisfaction):
            yield {"section": "week_satisfaction", "week": w.label, **_mean_cells(group, mean)}
    for touch_id, cells in report.touch_weeks.items():
        for w, c in zip(report.weeks, cells, strict=True):
            if c.suggested:
                yield {
                    "section": "touch_week",
                    "touch_id": touch_id,
                    "week": w.label,
                    **_count_cells(c),
                }
    for v in report.versions:
        yield {"section": "version", "version": v.display, **_count_cells(v.counts)}
    if report.comparison:
        for side in (report.comparison.a, report.comparison.b):
            for touch_id, c in sorted(side.touches.items()):
                yield {
                    "section": "compare_touch",
                    "version": side.info.display,
                    "touch_id": touch_id,
                    **_count_cells(c),
                }
            for group, mean in _satisfaction_groups(side.satisfaction)[:2]:
                yield {
                    "section": "compare_satisfaction",
                    "version": side.info.display,
                    **_mean_cells(group, mean),
                }


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, restval="", lineterminator="\n")
    writer.writeheader()
    for row in csv_rows(report):
        writer.writerow(row)
    return out.getvalue()


# --- plain sentences (chat) --------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f} %"


def _avg(m: Mean) -> str:
    if m.average is None:
        return "no surveys"
    small = ", few" if m.small else ""
    return f"{m.average:.1f} ({m.visits} visit{'s' * (m.visits != 1)}{small})"


def summary_lines(report: Report, *, top: int = 5) -> list[str]:
    """A few plain sentences for a chat message (Slack's ``/concierge report``, App Home)."""
    t = report.totals
    lines = [
        f"{report.scope.label}, {report.period.text}",
        f"{t.suggested} touches suggested: {t.done} done, {t.skipped} skipped, "
        f"{t.not_applicable} not applicable, {t.open} open — done rate {_pct(t.done_rate)}",
        f"satisfaction with touches done {_avg(report.satisfaction.touches_done)}; without "
        f"{_avg(report.satisfaction.without_touches)}",
    ]
    for row in report.touches[:top]:
        reason = f"; skipped mostly: {row.skip_reasons[0].text}" if row.skip_reasons else ""
        lines.append(
            f"{row.title}: {row.counts.done}/{row.counts.suggested} done "
            f"({_pct(row.counts.done_rate)}){reason}"
        )
    lines.extend(report.notes)
    return lines


# --- HTML --------------------------------------------------------------------------------------

CSS = """
:root { --ink:#1d2733; --muted:#5b6b7c; --line:#d8dee6; --done:#1b7f5c; --skip:#c0662b;
  --na:#8a94a3; --open:#c9d2dc; --with:#1b7f5c; --without:#8a5a9e; --a:#2f6fb3; --b:#d08a1e; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: var(--ink); margin: 0; background: #f6f8fa; }
main { max-width: 1180px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 2px solid var(--line);
  padding-bottom: 4px; }
.meta { color: var(--muted); margin: 0 0 16px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px;
  min-width: 170px; }
.card b { display: block; font-size: 22px; }
.card span { color: var(--muted); font-size: 12px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px;
  padding: 4px 16px 16px; margin-top: 16px; }
table { border-collapse: collapse; width: 100%; margin-top: 8px; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: right;
  vertical-align: top; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
th { background: #eef2f6; font-weight: 600; }
.small { color: var(--skip); font-size: 11px; }
.note { color: var(--muted); font-size: 12px; }
svg { display: block; max-width: 100%; height: auto; margin-top: 8px; }
svg text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  fill: var(--ink); }
.legend span { display: inline-block; margin-right: 14px; font-size: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
details { margin-top: 8px; }
dl { font-size: 12px; color: var(--muted); } dt { font-weight: 600; } dd { margin: 0 0 6px 12px; }
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _num_cells(c: Counts) -> str:
    return (
        f"<td>{c.suggested}</td><td>{c.done}</td><td>{c.skipped}</td>"
        f"<td>{c.not_applicable}</td><td>{c.open}</td><td>{_pct(c.done_rate)}</td>"
    )


COUNT_HEAD = (
    "<th>suggested</th><th>done</th><th>skipped</th><th>not applicable</th>"
    "<th>open</th><th>done rate</th>"
)


def _mean_cell(m: Mean) -> str:
    if m.average is None:
        return "<td>–</td><td>0</td>"
    flag = ' <span class="small">few</span>' if m.small else ""
    return f"<td>{m.average:.2f}{flag}</td><td>{m.visits}</td>"


def _heat_colour(rate: float) -> str:
    # From pale red (nothing done) through pale yellow to green (everything done).
    r1, g1, b1 = (0xF3, 0xC6, 0xB8) if rate < 0.5 else (0xF5, 0xE6, 0xA8)
    r2, g2, b2 = (0xF5, 0xE6, 0xA8) if rate < 0.5 else (0x2E, 0x9E, 0x6E)
    f = rate * 2 if rate < 0.5 else (rate - 0.5) * 2
    channels = (round(a + (b - a) * f) for a, b in ((r1, r2), (g1, g2), (b1, b2)))
    return "#" + "".join(f"{c:02x}" for c in channels)


def _short(text: str, limit: int = 46) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def done_rate_heatmap(report: Report) -> str:
    """Done rate per touch (rows) over the weeks (columns); each cell says its numbers."""
    touches = report.touches
    weeks = report.weeks
    label_w, cell_h, top = 300, 20, 34
    cell_w = max(10, min(56, 820 // max(len(weeks), 1)))
    width = label_w + cell_w * len(weeks) + 70
    height = top + cell_h * max(len(touches), 1) + 16
    parts = [
        f'<svg id="chart-done-rate" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}">',
        "<title>Done rate per touch over the weeks</title>",
    ]
    step = max(1, len(weeks) // 12)
    for i, w in enumerate(weeks):
        if i % step == 0:
            x = label_w + i * cell_w + cell_w / 2
            parts.append(
                f'<text x="{x:.1f}" y="{top - 8}" text-anchor="middle">{_e(w.label[5:])}</text>'
            )
    parts.append(f'<text x="{label_w + cell_w * len(weeks) + 8}" y="{top - 8}">total</text>')
    for row, t in enumerate(touches):
        y = top + row * cell_h
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{_e(_short(t.title))}</text>'
        )
        for i, (w, c) in enumerate(zip(weeks, report.touch_weeks[t.touch_id], strict=True)):
            x = label_w + i * cell_w
            if c.suggested:
                rate = c.done_rate or 0.0
                tip = f"{t.title} · {w.label}: {c.done}/{c.suggested} done ({_pct(rate)})"
                parts.append(
                    f'<rect class="cell" x="{x}" y="{y}" width="{cell_w - 1}" '
                    f'height="{cell_h - 1}" '
                    f'fill="{_heat_colour(rate)}"><title>{_e(tip)}</title></rect>'
                )
            else:
                parts.append(
                    f'<rect class="empty" x="{x}" y="{y}" width="{cell_w - 1}" '
                    f'height="{cell_h - 1}" fill="#f0f2f5"><title>{_e(t.title)} · '
                    f"{_e(w.label)}: not suggested</title></rect>"
                )
        parts.append(
            f'<text x="{label_w + cell_w * len(weeks) + 8}" y="{y + 14}">'
            f"{_pct(t.counts.done_rate)}</text>"
        )
    if not touches:
        parts.append(f'<text x="{label_w}" y="{top + 14}">no suggestions in this period</text>')
    parts.append("</svg>")
    return "".join(parts)


def weekly_line_chart(report: Report) -> str:
    """Suggested per week (bars) and the done rate (line)."""
    weeks = report.weeks
    width, height, left, right, top, bottom = 900, 220, 44, 44, 14, 34
    inner_w, inner_h = width - left - right, height - top - bottom
    n = max(len(weeks), 1)
    most = max((w.counts.suggested for w in weeks), default=0) or 1
    bar_w = inner_w / n
    parts = [
        f'<svg id="chart-weekly" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}">',
        "<title>Suggestions and done rate per week</title>",
        f'<line x1="{left}" y1="{top + inner_h}" x2="{left + inner_w}" y2="{top + inner_h}" '
        'stroke="#8a94a3"/>',
        f'<text x="{left - 6}" y="{top + 8}" text-anchor="end">{most}</text>',
        f'<text x="{left + inner_w + 6}" y="{top + 8}">100 %</text>',
        f'<text x="{left + inner_w + 6}" y="{top + inner_h}">0 %</text>',
    ]
    points = []
    step = max(1, len(weeks) // 12)
    for i, w in enumerate(weeks):
        x = left + i * bar_w
        h = inner_h * w.counts.suggested / most
        tip = (
            f"{w.label}: {w.counts.suggested} suggested, {w.counts.done} done "
            f"({_pct(w.counts.done_rate)})"
        )
        parts.append(
            f'<rect class="bar" x="{x + 1:.1f}" y="{top + inner_h - h:.1f}" '
            f'width="{max(bar_w - 2, 1):.1f}" height="{h:.1f}" fill="#c9d2dc">'
            f"<title>{_e(tip)}</title></rect>"
        )
        if w.counts.done_rate is not None:
            points.append(f"{x + bar_w / 2:.1f},{top + inner_h * (1 - w.counts.done_rate):.1f}")
        if i % step == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - 14}" text-anchor="middle">'
                f"{_e(w.label[5:])}</text>"
            )
    if points:
        parts.append(
            f'<polyline class="line" points="{" ".join(points)}" fill="none" '
            'stroke="var(--done)" stroke-width="2"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def satisfaction_chart(report: Report) -> str:
    """Average score of visits with touches done versus without, with the visits behind."""
    s = report.satisfaction
    groups = [
        ("touches done", s.touches_done, "var(--with)"),
        ("no touch done", s.without_touches, "var(--without)"),
        ("… suggested, none done", s.suggested_none_done, "#b79cc4"),
        ("… nothing suggested", s.nothing_suggested, "#d8c9df"),
    ]
    width, row_h, left, top = 640, 34, 190, 10
    scale = (width - left - 120) / 10
    height = top + row_h * len(groups) + 24
    parts = [
        f'<svg id="chart-satisfaction" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}">',
        "<title>Satisfaction with versus without touches</title>",
    ]
    for i, (name, m, colour) in enumerate(groups):
        y = top + i * row_h
        parts.append(f'<text x="{left - 8}" y="{y + 18}" text-anchor="end">{_e(name)}</text>')
        if m.average is None:
            parts.append(f'<text x="{left}" y="{y + 18}">no surveyed visits</text>')
            continue
        w = m.average * scale
        tip = f"{name}: {m.average:.2f} average over {m.visits} visits"
        parts.append(
            f'<rect class="bar" x="{left}" y="{y + 4}" width="{w:.1f}" height="{row_h - 10}" '
            f'fill="{colour}"><title>{_e(tip)}</title></rect>'
        )
        few = " · few" if m.small else ""
        parts.append(
            f'<text x="{left + w + 6:.1f}" y="{y + 18}">{m.average:.2f} '
            f"(n = {m.visits}{few})</text>"
        )
    axis_y = top + row_h * len(groups) + 4
    parts.append(
        f'<line x1="{left}" y1="{axis_y}" x2="{left + 10 * scale:.1f}" y2="{axis_y}" '
        'stroke="#8a94a3"/>'
    )
    for tick in range(0, 11, 2):
        x = left + tick * scale
        parts.append(f'<text x="{x:.1f}" y="{axis_y + 14}" text-anchor="middle">{tick}</text>')
    parts.append("</svg>")
    return "".join(parts)


def weekly_satisfaction_chart(report: Report) -> str:
    """Average score per week: visits with touches done versus without."""
    weeks = report.weeks
    width, height, left, right, top, bottom = 900, 200, 44, 20, 14, 34
    inner_w, inner_h = width - left - right, height - top - bottom
    n = max(len(weeks), 1)
    step_x = inner_w / n
    parts = [
        f'<svg id="chart-satisfaction-weekly" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}">',
        "<title>Satisfaction per week with versus without touches</title>",
    ]
    for tick in (0, 5, 10):
        y = top + inner_h * (1 - tick / 10)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + inner_w}" y2="{y:.1f}" stroke="#e3e8ee"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    for key, colour in (("touches_done", "var(--with)"), ("without", "var(--without)")):
        points = []
        for i, w in enumerate(weeks):
            m = (
                w.satisfaction.touches_done
                if key == "touches_done"
                else w.satisfaction.without_touches
            )
            if m.average is None:
                continue
            x = left + i * step_x + step_x / 2
            y = top + inner_h * (1 - m.average / 10)
            points.append(f"{x:.1f},{y:.1f}")
            tip = f"{w.label} {key.replace('_', ' ')}: {m.average:.2f} over {m.visits} visits"
            parts.append(
                f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                f"<title>{_e(tip)}</title></circle>"
            )
        if len(points) > 1:
            parts.append(
                f'<polyline class="line" points="{" ".join(points)}" fill="none" '
                f'stroke="{colour}" stroke-width="2"/>'
            )
    step = max(1, len(weeks) // 12)
    for i, w in enumerate(weeks):
        if i % step == 0:
            x = left + i * step_x + step_x / 2
            parts.append(
                f'<text x="{x:.1f}" y="{height - 14}" text-anchor="middle">{_e(w.label[5:])}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def comparison_chart(report: Report) -> str:
    """Done rate per touch under two playbook versions, side by side."""
    comp = report.comparison
    if comp is None:
        return ""
    ids = comp.touch_ids()
    width, row_h, left, top = 840, 26, 300, 10
    scale = width - left - 80
    height = top + row_h * max(len(ids), 1) + 10
    parts = [
        f'<svg id="chart-compare" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}">',
        "<title>Done rate per touch: two playbook versions</title>",
    ]
    titles = {t.touch_id: t.title for t in report.touches}
    for i, touch_id in enumerate(ids):
        y = top + i * row_h
        parts.append(
            f'<text x="{left - 6}" y="{y + 16}" text-anchor="end">'
            f"{_e(_short(titles.get(touch_id, touch_id)))}</text>"
        )
        for j, (side, colour) in enumerate(((comp.a, "var(--a)"), (comp.b, "var(--b)"))):
            c = side.touches.get(touch_id)
            if c is None or c.done_rate is None:
                continue
            w = c.done_rate * scale
            tip = f"{side.info.display}: {c.done}/{c.suggested} done ({_pct(c.done_rate)})"
            parts.append(
                f'<rect class="bar" x="{left}" y="{y + 3 + j * 10}" width="{w:.1f}" height="9" '
                f'fill="{colour}"><title>{_e(tip)}</title></rect>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _touch_table(touches: Sequence[TouchRow], with_satisfaction: bool) -> str:
    rows = []
    for t in touches:
        reasons = "<br>".join(f"{_e(r.text)} ({r.count})" for r in t.skip_reasons) or "–"
        comments = "".join(
            f'<div class="note">“{_e(c.text)}” — {_e(c.by)}</div>' for c in t.ratings.comments
        )
        rows.append(
            f'<tr><td class="text">{_e(t.title)}<div class="note">{_e(t.touch_id)}</div></td>'
            f"{_num_cells(t.counts)}"
            f'<td class="text">{reasons}</td>'
            f"<td>{t.ratings.good}</td><td>{t.ratings.not_appropriate}{comments}</td>"
            + (
                f"{_mean_cell(t.when_done or Mean())}{_mean_cell(t.when_not_done or Mean())}"
                if with_satisfaction
                else ""
            )
            + "</tr>"
        )
    return (
        '<table id="table-touches"><thead><tr><th>touch</th>'
        f"{COUNT_HEAD}"
        '<th class="text">top skip reasons</th><th>rated good</th><th>rated not appropriate</th>'
        + (
            "<th>score when done</th><th>visits</th><th>score when not done</th><th>visits</th>"
            if with_satisfaction
            else ""
        )
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def to_html(report: Report) -> str:
    t = report.totals
    s = report.satisfaction
    cards = [
        (str(t.suggested), "touches suggested"),
        (f"{t.done} · {_pct(t.done_rate)}", "done · done rate"),
        (str(t.skipped), "skipped"),
        (str(t.not_applicable), "not applicable"),
        (
            f"{s.touches_done.average:.2f}" if s.touches_done.average is not None else "–",
            f"score with touches done (n = {s.touches_done.visits})",
        ),
        (
            f"{s.without_touches.average:.2f}" if s.without_touches.average is not None else "–",
            f"score without (n = {s.without_touches.visits})",
        ),
    ]
    staff_rows = "".join(
        f'<tr><td class="text">{_e(x.name)}</td><td class="text">{_e(x.role or "")}</td>'
        f'<td class="text">{_e(x.dealer_code or "")}</td>{_num_cells(x.counts)}</tr>'
        for x in report.staff
    )
    week_rows = "".join(
        f'<tr><td class="text">{_e(w.label)}</td><td class="text">{w.monday.isoformat()}</td>'
        f"{_num_cells(w.counts)}{_mean_cell(w.satisfaction.touches_done)}"
        f"{_mean_cell(w.satisfaction.without_touches)}</tr>"
        for w in report.weeks
    )
    heat_rows = "".join(
        f'<tr><td class="text">{_e(tr.title)}</td>'
        + "".join(
            f"<td>{c.done}/{c.suggested}</td>" if c.suggested else "<td>–</td>"
            for c in report.touch_weeks[tr.touch_id]
        )
        + "</tr>"
        for tr in report.touches
    )
    heat_head = "".join(f"<th>{_e(w.label[5:])}</th>" for w in report.weeks)
    sat_rows = "".join(
        f'<tr><td class="text">{_e(name)}</td>{_mean_cell(m)}</tr>'
        for name, m in (
            ("at least one touch done", s.touches_done),
            ("no touch done (all)", s.without_touches),
            ("touches suggested, none done", s.suggested_none_done),
            ("nothing suggested", s.nothing_suggested),
        )
    )
    diff = s.difference
    diff_text = (
        f"Visits with a touch done scored {diff:+.2f} points against visits without."
        if diff is not None
        else "Not enough surveyed visits on both sides to compare."
    )
    version_rows = "".join(
        f'<tr><td class="text">{_e(v.display)}</td>{_num_cells(v.counts)}</tr>'
        for v in report.versions
    )
    compare_html = ""
    if report.comparison is not None:
        comp = report.comparison
        titles = {tr.touch_id: tr.title for tr in report.touches}
        rows = "".join(
            f'<tr><td class="text">{_e(titles.get(tid, tid))}</td>'
            + _num_cells(comp.a.touches.get(tid, Counts()))
            + _num_cells(comp.b.touches.get(tid, Counts()))
            + "</tr>"
            for tid in comp.touch_ids()
        )
        compare_html = (
            "<section><h2>Playbook versions compared</h2>"
            '<div class="legend"><span><i style="background:var(--a)"></i>'
            f"{_e(comp.a.info.display)}</span>"
            f'<span><i style="background:var(--b)"></i>{_e(comp.b.info.display)}</span></div>'
            + comparison_chart(report)
            + '<table id="table-compare"><thead><tr><th>version</th>'
            "<th>score with touches done</th>"
            "<th>visits</th><th>score, none done</th><th>visits</th></tr></thead><tbody>"
            + "".join(
                f'<tr><td class="text">{_e(side.info.display)}</td>'
                f"{_mean_cell(side.satisfaction.touches_done)}"
                f"{_mean_cell(side.satisfaction.suggested_none_done)}</tr>"
                for side in (comp.a, comp.b)
            )
            + "</tbody></table>"
            + '<table><thead><tr><th rowspan="2">touch</th>'
            f'<th colspan="6">{_e(comp.a.info.display)}</th>'
            f'<th colspan="6">{_e(comp.b.info.display)}</th></tr>'
            f"<tr>{COUNT_HEAD}{COUNT_HEAD}</tr></thead>"
            f"<tbody>{rows}</tbody></table></section>"
        )
    card_html = "".join(
        f'<div class="card"><b>{_e(v)}</b><span>{_e(k)}</span></div>' for v, k in cards
    )
    definitions = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in DEFINITIONS.items())
    notes = "".join(f'<p class="note">{_e(n)}</p>' for n in report.notes)
    first, last = (
        report.weeks[0].label if report.weeks else "",
        (week_label(report.weeks[-1].index) if report.weeks else ""),
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Concierge report — {_e(report.scope.label)} — {_e(report.period.label)}</title>
<style>{CSS}</style></head>
<body><main>
<h1>What was suggested, what was done, how customers felt</h1>
<p class="meta">{_e(report.scope.label)} · {_e(report.period.text)} · generated
{_e(report.generated_at.strftime("%Y-%m-%d %H:%M UTC"))}</p>
{notes}
<div class="cards">{card_html}</div>

<section><h2>Done rate per touch over the weeks ({_e(first)} – {_e(last)})</h2>
<p class="note">Each cell is one touch in one week: green when staff did most of what was suggested,
red when they did little; hover a cell for its numbers. The table below holds every number.</p>
{done_rate_heatmap(report)}
<details><summary>Numbers: done / suggested per touch and week</summary>
<table id="table-touch-weeks"><thead><tr><th>touch</th>{heat_head}</tr></thead>
<tbody>{heat_rows}</tbody></table>
</details></section>

<section><h2>Satisfaction with versus without touches</h2>
<p class="note">{_e(diff_text)} Averages of fewer than {SMALL_SAMPLE} visits are marked “few”:
read them with care.</p>
{satisfaction_chart(report)}
<table id="table-satisfaction"><thead><tr><th>surveyed visits</th>
<th>average score (0–10)</th><th>visits</th></tr></thead>
<tbody>{sat_rows}</tbody></table>
<div class="legend"><span><i style="background:var(--with)"></i>touches done</span>
<span><i style="background:var(--without)"></i>no touch done</span></div>
{weekly_satisfaction_chart(report)}
</section>

<section><h2>Per touch</h2>{_touch_table(report.touches, report.touch_satisfaction)}</section>

<section><h2>Per week</h2>
<div class="legend"><span><i style="background:#c9d2dc"></i>suggested (left scale)</span>
<span><i style="background:var(--done)"></i>done rate (right scale)</span></div>
{weekly_line_chart(report)}
<table id="table-weeks"><thead><tr><th>week</th><th>from</th>{COUNT_HEAD}
<th>score, touches done</th><th>visits</th><th>score, none done</th><th>visits</th></tr></thead>
<tbody>{week_rows}</tbody></table></section>

<section><h2>Per staff member</h2>
<table id="table-staff"><thead><tr><th>staff member</th><th class="text">role</th>
<th class="text">rooftop</th>{COUNT_HEAD}</tr></thead>
<tbody>{staff_rows}</tbody></table></section>

<section><h2>Playbook versions in this period</h2>
<table id="table-versions"><thead><tr><th>version</th>{COUNT_HEAD}</tr></thead>
<tbody>{version_rows}</tbody></table></section>
{compare_html}
<section><h2>How these figures are counted</h2><dl>{definitions}</dl></section>
</main></body></html>
"""
