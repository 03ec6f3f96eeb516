"""``concierge slack``: run the Slack app (Socket Mode, or HTTP with ``--http``)."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

import typer

from bot.cli.common import console, one_line_errors, settings, store
from knowledge.errors import ConfigError


@one_line_errors
def slack(
    http: bool = typer.Option(
        False,
        "--http",
        help="Serve Slack's HTTP requests on /slack/events (default when "
        "SLACK_APP_TOKEN is not set).",
    ),
    port: int | None = typer.Option(
        None, "--port", help="HTTP port (default: SLACK_HTTP_PORT, 3000)."
    ),
    host: str = typer.Option("0.0.0.0", "--host", help="HTTP interface to listen on."),
) -> None:
    """Run Concierge in Slack: Socket Mode when SLACK_APP_TOKEN is set, else HTTP mode."""
    from bot.slack.app import build_app, http_server, make_deps, run_socket_mode
    from bot.slack.claims import purge_claims

    config = settings()
    logging.getLogger("concierge").setLevel(config.log_level)
    socket_mode = bool(config.slack_app_token) and not http
    if port is not None and not 1 <= port <= 65535:
        raise ConfigError(f"--port must be 1–65535, got {port}")
    with store() as opened:
        deps = make_deps(config, opened)
        app = build_app(config, deps, socket_mode=socket_mode)
        purge_claims(deps.transaction, now=deps.now())
        if socket_mode:
            console.print("Concierge is connecting to Slack over Socket Mode (Ctrl-C stops it)")
            run_socket_mode(app, config.slack_app_token)
            return
        server = http_server(app, host=host, port=port or config.slack_http_port)
        console.print(
            f"Concierge serves Slack on http://{server.host}:{server.port}/slack/events "
            "(Ctrl-C stops it)"
        )

        def stop(*_: Any) -> None:
            threading.Thread(target=server.close, daemon=True).start()

        signal.signal(signal.SIGTERM, stop)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()


def register(root: typer.Typer) -> None:
    root.command("slack")(slack)
