"""Block Kit actions: touch outcomes, choosing a customer, quick answers, opening modals."""

from __future__ import annotations

import re
from typing import Any

from bot.slack import ids
from bot.slack.deps import SlackDeps
from bot.slack.listeners.actions.customers import handle_pick_customer, handle_quick_answer
from bot.slack.listeners.actions.home import handle_home_refresh
from bot.slack.listeners.actions.survey import handle_open_survey
from bot.slack.listeners.actions.touches import handle_touch_action


def register(app: Any, deps: SlackDeps) -> None:
    for action_id in ids.TOUCH_ACTIONS:
        app.action(action_id)(handle_touch_action)
    app.action(ids.PICK_CUSTOMER)(handle_pick_customer)
    app.action(re.compile(rf"^{ids.QUICK_ANSWER}(:\d+)?$"))(handle_quick_answer)
    app.action(ids.OPEN_SURVEY)(handle_open_survey)
    app.action(ids.HOME_REFRESH)(handle_home_refresh)
