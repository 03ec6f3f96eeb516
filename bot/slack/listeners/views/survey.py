"""The feedback modal: what a customer said (score 0–10 + comment), saved with the visit."""

from __future__ import annotations

from typing import Any

from bot.slack import ids
from bot.slack.blocks.modals import read_metadata, survey_values
from bot.slack.deps import SlackDeps
from bot.slack.feedback import save_feedback
from bot.slack.service import classify, identify, log, refusal_text
from knowledge.errors import AccessDenied, InvalidInput


def handle_survey(
    ack: Any, body: dict[str, Any], view: dict[str, Any], client: Any, deps: SlackDeps
) -> None:
    ro, score_text, comment = survey_values(view)
    user = body.get("user") or {}
    user_id = str(user.get("id") or "")
    team_id = str((body.get("team") or {}).get("id") or user.get("team_id") or "")
    if not ro:
        ack(response_action="errors", errors={ids.SURVEY_VISIT_BLOCK: "Which repair order?"})
        return
    if score_text is None or not score_text.isdigit():
        ack(response_action="errors", errors={ids.SURVEY_SCORE_BLOCK: "Pick a score from 0 to 10."})
        return
    # Saved before the ack so a wrong repair order is shown in the modal, next to the field.
    try:
        with deps.transaction() as session:
            staff = identify(
                session,
                team_id=team_id,
                user_id=user_id,
                where="slack:modal",
                how="survey_modal",
                asked=ro,
            )
            if staff is None:
                ack(
                    response_action="errors",
                    errors={ids.SURVEY_VISIT_BLOCK: refusal_text(team_id, user_id)[:150]},
                )
                return
            saved = save_feedback(
                session,
                staff,
                ro_number=ro,
                score=int(score_text),
                comment=comment or None,
                now=deps.now(),
            )
    except (InvalidInput, AccessDenied) as exc:
        ack(response_action="errors", errors={ids.SURVEY_VISIT_BLOCK: str(exc)[:150]})
        return
    except Exception as exc:
        failure = classify(exc)
        log.error("saving feedback for %s failed: %s", ro, failure.cause)
        ack(response_action="errors", errors={ids.SURVEY_VISIT_BLOCK: failure.user_text[:150]})
        return
    ack()
    channel = read_metadata(view).get("channel")
    if channel:
        try:
            client.chat_postEphemeral(channel=channel, user=user_id, text=f":memo: {saved}")
        except Exception as exc:
            log.error("confirming the feedback for %s failed: %s", ro, classify(exc).cause)
