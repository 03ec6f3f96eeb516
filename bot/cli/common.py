"""What every CLI command shares: settings, the store, the caller, and one-line errors."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

from rich.console import Console

from knowledge.db import Store, open_store
from knowledge.errors import ConciergeError
from knowledge.settings import Settings, load_settings

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def one_line_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Print a ConciergeError as one clear line on stderr and exit 2, never a traceback."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except ConciergeError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            sys.exit(2)

    return wrapper


def settings() -> Settings:
    return load_settings()


@contextmanager
def store(check: bool = True) -> Iterator[Store]:
    """The configured store, disposed when the command ends."""
    opened = open_store(settings().effective_database_url, check=check)
    try:
        yield opened
    finally:
        opened.dispose()


def cli_actor() -> str:
    """How the audit log names someone using the command line."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"cli:{user}"
