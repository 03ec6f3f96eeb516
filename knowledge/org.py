"""Dealer groups, rooftops and staff: who may use Concierge, where, in which role."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.errors import InvalidInput
from knowledge.models import Dealer, DealerGroup, StaffMember
from knowledge.models.enums import Role
from knowledge.normalize import normalize_phone


def add_dealer(
    session: Session,
    *,
    group: str,
    code: str,
    name: str,
    city: str | None = None,
    country: str = "DE",
    main_phone: str | None = None,
    brands: str | None = None,
) -> Dealer:
    """Create a rooftop (and its group if new). The code must be new."""
    code = code.strip().upper()
    if not code or not name.strip() or not group.strip():
        raise InvalidInput("a dealer needs a group, a code and a name")
    if session.scalar(select(Dealer).where(Dealer.code == code)) is not None:
        raise InvalidInput(f"a dealer with code {code} already exists")
    phone = None
    if main_phone:
        phone = normalize_phone(main_phone, country)
        if phone is None:
            raise InvalidInput(f"the dealer's main phone {main_phone!r} is not a phone number")
    dealer_group = session.scalar(select(DealerGroup).where(DealerGroup.name == group.strip()))
    if dealer_group is None:
        dealer_group = DealerGroup(name=group.strip())
        session.add(dealer_group)
        session.flush()
    dealer = Dealer(
        group_id=dealer_group.id,
        code=code,
        name=name.strip(),
        city=city,
        country=country.upper(),
        main_phone=phone,
        brands=brands,
    )
    session.add(dealer)
    session.flush()
    return dealer


def dealer_by_code(session: Session, code: str) -> Dealer:
    dealer = session.scalar(select(Dealer).where(Dealer.code == code.strip().upper()))
    if dealer is None:
        known = ", ".join(session.scalars(select(Dealer.code).order_by(Dealer.code))) or "none yet"
        raise InvalidInput(f"no dealer with code {code!r} (known: {known})")
    return dealer


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInput(f"unknown role {value!r} — use one of: {allowed}") from None


def add_staff(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    display_name: str,
    role: str,
    dealer_code: str,
) -> StaffMember:
    """Grant a Slack user access, or update their role, name and rooftop if already known."""
    team_id, user_id = team_id.strip().upper(), user_id.strip().upper()
    if not team_id.startswith("T") or not user_id.startswith(("U", "W")):
        raise InvalidInput(
            "Slack ids look like T0123ABCD (team) and U0456EFGH (user) — copy them from the "
            "user's Slack profile (⋮ → Copy member ID)"
        )
    parsed = parse_role(role)
    dealer = dealer_by_code(session, dealer_code)
    staff = find_staff(session, team_id, user_id, active_only=False)
    if staff is None:
        staff = StaffMember(slack_team_id=team_id, slack_user_id=user_id)
        session.add(staff)
    staff.display_name = display_name.strip() or user_id
    staff.role = parsed.value
    staff.dealer_id = dealer.id
    staff.active = True
    session.flush()
    return staff


def deactivate_staff(session: Session, team_id: str, user_id: str) -> StaffMember:
    staff = find_staff(session, team_id.strip().upper(), user_id.strip().upper(), active_only=False)
    if staff is None:
        raise InvalidInput(f"no staff member {team_id}/{user_id}")
    staff.active = False
    session.flush()
    return staff


def find_staff(
    session: Session, team_id: str, user_id: str, *, active_only: bool = True
) -> StaffMember | None:
    """The staff member behind a Slack user, or None: unknown users get no customer data."""
    query = select(StaffMember).where(
        StaffMember.slack_team_id == team_id, StaffMember.slack_user_id == user_id
    )
    if active_only:
        query = query.where(StaffMember.active.is_(True))
    return session.scalar(query)
