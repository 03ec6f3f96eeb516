"""``app_home_opened``: publish the Home tab for whoever opened it."""

from __future__ import annotations

from typing import Any

from bot.slack.deps import SlackDeps
from bot.slack.home import publish_home
from bot.slack.listeners.common import take_on, team_of
from bot.slack.service import classify, log


def handle_app_home_opened(
    ack: Any,
    body: dict[str, Any],
    event: dict[str, Any],
    client: Any,
    context: Any,
    deps: SlackDeps,
) -> None:
    ack()
    if event.get("tab", "home") != "home":
        return
    if not take_on(deps, body, context):
        return
    user_id = str(event.get("user") or "")
    try:
        publish_home(deps, client, team_id=team_of(body, event), user_id=user_id)
    except Exception as exc:
        log.error("publishing the Home tab of %s failed: %s", user_id, classify(exc).cause)
