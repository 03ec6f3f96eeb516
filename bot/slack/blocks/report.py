"""The trainers' report (``knowledge.reports.Report``) as Block Kit: ``/concierge report`` and
the trainer's App Home tab.

Every average is shown with the number of visits behind it, and small samples are flagged,
so nobody over-reads three surveys.
"""

from __future__ import annotations

from bot.slack.blocks.common import Block, context, esc, section
from knowledge.reports import Counts, Mean, Report
from knowledge.reports.period import week_label

TOUCHES_SHOWN = 10
STAFF_SHOWN = 8
WEEKS_SHOWN = 8


def rate(value: float | None) -> str:
    return f"{value:.0%}" if value is not None else "—"


def mean(m: Mean) -> str:
    if m.average is None:
        return "— (no surveyed visits)"
    visits = f"{m.visits} visit{'s' if m.visits != 1 else ''}"
    small = " _(few visits: read with care)_" if m.small else ""
    return f"{m.average:.1f}/10 over {visits}{small}"


def counts_line(c: Counts) -> str:
    return (
        f"suggested {c.suggested} · done {c.done} · skipped {c.skipped} · "
        f"not applicable {c.not_applicable} · open {c.open} · done rate *{rate(c.done_rate)}*"
    )


def build_report_blocks(report: Report) -> list[Block]:
    blocks: list[Block] = [
        section(
            f"*{esc(report.scope.label)}* — {esc(report.period.text)}\n{counts_line(report.totals)}"
        ),
    ]
    s = report.satisfaction
    difference = f"\ndifference {s.difference:+.1f} points" if s.difference is not None else ""
    blocks.append(
        section(
            f"*Satisfaction* of visits with a touch done: {mean(s.touches_done)}\n"
            f"without: {mean(s.without_touches)}{difference}"
        )
    )
    lines = []
    for row in report.touches[:TOUCHES_SHOWN]:
        c = row.counts
        reason = (
            f" — skipped mostly: {esc(row.skip_reasons[0].text)} ({row.skip_reasons[0].count})"
            if row.skip_reasons
            else ""
        )
        rated = (
            f" — rated good {row.ratings.good}, not appropriate {row.ratings.not_appropriate}"
            if row.ratings.good or row.ratings.not_appropriate
            else ""
        )
        lines.append(
            f"• *{esc(row.title)}*: {c.done}/{c.suggested} done ({rate(c.done_rate)}), "
            f"{c.skipped} skipped, {c.not_applicable} n/a{reason}{rated}"
        )
    if lines:
        more = len(report.touches) - TOUCHES_SHOWN
        tail = f"\n…and {more} more touches" if more > 0 else ""
        blocks.append(section("*Per touch*\n" + "\n".join(lines) + tail))
    if report.scope.kind != "advisor" and report.staff:
        staff_lines = [
            f"• {esc(r.name)}"
            + (f" ({esc(r.dealer_code)})" if r.dealer_code else "")
            + f": {r.counts.done}/{r.counts.suggested} done ({rate(r.counts.done_rate)})"
            for r in report.staff[:STAFF_SHOWN]
        ]
        blocks.append(section("*Per advisor*\n" + "\n".join(staff_lines)))
    weeks = [w for w in report.weeks if w.counts.suggested][-WEEKS_SHOWN:]
    if len(weeks) > 1:
        blocks.append(
            context(
                "Done rate by week: "
                + " · ".join(f"{week_label(w.index)} {rate(w.counts.done_rate)}" for w in weeks)
            )
        )
    if not report.totals.suggested:
        blocks.append(context("No touches were suggested in this period."))
    for note in report.notes[:3]:
        blocks.append(context(esc(note)))
    return blocks
