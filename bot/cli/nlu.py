"""``concierge nlu …``: train, serve, stop, inspect, evaluate and validate the NLU model."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.table import Table

from actions.understanding import NLUClient
from bot import nlu_eval
from bot.cli.common import console, one_line_errors, settings
from bot.nlu_server import (
    NLULayout,
    NLUServerError,
    Progress,
    ensure_server,
    rasa_env,
    read_state,
    status,
    stop_server,
    train,
    wait_for_exit,
)
from knowledge.errors import InvalidInput

HOLDOUT = Path("tests") / "nlu" / "holdout.yml"
# Rasa checks stories too; here the dialogue lives in the project, so "unused in any story"
# is expected and not a problem with the data.
_EXPECTED_WARNINGS = re.compile(r"not used in any (story|rule)|no stories|story structure", re.I)
_WARNING = re.compile(r"UserWarning:\s*(.+)")
# Evaluation parses hundreds of messages back to back; a slow one is not a failure here.
EVAL_TIMEOUT_S = 30.0
# Without a terminal (CI, logs) a spinner is invisible: print a line this often instead.
PLAIN_PROGRESS_EVERY_S = 10.0

nlu_app = typer.Typer(
    name="nlu",
    help="The Rasa NLU model and server: train, serve, stop, status, eval, validate.",
    no_args_is_help=True,
)


def register(root: typer.Typer) -> None:
    root.add_typer(nlu_app, name="nlu")


def layout() -> NLULayout:
    return NLULayout.for_settings(settings())


@contextmanager
def nlu_progress(first: str = "working") -> Iterator[Progress]:
    """A progress callback: a live spinner on a terminal, periodic lines otherwise."""
    if console.is_terminal:
        with console.status(first) as spinner:
            yield lambda message: spinner.update(message)
        return
    last_kind = [""]
    last_time = [0.0]

    def plain(message: str) -> None:
        now = time.monotonic()
        kind = message.split(":")[0]
        if kind != last_kind[0] or now - last_time[0] >= PLAIN_PROGRESS_EVERY_S:
            last_kind[0], last_time[0] = kind, now
            console.print(message, highlight=False)

    yield plain


@nlu_app.command("train")
@one_line_errors
def train_command(
    force: bool = typer.Option(False, "--force", help="Retrain even if the model is current."),
) -> None:
    """Train the NLU model from nlu/ and config.yml (skipped when it is already current)."""
    where = layout()
    with nlu_progress("checking the NLU model") as progress:
        result = train(where, force=force, progress=progress)
    model = result.model.relative_to(where.root)
    if result.trained:
        console.print(f"trained {model} in {result.seconds:.0f} s")
    else:
        console.print(f"model is up to date: {model} (use --force to retrain)")


@nlu_app.command("serve")
@one_line_errors
def serve_command(
    port: int | None = typer.Option(
        None, "--port", "-p", min=1, max=65535, help="Port on 127.0.0.1 (default: NLU_URL's)."
    ),
    background: bool = typer.Option(
        False, "--background", "-b", help="Start it and return; `concierge nlu stop` ends it."
    ),
) -> None:
    """Run the NLU server (training first if needed); reuses one already serving this model."""
    where = layout()
    config = settings()
    before = read_state(where)
    with nlu_progress("preparing the NLU server") as progress:
        info = ensure_server(where, config, port=port, progress=progress)
    reused = before is not None and before.pid == info.pid
    verb = "already running" if reused else "ready"
    console.print(
        f"NLU server {verb}: {info.url} (pid {info.pid}, model {info.model})", highlight=False
    )
    if background or reused:
        if reused and not background:
            console.print("it runs in the background; `concierge nlu stop` ends it")
        return
    # Ctrl-C, or a process manager's SIGTERM, ends the server with this command (the server
    # runs in a session of its own, so neither signal reaches it directly).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        console.print("serving in the foreground — Ctrl-C stops it")
        code = wait_for_exit(where, info)
    except KeyboardInterrupt:
        console.print("stopping the NLU server…")
        stop_server(where, config)
        console.print("stopped")
        return
    raise NLUServerError(f"the NLU server exited (code {code}); see {where.server_log}")


@nlu_app.command("stop")
@one_line_errors
def stop_command() -> None:
    """Stop the NLU server this project started."""
    with nlu_progress("stopping the NLU server") as progress:
        stopped = stop_server(layout(), settings(), progress)
    if stopped is None:
        console.print("no NLU server was running")
    else:
        console.print(f"stopped the NLU server (pid {stopped.pid}, port {stopped.port})")


def _megabytes(value: int | None) -> str:
    return "—" if value is None else f"{value / 1_000_000:.0f} MB"


@nlu_app.command("status")
@one_line_errors
def status_command() -> None:
    """Show the model (current or stale) and the server (running, healthy, memory)."""
    where = layout()
    config = settings()
    current = status(where, config)
    table = Table(show_header=False, box=None)
    table.add_row("data hash", current.current_hash[:16])
    table.add_row("model", "trained" if current.model_trained else "not trained (nlu train)")
    info = current.info
    if info is None or not current.running:
        table.add_row("server", "not running (nlu serve)")
    else:
        table.add_row("server", f"{info.url}  pid {info.pid}")
        table.add_row("answers", "yes" if current.healthy else "no (starting, or wrong token)")
        table.add_row(
            "serves", f"{info.model} ({'current' if current.serving_current else 'OUTDATED'})"
        )
        table.add_row("up for", f"{time.time() - info.started_at:.0f} s")
        table.add_row("memory (RSS)", _megabytes(current.rss_bytes))
    table.add_row("token", "NLU_TOKEN" if config.nlu_token else str(where.token_file))
    console.print(table)


@nlu_app.command("eval")
@one_line_errors
def eval_command(
    port: int | None = typer.Option(None, "--port", "-p", min=1, max=65535),
    holdout: Path = typer.Option(HOLDOUT, "--holdout", help="The held-out split to score."),
    report_dir: Path | None = typer.Option(
        None, "--report-dir", help="Where the report is kept (default: var/nlu-eval)."
    ),
) -> None:
    """Score the model (trained on nlu/ only) on the held-out split through the real server."""
    where = layout()
    config = settings()
    holdout_path = holdout if holdout.is_absolute() else where.root / holdout
    if not holdout_path.is_file():
        raise InvalidInput(f"no held-out split at {holdout_path}")
    training = nlu_eval.load_examples([where.nlu_dir])
    examples = nlu_eval.load_examples([holdout_path])
    problems = nlu_eval.check_split(training, examples)
    if problems:
        raise InvalidInput("the held-out split is not usable: " + " | ".join(problems))
    with nlu_progress("preparing the NLU server") as progress:
        info = ensure_server(where, config, port=port, progress=progress)
        progress(f"parsing {len(examples)} held-out messages")
        with NLUClient(info.url, info.token, EVAL_TIMEOUT_S) as client:
            report = nlu_eval.evaluate(
                examples,
                client,
                model=info.model,
                synonyms=nlu_eval.load_synonyms([where.nlu_dir]),
                threshold=config.nlu_confidence_threshold,
            )
    directory = report_dir or where.var_dir / "nlu-eval"
    json_path, _ = nlu_eval.save_report(report, directory)
    console.print(nlu_eval.render_text(report), highlight=False, soft_wrap=True)
    console.print(f"report kept in {json_path} (and latest.json / latest.txt beside it)")
    if not report.passed:
        raise typer.Exit(1)


@nlu_app.command("validate")
@one_line_errors
def validate_command() -> None:
    """Check the training data with `rasa data validate`, and the held-out split."""
    where = layout()
    where.require_rasa()
    command = [
        str(where.rasa),
        "data",
        "validate",
        "--data",
        str(where.nlu_dir),
        "--config",
        str(where.config_file),
        "--domain",
        str(where.domain_file),
    ]
    with nlu_progress("running rasa data validate"):
        result = subprocess.run(
            command,
            cwd=where.root,
            capture_output=True,
            text=True,
            # Warnings are what validation reports: let Rasa's own through.
            env=rasa_env(quiet=False),
            check=False,
        )
    output = result.stdout + result.stderr
    warnings = [m.group(1).strip() for m in _WARNING.finditer(output)]
    problems = [w for w in warnings if not _EXPECTED_WARNINGS.search(w)]
    if result.returncode != 0:
        tail = [ln for ln in output.splitlines() if ln.strip()][-3:]
        raise NLUServerError("rasa data validate failed: " + " | ".join(tail))
    training = nlu_eval.load_examples([where.nlu_dir])
    holdout = nlu_eval.load_examples([where.root / HOLDOUT])
    problems += nlu_eval.check_split(training, holdout)
    for problem in problems:
        console.print(f"[yellow]problem:[/] {problem}", highlight=False, soft_wrap=True)
    intents = {e.intent for e in training}
    console.print(
        f"rasa data validate passed; {len(training)} training examples, {len(holdout)} "
        f"held-out, {len(intents)} intents"
    )
    if problems:
        console.print(f"{len(problems)} problem(s) in the data")
        sys.exit(1)
    console.print("NLU data OK")
