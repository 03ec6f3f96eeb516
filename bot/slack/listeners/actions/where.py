"""Where a clicked message lives, read from an interaction payload."""

from __future__ import annotations

from typing import Any

from bot.slack.deps import SlackDeps
from bot.slack.where import Where


def clicked_where(deps: SlackDeps, body: dict[str, Any], client: Any) -> Where | None:
    """The channel and thread of the clicked message; None when it is not in a channel
    (the App Home tab, a modal)."""
    container = body.get("container") or {}
    channel_id = container.get("channel_id") or (body.get("channel") or {}).get("id")
    if not channel_id or container.get("type") == "view":
        return None
    message = body.get("message") or {}
    thread_ts = message.get("thread_ts") or container.get("thread_ts")
    is_dm = str(channel_id).startswith("D")
    if not thread_ts and not is_dm:
        thread_ts = message.get("ts") or container.get("message_ts")
    ephemeral = bool(container.get("is_ephemeral"))
    public = ephemeral or deps.privacy.is_public(client, str(channel_id), "im" if is_dm else None)
    return Where(
        channel_id=str(channel_id),
        thread_ts=str(thread_ts) if thread_ts else None,
        public=public,
        is_dm=is_dm,
    )


def user_and_team(body: dict[str, Any]) -> tuple[str, str]:
    user = body.get("user") or {}
    team = (body.get("team") or {}).get("id") or user.get("team_id") or ""
    return str(user.get("id") or ""), str(team)
