"""Message listeners: direct messages to Concierge."""

from __future__ import annotations

from typing import Any

from bot.slack.deps import SlackDeps
from bot.slack.listeners.messages.direct import handle_direct_message


def register(app: Any, deps: SlackDeps) -> None:
    app.event("message")(handle_direct_message)
