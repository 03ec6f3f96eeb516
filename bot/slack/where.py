"""Where an answer is shown: a DM, a private channel, or a channel others can read.

In a channel that is not private, contact details are hidden and cards are sent
ephemerally (only the asker sees them). Whether a channel is private is asked of Slack
(``conversations.info``) once and remembered for a while; when Slack cannot say, the
channel is treated as public — the safe side.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

PRIVACY_TTL_S = 600.0


@dataclass(frozen=True)
class Where:
    channel_id: str
    # The conversation's thread: None for a DM's main timeline (answers go there too).
    thread_ts: str | None
    public: bool
    is_dm: bool

    @property
    def audit_channel(self) -> str:
        """How the audit log and the viewer name the place ("slack:C0123")."""
        return f"slack:{self.channel_id}"


class ChannelPrivacy:
    """Remembers which channels are private (thread-safe)."""

    def __init__(self, ttl_s: float = PRIVACY_TTL_S) -> None:
        self.ttl_s = ttl_s
        self._known: dict[str, tuple[bool, float]] = {}
        self._lock = threading.Lock()

    def is_public(self, client: Any, channel_id: str, channel_type: str | None = None) -> bool:
        if channel_type in ("im", "mpim", "group") or channel_id.startswith(("D", "G")):
            return False
        if channel_type == "channel":
            return True
        with self._lock:
            cached = self._known.get(channel_id)
        if cached is not None and time.monotonic() - cached[1] < self.ttl_s:
            return cached[0]
        public = True
        try:
            info = client.conversations_info(channel=channel_id)
            channel = info.get("channel") or {}
            public = not (
                channel.get("is_private") or channel.get("is_im") or channel.get("is_mpim")
            )
        except Exception as exc:  # any failure: keep the data hidden, say why in the log
            log.warning(
                "cannot tell whether %s is private (%s): treating it as public", channel_id, exc
            )
            return True
        with self._lock:
            self._known[channel_id] = (public, time.monotonic())
        return public
