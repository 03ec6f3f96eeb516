"""``concierge dealer …`` and ``concierge staff …``: rooftops and who may use Concierge."""

from __future__ import annotations

import typer
from rich.table import Table
from sqlalchemy import select

from bot.cli.common import console, one_line_errors, store
from knowledge.models import Dealer, StaffMember
from knowledge.org import add_dealer, add_staff, deactivate_staff

dealer_app = typer.Typer(help="Rooftops of the dealer group.", no_args_is_help=True)
staff_app = typer.Typer(help="Staff who may use Concierge, and their roles.", no_args_is_help=True)


@dealer_app.command("add")
@one_line_errors
def dealer_add(
    code: str = typer.Option(..., "--code", help="Short code, e.g. HAM1."),
    name: str = typer.Option(..., "--name"),
    group: str = typer.Option(..., "--group", help="Dealer group (created if new)."),
    city: str | None = typer.Option(None, "--city"),
    country: str = typer.Option("DE", "--country", help="ISO country code."),
    phone: str | None = typer.Option(
        None, "--phone", help="The rooftop's own main number (never used to match customers)."
    ),
    brands: str | None = typer.Option(None, "--brands", help="Comma-separated makes."),
) -> None:
    """Add a rooftop."""
    with store() as opened, opened.sessions.begin() as session:
        dealer = add_dealer(
            session,
            group=group,
            code=code,
            name=name,
            city=city,
            country=country,
            main_phone=phone,
            brands=brands,
        )
        console.print(f"added dealer {dealer.code} — {dealer.name}")


@dealer_app.command("list")
@one_line_errors
def dealer_list() -> None:
    """List rooftops."""
    with store() as opened, opened.sessions() as session:
        table = Table("code", "name", "city", "brands")
        for d in session.scalars(select(Dealer).order_by(Dealer.code)):
            table.add_row(d.code, d.name, d.city or "", d.brands or "")
        console.print(table)


@staff_app.command("add")
@one_line_errors
def staff_add(
    team: str = typer.Option(..., "--team", help="Slack team id, e.g. T0123ABCD."),
    user: str = typer.Option(..., "--user", help="Slack user id, e.g. U0456EFGH."),
    name: str = typer.Option(..., "--name", help="Display name."),
    role: str = typer.Option(..., "--role", help="advisor, call_center, trainer or admin."),
    dealer: str = typer.Option(..., "--dealer", help="Rooftop code."),
) -> None:
    """Grant a Slack user access (or change their role or rooftop)."""
    with store() as opened, opened.sessions.begin() as session:
        staff = add_staff(
            session, team_id=team, user_id=user, display_name=name, role=role, dealer_code=dealer
        )
        console.print(
            f"{staff.display_name} ({staff.slack_team_id}/{staff.slack_user_id}) may use "
            f"Concierge as {staff.role} at {dealer.upper()}"
        )


@staff_app.command("remove")
@one_line_errors
def staff_remove(
    team: str = typer.Option(..., "--team"), user: str = typer.Option(..., "--user")
) -> None:
    """Revoke a Slack user's access (their history stays)."""
    with store() as opened, opened.sessions.begin() as session:
        staff = deactivate_staff(session, team, user)
        console.print(f"{staff.display_name} no longer has access")


@staff_app.command("list")
@one_line_errors
def staff_list() -> None:
    """List staff with access."""
    with store() as opened, opened.sessions() as session:
        table = Table("team/user", "name", "role", "rooftop", "active")
        rows = session.execute(
            select(StaffMember, Dealer.code)
            .join(Dealer, Dealer.id == StaffMember.dealer_id)
            .order_by(Dealer.code, StaffMember.role, StaffMember.display_name)
        )
        for s, code in rows:
            table.add_row(
                f"{s.slack_team_id}/{s.slack_user_id}",
                s.display_name,
                s.role,
                code,
                "yes" if s.active else "no",
            )
        console.print(table)


def register(root: typer.Typer) -> None:
    root.add_typer(dealer_app, name="dealer")
    root.add_typer(staff_app, name="staff")
