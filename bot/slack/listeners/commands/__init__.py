"""Slash commands: ``/concierge``."""

from __future__ import annotations

from typing import Any

from bot.slack import ids
from bot.slack.deps import SlackDeps
from bot.slack.listeners.commands.concierge import handle_concierge


def register(app: Any, deps: SlackDeps) -> None:
    app.command(ids.COMMAND)(handle_concierge)
