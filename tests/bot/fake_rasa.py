"""A stand-in for the ``rasa`` command, for the server-lifecycle tests (seconds, not minutes).

``train nlu --out DIR --fixed-model-name NAME`` prints progress like Rasa's and writes
``DIR/NAME.tar.gz``; ``run --enable-api --auth-token T -i HOST -p PORT -m MODEL`` serves
``GET /status`` (token checked) like Rasa's HTTP API, and ``POST /model/parse`` (every
message a greeting). FAKE_RASA_FAIL=1 makes both fail;
FAKE_RASA_TRAIN_SILENCE / FAKE_RASA_START_DELAY make them slow.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

if __name__ != "__main__":
    from bot.nlu_server import NLULayout


REPO = Path(__file__).resolve().parents[2]


def fake_project(tmp_path: Path) -> NLULayout:
    """A copy of the NLU inputs whose ``rasa`` command is this script."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "nlu", root / "nlu")
    shutil.copy(REPO / "config.yml", root / "config.yml")
    shutil.copy(REPO / "domain.yml", root / "domain.yml")
    holdout = root / "tests" / "nlu"
    holdout.mkdir(parents=True)
    shutil.copy(REPO / "tests" / "nlu" / "holdout.yml", holdout / "holdout.yml")
    rasa = tmp_path / "rasa"
    rasa.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{Path(__file__)}" "$@"\n')
    rasa.chmod(0o755)
    return NLULayout(root=root, var_dir=tmp_path / "var", rasa=rasa)


def _option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def train(args: list[str]) -> int:
    if os.environ.get("FAKE_RASA_FAIL"):
        print("ERROR rasa.train - InvalidConfigException: broken pipeline", flush=True)
        return 1
    out = Path(_option(args, "--out"))
    name = _option(args, "--fixed-model-name")
    time.sleep(float(os.environ.get("FAKE_RASA_TRAIN_SILENCE", "0")))
    print("INFO rasa.engine.training.hooks - Starting to train component 'DIETClassifier'.")
    for epoch in range(1, 4):
        sys.stdout.write(f"\rEpochs:  {epoch * 33}%|███ | {epoch}/3 [00:0{epoch}<00:00]")
        sys.stdout.flush()
    print()
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.tar.gz").write_bytes(b"fake model " + name.encode())
    return 0


def run(args: list[str]) -> int:
    if os.environ.get("FAKE_RASA_FAIL"):
        print("ERROR rasa.core.run - OSError: [Errno 98] address already in use", flush=True)
        return 1
    token = _option(args, "--auth-token")
    port = int(_option(args, "-p"))
    model = _option(args, "-m")
    time.sleep(float(os.environ.get("FAKE_RASA_START_DELAY", "0.1")))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path != "/status" or parse_qs(url.query).get("token") != [token]:
                self.send_response(401)
                self.end_headers()
                return
            body = json.dumps({"model_file": model, "model_id": "x"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            # Every message reads as a greeting: enough for the evaluation's plumbing.
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length", "0"))
            text = json.loads(self.rfile.read(length))["text"]
            if url.path != "/model/parse" or parse_qs(url.query).get("token") != [token]:
                self.send_response(401)
                self.end_headers()
                return
            answer = {
                "text": text,
                "intent": {"name": "greet", "confidence": 0.9},
                "entities": [],
                "intent_ranking": [{"name": "greet", "confidence": 0.9}],
            }
            body = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    print(f"INFO rasa.core.run - serving {model} on {port}", flush=True)
    HTTPServer((_option(args, "-i"), port), Handler).serve_forever()
    return 0


def main() -> int:
    args = sys.argv[1:]
    if args[:2] == ["train", "nlu"]:
        return train(args)
    if args[:1] == ["run"]:
        return run(args)
    print(f"fake rasa: unsupported {args}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
