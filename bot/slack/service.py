"""The work behind the listeners: who is asking, what they may see, answering, and failing well.

- **Access**: only staff known to the store (team id + user id) get customer data; anyone
  else gets a polite refusal naming ``concierge staff add …``, and the refusal is audited.
- **Answering**: a message goes through the conversation (``deps.dialogue``); the slash
  command sends it the structured ``lookup …`` (never the NLU), and a customer chosen by
  button whose conversation has expired gets a card directly (``card_for``). Answers go into
  the thread they were asked in; in a channel that is not private they are ephemeral and
  contact details are hidden.
- **Failures**: a Slack API error, a store error or an NLU time-out gives the user a short
  apology in the thread and a log line with the cause — never a silent drop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from actions.cards import touch_list
from actions.results import Apology, CustomerCardResult, ErrorReason, Result
from actions.understanding import NLUUnavailable
from bot.slack.blocks.common import Block
from bot.slack.blocks.results import build_results, build_text
from bot.slack.deps import SlackDeps
from bot.slack.where import Where
from knowledge.access import Viewer, staff_viewer
from knowledge.audit import record_lookup
from knowledge.card import build_card
from knowledge.errors import AccessDenied, ConciergeError, InvalidInput, StoreUnavailable
from knowledge.models import StaffMember
from knowledge.org import find_staff
from knowledge.profile import load_profile
from knowledge.touches import StaffContext, suggest_touches

log = logging.getLogger("concierge.slack")

T = TypeVar("T")


# --- access ---------------------------------------------------------------------------------


def actor_of(team_id: str, user_id: str) -> str:
    return f"slack:{team_id}/{user_id}"


def refusal_text(team_id: str, user_id: str) -> str:
    return (
        "Sorry — I can only show customer data to staff members who have been given access, "
        "and you are not one yet. Ask your Concierge admin to run "
        f'`concierge staff add --team {team_id} --user {user_id} --name "Your Name" '
        "--role advisor --dealer CODE`."
    )


def identify(
    session: Session, *, team_id: str, user_id: str, where: str, how: str, asked: str = ""
) -> StaffMember | None:
    """The active staff member behind a Slack user; None (and an audited refusal) otherwise."""
    staff = find_staff(session, team_id, user_id)
    if staff is None:
        record_lookup(
            session,
            actor=actor_of(team_id, user_id),
            staff_id=None,
            customer_id=None,
            channel=where,
            how=how,
            detail={"refused": "not a staff member", "asked": asked[:200]},
            action="refused",
        )
    return staff


def viewer_for(staff: StaffMember, where: Where) -> Viewer:
    return staff_viewer(staff, channel=where.audit_channel, public=where.public)


# --- the structured path (a customer chosen by button): no NLU ---------------------------------


def card_for(
    deps: SlackDeps,
    session: Session,
    staff: StaffMember,
    viewer: Viewer,
    customer_id: int,
    *,
    how: str,
    matched_on: tuple[str, ...] = (),
) -> CustomerCardResult:
    """The customer's card as ``viewer`` may see it (audited), with the touches to do now."""
    now = deps.now()
    profile = load_profile(session, customer_id, now=now)
    card = build_card(session, customer_id, viewer=viewer, now=now, profile=profile, how=how)
    touches = suggest_touches(
        session,
        deps.playbook.current,
        customer_id,
        now=now,
        actor=viewer.actor,
        staff=StaffContext(staff.id, staff.display_name, staff.role, staff.dealer_id),
        limit=deps.settings.touch_limit,
        record=True,
    )
    return CustomerCardResult(card=card, touches=touch_list(touches), matched_on=matched_on)


# --- failing well ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """What went wrong, for the user (one short line) and for the log (the cause)."""

    user_text: str
    cause: str
    reason: ErrorReason


