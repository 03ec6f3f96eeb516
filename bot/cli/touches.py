"""``concierge touches``, ``concierge touch-outcome`` and ``concierge playbook …``.

The touches to do now for a customer (found the way staff would name them), marking one
done or skipped, and the trainers' view of the playbook: validate, list, facts.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from bot.cli.common import cli_actor, console, err_console, one_line_errors, settings, store
from knowledge.audit import record_lookup
from knowledge.errors import InvalidInput
from knowledge.lookup import search
from knowledge.models import Customer
from knowledge.touches.facts import FACT_SPECS
from knowledge.touches.memory import OUTCOMES, record_outcome
from knowledge.touches.schema import (
    CATEGORIES,
    OPERATORS,
    Playbook,
    PlaybookInvalid,
    describe_conditions,
    load_playbook,
)
from knowledge.touches.service import TouchResult, resolve_staff, suggest_touches

_CUSTOMER_ID = re.compile(r"^#(\d{1,12})$")

playbook_app = typer.Typer(
    help="The service-touch playbook: validate it, list its touches, see the facts it can use.",
    no_args_is_help=True,
)


def _playbook(path: Path | None = None) -> Playbook:
    chosen = path if path is not None else settings().playbook_dir
    return load_playbook(chosen)


def _parse_at(value: str | None) -> dt.datetime:
    if value is None:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"--at must be a time like 2026-11-23T10:00+00:00, got {value!r}"
        ) from None
    if moment.tzinfo is None:
        raise InvalidInput(f"--at needs a time zone, e.g. {value}+00:00")
    return moment


def find_customer(
    session: Session, query: str, *, today: dt.date, actor: str, staff_id: int | None
) -> tuple[int | None, str | None]:
    """The one customer ``query`` names ('#123' is a customer id), or why there is none.

    Every attempt is audited, including those that find nobody or several customers.
    """
    text = query.strip()
    by_id = _CUSTOMER_ID.match(text)
    customer_id: int | None = None
    problem: str | None = None
    if by_id:
        customer_id = int(by_id.group(1))
        how, status, candidates = "customer_id", "match", [customer_id]
        if session.get(Customer, customer_id) is None:
            customer_id, status, problem = (
                None,
                "none",
                f"no customer #{by_id.group(1)} in the store",
            )
    else:
        result = search(session, text, today=today, region=settings().default_phone_region)
        how, status = result.query_kind, result.status
        candidates = [c.customer_id for c in result.candidates]
        if result.status == "match" and result.match is not None:
            customer_id = result.match.customer_id
        elif result.status == "candidates":
            listed = "; ".join(
                f"#{c.customer_id} {c.name}" + (f" ({c.city})" if c.city else "")
                for c in result.candidates
            )
            problem = (
                f"{text!r} matches several customers: {listed} — name one, e.g. "
                f"concierge touches '#{result.candidates[0].customer_id}'"
            )
        else:
            hint = f" — {result.message}" if result.message else ""
            near = f" (try: {'; '.join(result.suggestions[:3])})" if result.suggestions else ""
            problem = f"no customer matches {text!r}{hint}{near}"
    record_lookup(
        session,
        actor=actor,
        staff_id=staff_id,
        customer_id=customer_id,
        channel="cli",
        how=how,
        detail={"query": text, "status": status, "candidates": candidates, "for": "touches"},
        action="lookup",
    )
    return customer_id, problem


def _print_result(result: TouchResult, *, explain: bool) -> None:
    visit = f" · visit {result.ro_number}" if result.ro_number else " · no open visit"
    label = (
        f"{result.playbook_label} ({result.playbook_version})"
        if result.playbook_label
        else result.playbook_version
    )
    console.print(
        f"[bold]{escape(result.customer_name)}[/] (#{result.customer_id}){visit} "
        f"· playbook {label}",
        highlight=False,
        soft_wrap=True,
    )
    if not result.touches:
        console.print("no touches to suggest right now")
    for t in result.touches:
        ref = f"  [dim]#{t.suggestion_id}[/]" if t.suggestion_id else ""
        console.print(
            f"{t.rank}. [bold]{escape(t.title)}[/] [dim]({CATEGORIES[t.category]})[/]{ref}",
            highlight=False,
            soft_wrap=True,
        )
        console.print(f"   {escape(t.instruction)}", highlight=False, soft_wrap=True)
        console.print(f"   [italic]why:[/] {escape(t.reason)}", highlight=False, soft_wrap=True)
    if explain and result.held:
        console.print("[dim]held back:[/]")
        for h in result.held:
            console.print(f"[dim]  {h.touch_id}: {escape(h.why)}[/]", highlight=False)
    recorded = [t for t in result.touches if t.suggestion_id]
    if recorded:
        console.print(
            f"[dim]mark one: concierge touch-outcome {recorded[0].suggestion_id} done "
            "(or skipped --reason …, not_applicable)[/]"
        )


@one_line_errors
def touches(
    query: str = typer.Argument(
        ..., help="The customer: a name, phone, e-mail, VIN, plate, RO number, or #id."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
    visit: str | None = typer.Option(
        None, "--visit", help="The visit's repair-order number (default: the open visit)."
    ),
    staff: str | None = typer.Option(
        None,
        "--as",
        help="Ask as this staff member (id, Slack user id or name): their role's touches.",
    ),
    limit: int | None = typer.Option(
        None, "--limit", help="At most this many touches (default CONCIERGE_TOUCH_LIMIT, 3)."
    ),
    explain: bool = typer.Option(False, "--why", help="Also list touches held back, and why."),
    facts: bool = typer.Option(False, "--facts", help="Include every fact in the JSON."),
    record: bool = typer.Option(
        True, "--record/--no-record", help="Record the suggestions as shown (the default)."
    ),
    at: str | None = typer.Option(
        None, "--at", help="Evaluate as of this moment (ISO, with zone)."
    ),
) -> None:
    """The small touches to do now for a customer, each with its reason (at most 3)."""
    now = _parse_at(at)
    playbook = _playbook()
    chosen_limit = limit if limit is not None else settings().touch_limit
    actor = cli_actor()
    with store() as opened:
        # The lookup is audited in its own transaction: a refusal leaves its trace too.
        with opened.sessions.begin() as session:
            who = resolve_staff(session, staff) if staff else None
            customer_id, problem = find_customer(
                session,
                query,
                today=now.date(),
                actor=actor,
                staff_id=who.staff_id if who else None,
            )
        if customer_id is None:
            raise InvalidInput(problem or f"no customer matches {query!r}")
        with opened.sessions.begin() as session:
            result = suggest_touches(
                session,
                playbook,
                customer_id,
                now=now,
                actor=actor,
                staff=who,
                visit_ro=visit,
                limit=chosen_limit,
                record=record,
            )
    if as_json:
        body = result.to_dict(with_facts=facts)
        body["query"] = query
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2, default=str))
        return
    _print_result(result, explain=explain)


@one_line_errors
def touch_outcome(
    suggestion_id: int = typer.Argument(..., help="The suggestion's number (shown as #N)."),
    outcome: str = typer.Argument(..., help="done, skipped or not_applicable."),
    reason: str | None = typer.Option(None, "--reason", help="Why (required for skipped)."),
    staff: str | None = typer.Option(None, "--as", help="Recorded as this staff member."),
) -> None:
    """Record what became of a suggested touch; the same click twice changes nothing."""
    now = dt.datetime.now(dt.UTC)
    with store() as opened, opened.sessions.begin() as session:
        who = resolve_staff(session, staff) if staff else None
        result = record_outcome(
            session,
            suggestion_id,
            outcome,
            staff_id=who.staff_id if who else None,
            reason=reason,
            now=now,
        )
    console.print(result.message, highlight=False, soft_wrap=True)


@playbook_app.command("validate")
def validate(
    path: Path | None = typer.Argument(
        None, help="A playbook folder or file (default: CONCIERGE_PLAYBOOK_DIR or the built-in)."
    ),
) -> None:
    """Check a playbook; every problem is listed with its file, line, touch and field."""
    try:
        playbook = _playbook(path)
    except PlaybookInvalid as exc:
        count = len(exc.problems)
        err_console.print(
            f"[bold red]error:[/] playbook {escape(exc.source)} has {count} "
            f"problem{'s' * (count != 1)} — nothing was changed:",
            highlight=False,
            soft_wrap=True,
        )
        for problem in exc.problems:
            err_console.print(f"  {escape(str(problem))}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except InvalidInput as exc:
        err_console.print(
            f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True
        )
        sys.exit(2)
    console.print(
        f"playbook {escape(playbook.source)} is valid: {len(playbook.touches)} touches, "
        f"{len(playbook.offers)} offers, version {playbook.display_version}",
        highlight=False,
        soft_wrap=True,
    )


@playbook_app.command("list")
@one_line_errors
def list_touches(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    path: Path | None = typer.Option(None, "--path", help="A playbook folder or file."),
) -> None:
    """Every touch, most valuable first, with its conditions; then the offers."""
    playbook = _playbook(path)
    if as_json:
        body = {
            "version": playbook.version,
            "label": playbook.label,
            "touches": [
                {
                    "id": t.id,
                    "title": t.title,
                    "category": t.category,
                    "audience": list(t.audience),
                    "priority": t.priority,
                    "cooldown_days": t.cooldown_days,
                    "needs_consent": t.needs_consent,
                    "outbound": t.outbound,
                    "when": t.conditions,
                    "instruction": t.instruction.text,
                    "reason": t.reason.text,
                    "file": t.file,
                }
                for t in playbook.touches
            ],
            "offers": [
                {
                    "id": o.id,
                    "title": o.title,
                    "value": o.value,
                    "makes": sorted(o.makes),
                    "requires": sorted(o.requires),
                    "requires_any": sorted(o.requires_any),
                    "excludes": sorted(o.excludes),
                }
                for o in playbook.offers
            ],
        }
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2, default=str))
        return
    table = Table(title=f"playbook {playbook.display_version}", show_lines=False)
    for column in ("prio", "id", "category", "for", "cooldown", "consent", "when"):
        table.add_column(column, overflow="fold")
    for t in playbook.touches:
        table.add_row(
            str(t.priority),
            t.id,
            CATEGORIES[t.category],
            ", ".join(t.audience),
            f"{t.cooldown_days} d",
            "yes" if t.needs_consent else "",
            escape(describe_conditions(t.conditions)),
        )
    console.print(table)
    offers = Table(title="offers (made only to a vehicle with these option codes)")
    for column in ("value", "id", "title", "makes", "requires"):
        offers.add_column(column, overflow="fold")
    for o in playbook.offers:
        needs = " + ".join(sorted(o.requires))
        if o.requires_any:
            needs = (
                (needs + " and " if needs else "") + "one of " + "/".join(sorted(o.requires_any))
            )
        offers.add_row(str(o.value), o.id, o.title, ", ".join(sorted(o.makes)) or "any", needs)
    console.print(offers)


@playbook_app.command("facts")
def list_facts(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The named facts a touch's conditions and placeholders may use."""
    if as_json:
        body = [
            {
                "name": f.name,
                "type": f.type.value,
                "may_be_empty": f.may_be_empty,
                "description": f.description,
            }
            for f in FACT_SPECS
        ]
        typer.echo(
            json.dumps({"facts": body, "operators": OPERATORS}, ensure_ascii=False, indent=2)
        )
        return
    table = Table(title="facts")
    for column in ("name", "type", "description"):
        table.add_column(column, overflow="fold")
    for f in FACT_SPECS:
        kind = f.type.value + (", may be empty" if f.may_be_empty else "")
        table.add_row(f.name, kind, f.description)
    console.print(table)
    console.print("operators: " + ", ".join(f"{k} ({v})" for k, v in OPERATORS.items()))
    console.print("outcomes: " + ", ".join(OUTCOMES))


def register(root: typer.Typer) -> None:
    root.command("touches")(touches)
    root.command("touch-outcome")(touch_outcome)
    root.add_typer(playbook_app, name="playbook")
