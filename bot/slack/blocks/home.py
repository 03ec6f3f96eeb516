"""The App Home tab: advisors see who is waiting at their dealer now, trainers this week's
touch adoption.

Pure builders: the listener gathers the data (``bot.slack.home``) and publishes the view.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from actions.results import TouchList
from bot.slack import ids
from bot.slack.blocks.common import (
    MAX_BLOCKS_VIEW,
    Block,
    actions,
    button,
    context,
    divider,
    esc,
    fit,
    header,
    section,
)
from bot.slack.blocks.report import build_report_blocks
from bot.slack.blocks.touches import build_touches
from knowledge.reports import Report

STATUS_WORDS = {
    "arrived": "just arrived",
    "waiting": "waiting",
    "in_progress": "car in the workshop",
    "ready": "car ready",
}


@dataclass(frozen=True)
class WaitingCustomer:
    customer_id: int
    name: str
    greeting: str
    vehicle: str
    ro_number: str
    status: str
    waiting_minutes: int | None
    promised_at: dt.datetime | None
    advisor: str | None
    mine: bool
    open_recalls: int
    touches: TouchList | None


def _refresh() -> Block:
    return actions(
        ids.HOME_REFRESH,
        button("Refresh", ids.HOME_REFRESH, "refresh"),
    )


def _waiting_line(w: WaitingCustomer) -> str:
    bits = [f"*{esc(w.name)}*", f"greet as {esc(w.greeting)}", esc(w.vehicle), esc(w.ro_number)]
    bits.append(STATUS_WORDS.get(w.status, esc(w.status)))
    if w.waiting_minutes is not None:
        bits.append(f"here for {w.waiting_minutes} min")
    if w.promised_at is not None:
        bits.append(f"promised {w.promised_at.strftime('%H:%M')} UTC")
    if w.open_recalls:
        bits.append(f":warning: {w.open_recalls} open recall(s)")
    who = "yours" if w.mine else (f"advisor {esc(w.advisor)}" if w.advisor else "no advisor yet")
    bits.append(who)
    return " · ".join(bits)


def build_advisor_home(
    *,
    staff_name: str,
    dealer_name: str,
    waiting: Sequence[WaitingCustomer],
    now: dt.datetime,
    more: int = 0,
) -> dict[str, Any]:
    blocks: list[Block] = [
        header(f"Waiting at {dealer_name} now"),
        context(
            f"Hello {esc(staff_name)} — customers on site, longest waiting first, with the "
            f"touches to do now. As of {now.strftime('%H:%M')} UTC."
        ),
        _refresh(),
    ]
    if not waiting:
        blocks.append(section(":coffee: Nobody is waiting on site right now."))
    for w in waiting:
        blocks.append(divider())
        blocks.append(section(_waiting_line(w), block_id=f"waiting:{w.customer_id}"))
        if w.touches is not None and w.touches.touches:
            blocks.extend(build_touches(w.touches, title=False))
        elif w.touches is not None and w.touches.note:
            blocks.append(context(esc(w.touches.note)))
    if more > 0:
        blocks.append(context(f"…and {more} more waiting: ask me about them by name."))
    return {"type": "home", "blocks": fit(blocks, MAX_BLOCKS_VIEW)}


def build_trainer_home(*, staff_name: str, report: Report, now: dt.datetime) -> dict[str, Any]:
    blocks: list[Block] = [
        header("Touch adoption this week"),
        context(f"Hello {esc(staff_name)} — as of {now.strftime('%Y-%m-%d %H:%M')} UTC."),
        _refresh(),
        *build_report_blocks(report),
        context("More: `/concierge report 30d` · `concierge report --since 30d --format html`"),
    ]
    return {"type": "home", "blocks": fit(blocks, MAX_BLOCKS_VIEW)}


def build_refused_home(text: str) -> dict[str, Any]:
    return {"type": "home", "blocks": [header("Concierge"), section(esc(text))]}


def combine_homes(*views: dict[str, Any]) -> dict[str, Any]:
    """One Home tab of several (an admin sees both the waiting customers and adoption)."""
    blocks: list[Block] = []
    for view in views:
        if blocks:
            blocks.append(divider())
        blocks.extend(view["blocks"])
    return {"type": "home", "blocks": fit(blocks, MAX_BLOCKS_VIEW)}
