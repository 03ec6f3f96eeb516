"""The NLU server's lifecycle: content hash, model cache, token, start / reuse / stop.

Rasa itself is replaced by ``fake_rasa.py`` (same command line, same /status answer), so
these run in seconds; tests/integration/test_nlu_rasa.py runs the real thing.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import psutil
import pytest

from bot import nlu_server
from bot.nlu_server import (
    NLULayout,
    NLUServerError,
    data_hash,
    ensure_server,
    free_port,
    model_path,
    read_state,
    server_token,
    start_server,
    status,
    stop_server,
    train,
)
from knowledge.settings import Settings
from tests.bot.fake_rasa import fake_project


@pytest.fixture()
def project(tmp_path: Path) -> NLULayout:
    return fake_project(tmp_path)


@pytest.fixture()
def config(tmp_path: Path) -> Settings:
    return Settings(var_dir=tmp_path / "var", nlu_url=f"http://127.0.0.1:{free_port()}")


@pytest.fixture()
def cleanup(project: NLULayout, config: Settings) -> Iterator[None]:
    yield
    stop_server(project, config)


def test_hash_changes_when_data_or_config_changes(project: NLULayout) -> None:
    first = data_hash(project)
    assert data_hash(project) == first

    intents = project.nlu_dir / "intents.yml"
    intents.write_text(intents.read_text() + "    - hallo hallo\n")
    second = data_hash(project)
    assert second != first

    (project.nlu_dir / "extra.yml").write_text('version: "3.1"\nnlu: []\n')
    third = data_hash(project)
    assert third != second

    config_file = project.config_file
    config_file.write_text(config_file.read_text() + "# tuned\n")
    fourth = data_hash(project)
    assert fourth != third

    # A file that is not training data does not change the model.
    (project.nlu_dir / "README.md").write_text("notes")
    assert data_hash(project) == fourth


def test_cached_model_is_used_without_running_rasa(project: NLULayout) -> None:
    cached = model_path(project, data_hash(project))
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"model")
    without_rasa = replace(project, rasa=project.root / "no-such-rasa")

    result = train(without_rasa)

    assert (result.model, result.trained, result.seconds) == (cached, False, 0.0)


def test_training_writes_the_model_named_by_the_hash_and_reports_progress(
    project: NLULayout,
) -> None:
    messages: list[str] = []
    result = train(project, progress=messages.append)

    digest = data_hash(project)
    assert result.trained and result.digest == digest
    assert result.model == project.models_dir / f"nlu-{digest[:16]}.tar.gz"
    assert result.model.read_bytes() == f"fake model nlu-{digest[:16]}".encode()
    assert messages[0] == "training the NLU model (about a minute; later runs reuse it)"
    assert all(m.startswith("training the NLU model") for m in messages)
    assert [p.name for p in project.models_dir.glob("*.tar.gz")] == [result.model.name]
    assert not list(project.models_dir.glob(".training-*"))
    assert "Starting to train component 'DIETClassifier'" in project.train_log.read_text()

    again = train(project)
    assert (again.model, again.trained) == (result.model, False)
    forced = train(project, force=True)
    assert (forced.model, forced.trained) == (result.model, True)


def test_progress_continues_while_rasa_prints_nothing(
    project: NLULayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_RASA_TRAIN_SILENCE", "2.5")
    messages: list[str] = []
    train(project, progress=messages.append)
    silent = [m for m in messages if m.startswith("training the NLU model: loading Rasa (")]
    assert len(silent) >= 2


def test_training_output_is_read_as_progress() -> None:
    describe = nlu_server._describe_training
    assert describe("Epochs:  35%|███▌ | 14/40 [00:20<00:30, t_loss=2.1]") == "epoch 14/40"
    assert describe("INFO - Starting to train component 'DIETClassifier'.") == (
        "training DIETClassifier"
    )
    assert describe("INFO rasa.engine - anything else") is None


def test_old_models_are_pruned(project: NLULayout) -> None:
    project.models_dir.mkdir()
    for n, name in enumerate(["nlu-old1", "nlu-old2", "nlu-old3"]):
        path = project.models_dir / f"{name}.tar.gz"
        path.write_bytes(b"old")
        os.utime(path, (1_000_000 + n, 1_000_000 + n))

    result = train(project)

    kept = sorted(p.name for p in project.models_dir.glob("*.tar.gz"))
    assert kept == sorted([result.model.name, "nlu-old2.tar.gz", "nlu-old3.tar.gz"])


def test_failed_training_names_the_error_and_the_log(
    project: NLULayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_RASA_FAIL", "1")
    with pytest.raises(NLUServerError) as caught:
        train(project)
    assert str(caught.value) == (
        "training the NLU model failed (exit 1): ERROR rasa.train - InvalidConfigException: "
        f"broken pipeline — full log: {project.train_log}"
    )
    assert not project.models_dir.exists() or not list(project.models_dir.glob("*.tar.gz"))


def test_missing_rasa_is_a_clear_error(project: NLULayout) -> None:
    with pytest.raises(NLUServerError) as caught:
        train(replace(project, rasa=project.root / "nowhere" / "rasa"))
    assert "Rasa is not installed at" in str(caught.value)
    assert "make setup" in str(caught.value)


def test_missing_training_data_is_a_clear_error(project: NLULayout) -> None:
    shutil.rmtree(project.nlu_dir)
    project.nlu_dir.mkdir()
    with pytest.raises(NLUServerError) as caught:
        data_hash(project)
    assert str(caught.value) == f"no training data (*.yml) in {project.nlu_dir}"


def test_token_is_generated_once_private_and_nlu_token_wins(
    project: NLULayout, config: Settings
) -> None:
    token = server_token(project, config)
    assert len(token) >= 40
    assert server_token(project, config) == token
    assert stat.S_IMODE(project.token_file.stat().st_mode) == 0o600

    assert server_token(project, replace(config, nlu_token="from-env")) == "from-env"


@pytest.mark.usefixtures("cleanup")
def test_start_reuse_and_stop(project: NLULayout, config: Settings) -> None:
    progress: list[str] = []
    info = ensure_server(project, config, progress=progress.append)

    assert info.port == nlu_server.port_from_url(config.nlu_url)
    assert info.model == model_path(project, data_hash(project)).name
    assert info.token == server_token(project, config)
    assert read_state(project, info.token) == info
    assert "token" not in project.state_file.read_text()
    assert psutil.pid_exists(info.pid)

    current = status(project, config)
    assert (current.running, current.healthy, current.serving_current) == (True, True, True)
    assert current.rss_bytes is not None and current.rss_bytes > 0

    # A second caller reuses the healthy server instead of starting another.
    assert ensure_server(project, config) == info
    with pytest.raises(NLUServerError, match="already running"):
        start_server(project, config)

    stopped = stop_server(project, config)
    assert stopped == info
    assert not project.state_file.exists()
    assert not psutil.pid_exists(info.pid) or psutil.Process(info.pid).status() == "zombie"
    assert stop_server(project, config) is None
    assert status(project, config).running is False


@pytest.mark.usefixtures("cleanup")
def test_a_changed_model_replaces_the_running_server(project: NLULayout, config: Settings) -> None:
    first = ensure_server(project, config)
    intents = project.nlu_dir / "intents.yml"
    intents.write_text(intents.read_text() + "    - hallo hallo hallo\n")

    assert status(project, config).serving_current is False
    second = ensure_server(project, config)

    assert second.pid != first.pid
    assert second.model_hash == data_hash(project) != first.model_hash
    assert not psutil.pid_exists(first.pid) or psutil.Process(first.pid).status() == "zombie"


@pytest.mark.usefixtures("cleanup")
def test_a_dead_server_record_is_replaced(project: NLULayout, config: Settings) -> None:
    first = ensure_server(project, config)
    os.killpg(first.pid, 9)
    psutil.Process(first.pid).wait(timeout=5)

    assert status(project, config).running is False
    second = ensure_server(project, config)
    assert second.pid != first.pid


@pytest.mark.usefixtures("cleanup")
def test_a_running_server_is_reused_on_its_port_unless_another_is_asked(
    project: NLULayout, config: Settings
) -> None:
    elsewhere = free_port()
    first = ensure_server(project, config, port=elsewhere)
    assert first.port == elsewhere != nlu_server.port_from_url(config.nlu_url)

    assert ensure_server(project, config) == first
    moved = ensure_server(project, config, port=free_port())
    assert moved.pid != first.pid and moved.port != elsewhere


def test_busy_port_is_reported(project: NLULayout, config: Settings) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(NLUServerError) as caught:
            ensure_server(project, config, port=port)
    assert str(caught.value) == (
        f"port {port} is already in use by another program — pass --port, or set NLU_URL"
    )
    assert not project.state_file.exists()


def test_server_that_dies_while_starting_is_reported(
    project: NLULayout, config: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    train(project)
    monkeypatch.setenv("FAKE_RASA_FAIL", "1")
    with pytest.raises(NLUServerError) as caught:
        ensure_server(project, config)
    assert str(caught.value) == (
        "the NLU server exited (code 1) while starting: ERROR rasa.core.run - OSError: "
        f"[Errno 98] address already in use — full log: {project.server_log}"
    )
    assert not project.state_file.exists()


def test_start_timeout_stops_the_server(
    project: NLULayout, config: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_RASA_START_DELAY", "30")
    progress: list[str] = []
    with pytest.raises(NLUServerError) as caught:
        ensure_server(project, config, progress=progress.append, timeout_s=2.0)
    assert str(caught.value) == (
        f"the NLU server was not ready after 2 s — see {project.server_log}"
    )
    assert any(m.startswith("starting the NLU server on port") for m in progress)
    assert not project.state_file.exists()
