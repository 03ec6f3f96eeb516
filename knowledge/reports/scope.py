"""Whose figures a report covers, and who may see them.

The access rule:

- trainers and admins see everything in their dealer group: the whole group, one of its
  rooftops, or one of its staff members;
- advisors see only their own figures (whatever else they ask for is refused);
- call-center agents, and anyone else, see no reports;
- the store's operator at the command line (no staff member) sees the whole store.

A suggestion belongs to the rooftop of the staff member it was shown to; one shown to
nobody in particular (the command line without ``--as``) belongs to its visit's rooftop.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.access import Viewer
from knowledge.errors import AccessDenied, InvalidInput
from knowledge.models import Dealer, DealerGroup, StaffMember
from knowledge.models.enums import Role
from knowledge.org import dealer_by_code
from knowledge.touches.service import resolve_staff

ScopeKind = Literal["store", "group", "dealer", "advisor"]
REPORT_ROLES = frozenset({Role.TRAINER.value, Role.ADMIN.value})


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    label: str
    timezone: str
    group_id: int | None = None
    # The rooftops covered; None means every rooftop of the store (no filter at all).
    dealer_ids: tuple[int, ...] | None = None
    # The one staff member whose figures these are (kind "advisor").
    staff_id: int | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "label": self.label,
            "timezone": self.timezone,
            "dealer_ids": list(self.dealer_ids) if self.dealer_ids is not None else None,
            "staff_id": self.staff_id,
        }


def may_review(viewer: Viewer) -> bool:
    """Reviews (a visit's suggestions, ratings) are for trainers and admins only."""
    return viewer.role in REPORT_ROLES


def _viewer_group(session: Session, viewer: Viewer) -> int | None:
    if viewer.staff_id is None:
        return None  # the operator: the whole store
    if viewer.dealer_id is None:
        raise AccessDenied(f"{viewer.actor} belongs to no rooftop, so no dealer group")
    group_id = session.scalar(select(Dealer.group_id).where(Dealer.id == viewer.dealer_id))
    if group_id is None:
        raise AccessDenied(f"{viewer.actor} belongs to no rooftop, so no dealer group")
    return group_id


def _common_timezone(session: Session, dealer_ids: tuple[int, ...] | None) -> str:
    query = select(Dealer.timezone)
    if dealer_ids is not None:
        query = query.where(Dealer.id.in_(dealer_ids))
    zones = Counter(z or "UTC" for z in session.scalars(query))
    # The zone most rooftops use, the alphabetically first on a tie: stable across runs.
    return min(zones.items(), key=lambda kv: (-kv[1], kv[0]))[0] if zones else "UTC"


def _group_scope(session: Session, group_id: int) -> Scope:
    group = session.get(DealerGroup, group_id)
    ids = tuple(session.scalars(select(Dealer.id).where(Dealer.group_id == group_id)))
    everything = session.scalar(select(Dealer.id).where(Dealer.group_id != group_id).limit(1))
    return Scope(
        kind="group",
        label=f"dealer group {group.name}" if group else f"dealer group #{group_id}",
        timezone=_common_timezone(session, ids),
        group_id=group_id,
        # The group is the whole store: no filter (and no join) at all.
        dealer_ids=None if everything is None else ids,
    )


def _store_scope(session: Session) -> Scope:
    groups = list(session.scalars(select(DealerGroup.id).limit(2)))
    if len(groups) == 1:
        return _group_scope(session, groups[0])
    return Scope(kind="store", label="every rooftop", timezone=_common_timezone(session, None))


def _staff_scope(session: Session, staff: StaffMember) -> Scope:
    dealer = session.get(Dealer, staff.dealer_id)
    zone = (dealer.timezone if dealer else None) or "UTC"
    where = f" ({dealer.code})" if dealer else ""
    return Scope(
        kind="advisor",
        label=f"{staff.display_name}{where}",
        timezone=zone,
        group_id=dealer.group_id if dealer else None,
        dealer_ids=(staff.dealer_id,),
        staff_id=staff.id,
    )


def resolve_scope(
    session: Session,
    viewer: Viewer,
    *,
    dealer: str | None = None,
    advisor: str | None = None,
) -> Scope:
    """The scope ``viewer`` asked for, or ``AccessDenied`` when the access rule forbids it.

    ``dealer`` is a rooftop code; ``advisor`` a staff member (Slack user id, id or name).
    """
    if dealer and advisor:
        raise InvalidInput("give a dealer or an advisor, not both")
    if viewer.role == Role.ADVISOR.value:
        if viewer.staff_id is None:
            raise AccessDenied("an advisor's report needs to know which advisor is asking")
        me = session.get(StaffMember, viewer.staff_id)
        if me is None or not me.active:
            raise AccessDenied(f"{viewer.actor} is not an active staff member")
        if dealer:
            raise AccessDenied("advisors see only their own figures, not a rooftop's")
        if advisor:
            asked = resolve_staff(session, advisor)
            if asked.staff_id != me.id:
                raise AccessDenied("advisors see only their own figures")
        return _staff_scope(session, me)
    if viewer.role not in REPORT_ROLES:
        who = "call-center agents" if viewer.role == Role.CALL_CENTER.value else viewer.role
        raise AccessDenied(f"reports are for trainers and admins; {who} have none")
    if viewer.staff_id is not None:
        me = session.get(StaffMember, viewer.staff_id)
        if me is None or not me.active:
            raise AccessDenied(f"{viewer.actor} is not an active staff member")
    group_id = _viewer_group(session, viewer)
    if dealer:
        rooftop = dealer_by_code(session, dealer)
        if group_id is not None and rooftop.group_id != group_id:
            raise AccessDenied(f"{rooftop.code} belongs to another dealer group")
        return Scope(
            kind="dealer",
            label=f"{rooftop.code} — {rooftop.name}",
            timezone=rooftop.timezone or "UTC",
            group_id=rooftop.group_id,
            dealer_ids=(rooftop.id,),
        )
    if advisor:
        asked = resolve_staff(session, advisor)
        staff = session.get(StaffMember, asked.staff_id)
        assert staff is not None
        scope = _staff_scope(session, staff)
        if group_id is not None and scope.group_id != group_id:
            raise AccessDenied(f"{staff.display_name} works for another dealer group")
        return scope
    if group_id is None:
        return _store_scope(session)
    return _group_scope(session, group_id)
