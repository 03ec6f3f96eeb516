"""A local stand-in for the Slack Web API, and a sender that signs requests as Slack does.

:class:`FakeSlackAPI` is a real HTTP server on 127.0.0.1 that answers the Web API methods
the app calls (``auth.test``, ``chat.postMessage``, ``chat.postEphemeral``, ``chat.update``,
``views.publish``, ``views.open``, ``conversations.info`` …) and the ``response_url`` a slash
command or a button carries, and records every call with its arguments. Point the app's
``SLACK_API_URL`` at :attr:`FakeSlackAPI.api_url`. A test can make the next call of a
method fail (``fail_next``) or delay every answer (``delay_s``).

:class:`SlackSender` posts events, slash commands and interactions to the app's
``/slack/events`` with the ``X-Slack-Signature`` Slack computes: ``v0=`` + hex HMAC-SHA256
of ``v0:{timestamp}:{body}`` under the signing secret.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx

BOT_USER_ID = "UBOTCONCIERGE"
BOT_ID = "BCONCIERGE"


@dataclass(frozen=True)
class Call:
    """One request the app made: the Web API method (or ``response_url``) and its arguments."""

    method: str
    args: dict[str, Any]
    at: float
    path: str = ""

    def blocks(self) -> list[dict[str, Any]]:
        raw = self.args.get("blocks")
        if raw is None and isinstance(self.args.get("view"), dict):
            raw = self.args["view"].get("blocks")
        return list(raw or [])

    def text_of_blocks(self) -> str:
        """Every text in the blocks, one string: what a test searches for words."""
        return "\n".join(_texts(self.blocks()))


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "text" and isinstance(item, str):
                yield item
            else:
                yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def _decode(value: Any) -> Any:
    # Form-encoded calls carry blocks and views as JSON text.
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


@dataclass
class FakeSlackAPI:
    """The fake Web API server. Use as a context manager, or ``start()`` / ``stop()``."""

    team_id: str = "T0TEST"
    # Channel id → whether it is private (``conversations.info``); D… ids are always IMs.
    private_channels: dict[str, bool] = field(default_factory=dict)
    # Seconds every answer waits (to make the Web API slow in a test).
    delay_s: float = 0.0
    calls: list[Call] = field(default_factory=list)
    _failures: dict[str, list[str]] = field(default_factory=dict)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _ts: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    # --- life ------------------------------------------------------------------------------

    def start(self) -> FakeSlackAPI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, payload = fake._answer(self.path, self.headers, raw)
                body = json.dumps(payload).encode()
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSlackAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        """What ``SLACK_API_URL`` is set to (WebClient's ``base_url``)."""
        return f"{self.base_url}/api/"

    def response_url(self, token: str = "r1") -> str:
        """A ``response_url`` for a slash command or a button, answered by this fake."""
        return f"{self.base_url}/response/{token}"

    # --- steering --------------------------------------------------------------------------

    def fail_next(self, method: str, error: str = "internal_error") -> None:
        """The next call of ``method`` answers ``{"ok": false, "error": error}`` — or, for
        ``error="ratelimited"``, HTTP 429 with ``Retry-After: 0`` as Slack does."""
        with self._cond:
            self._failures.setdefault(method, []).append(error)

    def reset(self) -> None:
        with self._cond:
            self.calls.clear()

    # --- what was called -------------------------------------------------------------------

    def of(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """The calls of ``method`` once there are at least ``count`` (or fail after timeout)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method == method]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self.calls]
                    raise AssertionError(
                        f"expected {count} call(s) of {method}, got {len(found)}; calls: {seen}"
                    )
                self._cond.wait(left)

    def quiet_for(self, seconds: float) -> None:
        """Wait ``seconds`` so a call that should not happen has had time to happen."""
        time.sleep(seconds)

    # --- answers ---------------------------------------------------------------------------

    def _answer(self, path: str, headers: Any, raw: bytes) -> tuple[int, Any]:
        if self.delay_s:
            time.sleep(self.delay_s)
        ctype = headers.get("Content-Type", "")
        args: dict[str, Any]
        if "json" in ctype:
            args = json.loads(raw or b"{}")
        else:
            args = {k: v[-1] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
        args = {k: _decode(v) for k, v in args.items()}
        if path.startswith("/response/"):
            method = "response_url"
        elif path.startswith("/api/"):
            method = path[len("/api/") :].split("?")[0]
        else:
            return 404, {"ok": False, "error": "not_found"}
        with self._cond:
            self.calls.append(Call(method, args, time.monotonic(), path))
            failures = self._failures.get(method)
            error = failures.pop(0) if failures else None
            self._cond.notify_all()
        if error is not None:
            return (429 if error == "ratelimited" else 200), {"ok": False, "error": error}
        return 200, self._result(method, args)

    def _result(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        ts = f"{1_790_000_000 + next(self._ts)}.000100"
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://concierge-test.slack.com/",
                "team": "Concierge Test",
                "user": "concierge",
                "team_id": self.team_id,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method == "chat.postMessage":
            return {
                "ok": True,
                "channel": args.get("channel"),
                "ts": ts,
                "message": {"text": args.get("text"), "ts": ts, "thread_ts": args.get("thread_ts")},
            }
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method == "chat.update":
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}
        if method in ("views.publish", "views.open", "views.update"):
            view: dict[str, Any] = args["view"] if isinstance(args.get("view"), dict) else {}
            return {"ok": True, "view": {"id": f"V{next(self._ts)}", **view}}
        if method == "conversations.info":
            channel = str(args.get("channel") or "")
            is_im = channel.startswith("D")
            private = is_im or self.private_channels.get(channel, False)
            return {
                "ok": True,
                "channel": {
                    "id": channel,
                    "is_im": is_im,
                    "is_mpim": False,
                    "is_private": private,
                    "is_channel": not is_im and not private,
                    "is_group": False,
                },
            }
        if method == "response_url":
            return {"ok": True}
        return {"ok": True}


# --- the sending side: requests as Slack signs them -------------------------------------------


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """Slack's request signature: ``v0=`` + hex HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str, body: bytes, *, timestamp: int | None = None, content_type: str
) -> dict[str, str]:
    ts = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": signature(secret, ts, body),
    }


