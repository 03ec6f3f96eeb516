"""A direct message: the DM's main timeline is one conversation, each DM thread another."""

from __future__ import annotations

from typing import Any

from bot.slack.deps import SlackDeps
from bot.slack.listeners.common import strip_mentions, take_on, team_of
from bot.slack.service import answer_message
from bot.slack.where import Where

# Edits, deletions, joins and bot posts are not questions.
_IGNORED_SUBTYPES = frozenset(
    {
        "message_changed",
        "message_deleted",
        "message_replied",
        "bot_message",
        "channel_join",
        "channel_leave",
        "thread_broadcast",
    }
)


def is_question(event: dict[str, Any]) -> bool:
    if event.get("channel_type") != "im":
        return False
    if event.get("bot_id") or event.get("subtype") in _IGNORED_SUBTYPES:
        return False
    return bool(event.get("user")) and bool((event.get("text") or "").strip())


def handle_direct_message(
    ack: Any,
    body: dict[str, Any],
    event: dict[str, Any],
    client: Any,
    context: Any,
    deps: SlackDeps,
) -> None:
    ack()
    if not is_question(event):
        return
    if not take_on(deps, body, context):
        return
    thread_ts = event.get("thread_ts")
    where = Where(
        channel_id=str(event.get("channel") or ""),
        thread_ts=str(thread_ts) if thread_ts else None,
        public=False,
        is_dm=True,
    )
    answer_message(
        deps,
        client,
        team_id=team_of(body, event),
        user_id=str(event.get("user") or ""),
        where=where,
        text=strip_mentions(event.get("text")),
        how="slack_dm",
    )
