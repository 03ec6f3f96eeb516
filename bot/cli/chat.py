"""``concierge chat``: talk to Concierge in the terminal, as one of the staff.

Starts (or reuses) the NLU server with visible progress, then runs the same conversation
the Slack app runs. Without ``--as`` on a demo store, it chats as the demo's first advisor
and says so. When the language service cannot start, the chat still opens: structured
lookups (phone, e-mail, VIN, plate, RO, ``lookup <name>``) and ``done 1`` keep working.
"""

from __future__ import annotations

import sys

import typer
from rich.markup import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.dialogue import Dialogue
from actions.help import common_examples, someone_here
from actions.turn import DialogueSettings
from actions.understanding import NLUClient, NLUUnavailable, Understander, Understanding
from bot.cli.common import console, one_line_errors, settings, store
from bot.cli.nlu import nlu_progress
from bot.nlu_server import NLULayout, NLUServerError, ensure_server
from bot.terminal.chat import TerminalChat
from knowledge.demo import demo_info
from knowledge.errors import ConfigError, InvalidInput
from knowledge.models import Dealer, StaffMember
from knowledge.models.enums import Role
from knowledge.touches import PlaybookHolder

# The first parse after a server start builds the model's graph; allow for it once.
WARM_UP_TIMEOUT_S = 60.0


class NoNLU:
    """Stands in for the language service when it is not started (``--no-nlu``) or failed."""

    def __init__(self, why: str) -> None:
        self.why = why

    def parse(self, text: str) -> Understanding:
        raise NLUUnavailable(self.why)


def register(root: typer.Typer) -> None:
    root.command("chat")(chat_command)


def find_staff_member(session: Session, ref: str) -> StaffMember:
    """An active staff member by Slack id ("UHAM1AD01" or "T0DEMO0001/UHAM1AD01")."""
    text = ref.strip()
    team, _, user = text.rpartition("/")
    if not user:
        raise InvalidInput("--as needs a Slack user id, e.g. UHAM1AD01")
    query = select(StaffMember).where(StaffMember.slack_user_id == user.upper())
    if team:
        query = query.where(StaffMember.slack_team_id == team.upper())
    found = list(session.scalars(query.order_by(StaffMember.id).limit(3)))
    if not found:
        raise InvalidInput(f"no staff member has the Slack id {text!r}")
    if len(found) > 1:
        raise InvalidInput(f"{text!r} is a staff member in several workspaces: give TEAM/USER")
    if not found[0].active:
        raise InvalidInput(f"{found[0].display_name} ({text}) is no longer active")
    return found[0]


def first_advisor(session: Session) -> StaffMember | None:
    return session.scalar(
        select(StaffMember)
        .where(StaffMember.role == Role.ADVISOR.value, StaffMember.active.is_(True))
        .order_by(StaffMember.id)
        .limit(1)
    )


def first_hint(session: Session, staff: StaffMember) -> str:
    """Something real to type first: a customer on site at this rooftop now, if any."""
    someone = someone_here(session, staff.dealer_id)
    if someone is None:
        return "try: 'help', a customer's name, or a phone number"
    first, follow = common_examples(someone)[:2]
    return f"try: '{first}' — then '{follow}' or 'done 1'"


def _start_nlu(no_nlu: bool) -> Understander:
    if no_nlu:
        return NoNLU("it was not started (--no-nlu)")
    config = settings()
    layout = NLULayout.for_settings(config)
    try:
        with nlu_progress("preparing the language service") as progress:
            info = ensure_server(layout, config, progress=progress)
            progress("warming up the language service")
            with NLUClient(info.url, info.token, WARM_UP_TIMEOUT_S) as warm:
                warm.parse("hello")
    except (NLUServerError, ConfigError, NLUUnavailable) as exc:
        console.print(
            f"[yellow]The language service could not start:[/] {escape(str(exc))}\n"
            "[dim]Phone numbers, e-mails, VINs, plates, RO numbers, 'lookup <name>' and "
            "'done 1' still work.[/]",
            highlight=False,
        )
        return NoNLU(str(exc))
    console.print(f"[dim]language service ready ({info.url}, model {info.model})[/]")
    return NLUClient(info.url, info.token, config.nlu_timeout_s)


@one_line_errors
def chat_command(
    as_staff: str | None = typer.Option(
        None, "--as", help="Chat as this staff member (Slack id, e.g. UHAM1AD01)."
    ),
    conversation: str | None = typer.Option(
        None, "--conversation", help="Resume a terminal conversation by its id."
    ),
    no_nlu: bool = typer.Option(
        False, "--no-nlu", help="Do not start the language service (structured input only)."
    ),
) -> None:
    """Chat with Concierge in the terminal (the same conversation as in Slack)."""
    config = settings()
    with store() as opened:
        with opened.sessions() as session:
            if as_staff:
                staff = find_staff_member(session, as_staff)
            elif demo_info(opened) is not None:
                found = first_advisor(session)
                if found is None:
                    raise InvalidInput("this demo store has no advisor — pass --as SLACK_ID")
                staff = found
                console.print(
                    f"[dim]No --as given: chatting as the demo's first advisor, "
                    f"{escape(staff.display_name)} ({staff.slack_user_id}).[/]"
                )
            else:
                raise InvalidInput("say who you are: concierge chat --as SLACK_USER_ID")
            dealer = session.get(Dealer, staff.dealer_id)
            hint = first_hint(session, staff)
            staff_id, name, role = staff.id, staff.display_name, staff.role
        nlu = _start_nlu(no_nlu)
        try:
            dialogue = Dialogue(
                nlu,
                PlaybookHolder(config.playbook_dir),
                DialogueSettings.from_settings(config),
            )
            chat = TerminalChat(
                opened,
                dialogue,
                staff_id,
                console=console,
                key=_key(conversation),
                echo=not sys.stdin.isatty(),
            )
            where = f", {dealer.name}" if dealer else ""
            console.print(
                f"\n[bold]Concierge[/] — chatting as {escape(name)} ({role}{escape(where)}). "
                "'help' shows examples, 'new' starts over, 'quit' or Ctrl-D leaves.\n"
                f"[cyan]{escape(hint)}[/]\n",
                highlight=False,
            )
            code = chat.run()
        finally:
            if isinstance(nlu, NLUClient):
                nlu.close()
    raise typer.Exit(code)


def _key(conversation: str | None) -> str | None:
    if conversation is None:
        return None
    text = conversation.strip()
    if not text or len(text) > 100:
        raise InvalidInput("--conversation must be 1–100 characters")
    return text if text.startswith("terminal:") else f"terminal:{text}"