_event_ids = itertools.count(1)


def event_envelope(
    event: dict[str, Any], *, team_id: str = "T0TEST", event_id: str | None = None
) -> dict[str, Any]:
    """An Events API ``event_callback`` around ``event``."""
    return {
        "token": "unused-verification-token",
        "team_id": team_id,
        "api_app_id": "A0CONCIERGE",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_event_ids):010d}",
        "event_time": int(time.time()),
        "authorizations": [
            {"team_id": team_id, "user_id": BOT_USER_ID, "is_bot": True, "enterprise_id": None}
        ],
    }


@dataclass
class SlackSender:
    """Posts signed requests to the app's ``/slack/events`` as Slack would."""

    url: str
    secret: str
    client: httpx.Client = field(
        default_factory=lambda: httpx.Client(timeout=10.0, trust_env=False)
    )

    def close(self) -> None:
        self.client.close()

    def post_raw(
        self,
        body: bytes,
        *,
        content_type: str,
        timestamp: int | None = None,
        secret: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        headers = signed_headers(
            self.secret if secret is None else secret,
            body,
            timestamp=timestamp,
            content_type=content_type,
        )
        headers.update(extra_headers or {})
        return self.client.post(self.url, content=body, headers=headers)

    def event(
        self,
        envelope: dict[str, Any],
        *,
        retry_num: int | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> httpx.Response:
        extra = {}
        if retry_num is not None:
            extra = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post_raw(
            json.dumps(envelope).encode(),
            content_type="application/json",
            timestamp=timestamp,
            secret=secret,
            extra_headers=extra,
        )

    def command(self, fields: Mapping[str, str]) -> httpx.Response:
        return self.post_raw(
            urlencode(fields).encode(), content_type="application/x-www-form-urlencoded"
        )

    def interaction(self, payload: dict[str, Any]) -> httpx.Response:
        return self.post_raw(
            urlencode({"payload": json.dumps(payload)}).encode(),
            content_type="application/x-www-form-urlencoded",
        )