def classify(exc: BaseException) -> Failure:
    if isinstance(exc, NLUUnavailable):
        return Failure(
            "Sorry — I cannot understand free text right now (the language service is not "
            "answering). A name, phone, VIN, plate or RO number with `/concierge` still works.",
            f"NLU unavailable: {exc}",
            "nlu_unavailable",
        )
    if isinstance(exc, StoreUnavailable | SQLAlchemyError):
        return Failure(
            "Sorry — I cannot reach the customer store right now. Please try again in a minute.",
            f"store error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
            "store_unavailable",
        )
    if isinstance(exc, SlackApiError):
        error = exc.response.get("error") if exc.response is not None else None
        return Failure(
            "Sorry — Slack refused part of my answer. Please ask again.",
            f"Slack API error: {error or exc}",
            "internal",
        )
    if isinstance(exc, AccessDenied | InvalidInput | ConciergeError):
        return Failure(str(exc), f"{type(exc).__name__}: {exc}", "invalid_input")
    return Failure(
        "Sorry — something went wrong on my side while answering. Please try again.",
        f"{type(exc).__name__}: {exc}",
        "internal",
    )


def apology_blocks(failure: Failure) -> tuple[str, list[Block]]:
    return build_results([Apology(text=failure.user_text, reason=failure.reason)])


# --- posting --------------------------------------------------------------------------------


def post(
    client: Any,
    where: Where,
    *,
    user_id: str,
    text: str,
    blocks: Sequence[Block],
) -> Any:
    """Post into the conversation's thread; only to the asker where others could read it."""
    if where.public:
        return client.chat_postEphemeral(
            channel=where.channel_id,
            user=user_id,
            text=text,
            blocks=list(blocks),
            thread_ts=where.thread_ts,
        )
    kwargs: dict[str, Any] = {"channel": where.channel_id, "text": text, "blocks": list(blocks)}
    if where.thread_ts:
        kwargs["thread_ts"] = where.thread_ts
    return client.chat_postMessage(**kwargs)


def apologise(client: Any, where: Where, *, user_id: str, exc: BaseException, what: str) -> None:
    """Log the cause and tell the user in the thread; a failing apology is logged too."""
    failure = classify(exc)
    log.error("%s failed in %s: %s", what, where.audit_channel, failure.cause)
    text, blocks = apology_blocks(failure)
    try:
        post(client, where, user_id=user_id, text=text, blocks=blocks)
    except Exception as again:
        log.error("the apology for %s could not be posted either: %s", what, classify(again).cause)


def guarded(
    client: Any, where: Where, *, user_id: str, what: str, work: Callable[[], T]
) -> T | None:
    """Run ``work``; on any failure apologise in the thread and return None."""
    try:
        return work()
    except Exception as exc:
        apologise(client, where, user_id=user_id, exc=exc, what=what)
        return None


# --- a message in a thread or a DM ------------------------------------------------------------


# Apologies that mean something is wrong on our side (not the user's input): logged.
LOGGED_APOLOGIES = frozenset({"nlu_unavailable", "store_unavailable", "internal"})


def log_apologies(results: Sequence[Result], *, where: Where, how: str) -> None:
    """Log the cause of an apology the conversation gave (the NLU timing out…)."""
    for result in results:
        if isinstance(result, Apology) and result.reason in LOGGED_APOLOGIES:
            log.warning(
                "answering a %s in %s: %s: %s", how, where.audit_channel, result.reason, result.text
            )


def conversation_key(team_id: str, where: Where) -> str:
    """One Slack thread = one conversation (a DM's main timeline is one too)."""
    return f"slack:{team_id}:{where.channel_id}:{where.thread_ts or 'main'}"


def answer_message(
    deps: SlackDeps,
    client: Any,
    *,
    team_id: str,
    user_id: str,
    where: Where,
    text: str,
    how: str,
) -> None:
    """Answer one message (a mention or a DM) in its thread, through the conversation."""

    def work() -> None:
        now = deps.now()
        with deps.transaction() as session:
            staff = identify(
                session,
                team_id=team_id,
                user_id=user_id,
                where=where.audit_channel,
                how=how,
                asked=text,
            )
            if staff is None:
                reply_text = refusal_text(team_id, user_id)
                blocks = build_text(reply_text)
            else:
                reply = deps.dialogue.handle(
                    session,
                    conversation_key=conversation_key(team_id, where),
                    text=text,
                    staff=staff,
                    channel=where.audit_channel,
                    now=now,
                    public=where.public,
                )
                log_apologies(reply.results, where=where, how=how)
                reply_text, blocks = build_results(reply.results)
        # Posted after the commit: what the answer shows (suggestion ids) is in the store
        # before anyone can click on it.
        post(client, where, user_id=user_id, text=reply_text, blocks=blocks)

    guarded(client, where, user_id=user_id, what=f"answering a {how}", work=work)
