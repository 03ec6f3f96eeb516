"""The customer card as Block Kit: the person first, then what is happening and what is open.

Order follows what an advisor needs in the first seconds: how to greet them, the visit now,
open recalls on any of their vehicles, their preferences, the last score, then every vehicle
of theirs and their household, then the touches to do now. The card arrives already masked
for its viewer (``knowledge.card``); this module never decides what may be shown.
"""

from __future__ import annotations

from actions.results import CheckIn, CustomerCardResult
from bot.slack import ids
from bot.slack.blocks.common import (
    Block,
    button,
    context,
    day,
    divider,
    esc,
    header,
    plural,
    section,
)
from bot.slack.blocks.touches import build_touches
from knowledge.card import CardContact, CardVehicle, CardVisit, CustomerCard

VEHICLES_SHOWN = 8
RECALLS_SHOWN = 6

PREFERENCE_LABELS = {
    "drink": ":coffee: drinks",
    "contact_channel": "prefers",
    "contact_hours": "reach",
    "language": "speaks",
    "accessibility": ":wheelchair:",
    "note": ":memo:",
}
WAIT_WORDS = {
    "waiting": "waiting on site",
    "drop_off": "dropped the car off",
    "loaner": "has a loaner",
    "shuttle": "took the shuttle",
}


def _contacts(card: CustomerCard) -> str:
    if card.masking == "hidden":
        return ":lock: Contact details are hidden here (a public channel): ask me in a DM."
    shown = []
    icons = {"phone": ":telephone_receiver:", "email": ":email:", "address": ":house:"}
    for c in card.contacts:
        value = _contact_value(c)
        if value:
            star = " (main)" if c.primary and len(card.contacts) > 1 else ""
            shown.append(f"{icons.get(c.kind, '')} {esc(value)}{star}")
    if not shown:
        return ""
    note = " _(masked for your role)_" if card.masking == "partial" else ""
    return " · ".join(shown[:6]) + note


def _contact_value(c: CardContact) -> str | None:
    if c.kind == "address":
        return c.value or c.city
    return c.value


def _greeting(card: CustomerCard) -> str:
    parts = [f"Greet as *{esc(card.greeting)}*"]
    if card.pronunciation:
        parts.append(f"say “{esc(card.pronunciation)}”")
    if card.language:
        parts.append(f"speaks {esc(card.language)}")
    line = " · ".join(parts)
    facts = []
    if card.customer_since:
        facts.append(f"customer since {card.customer_since.year}")
    facts.append(plural(card.visit_count, "visit"))
    if card.preferred_channel:
        facts.append(f"prefers {esc(card.preferred_channel)}")
    if card.do_not_contact:
        facts.append(":no_entry: do not contact for marketing")
    return f"{line}\n{' · '.join(facts)}"


def _visit_line(v: CardVisit, *, now: bool) -> str:
    bits = [f"*{esc(v.ro_number)}*", esc(v.vehicle), esc(v.status.replace("_", " "))]
    if v.wait_mode:
        bits.append(WAIT_WORDS.get(v.wait_mode, esc(v.wait_mode)))
    if now and v.waiting_minutes is not None:
        bits.append(f"here for {v.waiting_minutes} min")
    if v.promised_at and now:
        bits.append(f"promised {v.promised_at.strftime('%H:%M')} UTC")
    if v.advisor:
        bits.append(f"advisor {esc(v.advisor)}")
    if v.dealer:
        bits.append(esc(v.dealer))
    line = " · ".join(bits)
    if v.concerns:
        line += f"\n_Concerns:_ {esc(v.concerns)}"
    if not now and v.closed_at:
        line = f"{day(v.closed_at)}: " + line
    return line


def _vehicle_line(v: CardVehicle) -> str:
    bits = [f"*{esc(v.label)}*"]
    if v.plate:
        bits.append(esc(v.plate))
    if v.whose == "household":
        holders = ", ".join(v.holders) or "household"
        bits.append(f"held by {esc(holders)}")
    if v.open_recalls:
        bits.append(f":warning: {plural(len(v.open_recalls), 'open recall')}")
    if v.service_due_soon and v.next_service_due:
        bits.append(f"service due {day(v.next_service_due)}")
    if v.under_warranty and v.warranty_end:
        bits.append(f"warranty to {day(v.warranty_end)}")
    return "• " + " · ".join(bits)


