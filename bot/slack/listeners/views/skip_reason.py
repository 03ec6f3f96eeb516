"""The skip-reason modal: record the touch as skipped with the reason typed."""

from __future__ import annotations

from typing import Any

from bot.slack import ids
from bot.slack.blocks.modals import read_metadata, skip_reason
from bot.slack.deps import SlackDeps
from bot.slack.home import publish_home
from bot.slack.listeners.actions.touches import record
from bot.slack.service import classify, log, refusal_text


def handle_skip_reason(
    ack: Any, body: dict[str, Any], view: dict[str, Any], client: Any, deps: SlackDeps
) -> None:
    reason = skip_reason(view)
    if not reason:
        ack(response_action="errors", errors={ids.SKIP_REASON_BLOCK: "Say why, in a few words."})
        return
    ack()
    meta = read_metadata(view)
    sid = meta.get("sid")
    user = body.get("user") or {}
    user_id = str(user.get("id") or "")
    team_id = str((body.get("team") or {}).get("id") or user.get("team_id") or "")
    if not isinstance(sid, int):
        log.warning("skip-reason modal without a suggestion id: %r", meta)
        return
    try:
        recorded = record(
            deps,
            team_id=team_id,
            user_id=user_id,
            suggestion_id=sid,
            outcome="skipped",
            reason=reason,
        )
        text = refusal_text(team_id, user_id) if recorded is None else recorded[0].message
        if meta.get("home"):
            publish_home(deps, client, team_id=team_id, user_id=user_id)
            return
        channel = meta.get("channel")
        if channel:
            kwargs: dict[str, Any] = {
                "channel": channel,
                "user": user_id,
                "text": f":fast_forward: {text}",
            }
            if meta.get("thread_ts"):
                kwargs["thread_ts"] = meta["thread_ts"]
            client.chat_postEphemeral(**kwargs)
    except Exception as exc:
        log.error("skipping touch #%s with a reason failed: %s", sid, classify(exc).cause)
