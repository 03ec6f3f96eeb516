"""Modal submissions: a touch skipped for a reason of one's own, and a customer's feedback."""

from __future__ import annotations

from typing import Any

from bot.slack import ids
from bot.slack.deps import SlackDeps
from bot.slack.listeners.views.skip_reason import handle_skip_reason
from bot.slack.listeners.views.survey import handle_survey


def register(app: Any, deps: SlackDeps) -> None:
    app.view(ids.SKIP_REASON_VIEW)(handle_skip_reason)
    app.view(ids.SURVEY_VIEW)(handle_survey)
