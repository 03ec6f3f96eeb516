"""The Slack app: built from settings and dependencies, served over HTTP or Socket Mode.

- **HTTP mode** serves ``POST /slack/events`` (events, the slash command and interactivity
  alike) on a configurable port with waitress, a multi-threaded production WSGI server.
  Bolt verifies every request's signature and rejects stale timestamps (401), then acks at
  once; listeners do their work after the ack on Bolt's worker threads.
- **Socket Mode** (when ``SLACK_APP_TOKEN`` is set) needs no public URL: Slack pushes the same
  requests over a WebSocket the app opens.

The Web API base URL comes from ``SLACK_API_URL`` so the app can run against a local fake.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from actions.dialogue import Dialogue
from actions.turn import DialogueSettings
from actions.understanding import NLUClient, Understander
from bot.slack.deps import SlackDeps
from bot.slack.listeners import register
from knowledge.db import Store
from knowledge.settings import Settings
from knowledge.touches import PlaybookHolder

log = logging.getLogger("concierge.slack")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
ACKS_PATH = "/healthz/acks"
# Listener threads: an answer's store work takes turns on SQLite and its CPU work shares one
# interpreter lock, so a few threads (overlapping the Web API round trips) do as much as many,
# and leave the HTTP threads free to ack.
LISTENER_THREADS = 6
# HTTP threads only verify, ack and hand over: a few suffice.
HTTP_THREADS = 8
# How often (s) the interpreter lets another thread run. Python's default, 5 ms, lets a busy
# listener hold an ack back for several such slices; 1 ms keeps acks prompt under load.
SWITCH_INTERVAL_S = 0.001
WEB_API_TIMEOUT_S = 10


def make_deps(
    settings: Settings,
    store: Store,
    *,
    nlu: Understander | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    playbook: PlaybookHolder | None = None,
) -> SlackDeps:
    """The app's dependencies from settings: the conversation with its NLU and playbook."""
    playbook = playbook if playbook is not None else PlaybookHolder(settings.playbook_dir)
    dialogue = Dialogue(
        nlu if nlu is not None else NLUClient.from_settings(settings),
        playbook,
        DialogueSettings.from_settings(settings),
    )
    deps = SlackDeps(store=store, settings=settings, dialogue=dialogue, playbook=playbook)
    if clock is not None:
        deps.clock = clock
    return deps


def _retry_num(headers: dict[str, Any]) -> int:
    raw = headers.get("x-slack-retry-num") or ["0"]
    value = raw[0] if isinstance(raw, list | tuple) else raw
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def build_app(
    settings: Settings,
    deps: SlackDeps,
    *,
    socket_mode: bool = False,
    token_verification: bool = True,
    listener_threads: int = LISTENER_THREADS,
) -> App:
    """The Bolt app with every listener registered; ``deps`` reach them via the context."""
    if socket_mode:
        settings.require("slack_bot_token", "slack_app_token")
    else:
        settings.require("slack_bot_token", "slack_signing_secret")
    client = WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=WEB_API_TIMEOUT_S,
        # A dropped connection is retried once; Slack's rate limit (HTTP 429, about one
        # message a second per channel) is waited out as its Retry-After header says.
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=1),
            RateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret or None,
        request_verification_enabled=not socket_mode,
        token_verification_enabled=token_verification,
        # Ack first, work after: listeners run on the executor once they called ack().
        process_before_response=False,
        listener_executor=ThreadPoolExecutor(
            max_workers=listener_threads,
            thread_name_prefix="slack-listener",
        ),
        raise_error_for_unhandled_request=False,
        logger=logging.getLogger("concierge.slack.bolt"),
    )

    def with_deps(req: Any, context: Any, next: Callable[[], Any]) -> Any:
        context["deps"] = deps
        context["retry_num"] = _retry_num(req.headers)
        return next()

    app.use(with_deps)

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        kind = body.get("type") if isinstance(body, dict) else None
        log.error("unhandled error in a %s listener: %s: %s", kind, type(error).__name__, error)

    register(app, deps)
    return app


