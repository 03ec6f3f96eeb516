"""``app_mention``: someone asked in a channel; the answer goes into that thread."""

from __future__ import annotations

from typing import Any

from bot.slack.deps import SlackDeps
from bot.slack.listeners.common import strip_mentions, take_on, team_of
from bot.slack.service import answer_message
from bot.slack.where import Where


def handle_app_mention(
    ack: Any,
    body: dict[str, Any],
    event: dict[str, Any],
    client: Any,
    context: Any,
    deps: SlackDeps,
) -> None:
    ack()
    if not take_on(deps, body, context):
        return
    channel = str(event.get("channel") or "")
    # A mention at the top of a channel starts a thread under it.
    thread_ts = event.get("thread_ts") or event.get("ts")
    where = Where(
        channel_id=channel,
        thread_ts=str(thread_ts) if thread_ts else None,
        public=deps.privacy.is_public(client, channel, event.get("channel_type")),
        is_dm=False,
    )
    answer_message(
        deps,
        client,
        team_id=team_of(body, event),
        user_id=str(event.get("user") or ""),
        where=where,
        text=strip_mentions(event.get("text")),
        how="slack_mention",
    )
