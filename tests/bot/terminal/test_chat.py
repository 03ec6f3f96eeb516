"""The terminal chat loop and ``concierge chat`` from a user's point of view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from rich.console import Console
from sqlalchemy import select
from typer.testing import CliRunner

from actions.dialogue import Dialogue
from actions.understanding import FakeNLU
from bot.cli import app
from bot.terminal.chat import TerminalChat
from knowledge.db import Store
from knowledge.demo import load_demo
from knowledge.models import Conversation, StaffMember, TouchSuggestion
from tests.actions.cast import SETTINGS, Cast, playbook
from tests.knowledge.lookup.world import NOW

runner = CliRunner()


def lines(*typed: str) -> Callable[[str], str]:
    """A reader that types ``typed`` and then ends the input (Ctrl-D)."""
    queue: Iterator[str] = iter(typed)

    def read(prompt: str) -> str:
        try:
            return next(queue)
        except StopIteration:
            raise EOFError from None

    return read


def chat(store: Store, staff_id: int, nlu: FakeNLU) -> tuple[TerminalChat, Console]:
    console = Console(record=True, width=140, color_system=None)
    dialogue = Dialogue(nlu, playbook(), SETTINGS)
    return TerminalChat(store, dialogue, staff_id, console=console, clock=lambda: NOW), console


def test_a_conversation_ends_cleanly_at_end_of_input(store: Store, cast: Cast) -> None:
    nlu = FakeNLU({"what does he drive?": "list_vehicles"})
    terminal, console = chat(store, cast.advisor, nlu)
    code = terminal.run(lines("lookup kenji tanaka", "what does he drive?"))
    out = console.export_text()
    assert code == 0
    assert "Kenji Tanaka" in out and "2018 Toyota Corolla" in out
    assert "Vehicles of Kenji Tanaka" in out
    assert out.rstrip().endswith("Bye.")
    assert terminal.customer == "Kenji Tanaka"


def test_touches_are_marked_by_number(store: Store, cast: Cast) -> None:
    terminal, console = chat(store, cast.agent, FakeNLU())
    code = terminal.run(lines("0151 23456789", "done 1", "skip 2 customer in a hurry", "quit"))
    assert code == 0
    out = console.export_text()
    assert "✓ Marked 1." in out
    with store.sessions() as s:
        rows = s.execute(
            select(
                TouchSuggestion.rank, TouchSuggestion.outcome, TouchSuggestion.outcome_reason
            ).order_by(TouchSuggestion.rank)
        ).all()
    assert [tuple(r) for r in rows][:2] == [
        (1, "done", None),
        (2, "skipped", "customer in a hurry"),
    ]


def test_new_starts_a_fresh_conversation(store: Store, cast: Cast) -> None:
    nlu = FakeNLU({"what does he drive?": "list_vehicles"})
    terminal, console = chat(store, cast.advisor, nlu)
    first_key = terminal.key
    terminal.run(lines("lookup kenji tanaka", "new", "what does he drive?"))
    out = console.export_text()
    assert "Started a new conversation." in out
    assert "Who is it about?" in out
    assert terminal.key != first_key
    with store.sessions() as s:
        keys = s.scalars(select(Conversation.key)).all()
    assert first_key not in keys


def _demo_store(store: Store) -> None:
    load_demo(store, customers=40, seed=3, now=dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC))


def test_cli_chat_on_a_demo_store_uses_the_first_advisor(
    store: Store, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _demo_store(store)
    monkeypatch.setenv("DATABASE_URL", store_url)
    result = runner.invoke(app, ["chat", "--no-nlu"], input="hello\n")
    assert result.exit_code == 0, result.output
    with store.sessions() as s:
        advisor = s.scalar(
            select(StaffMember).where(StaffMember.role == "advisor").order_by(StaffMember.id)
        )
    assert advisor is not None
    assert (
        f"No --as given: chatting as the demo's first advisor, {advisor.display_name} "
        f"({advisor.slack_user_id})." in result.output
    )
    assert "try: '" in result.output
    assert "The language service is unavailable right now" in result.output
    assert result.output.rstrip().endswith("Bye.")


def test_cli_chat_as_a_given_staff_member(
    store: Store, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _demo_store(store)
    monkeypatch.setenv("DATABASE_URL", store_url)
    result = runner.invoke(app, ["chat", "--no-nlu", "--as", "UHAM1CA01"], input="help\nquit\n")
    assert result.exit_code == 0, result.output
    assert "(call_center, " in result.output


def test_cli_chat_refuses_unknown_staff_and_a_real_store_without_as(
    store: Store, store_url: str, monkeypatch: pytest.MonkeyPatch, cast: Cast
) -> None:
    monkeypatch.setenv("DATABASE_URL", store_url)
    result = runner.invoke(app, ["chat", "--no-nlu"], input="")
    assert result.exit_code == 2
    assert result.output.strip() == "error: say who you are: concierge chat --as SLACK_USER_ID"
    result = runner.invoke(app, ["chat", "--no-nlu", "--as", "UNOBODY"], input="")
    assert result.exit_code == 2
    assert result.output.strip() == "error: no staff member has the Slack id 'UNOBODY'"
    result = runner.invoke(app, ["chat", "--no-nlu", "--as", "U100"], input="0151 23456789\n")
    assert result.exit_code == 0
    assert "Maria Gonzales" in result.output
