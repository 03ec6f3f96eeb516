"""Choosing one of several customers, and quick answers to a question, by button.

Both continue the conversation the buttons were offered in — the thread's, or the slash
command's own — so "the second one" and a click mean the same thing. A choice whose
conversation has expired still shows the chosen customer's card (the structured path).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from actions.dialogue import context_of
from actions.results import Result
from bot.slack.blocks.results import build_results, build_text, parse_candidate_value
from bot.slack.deps import SlackDeps
from bot.slack.listeners.actions.where import clicked_where, user_and_team
from bot.slack.listeners.commands.concierge import slash_key
from bot.slack.service import (
    apology_blocks,
    card_for,
    classify,
    conversation_key,
    identify,
    log,
    post,
    refusal_text,
    viewer_for,
)
from bot.slack.where import Where


def _keys(team_id: str, user_id: str, where: Where) -> list[str]:
    return [conversation_key(team_id, where), slash_key(team_id, where.channel_id, user_id)]


def _deliver(
    client: Any,
    respond: Any,
    body: dict[str, Any],
    where: Where,
    user_id: str,
    answer: tuple[str, list[Any]],
) -> None:
    text, blocks = answer
    if (body.get("container") or {}).get("is_ephemeral"):
        respond(response_type="ephemeral", replace_original=False, text=text, blocks=blocks)
    else:
        post(client, where, user_id=user_id, text=text, blocks=blocks)


def handle_pick_customer(
    ack: Any,
    body: dict[str, Any],
    action: dict[str, Any],
    client: Any,
    respond: Any,
    deps: SlackDeps,
) -> None:
    ack()
    parsed = parse_candidate_value(action.get("value"))
    where = clicked_where(deps, body, client)
    if parsed is None or where is None:
        log.warning("customer choice without a readable value or place: %r", action)
        return
    number, customer_id = parsed
    user_id, team_id = user_and_team(body)
    try:
        answer = pick(
            deps,
            team_id=team_id,
            user_id=user_id,
            where=where,
            number=number,
            customer_id=customer_id,
        )
    except Exception as exc:
        failure = classify(exc)
        log.error("choosing customer #%s failed: %s", customer_id, failure.cause)
        answer = apology_blocks(failure)
    _deliver(client, respond, body, where, user_id, answer)


def pick(
    deps: SlackDeps, *, team_id: str, user_id: str, where: Where, number: int, customer_id: int
) -> tuple[str, list[Any]]:
    now = deps.now()
    with deps.transaction() as session:
        staff = identify(
            session,
            team_id=team_id,
            user_id=user_id,
            where=where.audit_channel,
            how="pick_button",
            asked=f"customer #{customer_id}",
        )
        if staff is None:
            refusal = refusal_text(team_id, user_id)
            return refusal, build_text(refusal)
        key = _offering(session, _keys(team_id, user_id, where), number, customer_id, deps)
        results: Sequence[Result]
        if key is not None:
            results = deps.dialogue.handle(
                session,
                conversation_key=key,
                text=str(number),
                staff=staff,
                channel=where.audit_channel,
                now=now,
                public=where.public,
            ).results
        else:
            viewer = viewer_for(staff, where)
            results = [card_for(deps, session, staff, viewer, customer_id, how="pick_button")]
        return build_results(results)


def _offering(
    session: Session, keys: list[str], number: int, customer_id: int, deps: SlackDeps
) -> str | None:
    """The conversation that offered this customer under this number, if still open."""
    for key in keys:
        context = context_of(
            session, key, now=deps.now(), idle_minutes=deps.settings.conversation_idle_minutes
        )
        if any(c.number == number and c.id == customer_id for c in context.candidates):
            return key
    return None


def handle_quick_answer(
    ack: Any,
    body: dict[str, Any],
    action: dict[str, Any],
    client: Any,
    respond: Any,
    deps: SlackDeps,
) -> None:
    ack()
    text = str(action.get("value") or "").strip()
    where = clicked_where(deps, body, client)
    if not text or where is None:
        return
    user_id, team_id = user_and_team(body)
    try:
        answer = quick_answer(deps, team_id=team_id, user_id=user_id, where=where, text=text)
    except Exception as exc:
        failure = classify(exc)
        log.error("quick answer %r failed: %s", text, failure.cause)
        answer = apology_blocks(failure)
    _deliver(client, respond, body, where, user_id, answer)


def quick_answer(
    deps: SlackDeps, *, team_id: str, user_id: str, where: Where, text: str
) -> tuple[str, list[Any]]:
    now = deps.now()
    with deps.transaction() as session:
        staff = identify(
            session,
            team_id=team_id,
            user_id=user_id,
            where=where.audit_channel,
            how="quick_answer",
            asked=text,
        )
        if staff is None:
            refusal = refusal_text(team_id, user_id)
            return refusal, build_text(refusal)
        keys = _keys(team_id, user_id, where)
        key = next(
            (
                k
                for k in keys
                if context_of(
                    session, k, now=now, idle_minutes=deps.settings.conversation_idle_minutes
                ).awaiting
            ),
            keys[0],
        )
        reply = deps.dialogue.handle(
            session,
            conversation_key=key,
            text=text,
            staff=staff,
            channel=where.audit_channel,
            now=now,
            public=where.public,
        )
        return build_results(reply.results)
