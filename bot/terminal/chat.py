"""The terminal chat loop: read a line, hand it to the dialogue, render the reply.

It is the same conversation as in Slack (``Dialogue.handle``), keyed by a terminal session
id, so a touch is marked with ``done 1`` here exactly as with a button there. End of input
(Ctrl-D, or the end of a piped script) ends the chat cleanly with exit code 0.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from rich.console import Console
from rich.markup import escape

from actions.context import forget
from actions.dialogue import Dialogue
from actions.results import Reply
from bot.terminal.render import render_reply
from knowledge.db import Store
from knowledge.errors import ConciergeError
from knowledge.models import StaffMember

QUIT = frozenset({"quit", "exit", "q", ":q", "bye!"})
RESTART = frozenset({"new", "start over", "reset"})
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_key() -> str:
    return f"terminal:{uuid.uuid4().hex[:16]}"


class TerminalChat:
    """One staff member chatting in a terminal. Every message is its own transaction."""

    def __init__(
        self,
        store: Store,
        dialogue: Dialogue,
        staff_id: int,
        *,
        console: Console,
        key: str | None = None,
        clock: Clock = utc_now,
        echo: bool = False,
    ) -> None:
        self.store = store
        self.dialogue = dialogue
        self.staff_id = staff_id
        self.console = console
        self.key = key or new_key()
        self.clock = clock
        self.customer: str | None = None
        # Input from a pipe is not echoed by the terminal: print it, so a transcript reads
        # like the conversation it was.
        self.echo = echo

    def send(self, text: str) -> Reply:
        with self.store.sessions.begin() as session:
            staff = session.get(StaffMember, self.staff_id)
            if staff is None:
                raise ConciergeError(f"staff member #{self.staff_id} no longer exists")
            reply = self.dialogue.handle(
                session,
                conversation_key=self.key,
                text=text,
                staff=staff,
                channel="terminal",
                now=self.clock(),
            )
        self.customer = reply.customer_name
        return reply

    def show(self, reply: Reply) -> None:
        for renderable in render_reply(reply):
            self.console.print(renderable)
        self.console.print()

    def restart(self) -> None:
        with self.store.sessions.begin() as session:
            forget(session, self.key)
        self.key = new_key()
        self.customer = None
        self.console.print("[dim]Started a new conversation.[/]\n")

    def prompt(self) -> str:
        about = f"[dim]{escape(self.customer)}[/] " if self.customer else ""
        return f"{about}[bold cyan]›[/] "

    def run(self, read: Callable[[str], str] | None = None) -> int:
        """Chat until the user quits or input ends; the exit code (0)."""
        ask = read or (lambda prompt: self.console.input(prompt))
        while True:
            try:
                line = ask(self.prompt())
            except (EOFError, KeyboardInterrupt):
                self.console.print("\n[dim]Bye.[/]")
                return 0
            if self.echo:
                self.console.print(escape(line.rstrip("\n")), highlight=False)
            text = line.strip()
            if text.lower() in QUIT:
                self.console.print("[dim]Bye.[/]")
                return 0
            if text.lower() in RESTART:
                self.restart()
                continue
            try:
                reply = self.send(line)
            except ConciergeError as exc:
                self.console.print(f"[red]{escape(str(exc))}[/]\n")
                continue
            self.show(reply)
