"""Pieces several actions share: the card with its touches, touches as a numbered list.

Whatever shows touches remembers their numbers in the conversation, so ``done 2`` (or a
Slack button) records the outcome of exactly the suggestion the person saw as number 2.
"""

from __future__ import annotations

from actions.context import Offered
from actions.results import CheckIn, CustomerCardResult, CustomerRef, TouchItem, TouchList
from actions.turn import Turn
from knowledge.card import build_card
from knowledge.profile import CustomerProfile, load_profile
from knowledge.touches.schema import CATEGORIES
from knowledge.touches.service import TouchResult, suggest_touches


def customer_ref(profile: CustomerProfile) -> CustomerRef:
    return CustomerRef(profile.customer_id, profile.display_name, profile.preferred_name)


def profile_of(turn: Turn, customer_id: int, *, how: str, what: str) -> CustomerProfile:
    """Load a customer's profile for an answer, and audit that it was looked at."""
    profile = load_profile(turn.session, customer_id, now=turn.now)
    turn.audit(customer_id, how=how, detail={"shown": what})
    return profile


def touch_list(result: TouchResult) -> TouchList:
    items = tuple(
        TouchItem(
            number=number,
            suggestion_id=t.suggestion_id,
            touch_id=t.id,
            title=t.title,
            category=t.category,
            category_label=CATEGORIES.get(t.category, t.category),
            instruction=t.instruction,
            reason=t.reason,
            needs_consent=t.needs_consent,
        )
        for number, t in enumerate(result.touches, 1)
    )
    note = None
    if not items:
        note = (
            "Nothing to suggest right now"
            + (
                f" ({len(result.held)} held back: done recently, no consent or limit)"
                if result.held
                else ""
            )
            + "."
        )
    return TouchList(
        customer=CustomerRef(result.customer_id, result.customer_name),
        touches=items,
        ro_number=result.ro_number,
        playbook_version=result.playbook_version,
        held_back=len(result.held),
        note=note,
    )


def touches_for(turn: Turn, customer_id: int, profile: CustomerProfile | None = None) -> TouchList:
    """The touches to do now for the customer, recorded as shown and numbered in the context.

    Pass the ``profile`` when it is loaded already (the card's), so it is not read twice.
    """
    result = suggest_touches(
        turn.session,
        turn.playbook,
        customer_id,
        now=turn.now,
        actor=turn.actor,
        staff=turn.staff_context,
        limit=turn.settings.touch_limit,
        record=True,
        profile=profile,
    )
    context = turn.context
    if context.customer_id != customer_id or context.visit_id != result.visit_id:
        context.set_customer(customer_id, result.customer_name, result.visit_id)
    listed = touch_list(result)
    remember_touches(turn, listed)
    return listed


def remember_touches(turn: Turn, listed: TouchList) -> None:
    turn.context.show_touches(
        listed.customer.customer_id,
        [
            Offered(t.number, t.suggestion_id, t.title, [t.touch_id, t.category])
            for t in listed.touches
            if t.suggestion_id is not None
        ],
    )


def card_result(
    turn: Turn,
    customer_id: int,
    *,
    how: str,
    matched_on: tuple[str, ...] = (),
    check_in: CheckIn | None = None,
    with_touches: bool = True,
) -> CustomerCardResult:
    """The customer's card as this viewer may see it (audited), with the touches to do now.

    The conversation is now about this customer.
    """
    profile = load_profile(turn.session, customer_id, now=turn.now)
    card = build_card(
        turn.session, customer_id, viewer=turn.viewer, now=turn.now, profile=profile, how=how
    )
    visit = profile.current_visit
    turn.context.set_customer(customer_id, profile.display_name, visit.visit_id if visit else None)
    touches = touches_for(turn, customer_id, profile) if with_touches else None
    return CustomerCardResult(card=card, touches=touches, check_in=check_in, matched_on=matched_on)
