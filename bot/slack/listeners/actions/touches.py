"""Done / Skip (with a reason) / Not applicable on a touch: record it, update the message.

The outcome goes through ``knowledge.touches.record_outcome`` — the one way outcomes are
recorded — so a second identical click changes nothing. The message is then updated in
place: the touch's buttons become one line saying what was recorded and by whom
(``chat.update``; an ephemeral message through its ``response_url``; the App Home tab is
published again).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.slack import ids
from bot.slack.blocks.modals import build_skip_modal
from bot.slack.blocks.results import build_text
from bot.slack.blocks.touches import apply_outcome, suggestion_of
from bot.slack.deps import SlackDeps
from bot.slack.home import publish_home
from bot.slack.listeners.actions.where import user_and_team
from bot.slack.service import classify, identify, log, refusal_text
from knowledge.models import TouchSuggestion
from knowledge.touches import OutcomeResult, record_outcome

OUTCOME_OF = {
    ids.TOUCH_DONE: "done",
    ids.TOUCH_SKIP: "skipped",
    ids.TOUCH_NOT_APPLICABLE: "not_applicable",
}


def _clicked_value(action: dict[str, Any]) -> Any:
    if action.get("type") == "static_select":
        return (action.get("selected_option") or {}).get("value")
    return action.get("value")


def handle_touch_action(
    ack: Any,
    body: dict[str, Any],
    action: dict[str, Any],
    client: Any,
    respond: Any,
    deps: SlackDeps,
) -> None:
    ack()
    parsed = suggestion_of(_clicked_value(action))
    outcome = OUTCOME_OF.get(str(action.get("action_id")))
    if parsed is None or outcome is None:
        log.warning("touch action with an unreadable value: %r", action)
        return
    suggestion_id, reason = parsed
    user_id, team_id = user_and_team(body)
    if outcome == "skipped" and reason == ids.SKIP_OTHER:
        open_skip_modal(deps, client, body, suggestion_id)
        return
    try:
        recorded = record(
            deps,
            team_id=team_id,
            user_id=user_id,
            suggestion_id=suggestion_id,
            outcome=outcome,
            reason=reason,
        )
    except Exception as exc:
        failure = classify(exc)
        log.error("recording touch outcome #%s failed: %s", suggestion_id, failure.cause)
        respond(response_type="ephemeral", replace_original=False, text=failure.user_text)
        return
    if recorded is None:
        respond(
            response_type="ephemeral",
            replace_original=False,
            text=refusal_text(team_id, user_id),
            blocks=build_text(refusal_text(team_id, user_id)),
        )
        return
    result, by = recorded
    try:
        show_outcome(deps, client, body, respond, result, by=by)
    except Exception as exc:
        log.error(
            "updating the message after touch #%s failed: %s", suggestion_id, classify(exc).cause
        )
        respond(response_type="ephemeral", replace_original=False, text=result.message)


def record(
    deps: SlackDeps,
    *,
    team_id: str,
    user_id: str,
    suggestion_id: int,
    outcome: str,
    reason: str | None,
) -> tuple[OutcomeResult, str] | None:
    """Record the outcome as the clicking staff member; None when they have no access."""
    with deps.transaction() as session:
        staff = identify(
            session,
            team_id=team_id,
            user_id=user_id,
            where="slack:button",
            how="touch_button",
            asked=f"{outcome} #{suggestion_id}",
        )
        if staff is None:
            return None
        result = record_outcome(
            session, suggestion_id, outcome, staff_id=staff.id, reason=reason, now=deps.now()
        )
        return result, staff.display_name


def show_outcome(
    deps: SlackDeps,
    client: Any,
    body: dict[str, Any],
    respond: Any,
    result: OutcomeResult,
    *,
    by: str,
) -> None:
    container = body.get("container") or {}
    message = body.get("message") or {}
    if container.get("type") == "view" or (body.get("view") or {}).get("type") == "home":
        user_id, team_id = user_and_team(body)
        publish_home(deps, client, team_id=team_id, user_id=user_id)
        return
    blocks = message.get("blocks")
    if not blocks:
        # An ephemeral message's payload may carry no copy of it: confirm in a new line.
        respond(response_type="ephemeral", replace_original=False, text=result.message)
        return
    updated = apply_outcome(
        blocks, result.suggestion_id, result.outcome, reason=result.reason, by=by
    )
    text = message.get("text") or result.message
    if container.get("is_ephemeral"):
        respond(replace_original=True, text=text, blocks=updated)
        return
    client.chat_update(
        channel=container.get("channel_id") or (body.get("channel") or {}).get("id"),
        ts=container.get("message_ts") or message.get("ts"),
        text=text,
        blocks=updated,
    )


def open_skip_modal(deps: SlackDeps, client: Any, body: dict[str, Any], suggestion_id: int) -> None:
    container = body.get("container") or {}
    with deps.store.sessions() as session:
        title = session.scalar(
            select(TouchSuggestion.touch_id).where(TouchSuggestion.id == suggestion_id)
        )
    message = body.get("message") or {}
    metadata = {
        "sid": suggestion_id,
        "channel": container.get("channel_id"),
        "ts": container.get("message_ts"),
        "thread_ts": message.get("thread_ts"),
        "ephemeral": bool(container.get("is_ephemeral")),
        "home": container.get("type") == "view",
    }
    client.views_open(
        trigger_id=body.get("trigger_id"),
        view=build_skip_modal(
            title=(title or f"touch #{suggestion_id}").replace("_", " "), metadata=metadata
        ),
    )
