"""The App Home tab's Refresh button."""

from __future__ import annotations

from typing import Any

from bot.slack.deps import SlackDeps
from bot.slack.home import publish_home
from bot.slack.listeners.actions.where import user_and_team
from bot.slack.service import classify, log


def handle_home_refresh(ack: Any, body: dict[str, Any], client: Any, deps: SlackDeps) -> None:
    ack()
    user_id, team_id = user_and_team(body)
    try:
        publish_home(deps, client, team_id=team_id, user_id=user_id)
    except Exception as exc:
        log.error("refreshing the Home tab of %s failed: %s", user_id, classify(exc).cause)
