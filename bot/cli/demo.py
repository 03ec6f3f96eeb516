"""``concierge demo-data`` and ``concierge summary``: a realistic store to try Concierge on."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bot.cli.common import console, one_line_errors, store
from knowledge.demo import demo_info, load_demo
from knowledge.errors import InvalidInput
from knowledge.summary import StoreSummary, store_summary


def _parse_day(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"--today must be a date like 2026-11-23, got {value!r}") from None


@one_line_errors
def demo_data(
    customers: int = typer.Option(2000, "--customers", "-n", help="How many customers."),
    seed: int = typer.Option(42, "--seed", help="Same seed, same data."),
    today: str | None = typer.Option(
        None, "--today", help="Generate as of this day (YYYY-MM-DD) instead of now."
    ),
    replace: bool = typer.Option(False, "--replace", help="Regenerate over earlier demo data."),
    if_missing: bool = typer.Option(
        False,
        "--if-missing",
        help="Do nothing when the store already holds this demo (same size and seed, "
        "generated today); regenerate stale demo data.",
    ),
    as_sources: Path | None = typer.Option(
        None,
        "--as-sources",
        help="Instead of loading the store, write the demo as source-system export files "
        "(CRM, DMS, recall file) into this folder, for `concierge import`.",
    ),
) -> None:
    """Generate realistic demo data (deterministic for a seed)."""
    day = _parse_day(today)
    if as_sources is not None:
        from knowledge.identity.demo_sources import write_demo_sources

        written = write_demo_sources(
            as_sources, customers=customers, seed=seed, today=day or dt.date.today()
        )
        for name, path in written.items():
            console.print(f"wrote {name}: {path}")
        return
    with store() as opened:
        existing = demo_info(opened)
        if if_missing and existing is not None:
            fresh = existing.day == (day or dt.datetime.now(dt.UTC).date()).isoformat()
            if existing.customers == customers and existing.seed == seed and fresh:
                console.print(
                    f"demo data already loaded ({existing.customers:,} customers, seed "
                    f"{existing.seed}, {existing.day}) — nothing to do"
                )
                _print_summary(store_summary(opened))
                return
            replace = True
        with Progress(
            TextColumn("generating customers"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("demo", total=customers)
            info = load_demo(
                opened,
                customers=customers,
                seed=seed,
                today=day,
                replace=replace,
                progress=lambda done, _total: bar.update(task, completed=done),
            )
        console.print(f"loaded {info.customers:,} demo customers (seed {info.seed})")
        _print_summary(store_summary(opened))


@one_line_errors
def summary() -> None:
    """Print what the store holds."""
    with store() as opened:
        _print_summary(store_summary(opened))


def _print_summary(s: StoreSummary) -> None:
    table = Table(title="The store", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("rooftops / staff", f"{s.dealers} / {s.staff}")
    table.add_row("customers", f"{s.customers:,}")
    table.add_row("household and fleet links", f"{s.relationships:,}")
    table.add_row("vehicles", f"{s.vehicles:,}")
    table.add_row("  of which not sold by the group", f"{s.vehicles_not_sold_here:,}")
    makes = ", ".join(f"{make} {n:,}" for make, n in s.vehicles_by_make.items())
    table.add_row("  by make", makes)
    table.add_row("service visits", f"{s.visits:,}")
    table.add_row("open recalls", f"{s.open_recalls:,}")
    table.add_row("declined work still open", f"{s.declined_open:,}")
    score = f"{s.average_score:.1f}" if s.average_score is not None else "—"
    table.add_row("surveys (average score)", f"{s.surveys:,} ({score})")
    console.print(table)
    if s.on_site:
        on_site = Table(title="On site right now", title_justify="left")
        for col in ("rooftop", "customer", "vehicle", "status", "since"):
            on_site.add_column(col)
        for w in s.on_site:
            since = w.arrived_at.strftime("%H:%M UTC") if w.arrived_at else ""
            status = f"{w.status} ({w.wait_mode})" if w.wait_mode else w.status
            on_site.add_row(w.dealer, w.name, w.vehicle, status, since)
        console.print(on_site)


def register(root: typer.Typer) -> None:
    root.command("demo-data")(demo_data)
    root.command("summary")(summary)
