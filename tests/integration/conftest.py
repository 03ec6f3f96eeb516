"""Shared fixtures for tests that need the real Rasa NLU server (marked ``rasa``).

``nlu_server`` is session-scoped: the model is trained only when ``nlu/`` or ``config.yml``
changed (otherwise the cached one in models/ is used), and a managed server already serving
the current model (``concierge nlu serve``) is reused. Otherwise the session starts its own
server on a free port, with its state in a temporary directory, and stops it at the end.
Later integration tests (dialogue, Slack) take ``nlu_server`` or ``nlu_client``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from actions.understanding import NLUClient
from bot.nlu_server import (
    NLULayout,
    ServerInfo,
    ensure_server,
    free_port,
    status,
    stop_server,
    train,
)
from knowledge.settings import load_settings

# First requests after start-up compile the model's graph; be generous in tests.
CLIENT_TIMEOUT_S = 30.0


@pytest.fixture(scope="session")
def nlu_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerInfo]:
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    last = [""]

    def progress(message: str) -> None:
        # Visible even with output capture on: training and start-up take a while.
        kind = message.split(":")[0]
        if reporter is not None and kind != last[0]:
            last[0] = kind
            reporter.write_line(f"[nlu] {message}")

    settings = load_settings()
    layout = NLULayout.for_settings(settings)
    train(layout, progress=progress)
    running = status(layout, settings)
    if running.info is not None and running.healthy and running.serving_current:
        yield running.info
        return
    own = replace(layout, var_dir=tmp_path_factory.mktemp("nlu-var"))
    own_settings = replace(settings, var_dir=own.var_dir)
    info = ensure_server(own, own_settings, port=free_port(), progress=progress)
    try:
        yield info
    finally:
        stop_server(own, own_settings)


@pytest.fixture(scope="session")
def nlu_client(nlu_server: ServerInfo) -> Iterator[NLUClient]:
    with NLUClient(nlu_server.url, nlu_server.token, CLIENT_TIMEOUT_S) as client:
        yield client
