"""CLI commands — filled in by its capability."""

from __future__ import annotations

import typer


def register(root: typer.Typer) -> None:
    pass
