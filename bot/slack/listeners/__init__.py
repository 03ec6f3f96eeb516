"""Slack listeners, grouped by Slack feature type; each folder registers its own."""

from __future__ import annotations

from typing import Any

from bot.slack.deps import SlackDeps
from bot.slack.listeners import actions, commands, events, messages, views


def register(app: Any, deps: SlackDeps) -> None:
    for feature in (events, messages, commands, actions, views):
        feature.register(app, deps)
