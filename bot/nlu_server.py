"""The Rasa NLU server's life: train when the data changed, start or reuse, wait, stop.

Rasa lives in its own Python 3.10 environment (``.venv-rasa``) and is only ever run as a
subprocess; the project talks to it over HTTP (see ``actions.understanding``).

- **Model cache.** A model is named by a content hash of ``nlu/`` and ``config.yml``
  (``models/nlu-<hash>.tar.gz``); when that file exists, training is skipped.
- **One managed server per var directory.** ``var/nlu/server.json`` records the pid, port and
  model hash of the server this project started; ``var/nlu/token`` holds the auth token when
  ``NLU_TOKEN`` is not set. A healthy server serving the current model is reused.
- **Never a silent hang.** Training (~1 min) and start-up (~25 s) report progress through a
  callback; a server that dies while starting is reported with the end of its log.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import secrets
import select
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import httpx
import psutil

from knowledge.errors import ConciergeError, ConfigError
from knowledge.settings import Settings

Progress = Callable[[str], None]

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MODEL_PREFIX = "nlu-"
HASH_CHARS = 16
# Models kept in models/ besides the current one (older ones are removed after training).
KEEP_OLD_MODELS = 2
START_TIMEOUT_S = 300.0
STOP_TIMEOUT_S = 20.0
PROGRESS_EVERY_S = 1.0
LOOPBACK = "127.0.0.1"

# Rasa must not phone home or fetch anything, and its library warnings are noise here.
_RASA_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONWARNINGS": "ignore",
    "TOKENIZERS_PARALLELISM": "false",
}
_EPOCH = re.compile(r"Epochs:\s+(\d+)%\|[^|]*\|\s*(\d+)/(\d+)")
_COMPONENT = re.compile(r"Starting to train component '(\w+)'")


class NLUServerError(ConciergeError):
    """Training or running the Rasa NLU server failed; the message says what and where."""


@dataclass(frozen=True)
class NLULayout:
    """Where the NLU inputs, models and runtime state live."""

    root: Path
    var_dir: Path
    rasa: Path

    @classmethod
    def for_settings(cls, settings: Settings, root: Path | None = None) -> NLULayout:
        base = (root or PROJECT_ROOT).resolve()
        var_dir = settings.var_dir if settings.var_dir.is_absolute() else base / settings.var_dir
        return cls(root=base, var_dir=var_dir, rasa=base / ".venv-rasa" / "bin" / "rasa")

    @property
    def nlu_dir(self) -> Path:
        return self.root / "nlu"

    @property
    def config_file(self) -> Path:
        return self.root / "config.yml"

    @property
    def domain_file(self) -> Path:
        return self.root / "domain.yml"

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def state_dir(self) -> Path:
        return self.var_dir / "nlu"

    @property
    def state_file(self) -> Path:
        return self.state_dir / "server.json"

    @property
    def token_file(self) -> Path:
        return self.state_dir / "token"

    @property
    def server_log(self) -> Path:
        return self.state_dir / "server.log"

    @property
    def train_log(self) -> Path:
        return self.state_dir / "train.log"

    def training_files(self) -> list[Path]:
        """Every file that shapes the model: config.yml and the YAML under nlu/."""
        if not self.config_file.is_file():
            raise NLUServerError(f"the NLU pipeline {self.config_file} is missing")
        data = sorted(
            p for p in self.nlu_dir.rglob("*") if p.is_file() and p.suffix in (".yml", ".yaml")
        )
        if not data:
            raise NLUServerError(f"no training data (*.yml) in {self.nlu_dir}")
        return [self.config_file, *data]

    def require_rasa(self) -> None:
        if not os.access(self.rasa, os.X_OK):
            raise NLUServerError(
                f"Rasa is not installed at {self.rasa} — run `make setup` to create .venv-rasa"
            )


# --- the model -----------------------------------------------------------------------------


def data_hash(layout: NLULayout) -> str:
    """SHA-256 over the relative path and bytes of every training input."""
    digest = hashlib.sha256()
    for path in layout.training_files():
        digest.update(path.relative_to(layout.root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def model_name(digest: str) -> str:
    return f"{MODEL_PREFIX}{digest[:HASH_CHARS]}"


def model_path(layout: NLULayout, digest: str) -> Path:
    return layout.models_dir / f"{model_name(digest)}.tar.gz"


@dataclass(frozen=True)
class TrainResult:
    model: Path
    digest: str
    trained: bool  # False: the cached model for this hash was used
    seconds: float


@contextlib.contextmanager
def _file_lock(path: Path, waiting: str, progress: Progress | None) -> Iterator[None]:
    """An exclusive lock across processes (two `concierge` commands, tests and a chat)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if progress:
                progress(waiting)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def rasa_env(*, quiet: bool = True) -> dict[str, str]:
    """The environment for a Rasa subprocess (``quiet=False`` keeps Python warnings)."""
    env = dict(os.environ)
    env.update(_RASA_ENV)
    if not quiet:
        env.pop("PYTHONWARNINGS", None)
    # The Rasa environment has its own interpreter; a caller's virtualenv must not leak in.
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        env.pop(name, None)
    return env


