"""What the Slack listeners work with, passed in once when the app is built — never a global.

A Bolt middleware puts the :class:`SlackDeps` into every request's context, so a listener
simply names a ``deps`` parameter (Bolt injects context keys by name) and a unit test passes
its own.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
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

    def now(self) -> dt.datetime:
        return self.clock()

    def tick(self) -> bool:
        """True once every ``purge_every`` deliveries: time to purge old claims."""
        return int(next(self._deliveries)) % self.purge_every == 0
