"""``/concierge <query>``, ``/concierge help``, ``/concierge report [period]``,
``/concierge survey [RO]``.

A structured path: the query is looked up as a name, phone, e-mail, VIN, plate or RO number
without the language service, so it keeps working when the NLU server is down. The answer
is ephemeral (only the asker sees it); in a channel that is not private, contact details are
hidden as well.
"""

from __future__ import annotations

from typing import Any

from bot.slack.blocks.modals import build_survey_modal
from bot.slack.blocks.results import build_help, build_results, build_text
from bot.slack.deps import SlackDeps
from bot.slack.reports import report_blocks
from bot.slack.service import apology_blocks, classify, identify, log, refusal_text
from bot.slack.where import Where

HELP_WORDS = frozenset({"", "help", "?", "-h", "--help"})


def slash_key(team_id: str, channel_id: str, user_id: str) -> str:
    """The slash command's own conversation per person and channel (candidates, touches)."""
    return f"slack:{team_id}:{channel_id}:slash:{user_id}"


def handle_concierge(
    ack: Any, command: dict[str, Any], respond: Any, client: Any, deps: SlackDeps
) -> None:
    ack()
    text = " ".join(str(command.get("text") or "").split())
    word, _, rest = text.partition(" ")
    word = word.lower()
    if word in HELP_WORDS:
        respond(response_type="ephemeral", text="Concierge — help", blocks=build_help())
        return
    team_id = str(command.get("team_id") or "")
    user_id = str(command.get("user_id") or "")
    channel_id = str(command.get("channel_id") or "")
    try:
        answer = run_command(
            deps,
            client,
            command,
            word=word,
            rest=rest,
            text=text,
            team_id=team_id,
            user_id=user_id,
            channel_id=channel_id,
        )
    except Exception as exc:
        failure = classify(exc)
        log.error("/concierge %r failed in slack:%s: %s", word, channel_id, failure.cause)
        answer = apology_blocks(failure)
    if answer is not None:
        reply_text, blocks = answer
        respond(response_type="ephemeral", replace_original=False, text=reply_text, blocks=blocks)


def run_command(
    deps: SlackDeps,
    client: Any,
    command: dict[str, Any],
    *,
    word: str,
    rest: str,
    text: str,
    team_id: str,
    user_id: str,
    channel_id: str,
) -> tuple[str, list[Any]] | None:
    """The answer to post, or None when a modal was opened instead."""
    channel_type = "im" if command.get("channel_name") == "directmessage" else None
    where = Where(
        channel_id=channel_id,
        thread_ts=None,
        public=deps.privacy.is_public(client, channel_id, channel_type),
        is_dm=channel_type == "im",
    )
    with deps.transaction() as session:
        staff = identify(
            session,
            team_id=team_id,
            user_id=user_id,
            where=where.audit_channel,
            how="slash_command",
            asked=text,
        )
        if staff is None:
            refusal = refusal_text(team_id, user_id)
            return refusal, build_text(refusal)
        if word == "report":
            return report_blocks(
                session,
                staff,
                period=rest.strip() or None,
                channel=where.audit_channel,
                now=deps.now(),
                playbook=deps.playbook.current,
            )
        if word == "survey":
            view = build_survey_modal(
                ro_number=rest.strip() or None,
                metadata={"channel": channel_id, "user": user_id},
            )
            client.views_open(trigger_id=command.get("trigger_id"), view=view)
            return None
        reply = deps.dialogue.handle(
            session,
            conversation_key=slash_key(team_id, channel_id, user_id),
            # "lookup …" is the dialogue's structured path: never the NLU.
            text=f"lookup {text}",
            staff=staff,
            channel=where.audit_channel,
            now=deps.now(),
            public=where.public,
        )
        return build_results(reply.results)