def _describe_training(line: str) -> str | None:
    """What a line of Rasa's training output says about its progress, if anything."""
    epoch = _EPOCH.search(line)
    if epoch:
        return f"epoch {epoch.group(2)}/{epoch.group(3)}"
    component = _COMPONENT.search(line)
    if component:
        return f"training {component.group(1)}"
    return None


def _stream_lines(stream: IO[bytes], tick_s: float) -> Iterator[str | None]:
    """Lines of a child's output (the carriage returns of progress bars end a line too);
    None whenever ``tick_s`` passes without output, so the caller can show it is alive."""
    fd = stream.fileno()
    buffer = b""
    while True:
        ready, _, _ = select.select([fd], [], [], tick_s)
        if not ready:
            yield None
            continue
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        buffer += chunk
        *lines, buffer = re.split(rb"[\r\n]", buffer)
        for raw in lines:
            if raw.strip():
                yield raw.decode("utf-8", "replace")
    if buffer.strip():
        yield buffer.decode("utf-8", "replace")


def train(
    layout: NLULayout, *, force: bool = False, progress: Progress | None = None
) -> TrainResult:
    """The model for the current data: the cached one, or trained now (about a minute)."""
    digest = data_hash(layout)
    target = model_path(layout, digest)
    if target.is_file() and not force:
        return TrainResult(target, digest, trained=False, seconds=0.0)
    layout.require_rasa()
    # The lock sits beside the models: every checkout's processes share models/, whatever
    # their var directory.
    with _file_lock(
        layout.models_dir / ".train.lock", "waiting for another training run to finish", progress
    ):
        if target.is_file() and not force:  # trained by the run we waited for
            return TrainResult(target, digest, trained=False, seconds=0.0)
        return _train_locked(layout, digest, target, progress)