class AckTimes:
    """How long the app took to answer Slack's requests (verify, ack), last ones kept."""

    def __init__(self, keep: int = 100_000) -> None:
        self._ms: deque[float] = deque(maxlen=keep)
        self._lock = threading.Lock()

    def add(self, ms: float) -> None:
        with self._lock:
            self._ms.append(ms)

    def summary(self) -> dict[str, float | int | None]:
        with self._lock:
            ordered = sorted(self._ms)
        if not ordered:
            return {"count": 0, "p50_ms": None, "p99_ms": None, "max_ms": None}

        def at(q: float) -> float:
            return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 2)

        return {"count": len(ordered), "p50_ms": at(0.5), "p99_ms": at(0.99), "max_ms": at(1.0)}


def wsgi_app(
    app: App, acks: AckTimes | None = None
) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """``/slack/events`` through Bolt, ``GET /healthz`` for load balancers, and
    ``GET /healthz/acks``: how fast requests were acknowledged (no customer data)."""
    handler = SlackRequestHandler(app, path=EVENTS_PATH)
    times = acks if acks is not None else AckTimes()

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if method == "GET" and path in (HEALTH_PATH, ACKS_PATH):
            body = b"ok" if path == HEALTH_PATH else json.dumps(times.summary()).encode()
            kind = "text/plain" if path == HEALTH_PATH else "application/json"
            start_response("200 OK", [("Content-Type", kind), ("Content-Length", str(len(body)))])
            return [body]
        started = time.perf_counter()
        try:
            return handler(environ, start_response)
        finally:
            if path == EVENTS_PATH:
                times.add((time.perf_counter() - started) * 1000)

    return application


@dataclass
class HttpServer:
    """A waitress server (``serve_forever`` blocks; ``close`` from any thread stops it)."""

    server: Any
    _running: threading.Event = field(default_factory=threading.Event)
    _stopped: threading.Event = field(default_factory=threading.Event)

    @property
    def port(self) -> int:
        return int(self.server.effective_port)

    @property
    def host(self) -> str:
        return str(self.server.effective_host)

    def serve_forever(self) -> None:
        self._running.set()
        try:
            self.server.run()
        finally:
            self._stopped.set()

    def close(self, timeout: float = 5.0) -> None:
        """Stop accepting, end the serving loop, and let running requests finish."""
        sockets = getattr(self.server, "_map", None) or getattr(self.server, "map", {})
        if self._running.is_set() and not self._stopped.is_set():
            # Closing sockets under a running select() breaks it: close them in the loop's
            # own thread, which then finds nothing left to serve and returns.
            self.server.trigger.pull_trigger(lambda: wasyncore_close_all(sockets))
            self._stopped.wait(timeout)
        else:
            wasyncore_close_all(sockets)
        self.server.task_dispatcher.shutdown(cancel_pending=False, timeout=timeout)


def wasyncore_close_all(sockets: dict[int, Any]) -> None:
    from waitress import wasyncore

    wasyncore.close_all(sockets)


def http_server(
    app: App, *, host: str = "0.0.0.0", port: int = 3000, threads: int = HTTP_THREADS
) -> HttpServer:
    """A waitress server for the app, bound (port 0: any free port) but not yet serving."""
    from waitress import create_server

    sys.setswitchinterval(SWITCH_INTERVAL_S)
    server = create_server(
        wsgi_app(app),
        host=host,
        port=port,
        threads=threads,
        ident="concierge",
        # Slack waits 3 s for an ack; nothing here should take long.
        channel_timeout=30,
        connection_limit=1000,
        clear_untrusted_proxy_headers=True,
    )
    return HttpServer(server)


def run_socket_mode(app: App, app_token: str) -> None:
    """Connect to Slack over Socket Mode and serve until interrupted."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    SocketModeHandler(app, app_token).start()  # type: ignore[no-untyped-call]
