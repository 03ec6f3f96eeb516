"""``concierge slack`` as an operator runs it: a real process serving Slack over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from bot.cli import app
from knowledge.db import Store
from tests.actions.cast import build_cast
from tests.fakes.slack_api import FakeSlackAPI, SlackSender, event_envelope

ROOT = Path(__file__).resolve().parents[3]
SECRET = "cli-signing-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_missing_tokens_are_named_in_one_line(store_url: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["slack", "--http"],
        env={
            "DATABASE_URL": store_url,
            "CONCIERGE_VAR_DIR": str(tmp_path),
            "SLACK_BOT_TOKEN": "",
            "SLACK_SIGNING_SECRET": "",
            "SLACK_APP_TOKEN": "",
        },
    )
    assert result.exit_code == 2
    assert result.output.strip() == (
        "error: missing setting(s): SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET — set them in the "
        "environment or .env (see .env.example)"
    )


def test_a_bad_port_is_refused(store_url: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["slack", "--http", "--port", "70000"],
        env={
            "DATABASE_URL": store_url,
            "CONCIERGE_VAR_DIR": str(tmp_path),
            "SLACK_BOT_TOKEN": "xoxb-x",
            "SLACK_SIGNING_SECRET": "s",
        },
    )
    assert result.exit_code == 2
    assert "--port must be 1–65535, got 70000" in result.output


def test_concierge_slack_http_serves_a_signed_mention_and_stops_on_sigterm(
    store: Store, store_url: str, tmp_path: Path
) -> None:
    with store.sessions.begin() as session:
        build_cast(session)
    port = free_port()
    with FakeSlackAPI(team_id="T1", private_channels={"C0PRIVATE": True}) as api:
        env = {
            **os.environ,
            "DATABASE_URL": store_url,
            "CONCIERGE_VAR_DIR": str(tmp_path),
            "SLACK_BOT_TOKEN": "xoxb-cli-test",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_APP_TOKEN": "",
            "SLACK_API_URL": api.api_url,
            # No NLU server: the structured path ("lookup …") still answers.
            "NLU_URL": f"http://127.0.0.1:{free_port()}",
        }
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "concierge"),
                "slack",
                "--http",
                "--port",
                str(port),
                "--host",
                "127.0.0.1",
            ],
            cwd=tmp_path,
            env={**env, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).text == "ok":
                        break
                except httpx.HTTPError:
                    pass
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "the app did not start within 60 s"
                time.sleep(0.2)
            sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", SECRET)
            event = {
                "type": "app_mention",
                "user": "U100",
                "text": "<@UBOTCONCIERGE> lookup Maria Gonzales",
                "ts": "1790000000.000100",
                "channel": "C0PRIVATE",
            }
            assert sender.event(event_envelope(event, team_id="T1")).status_code == 200
            [call] = api.wait_for("chat.postMessage", timeout=30)
            sender.close()
            assert call.args["thread_ts"] == "1790000000.000100"
            assert call.blocks()[0]["text"]["text"] == "Maria Gonzales"
        finally:
            process.send_signal(signal.SIGTERM)
            output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert f"Concierge serves Slack on http://127.0.0.1:{port}/slack/events" in output


def test_with_an_app_token_concierge_slack_connects_over_socket_mode(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.slack.app as slack_app

    connected: list[tuple[object, str]] = []
    monkeypatch.setattr(
        slack_app, "run_socket_mode", lambda app, token: connected.append((app, token))
    )
    with FakeSlackAPI(team_id="T1") as api:
        result = CliRunner().invoke(
            app,
            ["slack"],
            env={
                "DATABASE_URL": store_url,
                "CONCIERGE_VAR_DIR": str(tmp_path),
                "SLACK_BOT_TOKEN": "xoxb-socket",
                "SLACK_SIGNING_SECRET": "",
                "SLACK_APP_TOKEN": "xapp-1-socket",
                "SLACK_API_URL": api.api_url,
            },
        )
        assert result.exit_code == 0, result.output
        assert "connecting to Slack over Socket Mode" in result.output
        [(bolt_app, token)] = connected
        assert bolt_app is not None
        assert token == "xapp-1-socket"
        # The app checked its bot token against the (fake) Web API it was pointed at.
        assert api.of("auth.test")
