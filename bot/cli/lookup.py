"""``concierge lookup`` and ``concierge owners``: find a customer, list the owners to call.

Run by the store's operator: by default the viewer is an admin audited under the operator's
login (``cli:<user>``); ``--as SLACK_ID`` views as that staff member, with their role's
masking. Every lookup, card and export is audited.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cli.common import cli_actor, console, one_line_errors, settings, store
from knowledge.access import Viewer, operator, viewer_for_slack_id
from knowledge.audit import record_lookup
from knowledge.card import CustomerCard, build_card
from knowledge.errors import InvalidInput
from knowledge.lookup import SearchResult, search
from knowledge.models import Customer, Dealer
from knowledge.owners import (
    OwnersPage,
    OwnersQuery,
    export_owners_csv,
    owners_page,
    parse_years,
)

_CUSTOMER_ID = re.compile(r"^#(\d{1,12})$")


def _now(at: str | None) -> dt.datetime:
    if at is None:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(at)
    except ValueError:
        raise InvalidInput(f"--at must be a time like 2026-11-23T10:00+00:00, got {at!r}") from None
    if moment.tzinfo is None:
        raise InvalidInput(f"--at needs a time zone, e.g. {at}+00:00")
    return moment


def _dealer_scope(session: Session, code: str | None) -> list[int] | None:
    if code is None:
        return None
    found = session.scalar(select(Dealer.id).where(Dealer.code == code.strip().upper()))
    if found is None:
        known = ", ".join(session.scalars(select(Dealer.code).order_by(Dealer.code))) or "none"
        raise InvalidInput(f"no rooftop with the code {code!r} — known: {known}")
    return [found]


def _viewer(session: Session, as_staff: str | None) -> Viewer:
    if as_staff is None:
        return operator(cli_actor())
    return viewer_for_slack_id(session, as_staff, channel="cli")


# --- lookup --------------------------------------------------------------------------------


def lookup(
    query: str = typer.Argument(
        ..., help="A name, phone, e-mail, VIN (or its last 6–8), plate, RO number, or #id."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    dealer: str | None = typer.Option(None, "--dealer", help="Only this rooftop (its code)."),
    as_staff: str | None = typer.Option(
        None, "--as", help="View as this staff member (Slack user id), with their masking."
    ),
    limit: int = typer.Option(5, "--limit", min=1, max=25, help="Candidates to show at most."),
    at: str | None = typer.Option(None, "--at", help="The moment to look at (ISO, with zone)."),
) -> None:
    """Find a customer and print their card, the candidates, or the nearest names."""
    now = _now(at)
    with store() as opened, opened.sessions.begin() as session:
        viewer = _viewer(session, as_staff)
        scope = _dealer_scope(session, dealer)
        result, card = run_lookup(
            session, query, viewer=viewer, now=now, dealer_ids=scope, limit=limit
        )
    if as_json:
        sys.stdout.write(json.dumps(lookup_json(result, card), ensure_ascii=False) + "\n")
    else:
        _print_result(result, card)
    if result.status == "none":
        raise typer.Exit(1)


def run_lookup(
    session: Session,
    query: str,
    *,
    viewer: Viewer,
    now: dt.datetime,
    dealer_ids: list[int] | None = None,
    limit: int = 5,
) -> tuple[SearchResult, CustomerCard | None]:
    """Search, audit the lookup, and build the card when there is one clear customer."""
    by_id = _CUSTOMER_ID.match(query.strip())
    if by_id:
        cid = int(by_id.group(1))
        person = session.get(Customer, cid)
        if person is None:
            raise InvalidInput(f"no customer #{cid} in the store")
        from knowledge.lookup.types import Candidate

        result = SearchResult(
            query=query.strip(),
            query_kind="customer_id",
            status="match",
            candidates=(Candidate(cid, person.display_name, 100.0, ("customer id",)),),
        )
    else:
        result = search(
            session,
            query,
            dealer_ids=dealer_ids,
            limit=limit,
            region=settings().default_phone_region,
            today=now.date(),
        )
    match = result.match
    record_lookup(
        session,
        actor=viewer.actor,
        staff_id=viewer.staff_id,
        customer_id=match.customer_id if match else None,
        channel=viewer.channel,
        how=result.query_kind,
        detail={
            "query": result.query,
            "status": result.status,
            "candidates": [c.customer_id for c in result.candidates],
            "dealer_ids": dealer_ids,
        },
        action="lookup",
    )
    card = None
    if match is not None:
        card = build_card(
            session,
            match.customer_id,
            viewer=viewer,
            now=now,
            dealer_ids=dealer_ids,
            how=result.query_kind,
        )
    return result, card


def lookup_json(result: SearchResult, card: CustomerCard | None) -> dict[str, Any]:
    body = result.to_dict()
    body["card"] = card.to_dict() if card is not None else None
    return body


def _print_result(result: SearchResult, card: CustomerCard | None) -> None:
    if result.message:
        console.print(escape(result.message), highlight=False)
    if result.status == "none":
        console.print(f"[bold]No customer found[/] for {escape(result.query)!r}.")
        if result.suggestions:
            console.print("Try: " + "; ".join(escape(s) for s in result.suggestions))
        return
    if card is not None:
        best = result.candidates[0]
        console.print(
            f"[dim]matched on {escape(', '.join(best.matched_on))} · score {best.score:g}[/]"
        )
        print_card(card)
        return
    table = Table(title=f"{len(result.candidates)} customers could be {result.query!r}")
    for column in ("#", "name", "score", "matched on", "city", "vehicles", "last visit"):
        table.add_column(column)
    for c in result.candidates:
        name = c.name + (f" ({c.preferred_name})" if c.preferred_name else "")
        if c.in_lounge:
            name += " · in the lounge"
        table.add_row(
            str(c.customer_id),
            escape(name),
            f"{c.score:g}",
            escape(", ".join(c.matched_on)),
            escape(c.city or ""),
            escape("\n".join(c.vehicles)),
            c.last_visit.isoformat() if c.last_visit else "",
        )
    console.print(table)
    console.print("Show one with: concierge lookup '#<id>'")


def print_card(card: CustomerCard) -> None:
    head = f"[bold]{escape(card.name)}[/] (#{card.customer_id}) — greet as {escape(card.greeting)}"
    console.print(head, highlight=False)
    facts = [
        f"says: {card.pronunciation}" if card.pronunciation else None,
        f"language: {card.language}" if card.language else None,
        f"customer since {card.customer_since.year}" if card.customer_since else None,
        f"{card.visit_count} visits",
        f"prefers {card.preferred_channel}" if card.preferred_channel else None,
        "DO NOT CONTACT" if card.do_not_contact else None,
    ]
    console.print(escape(" · ".join(f for f in facts if f)), highlight=False)
    if card.masking == "hidden":
        console.print("[dim]contact details hidden here[/]")
    for c in card.contacts:
        if c.value:
            console.print(f"  {c.kind}: {escape(c.value)}", highlight=False)
    if card.household:
        console.print(
            "household: "
            + escape(", ".join(f"{h['name']} ({h['relation']})" for h in card.household))
        )
    if card.current_visit:
        cv = card.current_visit
        promised = f", promised {cv.promised_at:%H:%M}" if cv.promised_at else ""
        waiting = f", waiting {cv.waiting_minutes} min" if cv.waiting_minutes is not None else ""
        console.print(
            f"[bold yellow]now:[/] {escape(cv.status)} ({escape(cv.wait_mode or '-')}) with "
            f"{escape(cv.vehicle)}, {escape(cv.ro_number)}{promised}{waiting}",
            highlight=False,
        )
    table = Table(title=f"vehicles ({card.open_recall_count} open recalls)")
    for column in ("vehicle", "plate", "whose", "km", "warranty", "last service", "next due"):
        table.add_column(column)
    for v in card.vehicles:
        table.add_row(
            escape(v.label),
            escape(v.plate or ""),
            "own" if v.whose == "own" else escape(", ".join(v.holders)),
            f"{v.odometer_km:,}" if v.odometer_km is not None else "",
            v.warranty_end.isoformat() if v.warranty_end else "",
            v.last_service.isoformat() if v.last_service else "",
            (v.next_service_due.isoformat() if v.next_service_due else "")
            + (" (soon)" if v.service_due_soon else ""),
        )
    console.print(table)
    for v in card.vehicles:
        for r in v.open_recalls:
            minutes = f", {r.remedy_minutes} min" if r.remedy_minutes else ""
            quick = ", can be done while they wait" if r.while_you_wait else ""
            console.print(
                f"[bold red]open recall[/] {escape(r.campaign_code)} {escape(r.title)} — "
                f"{escape(v.label)}{minutes}{quick}",
                highlight=False,
            )
    for visit in card.last_visits:
        console.print(
            f"  {visit.opened_at:%Y-%m-%d} {escape(visit.vehicle)}: "
            f"{escape(visit.work_done or visit.concerns or visit.status)}",
            highlight=False,
        )
    for d in card.declined_due:
        due = d.due_date.isoformat() if d.due_date else "undated"
        console.print(
            f"  declined: {escape(d.description)} ({escape(d.vehicle)}, due {due}"
            + (", overdue" if d.overdue else "")
            + ")",
            highlight=False,
        )
    if card.preferences:
        console.print(
            "prefers: " + escape("; ".join(f"{k}: {v}" for k, v in card.preferences)),
            highlight=False,
        )
    for n in card.notes:
        console.print(f"  note {n.recorded_at:%Y-%m-%d}: {escape(n.text)}", highlight=False)
    if card.last_survey:
        s = card.last_survey
        comment = f" — “{s.comment}”" if s.comment else ""
        console.print(
            f"last survey {s.surveyed_on}: {s.score}/10{escape(comment)}", highlight=False
        )


# --- owners --------------------------------------------------------------------------------


def owners(
    recall: str | None = typer.Option(None, "--recall", help="Open recall campaign code."),
    make: str | None = typer.Option(None, "--make", help="Make, e.g. BMW."),
    model: str | None = typer.Option(None, "--model", help="Model line, e.g. X5."),
    years: str | None = typer.Option(None, "--years", help="Model years, e.g. 2019-2021."),
    option: str | None = typer.Option(None, "--option", help="Factory option code, e.g. 5DN."),
    dealer: str | None = typer.Option(None, "--dealer", help="Only this rooftop (its code)."),
    page: int = typer.Option(1, "--page", help="Page to show (1 is the first)."),
    page_size: int = typer.Option(50, "--page-size", help="Rows per page."),
    csv_file: Path | None = typer.Option(None, "--csv", help="Write every row to this CSV."),
    as_json: bool = typer.Option(False, "--json", help="Print the page as one JSON object."),
    as_staff: str | None = typer.Option(
        None, "--as", help="View as this staff member (Slack user id), with their masking."
    ),
    at: str | None = typer.Option(None, "--at", help="The day to judge ownership on (ISO)."),
) -> None:
    """Owners of the vehicles that need attention (do-not-contact customers left out)."""
    today = _now(at).date()
    with store() as opened, opened.sessions.begin() as session:
        viewer = _viewer(session, as_staff)
        scope = _dealer_scope(session, dealer)
        query = OwnersQuery(
            recall=recall,
            make=make,
            model=model,
            years=parse_years(years) if years is not None else None,
            option=option,
            dealer_ids=tuple(scope) if scope is not None else None,
        )
        if csv_file is not None:
            written = export_owners_csv(session, query, csv_file, viewer=viewer, today=today)
            first = owners_page(session, query, viewer=viewer, today=today, page=1, page_size=1)
            console.print(
                f"wrote {written:,} rows to {escape(str(csv_file))} "
                f"({first.excluded_do_not_contact:,} do-not-contact customers left out)",
                highlight=False,
            )
            return
        result = owners_page(
            session, query, viewer=viewer, today=today, page=page, page_size=page_size
        )
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
        return
    _print_owners(result)


def _print_owners(result: OwnersPage) -> None:
    title = f"{result.total:,} owners"
    if result.campaign_title:
        title += f" — {result.query.recall}: {result.campaign_title}"
    table = Table(title=title)
    for column in ("#", "name", "channel", "contact", "vehicle", "year", "plate", "VIN", "role"):
        table.add_column(column)
    for r in result.rows:
        table.add_row(
            str(r.customer_id),
            escape(r.name),
            escape(r.preferred_channel or ""),
            escape(r.contact or ""),
            escape(f"{r.make} {r.model}"),
            str(r.model_year or ""),
            escape(r.plate or ""),
            r.vin,
            r.role,
        )
    console.print(table)
    for note in result.notes:
        console.print(escape(note))
    console.print(
        f"page {result.page} of {result.pages} · {result.excluded_do_not_contact:,} "
        "do-not-contact customers left out",
        highlight=False,
    )


def register(root: typer.Typer) -> None:
    root.command("lookup")(one_line_errors(lookup))
    root.command("owners")(one_line_errors(owners))
