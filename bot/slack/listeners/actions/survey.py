""" "Record what they said" on a card: open the feedback modal for that visit."""

from __future__ import annotations

from typing import Any

from bot.slack.blocks.modals import build_survey_modal
from bot.slack.deps import SlackDeps
from bot.slack.listeners.actions.where import user_and_team
from bot.slack.service import classify, log


def handle_open_survey(
    ack: Any, body: dict[str, Any], action: dict[str, Any], client: Any, deps: SlackDeps
) -> None:
    ack()
    user_id, _ = user_and_team(body)
    container = body.get("container") or {}
    view = build_survey_modal(
        ro_number=str(action.get("value") or "") or None,
        metadata={"channel": container.get("channel_id"), "user": user_id},
    )
    try:
        client.views_open(trigger_id=body.get("trigger_id"), view=view)
    except Exception as exc:
        log.error("opening the feedback modal failed: %s", classify(exc).cause)
