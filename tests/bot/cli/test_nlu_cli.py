"""`concierge nlu …` from a user's point of view, with the fake rasa command (fast)."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.cli import nlu as nlu_cli
from bot.nlu_eval import load_examples
from bot.nlu_server import NLULayout, free_port, read_state, stop_server
from knowledge.settings import load_settings
from tests.bot.fake_rasa import fake_project

runner = CliRunner()


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[NLULayout]:
    layout = fake_project(tmp_path)
    port = free_port()
    monkeypatch.setenv("CONCIERGE_VAR_DIR", str(layout.var_dir))
    monkeypatch.setenv("NLU_URL", f"http://127.0.0.1:{port}")
    monkeypatch.delenv("NLU_TOKEN", raising=False)
    monkeypatch.setattr(nlu_cli, "layout", lambda: layout)
    yield layout
    stop_server(layout, load_settings(env_file=None))


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["nlu", *args])
    return result.exit_code, result.output


def test_train_then_reuse(project: NLULayout) -> None:
    code, out = run("train")
    assert code == 0
    assert re.search(r"^trained models/nlu-[0-9a-f]{16}\.tar\.gz in \d+ s$", out, re.M)

    code, out = run("train")
    assert code == 0
    assert re.fullmatch(
        r"model is up to date: models/nlu-[0-9a-f]{16}\.tar\.gz \(use --force to retrain\)\n", out
    )


def test_serve_status_stop(project: NLULayout) -> None:
    code, out = run("serve", "--background")
    assert code == 0, out
    ready = re.search(r"NLU server ready: (http://127\.0\.0\.1:\d+) \(pid (\d+), model", out)
    assert ready is not None

    code, out = run("status")
    assert code == 0
    assert f"{ready.group(1)}  pid {ready.group(2)}" in out
    assert "answers       yes" in out and "(current)" in out

    code, out = run("serve", "--background")
    assert code == 0
    assert f"NLU server already running: {ready.group(1)} (pid {ready.group(2)}" in out

    code, out = run("stop")
    assert (code, out) == (0, f"stopped the NLU server (pid {ready.group(2)}, port "
                              f"{ready.group(1).rsplit(':', 1)[1]})\n")  # fmt: skip
    code, out = run("stop")
    assert (code, out) == (0, "no NLU server was running\n")
    code, out = run("status")
    assert "not running (nlu serve)" in out


def test_busy_port_is_one_line(project: NLULayout) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, out = run("serve", "--background", "--port", str(port))
    assert code == 2
    assert out.strip().splitlines()[-1] == (
        f"error: port {port} is already in use by another program — pass --port, or set NLU_URL"
    )


def test_eval_below_target_keeps_the_report_and_fails(project: NLULayout) -> None:
    code, out = run("eval")

    assert code == 1
    assert "held-out examples: 387" in out
    assert "BELOW TARGET" in out
    saved = json.loads((project.var_dir / "nlu-eval" / "latest.json").read_text())
    holdout = load_examples([project.root / "tests" / "nlu" / "holdout.yml"])
    greetings = sum(1 for e in holdout if e.intent == "greet")
    assert saved["examples"] == len(holdout) == 387
    assert saved["intent_accuracy"] == pytest.approx(greetings / 387)
    assert saved["passed"] is False


def test_eval_refuses_a_split_that_copies_training_data(project: NLULayout) -> None:
    holdout = project.root / "tests" / "nlu" / "holdout.yml"
    holdout.write_text(holdout.read_text() + "    - hi\n")  # "hi" is a training example

    code, out = run("eval")

    assert code == 2
    assert out.strip().startswith(
        "error: the held-out split is not usable: 1 held-out example(s) also in the training "
        "data: 'hi'"
    )
    assert not (project.var_dir / "nlu-eval").exists()


SERVE_FOREGROUND = """
import sys
from pathlib import Path
from bot.cli import app
from bot.cli import nlu
from bot.nlu_server import NLULayout
layout = NLULayout(root=Path(sys.argv[1]), var_dir=Path(sys.argv[2]), rasa=Path(sys.argv[3]))
nlu.layout = lambda: layout
app(["nlu", "serve"])
"""


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_foreground_serve_stops_the_server_on_ctrl_c_or_sigterm(
    project: NLULayout, stop_signal: int
) -> None:
    command = [sys.executable, "-c", SERVE_FOREGROUND, str(project.root), str(project.var_dir)]
    serving = subprocess.Popen(
        [*command, str(project.rasa)],
        cwd=Path(__file__).resolve().parents[3],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert serving.stdout is not None
    output = []
    for line in serving.stdout:
        output.append(line)
        if line.startswith("serving in the foreground"):
            break
    info = read_state(project)
    assert info is not None and psutil.pid_exists(info.pid)

    serving.send_signal(stop_signal)
    rest, _ = serving.communicate(timeout=30)

    assert serving.returncode == 0, "".join(output) + rest
    assert rest.splitlines()[-1] == "stopped"
    assert read_state(project) is None
    assert not psutil.pid_exists(info.pid) or psutil.Process(info.pid).status() == "zombie"
