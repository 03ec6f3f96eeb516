"""What several listeners share: taking on an event once, and reading a payload's ids."""

from __future__ import annotations

import logging
import re
from typing import Any

from bot.slack.claims import claim_event, purge_claims
from bot.slack.deps import SlackDeps

log = logging.getLogger("concierge.slack")

_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


def strip_mentions(text: str | None) -> str:
    """The message without ``<@U…>`` mentions (the bot's and anyone else's)."""
    return " ".join(_MENTION.sub(" ", text or "").split())


def team_of(body: dict[str, Any], event: dict[str, Any] | None = None) -> str:
    team = body.get("team_id") or (body.get("team") or {}).get("id")
    if not team and event:
        team = event.get("team") or event.get("user_team")
    if not team:
        team = (body.get("user") or {}).get("team_id")
    return str(team or "")


def take_on(deps: SlackDeps, body: dict[str, Any], context: Any) -> bool:
    """Claim the delivered event; False when it was already taken on (a retry, another process).

    A claim that cannot be written (store down) lets the event through: answering twice in
    that rare case beats never answering.
    """
    event_id = str(body.get("event_id") or "")
    if not event_id:
        return True
    retry_num = int((context or {}).get("retry_num") or 0) if hasattr(context, "get") else 0
    event = body.get("event") or {}
    try:
        first = claim_event(
            deps.transaction,
            event_id,
            team_id=team_of(body, event),
            kind=str(event.get("type") or "?"),
            retry_num=retry_num,
            now=deps.now(),
        )
    except Exception as exc:
        log.error("cannot claim event %s (%s): answering it anyway", event_id, exc)
        return True
    if not first:
        log.info("event %s delivered again (retry %s): already taken on", event_id, retry_num)
        return False
    if deps.tick():
        try:
            purge_claims(deps.transaction, now=deps.now())
        except Exception as exc:
            log.warning("purging old event claims failed: %s", exc)
    return True
