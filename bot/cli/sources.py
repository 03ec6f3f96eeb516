"""``concierge import``, ``concierge review …``, ``concierge links export``: identity resolution.

Import a source system's export, decide the pairs the matcher was unsure about, undo a wrong
merge, and export which customer every imported record became.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from bot.cli.common import cli_actor, console, err_console, one_line_errors, store
from knowledge.errors import InvalidInput
from knowledge.identity import (
    DEFAULT_MAX_CLUSTER_SIZE,
    MatchConfig,
    available_sources,
    customer_records,
    dismiss_review,
    export_links,
    import_file,
    list_reviews,
    merge_customers,
    merge_review,
    split_records,
    undo_merge,
)
from knowledge.identity.importer import DEFAULT_BATCH_SIZE, ImportReport, rejects_of_run

review_app = typer.Typer(
    help="Decide uncertain matches; merge or split customers (every decision is logged).",
    no_args_is_help=True,
)
links_app = typer.Typer(help="Which customer every imported record became.", no_args_is_help=True)


class RowsPerSecond(ProgressColumn):
    """Rows per second, averaged by rich over the last few updates."""

    def render(self, task: Task) -> Text:
        speed = task.speed
        return Text(f"{speed:,.0f} rows/s" if speed else "– rows/s", style="progress.data.speed")


def _write_rejects(path: Path, rejects: list[tuple[int, str, str | None]]) -> None:
    try:
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["line", "reason", "raw"])
            for line, reason, raw in rejects:
                writer.writerow([line, reason, raw or ""])
    except OSError as exc:
        raise InvalidInput(f"cannot write the rejects report {path}: {exc.strerror}") from None


def _summary(report: ImportReport) -> Table:
    table = Table(title=f"import of {report.file} as {report.source} (run #{report.run_id})")
    table.add_column("rows", justify="right")
    table.add_column("created", justify="right")
    table.add_column("merged", justify="right")
    table.add_column("updated", justify="right")
    table.add_column("unchanged", justify="right")
    table.add_column("to review", justify="right")
    table.add_column("rejected", justify="right")
    table.add_column("rows/s", justify="right")
    table.add_row(
        f"{report.rows_total:,}",
        f"{report.created:,}",
        f"{report.merged:,}",
        f"{report.updated:,}",
        f"{report.unchanged:,}",
        f"{report.reviewed:,}",
        f"{report.rejected:,}",
        f"{report.rows_per_second:,.0f}",
    )
    return table


@one_line_errors
def import_command(
    file: Path = typer.Argument(..., help="The export file (CSV or JSON Lines)."),
    source: str = typer.Option(
        ...,
        "--source",
        "-s",
        help="Source system: a built-in mapping name or a mapping .yml file.",
    ),
    rejects: Path | None = typer.Option(
        None, "--rejects", help="Write rejected rows (line, reason, raw) to this CSV file."
    ),
    batch_size: int = typer.Option(
        DEFAULT_BATCH_SIZE, "--batch-size", help="Rows per committed batch.", min=1
    ),
    max_cluster_size: int = typer.Option(
        DEFAULT_MAX_CLUSTER_SIZE,
        "--max-cluster-size",
        help="A customer that would grow past this many records goes to review instead.",
        min=2,
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Import a source system's export into the store, joining records into customers.

    Safe to repeat: an unchanged record is skipped, a corrected one updates, and an
    interrupted import resumes where its last committed batch ended.
    """
    config = MatchConfig(max_cluster_size=max_cluster_size)
    columns: list[Any] = [
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RowsPerSecond(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    with store() as opened:
        with Progress(*columns, console=err_console, disable=quiet, transient=False) as bar:
            task = bar.add_task(f"importing {file.name}", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            report = import_file(
                opened,
                source,
                file,
                actor=cli_actor(),
                batch_size=batch_size,
                config=config,
                progress=progress,
            )
        console.print(_summary(report))
        if report.resumed_from:
            console.print(f"resumed an interrupted run after row {report.resumed_from:,}")
        if report.shared_values:
            console.print(
                f"{report.shared_values} phone numbers / e-mails are shared by many people "
                "and were not used to match anyone"
            )
        with opened.sessions.begin() as session:
            rejected = rejects_of_run(session, report.run_id)
        if rejects is not None:
            _write_rejects(rejects, rejected)
            console.print(
                f"rejects report: {rejects} ({len(rejected):,} rows)",
                soft_wrap=True,
                highlight=False,
            )
        elif rejected:
            for line, reason, _ in rejected[:5]:
                console.print(f"  line {line}: {reason}", highlight=False)
            more = f" (and {len(rejected) - 5:,} more)" if len(rejected) > 5 else ""
            console.print(f"{len(rejected):,} rows rejected{more} — --rejects FILE writes them all")
        if report.reviewed:
            console.print("uncertain matches wait for a decision: concierge review list")


@review_app.command("list")
@one_line_errors
def review_list(
    status: str = typer.Option("open", help="open, merged, dismissed or all."),
    limit: int = typer.Option(50, help="How many to show.", min=1),
) -> None:
    """Pairs of customers that may be one person, strongest first."""
    with store() as opened, opened.sessions.begin() as session:
        items = list_reviews(session, status=status, limit=limit)
        if not items:
            console.print(f"no {status} reviews")
            return
        table = Table(title=f"{status} reviews")
        table.add_column("review", justify="right")
        table.add_column("customer")
        table.add_column("maybe the same as")
        table.add_column("weight", justify="right")
        table.add_column("why")
        for item in items:
            table.add_row(
                str(item.id),
                f"#{item.customer_id} {item.customer_name}",
                f"#{item.other_customer_id} {item.other_name}",
                f"{item.score:.1f}",
                item.reason,
            )
        console.print(table)
        console.print(
            "merge: concierge review merge REVIEW --reason …   "
            "not the same: concierge review dismiss REVIEW --reason …"
        )


@review_app.command("merge")
@one_line_errors
def review_merge(
    review_id: int | None = typer.Argument(None, help="The review to accept."),
    keep: int | None = typer.Option(None, "--keep", help="Customer to keep (without a review)."),
    other: int | None = typer.Option(None, "--other", help="Customer merged into --keep."),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the merge log)."),
) -> None:
    """Merge two customers: a review's pair, or --keep A --other B."""
    if (review_id is None) == (keep is None or other is None):
        raise InvalidInput("give either a review number, or both --keep and --other")
    with store() as opened, opened.sessions.begin() as session:
        if review_id is not None:
            result = merge_review(session, review_id, actor=cli_actor(), reason=reason)
        else:
            assert keep is not None and other is not None
            result = merge_customers(session, keep, other, actor=cli_actor(), reason=reason)
    console.print(
        f"merged customer #{result.other_customer_id} into #{result.kept_customer_id} "
        f"({result.moved_rows} rows moved) — merge #{result.log_id}; "
        f"undo with: concierge review split {result.log_id} --reason …"
    )


@review_app.command("split")
@one_line_errors
def review_split(
    merge_id: int | None = typer.Argument(None, help="A merge (from the merge log) to undo."),
    customer: int | None = typer.Option(
        None, "--customer", help="Customer to take imported records out of."
    ),
    record: list[str] = typer.Option(
        [], "--record", help="SOURCE:SOURCE_ID of a record to split off (repeatable)."
    ),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the merge log)."),
) -> None:
    """Undo a merge, or split imported records off a customer into a new one."""
    if (merge_id is None) == (customer is None):
        raise InvalidInput("give either a merge number, or --customer with --record")
    refs: list[tuple[str, str]] = []
    for ref in record:
        source, sep, source_id = ref.partition(":")
        if not sep or not source or not source_id:
            raise InvalidInput(
                f"--record {ref!r}: expected SOURCE:SOURCE_ID, e.g. crm-marketing:C-17"
            )
        refs.append((source, source_id))
    with store() as opened, opened.sessions.begin() as session:
        if merge_id is not None:
            if refs:
                raise InvalidInput("--record goes with --customer, not with a merge number")
            result = undo_merge(session, merge_id, actor=cli_actor(), reason=reason)
            console.print(
                f"split merge #{merge_id}: customer #{result.other_customer_id} restored beside "
                f"#{result.kept_customer_id} ({result.moved_rows} rows moved back) — "
                f"log entry #{result.log_id}"
            )
            return
        assert customer is not None
        if not refs:
            records = ", ".join(f"{s}:{i}" for s, i in customer_records(session, customer))
            raise InvalidInput(
                f"name the records to split off with --record; customer #{customer} has: "
                f"{records or 'no imported records'}"
            )
        result = split_records(session, customer, refs, actor=cli_actor(), reason=reason)
    console.print(
        f"split {len(refs)} record(s) off customer #{result.kept_customer_id} into new customer "
        f"#{result.other_customer_id} ({result.moved_rows} records moved) — "
        f"log entry #{result.log_id}"
    )


@review_app.command("dismiss")
@one_line_errors
def review_dismiss(
    review_id: int = typer.Argument(..., help="The review to reject."),
    reason: str = typer.Option(..., "--reason", help="Why they are different people."),
) -> None:
    """Two different people: close the review without merging."""
    with store() as opened, opened.sessions.begin() as session:
        dismiss_review(session, review_id, actor=cli_actor(), reason=reason)
    console.print(f"review #{review_id} dismissed")


@review_app.command("records")
@one_line_errors
def review_records(customer: int = typer.Argument(..., help="Customer id.")) -> None:
    """The imported records behind a customer (what a split can take out)."""
    with store() as opened, opened.sessions.begin() as session:
        records = customer_records(session, customer)
    if not records:
        console.print(f"customer #{customer} has no imported records")
        return
    for source, source_id in records:
        console.print(f"{source}:{source_id}", highlight=False)


@links_app.command("export")
@one_line_errors
def links_export(
    fmt: str = typer.Option("csv", "--format", help="csv or jsonl."),
    out: Path | None = typer.Option(None, "--out", help="File to write (default: stdout)."),
    entity: str = typer.Option(
        "customer", "--entity", help="customer (people), vehicle, visit, recall or all."
    ),
) -> None:
    """Write source, source_id, customer_id for every imported record."""
    with store() as opened, opened.sessions.begin() as session:
        if out is None:
            count = export_links(session, sys.stdout, fmt=fmt, entity=entity)
            return
        try:
            with out.open("w", encoding="utf-8", newline="") as fh:
                count = export_links(session, fh, fmt=fmt, entity=entity)
        except OSError as exc:
            raise InvalidInput(f"cannot write {out}: {exc.strerror}") from None
    err_console.print(f"{count:,} links written to {out}", soft_wrap=True, highlight=False)


def register(root: typer.Typer) -> None:
    root.command(
        "import",
        help=(
            "Import a source system's export (CSV or JSON Lines). Built-in sources: "
            + ", ".join(available_sources())
        ),
    )(import_command)
    root.add_typer(review_app, name="review")
    root.add_typer(links_app, name="links")
