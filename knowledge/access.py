"""Who is looking, and what they may see of a customer's personal details.

The rule for contact details (phones, e-mails, street address, birth date):

- a card posted where others can read it (a public channel) never shows them;
- otherwise call-center agents, advisors and admins see them — they phone customers back;
- everyone else (trainers, unknown roles) sees them masked.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.errors import AccessDenied, InvalidInput
from knowledge.models import StaffMember
from knowledge.models.enums import Role

CONTACT_ROLES = frozenset({Role.CALL_CENTER.value, Role.ADVISOR.value, Role.ADMIN.value})


@dataclass(frozen=True)
class Viewer:
    # How the audit log names the caller ("slack:T1/U2", "cli:alice"), even when unknown.
    actor: str
    role: str
    staff_id: int | None = None
    dealer_id: int | None = None
    # Where the answer is shown ("cli", "terminal", "slack:C0123" …).
    channel: str | None = None
    # Shown where people other than the viewer can read it.
    public: bool = False

    @property
    def masking(self) -> str:
        """'none' (full details), 'partial' (recognisable, not usable) or 'hidden'."""
        if self.public:
            return "hidden"
        return "none" if self.role in CONTACT_ROLES else "partial"

    @property
    def sees_contact_details(self) -> bool:
        return self.masking == "none"

    def in_public(self, channel: str | None = None) -> Viewer:
        return Viewer(
            self.actor, self.role, self.staff_id, self.dealer_id, channel or self.channel, True
        )


def operator(actor: str, channel: str = "cli") -> Viewer:
    """The store's operator at the command line: an admin, audited under ``actor``."""
    return Viewer(actor=actor, role=Role.ADMIN.value, channel=channel)


def staff_viewer(staff: StaffMember, *, channel: str | None, public: bool = False) -> Viewer:
    return Viewer(
        actor=f"slack:{staff.slack_team_id}/{staff.slack_user_id}",
        role=staff.role,
        staff_id=staff.id,
        dealer_id=staff.dealer_id,
        channel=channel,
        public=public,
    )


def viewer_for_slack_id(
    session: Session, slack_user_id: str, *, channel: str | None, public: bool = False
) -> Viewer:
    """The active staff member with this Slack user id, as a viewer; refuses anyone else."""
    user = slack_user_id.strip()
    if not user:
        raise InvalidInput("a Slack user id is needed, e.g. U0123ABCD")
    staff = session.scalars(
        select(StaffMember).where(StaffMember.slack_user_id == user).order_by(StaffMember.id)
    ).all()
    if not staff:
        raise AccessDenied(f"no staff member has the Slack id {user!r}")
    if len(staff) > 1:
        raise InvalidInput(
            f"the Slack id {user!r} belongs to staff in {len(staff)} workspaces — give the "
            "workspace as TEAM/USER"
        )
    member = staff[0]
    if not member.active:
        raise AccessDenied(f"{member.display_name} ({user}) is no longer an active staff member")
    return staff_viewer(member, channel=channel, public=public)
