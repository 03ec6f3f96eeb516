"""What the Slack listeners work with, passed in once when the app is built — never a global.

A Bolt middleware puts the :class:`SlackDeps` into every request's context, so a listener
simply names a ``deps`` parameter (Bolt injects context keys by name) and a unit test passes
its own.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from actions.results import Reply
from bot.slack.where import ChannelPrivacy
from knowledge.db import Store
from knowledge.models import StaffMember, utcnow
from knowledge.settings import Settings
from knowledge.touches import Playbook


class Conversation(Protocol):
    """The conversation (``actions.dialogue``): free text in, structured results out."""

    def handle(
        self,
        session: Session,
        *,
        conversation_key: str,
        text: str,
        staff: StaffMember,
        channel: str,
        now: dt.datetime,
        public: bool = False,
    ) -> Reply: ...


class PlaybookSource(Protocol):
    @property
    def current(self) -> Playbook: ...


@dataclass
class SlackDeps:
    store: Store
    settings: Settings
    dialogue: Conversation
    playbook: PlaybookSource
    clock: Callable[[], dt.datetime] = utcnow
    privacy: ChannelPrivacy = field(default_factory=ChannelPrivacy)
    # Claims are purged every this many deliveries (cheap, and no timer thread needed).
    purge_every: int = 5000
    _deliveries: Any = field(default_factory=lambda: itertools.count(1))
    _write_lock: threading.Lock = field(default_factory=threading.Lock)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction (committed at the end, rolled back on an error).

        SQLite has one writer at a time, and a transaction that read first cannot start
        writing once another has committed ("database is locked" at once, whatever the busy
        timeout). So on SQLite this process's transactions take turns; PostgreSQL runs them
        side by side.
        """
        turn = self._write_lock if self.store.dialect == "sqlite" else contextlib.nullcontext()
        with turn, self.store.sessions.begin() as session:
            yield session

    def now(self) -> dt.datetime:
        return self.clock()

    def tick(self) -> bool:
        """True once every ``purge_every`` deliveries: time to purge old claims."""
        return int(next(self._deliveries)) % self.purge_every == 0
