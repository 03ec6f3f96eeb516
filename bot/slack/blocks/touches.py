"""Touches as Block Kit: each with Done / Skip (with a reason) / Not applicable.

A touch is two blocks: its text (``block_id`` = ``touchtext:<suggestion id>``) and its
buttons (``touch:<suggestion id>``). Once an outcome is recorded the buttons are replaced by
one line saying what was recorded, by whom — :func:`apply_outcome` does that on the blocks
of a posted message, so the rest of the message stays exactly as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from actions.results import TouchItem, TouchList
from bot.slack import ids
from bot.slack.blocks.common import (
    Block,
    actions,
    button,
    context,
    esc,
    mrkdwn,
    option,
    plain,
    plural,
    section,
)

# Preset reasons for skipping: one click; "Other reason…" opens a modal for free text.
SKIP_REASONS: tuple[str, ...] = (
    "customer in a hurry",
    "customer declined",
    "not the right moment",
    "already done before",
)

OUTCOME_WORDS = {
    "done": "Done",
    "skipped": "Skipped",
    "not_applicable": "Not applicable",
}
OUTCOME_ICONS = {
    "done": ":white_check_mark:",
    "skipped": ":fast_forward:",
    "not_applicable": ":heavy_minus_sign:",
}


def touch_text(item: TouchItem) -> str:
    consent = " _(ask first)_" if item.needs_consent else ""
    return (
        f"*{item.number}. {esc(item.title)}*{consent}\n{esc(item.instruction)}\n"
        f"_Why: {esc(item.reason)}_"
    )


def outcome_line(outcome: str, *, reason: str | None = None, by: str | None = None) -> str:
    word = OUTCOME_WORDS.get(outcome, outcome.replace("_", " "))
    icon = OUTCOME_ICONS.get(outcome, "")
    why = f" ({esc(reason)})" if reason else ""
    who = f" by {esc(by)}" if by else ""
    return f"{icon} {word}{why}{who}".strip()


def skip_menu(suggestion_id: int) -> Block:
    options = [option(r.capitalize(), f"{suggestion_id}|{r}") for r in SKIP_REASONS]
    options.append(option("Other reason…", f"{suggestion_id}|{ids.SKIP_OTHER}"))
    return {
        "type": "static_select",
        "action_id": ids.TOUCH_SKIP,
        "placeholder": plain("Skip…"),
        "options": options,
    }


def touch_buttons(suggestion_id: int) -> Block:
    value = str(suggestion_id)
    return actions(
        f"{ids.TOUCH_BLOCK_PREFIX}{suggestion_id}",
        button("Done", ids.TOUCH_DONE, value, style="primary"),
        skip_menu(suggestion_id),
        button("Not applicable", ids.TOUCH_NOT_APPLICABLE, value),
    )


def build_touch(item: TouchItem) -> list[Block]:
    text_id = f"{ids.TOUCH_TEXT_PREFIX}{item.suggestion_id}" if item.suggestion_id else None
    blocks = [section(touch_text(item), block_id=text_id)]
    if item.outcome:
        blocks.append(context(outcome_line(item.outcome)))
    elif item.suggestion_id is not None:
        blocks.append(touch_buttons(item.suggestion_id))
    return blocks


def build_touches(touches: TouchList, *, title: bool = True) -> list[Block]:
    blocks: list[Block] = []
    if title:
        who = touches.customer.preferred_name or touches.customer.name
        visit = f" · {esc(touches.ro_number)}" if touches.ro_number else ""
        blocks.append(section(f"*Touches for {esc(who)} now*{visit}"))
    for item in touches.touches:
        blocks.extend(build_touch(item))
    notes = []
    if touches.note:
        notes.append(esc(touches.note))
    if touches.held_back and touches.touches:
        notes.append(f"{plural(touches.held_back, 'more touch', 'more touches')} held back")
    if notes:
        blocks.append(context(*notes))
    return blocks


def apply_outcome(
    blocks: Sequence[Block],
    suggestion_id: int,
    outcome: str,
    *,
    reason: str | None = None,
    by: str | None = None,
) -> list[Block]:
    """The message's blocks with one touch's buttons replaced by the recorded outcome.

    Everything else is kept as it was (the card, the other touches and their buttons).
    Slack adds keys of its own to posted blocks; they are kept too.
    """
    wanted = f"{ids.TOUCH_BLOCK_PREFIX}{suggestion_id}"
    out: list[Block] = []
    for block in blocks:
        if block.get("block_id") == wanted:
            out.append(
                {
                    "type": "context",
                    "block_id": wanted,
                    "elements": [mrkdwn(outcome_line(outcome, reason=reason, by=by))],
                }
            )
        else:
            out.append(block)
    return out


def suggestion_of(value: Any) -> tuple[int, str | None] | None:
    """The suggestion id (and a skip reason) a touch button or menu carries, or None."""
    text = str(value or "")
    sid, _, reason = text.partition("|")
    if not sid.isdigit():
        return None
    return int(sid), (reason or None)