def _train_locked(
    layout: NLULayout, digest: str, target: Path, progress: Progress | None
) -> TrainResult:
    layout.models_dir.mkdir(parents=True, exist_ok=True)
    work = layout.models_dir / f".training-{digest[:HASH_CHARS]}-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    command = [
        str(layout.rasa),
        "train",
        "nlu",
        "--config",
        str(layout.config_file),
        "--nlu",
        str(layout.nlu_dir),
        "--out",
        str(work),
        "--fixed-model-name",
        model_name(digest),
    ]
    started = time.monotonic()
    if progress:
        progress("training the NLU model (about a minute; later runs reuse it)")
    doing = "loading Rasa"
    last_report = 0.0
    layout.train_log.parent.mkdir(parents=True, exist_ok=True)
    try:
        with layout.train_log.open("w") as log:
            process = subprocess.Popen(
                command,
                cwd=layout.root,
                env=rasa_env(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            assert process.stdout is not None
            for line in _stream_lines(process.stdout, PROGRESS_EVERY_S):
                if line is not None:
                    log.write(line + "\n")
                    doing = _describe_training(line) or doing
                now = time.monotonic()
                if progress and now - last_report >= PROGRESS_EVERY_S:
                    last_report = now
                    progress(f"training the NLU model: {doing} ({now - started:.0f} s)")
            code = process.wait()
        produced = work / f"{model_name(digest)}.tar.gz"
        if code != 0 or not produced.is_file():
            raise NLUServerError(
                f"training the NLU model failed (exit {code}): {_last_line(layout.train_log)} — "
                f"full log: {layout.train_log}"
            )
        os.replace(produced, target)
    finally:
        for leftover in work.glob("*"):
            leftover.unlink(missing_ok=True)
        work.rmdir()
    _prune_models(layout, keep=target)
    return TrainResult(target, digest, trained=True, seconds=time.monotonic() - started)


def _prune_models(layout: NLULayout, keep: Path) -> None:
    old = sorted(
        (p for p in layout.models_dir.glob(f"{MODEL_PREFIX}*.tar.gz") if p != keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for path in old[KEEP_OLD_MODELS:]:
        path.unlink(missing_ok=True)


def _last_line(path: Path) -> str:
    """The last meaningful line of a log (an error, if there is one)."""
    try:
        lines = [ln.strip() for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        return "no log"
    errors = [ln for ln in lines if re.search(r"error|exception|address already in use", ln, re.I)]
    chosen = (errors or lines or ["no output"])[-1]
    return chosen[:300]


# --- the token -------------------------------------------------------------------------------


def server_token(layout: NLULayout, settings: Settings, *, create: bool = True) -> str:
    """NLU_TOKEN when set; otherwise a random token generated once and kept in var/nlu/
    ("" when there is none yet and ``create`` is False)."""
    if settings.nlu_token:
        return settings.nlu_token
    path = layout.token_file
    if path.is_file():
        token = path.read_text().strip()
        if token:
            return token
    if not create:
        return ""
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    # Created readable by its owner only; O_EXCL so two starting processes agree on one token.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(token + "\n")
    return token


# --- the server ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerInfo:
    """A server this project started, as recorded in var/nlu/server.json."""

    pid: int
    port: int
    model_hash: str
    model: str
    started_at: float
    create_time: float
    token: str = field(repr=False, default="")

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("token")  # the token has its own file (or NLU_TOKEN), never the state file
        return data


def read_state(layout: NLULayout, token: str = "") -> ServerInfo | None:
    try:
        raw = json.loads(layout.state_file.read_text())
        return ServerInfo(
            pid=int(raw["pid"]),
            port=int(raw["port"]),
            model_hash=str(raw["model_hash"]),
            model=str(raw["model"]),
            started_at=float(raw["started_at"]),
            create_time=float(raw["create_time"]),
            token=token,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_state(layout: NLULayout, info: ServerInfo) -> None:
    layout.state_dir.mkdir(parents=True, exist_ok=True)
    tmp = layout.state_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(info.to_json(), indent=2) + "\n")
    os.replace(tmp, layout.state_file)


def _process(info: ServerInfo) -> psutil.Process | None:
    """The recorded server process, if it still runs (and is not a recycled pid)."""
    try:
        process = psutil.Process(info.pid)
        if abs(process.create_time() - info.create_time) > 1.0:
            return None
        if process.status() == psutil.STATUS_ZOMBIE:
            return None
        return process
    except psutil.Error:
        return None


def served_model(url: str, token: str, timeout_s: float = 2.0) -> str | None:
    """File name of the model the server at ``url`` serves, or None if it does not answer."""
    try:
        response = httpx.get(
            f"{url}/status", params={"token": token}, timeout=timeout_s, trust_env=False
        )
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    try:
        model_file = response.json().get("model_file")
    except (ValueError, AttributeError):
        return None
    return Path(model_file).name if isinstance(model_file, str) else None


@dataclass(frozen=True)
class ServerStatus:
    info: ServerInfo | None
    running: bool  # the recorded process is alive
    healthy: bool  # it answers /status with our token
    current_hash: str
    model_trained: bool  # models/ holds the model for the current data
    serving_current: bool  # it serves the model for the current data
    rss_bytes: int | None


def status(layout: NLULayout, settings: Settings) -> ServerStatus:
    digest = data_hash(layout)
    token = server_token(layout, settings, create=False)
    info = read_state(layout, token)
    process = _process(info) if info else None
    served = served_model(info.url, token) if info and process else None
    rss = _tree_rss(process) if process else None
    return ServerStatus(
        info=info,
        running=process is not None,
        healthy=served is not None,
        current_hash=digest,
        model_trained=model_path(layout, digest).is_file(),
        serving_current=served == model_path(layout, digest).name,
        rss_bytes=rss,
    )


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    with contextlib.suppress(psutil.Error):
        total += process.memory_info().rss
        for child in process.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
    return total


def port_from_url(url: str) -> int:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"NLU_URL {url!r} has an invalid port") from None
    if port is None:
        return 443 if parts.scheme == "https" else 80
    return port


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def free_port() -> int:
    """A port on loopback nothing listens on right now (for tests and benchmarks)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def ensure_server(
    layout: NLULayout,
    settings: Settings,
    *,
    port: int | None = None,
    progress: Progress | None = None,
    timeout_s: float = START_TIMEOUT_S,
) -> ServerInfo:
    """A healthy server for the current model: reused when one runs, else trained and started.

    A running managed server is reused on whatever port it listens, unless ``port`` asks for
    another one; a new server listens on ``port`` or else NLU_URL's. A managed server serving
    an older model (or the wrong port) is stopped and replaced.
    """
    model = train(layout, progress=progress)
    token = server_token(layout, settings)
    wanted = port or port_from_url(settings.nlu_url)
    with _file_lock(
        layout.state_dir / "server.lock", "waiting for another start of the NLU server", progress
    ):
        info = read_state(layout, token)
        if info and _process(info):
            right_port = port is None or info.port == port
            if right_port and served_model(info.url, token) == model.model.name:
                return info
            if progress:
                progress(f"stopping the NLU server on port {info.port} (outdated model or port)")
            _stop(layout, info)
        elif info:
            layout.state_file.unlink(missing_ok=True)
        return _start_locked(layout, model, token, wanted, progress, timeout_s)


def start_server(
    layout: NLULayout,
    settings: Settings,
    *,
    port: int | None = None,
    progress: Progress | None = None,
    timeout_s: float = START_TIMEOUT_S,
) -> ServerInfo:
    """Start a managed server; fails if one is already running (use ensure_server to reuse)."""
    model = train(layout, progress=progress)
    token = server_token(layout, settings)
    wanted = port or port_from_url(settings.nlu_url)
    with _file_lock(
        layout.state_dir / "server.lock", "waiting for another start of the NLU server", progress
    ):
        info = read_state(layout, token)
        if info and _process(info):
            raise NLUServerError(
                f"an NLU server is already running (pid {info.pid}, port {info.port}) — "
                "`concierge nlu stop` first"
            )
        layout.state_file.unlink(missing_ok=True)
        return _start_locked(layout, model, token, wanted, progress, timeout_s)


def _start_locked(
    layout: NLULayout,
    model: TrainResult,
    token: str,
    port: int,
    progress: Progress | None,
    timeout_s: float,
) -> ServerInfo:
    layout.require_rasa()
    if not _port_free(port):
        raise NLUServerError(
            f"port {port} is already in use by another program — pass --port, or set NLU_URL"
        )
    command = [
        str(layout.rasa),
        "run",
        "--enable-api",
        "--auth-token",
        token,
        "-i",
        LOOPBACK,
        "-p",
        str(port),
        "-m",
        str(model.model),
    ]
    layout.state_dir.mkdir(parents=True, exist_ok=True)
    with layout.server_log.open("w") as log:
        # A session of its own: the server outlives the command that started it (background)
        # and is stopped as one process group.
        process = subprocess.Popen(
            command,
            cwd=layout.root,
            env=rasa_env(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    info = ServerInfo(
        pid=process.pid,
        port=port,
        model_hash=model.digest,
        model=model.model.name,
        started_at=time.time(),
        create_time=psutil.Process(process.pid).create_time(),
        token=token,
    )
    _write_state(layout, info)  # recorded at once, so `nlu stop` can stop a server that hangs
    try:
        _wait_ready(layout, info, process, progress, timeout_s)
    except BaseException:
        _stop(layout, info)
        raise
    return info


def _wait_ready(
    layout: NLULayout,
    info: ServerInfo,
    process: subprocess.Popen[bytes],
    progress: Progress | None,
    timeout_s: float,
) -> None:
    started = time.monotonic()
    last_report = 0.0
    while True:
        code = process.poll()
        if code is not None:
            raise NLUServerError(
                f"the NLU server exited (code {code}) while starting: "
                f"{_last_line(layout.server_log)} — full log: {layout.server_log}"
            )
        if served_model(info.url, info.token, timeout_s=1.0) == info.model:
            return
        elapsed = time.monotonic() - started
        if elapsed > timeout_s:
            raise NLUServerError(
                f"the NLU server was not ready after {timeout_s:.0f} s — see {layout.server_log}"
            )
        if progress and elapsed - last_report >= PROGRESS_EVERY_S:
            last_report = elapsed
            progress(
                f"starting the NLU server on port {info.port}: loading the model "
                f"({elapsed:.0f} s, usually about 25 s)"
            )
        time.sleep(0.25)


def wait_for_exit(layout: NLULayout, info: ServerInfo) -> int | None:
    """Block until the managed server exits (foreground serving); its exit code if known."""
    process = _process(info)
    if process is None:
        return None
    try:
        code = process.wait()
    except psutil.Error:
        return None
    return code if isinstance(code, int) else None


def stop_server(
    layout: NLULayout, settings: Settings, progress: Progress | None = None
) -> ServerInfo | None:
    """Stop the managed server; the info of the server stopped, or None if none ran."""
    with _file_lock(
        layout.state_dir / "server.lock", "waiting for a start of the NLU server to end", progress
    ):
        info = read_state(layout, server_token(layout, settings))
        if info is None:
            return None
        running = _process(info) is not None
        _stop(layout, info)
        return info if running else None


def _stop(layout: NLULayout, info: ServerInfo) -> None:
    process = _process(info)
    if process is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(info.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except psutil.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(info.pid, signal.SIGKILL)
            with contextlib.suppress(psutil.Error):
                process.wait(timeout=5)
        except psutil.Error:
            pass
    recorded = read_state(layout)
    if recorded is not None and recorded.pid == info.pid:
        layout.state_file.unlink(missing_ok=True)
