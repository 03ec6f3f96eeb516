"""The ``concierge`` command: one entry point, a sub-command per capability."""

from __future__ import annotations

import logging

import typer

from bot.cli import chat, db, demo, lookup, nlu, org, report, slack, sources, touches

app = typer.Typer(
    name="concierge",
    help="Concierge — the dealer staff assistant. Every command has --help.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# Each capability registers its own commands; find a command's code by its module name.
for module in (db, demo, org, lookup, touches, sources, nlu, slack, chat, report):
    module.register(app)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()