def _recalls(card: CustomerCard) -> list[str]:
    lines = []
    for v in card.vehicles:
        for r in v.open_recalls:
            quick = (
                f" — {r.remedy_minutes} min, can be done while they wait"
                if r.while_you_wait
                else (f" — {r.remedy_minutes} min" if r.remedy_minutes else "")
            )
            whose = " (household)" if v.whose == "household" else ""
            lines.append(
                f":warning: *{esc(r.title)}* ({esc(r.campaign_code)}) "
                f"on {esc(v.label)}{whose}{quick}"
            )
    return lines


def _preferences(card: CustomerCard) -> str:
    bits = []
    for kind, value in card.preferences:
        label = PREFERENCE_LABELS.get(kind, esc(kind.replace("_", " ")))
        bits.append(f"{label} {esc(value)}")
    return " · ".join(bits)


def build_customer_card(card: CustomerCard) -> list[Block]:
    """The card's own blocks (no touches): name, greeting, contacts, visit, recalls, …"""
    blocks: list[Block] = [header(card.name), section(_greeting(card))]
    contacts = _contacts(card)
    if contacts:
        blocks.append(context(contacts))
    if card.current_visit:
        blocks.append(
            section(":round_pushpin: *Now:* " + _visit_line(card.current_visit, now=True))
        )
    recalls = _recalls(card)
    if recalls:
        shown = recalls[:RECALLS_SHOWN]
        more = len(recalls) - len(shown)
        text = "\n".join(shown) + (f"\n…and {more} more" if more > 0 else "")
        blocks.append(section(f"*Open recalls ({len(recalls)})*\n{text}"))
    prefs = _preferences(card)
    if prefs:
        blocks.append(section(f"*Preferences:* {prefs}"))
    if card.last_survey:
        s = card.last_survey
        comment = f" — “{esc(s.comment)}”" if s.comment else ""
        blocks.append(section(f"*Last score:* {s.score}/10 on {day(s.surveyed_on)}{comment}"))
    if card.vehicles:
        shown_v = card.vehicles[:VEHICLES_SHOWN]
        more = len(card.vehicles) - len(shown_v)
        lines = [_vehicle_line(v) for v in shown_v]
        if more > 0:
            lines.append(f"…and {more} more")
        title = f"*Vehicles ({len(card.vehicles)}, any make, with household)*"
        blocks.append(section(title + "\n" + "\n".join(lines)))
    if card.declined_due:
        lines = [
            f"• {esc(d.description)} on {esc(d.vehicle)}"
            + (" — *overdue*" if d.overdue else (f" — due {day(d.due_date)}" if d.due_date else ""))
            for d in card.declined_due[:5]
        ]
        blocks.append(section("*Declined work due*\n" + "\n".join(lines)))
    if card.notes:
        lines = [
            f"• {esc(n.text)}" + (f" _({esc(n.recorded_by)})_" if n.recorded_by else "")
            for n in card.notes
        ]
        blocks.append(section("*Notes*\n" + "\n".join(lines)))
    if card.last_visits and not card.current_visit:
        blocks.append(context("Last visit: " + _visit_line(card.last_visits[0], now=False)))
    return blocks


def _check_in(check_in: CheckIn) -> Block:
    verb = "Checked in" if check_in.changed else "Already checked in"
    mode = WAIT_WORDS.get(check_in.wait_mode, check_in.wait_mode)
    return section(
        f":inbox_tray: {verb}: *{esc(check_in.ro_number)}* · "
        f"{esc(check_in.vehicle_label)} · {esc(mode)}"
    )


def survey_button(ro_number: str) -> Block:
    return button("Record what they said", ids.OPEN_SURVEY, ro_number)


def build_card_result(result: CustomerCardResult) -> list[Block]:
    """The card, then what was just checked in, then the touches with their buttons."""
    card = result.card
    blocks = build_customer_card(card)
    if result.check_in:
        blocks.insert(2, _check_in(result.check_in))
    if result.matched_on:
        blocks.append(context("Found by " + esc(", ".join(result.matched_on))))
    if result.touches is not None:
        blocks.append(divider())
        blocks.extend(build_touches(result.touches))
    visit = card.current_visit
    if visit is not None:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"{ids.OPEN_SURVEY}:{visit.ro_number}"[:255],
                "elements": [survey_button(visit.ro_number)],
            }
        )
    return blocks
