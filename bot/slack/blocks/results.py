"""Block Kit for every other result an action returns, and one dispatcher for a whole reply.

``build_reply(reply)`` turns a dialogue :class:`~actions.results.Reply` into the blocks of one
Slack message and its notification text; each ``build_*`` function is pure and handles one
result kind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from actions.results import (
    Apology,
    CandidateList,
    Confirmation,
    CustomerCardResult,
    Message,
    NoMatch,
    OwnersList,
    Question,
    RecallList,
    Reply,
    Result,
    ServiceHistory,
    TouchList,
    TouchReport,
    VehicleList,
)
from bot.slack import ids
from bot.slack.blocks.card import build_card_result
from bot.slack.blocks.common import (
    Block,
    actions,
    button,
    context,
    day,
    divider,
    esc,
    fit,
    header,
    plural,
    section,
)
from bot.slack.blocks.touches import build_touches

CANDIDATES_SHOWN = 8
OWNERS_SHOWN = 15
VISITS_SHOWN = 5


def candidate_value(number: int, customer_id: int) -> str:
    return f"{number}|{customer_id}"


def parse_candidate_value(value: Any) -> tuple[int, int] | None:
    number, _, customer = str(value or "").partition("|")
    if not (number.isdigit() and customer.isdigit()):
        return None
    return int(number), int(customer)


def build_candidates(result: CandidateList) -> list[Block]:
    blocks = [section(f":mag: {esc(result.question)}")]
    for c in result.candidates[:CANDIDATES_SHOWN]:
        facts = list(c.distinguishing) or [
            *([c.city] if c.city else []),
            *([", ".join(c.vehicles)] if c.vehicles else []),
            *([f"last visit {day(c.last_visit)}"] if c.last_visit else []),
        ]
        if c.in_lounge and not any("lounge" in f for f in facts):
            facts.append("in the lounge now")
        matched = f"\n_matched on {esc(', '.join(c.matched_on))}_" if c.matched_on else ""
        blocks.append(
            section(
                f"*{c.number}. {esc(c.name)}*"
                + (f" ({esc(c.preferred_name)})" if c.preferred_name else "")
                + (f"\n{esc(' · '.join(facts))}" if facts else "")
                + matched,
                block_id=f"{ids.PICK_CUSTOMER}:{c.customer_id}",
                accessory=button(
                    "This one", ids.PICK_CUSTOMER, candidate_value(c.number, c.customer_id)
                ),
            )
        )
    more = len(result.candidates) - CANDIDATES_SHOWN
    if more > 0:
        blocks.append(context(f"…and {more} more: add a city, a vehicle or a phone number"))
    return blocks


def build_no_match(result: NoMatch) -> list[Block]:
    blocks = [section(f":shrug: {esc(result.message)}")]
    if result.suggestions:
        blocks.append(context("Did you mean: " + esc(", ".join(result.suggestions[:8])) + "?"))
    return blocks


def build_vehicles(result: VehicleList) -> list[Block]:
    who = result.customer.preferred_name or result.customer.name
    lines = []
    for v in result.vehicles:
        bits = [f"*{v.number}. {esc(v.label)}*"]
        if v.plate:
            bits.append(esc(v.plate))
        if v.own_role is None and v.held_by:
            bits.append(f"held by {esc(', '.join(v.held_by))}")
        if v.open_recalls:
            bits.append(f":warning: {plural(v.open_recalls, 'open recall')}")
        if v.next_service_due:
            bits.append(f"service due {day(v.next_service_due)}")
        if v.odometer_km is not None:
            bits.append(f"{v.odometer_km:,} km")
        if v.sold_here:
            bits.append("sold here")
        lines.append(" · ".join(bits))
    text = f"*{esc(who)} drives {plural(len(result.vehicles), 'vehicle')}*"
    if result.in_service_now:
        text += f" (besides the {esc(result.in_service_now)} in service now)"
    return [section(text + ("\n" + "\n".join(lines) if lines else ""))]


def build_history(result: ServiceHistory) -> list[Block]:
    who = result.customer.preferred_name or result.customer.name
    about = f" — {esc(result.vehicle_label)}" if result.vehicle_label else ""
    blocks = [
        section(f"*Service history of {esc(who)}*{about} ({plural(result.visit_count, 'visit')})")
    ]
    if result.current_visit:
        v = result.current_visit
        blocks.append(
            section(
                f":round_pushpin: *Now:* {esc(v.ro_number)} · {esc(v.vehicle_label)} · "
                f"{esc(v.status.replace('_', ' '))}"
                + (f"\n_Concerns:_ {esc(v.concerns)}" if v.concerns else "")
            )
        )
    lines = []
    for v in result.visits[:VISITS_SHOWN]:
        work = f" — {esc(v.work_done)}" if v.work_done else ""
        lines.append(
            f"• {day(v.closed_at or v.opened_at)} *{esc(v.ro_number)}* {esc(v.vehicle_label)}{work}"
        )
    if lines:
        blocks.append(section("\n".join(lines)))
    if result.declined:
        blocks.append(
            section(
                "*Declined work*\n"
                + "\n".join(
                    f"• {esc(d.description)} on {esc(d.vehicle_label)}"
                    + (f" — due {day(d.due_date)}" if d.due_date else "")
                    for d in result.declined[:5]
                )
            )
        )
    if result.last_survey_score is not None:
        comment = f" — “{esc(result.last_survey_comment)}”" if result.last_survey_comment else ""
        blocks.append(context(f"Last score: {result.last_survey_score}/10{comment}"))
    return blocks


def build_recalls(result: RecallList) -> list[Block]:
    who = result.customer.preferred_name or result.customer.name
    if not result.recalls:
        return [
            section(
                f":white_check_mark: No open recalls on {esc(who)}'s "
                f"{plural(result.vehicles_checked, 'vehicle')}."
            )
        ]
    lines = [
        f":warning: *{esc(r.title)}* ({esc(r.campaign_code)}) on {esc(r.vehicle_label)}"
        + (" (household)" if r.household else "")
        + (f" — {r.remedy_minutes} min" if r.remedy_minutes else "")
        + (f"\n   _{esc(r.remedy)}_" if r.remedy else "")
        for r in result.recalls
    ]
    return [
        section(
            f"*{plural(len(result.recalls), 'open recall')} on {esc(who)}'s vehicles* "
            f"({result.vehicles_checked} checked)\n" + "\n".join(lines)
        )
    ]


def build_owners(result: OwnersList) -> list[Block]:
    blocks = [section(f"*{esc(result.description)}* — {plural(result.total, 'owner')}")]
    lines = []
    for o in result.owners[:OWNERS_SHOWN]:
        contact = " · ".join(esc(x) for x in (o.phone, o.email) if x)
        lines.append(
            f"{o.number}. *{esc(o.name)}* · {esc(o.vehicle_label)}"
            + (f" · {esc(o.plate)}" if o.plate else "")
            + (f" · prefers {esc(o.preferred_channel)}" if o.preferred_channel else "")
            + (f" · {contact}" if contact else "")
        )
    if lines:
        blocks.append(section("\n".join(lines)))
    if result.pages > 1:
        blocks.append(context(f"Page {result.page} of {result.pages}"))
    return blocks


def build_touch_report(result: TouchReport) -> list[Block]:
    rate = f"{result.adoption:.0%}" if result.adoption is not None else "—"
    blocks = [
        section(
            f"*Touches of {esc(result.staff_name)}* {day(result.period_start)} – "
            f"{day(result.period_end)}\nshown {result.shown} · done {result.done} · "
            f"skipped {result.skipped} · not applicable {result.not_applicable} · "
            f"open {result.open} · adoption {rate}"
        )
    ]
    lines = [
        f"• {esc(r.title)}: {r.done}/{r.shown} done, {r.skipped} skipped" for r in result.rows[:15]
    ]
    if lines:
        blocks.append(section("\n".join(lines)))
    if result.skip_reasons:
        blocks.append(
            context(
                "Top skip reasons: "
                + esc(", ".join(f"{reason} ({n})" for reason, n in result.skip_reasons[:5]))
            )
        )
    return blocks


def build_confirmation(result: Confirmation) -> list[Block]:
    icon = ":white_check_mark:" if result.changed else ":information_source:"
    return [section(f"{icon} {esc(result.text)}")]


def build_question(result: Question) -> list[Block]:
    blocks = [section(f":grey_question: {esc(result.text)}")]
    if result.options:
        blocks.append(
            actions(
                ids.QUICK_ANSWER,
                *(
                    button(o, f"{ids.QUICK_ANSWER}:{i}", o)
                    for i, o in enumerate(result.options[:5])
                ),
            )
        )
    return blocks


def build_message(result: Message) -> list[Block]:
    icons = {"greeting": ":wave:", "farewell": ":wave:", "thanks": ":slightly_smiling_face:"}
    icon = icons.get(result.tone, "")
    blocks = [section(f"{icon} {esc(result.text)}".strip())]
    if result.examples:
        blocks.append(context("Try: " + " · ".join(f"`{esc(e)}`" for e in result.examples[:8])))
    return blocks


def build_apology(result: Apology) -> list[Block]:
    blocks = [section(f":warning: {esc(result.text)}")]
    if result.hint:
        blocks.append(context(esc(result.hint)))
    return blocks


_BUILDERS: dict[type[Any], Callable[[Any], list[Block]]] = {
    CustomerCardResult: build_card_result,
    CandidateList: build_candidates,
    NoMatch: build_no_match,
    VehicleList: build_vehicles,
    ServiceHistory: build_history,
    RecallList: build_recalls,
    TouchList: build_touches,
    OwnersList: build_owners,
    TouchReport: build_touch_report,
    Confirmation: build_confirmation,
    Question: build_question,
    Message: build_message,
    Apology: build_apology,
}


def build_result(result: Result) -> list[Block]:
    builder = _BUILDERS.get(type(result))
    if builder is None:
        return [section(esc(getattr(result, "text", "") or str(result.kind)))]
    return builder(result)


def fallback_text(result: Result) -> str:
    """The notification text of a result (what Slack shows where blocks cannot be)."""
    if isinstance(result, CustomerCardResult):
        return f"{result.card.name} — customer card"
    if isinstance(result, CandidateList):
        return result.question
    if isinstance(result, NoMatch | Apology):
        return result.message if isinstance(result, NoMatch) else result.text
    if isinstance(result, VehicleList | ServiceHistory | RecallList | TouchList):
        return f"{result.customer.name} — {result.kind.replace('_', ' ')}"
    if isinstance(result, OwnersList):
        return result.description
    if isinstance(result, TouchReport):
        return f"Touches of {result.staff_name}"
    if isinstance(result, Confirmation | Question | Message):
        return result.text
    return str(result.kind)


def build_results(results: Sequence[Result]) -> tuple[str, list[Block]]:
    """One message for several results: their blocks with a divider between them."""
    blocks: list[Block] = []
    for result in results:
        if blocks:
            blocks.append(divider())
        blocks.extend(build_result(result))
    text = " · ".join(fallback_text(r) for r in results) or "…"
    return text[:3000], fit(blocks)


def build_reply(reply: Reply) -> tuple[str, list[Block]]:
    """The notification text and the blocks of the message answering ``reply``."""
    return build_results(reply.results)


def build_help(examples: Sequence[str] = ()) -> list[Block]:
    """What ``/concierge help`` shows."""
    lines = [
        "*Concierge* finds a customer from whatever you have and shows their card, vehicles "
        "(any make, household too), open recalls and the touches to do now.",
        "• `/concierge Anna Müller` · `/concierge +49 151 2345 6789` · "
        "`/concierge WBA…VIN` · `/concierge HH-AB 123` · `/concierge RO-HAM1-204518`",
        "• `/concierge report [30d | this-week | 2026-10]` — touch adoption and satisfaction",
        "• `/concierge survey RO-…` — record what a customer said about a visit",
        "• Mention me in a thread or write me a DM in plain words: "
        "_who is the lady with the white X5?_ · _what else does she drive?_ · _done 2_",
        "Each thread is one conversation: follow-ups refer to the customer of that thread.",
    ]
    blocks = [header("Concierge — help"), section("\n".join(lines))]
    if examples:
        blocks.append(context("Try: " + " · ".join(f"`{esc(e)}`" for e in examples[:8])))
    return blocks


def build_text(text: str) -> list[Block]:
    return [section(esc(text))]


__all__ = [
    "build_apology",
    "build_candidates",
    "build_confirmation",
    "build_help",
    "build_history",
    "build_message",
    "build_no_match",
    "build_owners",
    "build_question",
    "build_recalls",
    "build_reply",
    "build_result",
    "build_results",
    "build_text",
    "build_touch_report",
    "build_vehicles",
    "header",
]
