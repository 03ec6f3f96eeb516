"""Rich renderings of every result an action returns: one function per result kind.

Pure functions from a result to a rich renderable — no input, no store — so they are
tested by rendering to a string. Numbers shown (touches, candidates, vehicles) are the ones
staff type back: ``done 1``, ``2``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

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
from knowledge.card import CardVehicle, CardVisit, CustomerCard

TOUCH_HINT = "done 1 · skip 2 <reason> · n/a 3"
_MODE = {"waiting": "waiting", "drop_off": "drop-off", "loaner": "loaner", "shuttle": "shuttle"}


def _day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


def _money(cents: int | None) -> str:
    return "" if cents is None else f"€{cents / 100:,.0f}"


def _table(*columns: str, title: str | None = None) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False, expand=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


# --- touches --------------------------------------------------------------------------------


def touches(result: TouchList, *, heading: bool = True) -> RenderableType:
    if not result.touches:
        return Text(result.note or "Nothing to suggest right now.", style="dim")
    table = Table.grid(padding=(0, 1))
    table.add_column(justify="right", style="bold cyan")
    table.add_column()
    for t in result.touches:
        mark = f" [green]✓ {t.outcome}[/]" if t.outcome else ""
        table.add_row(
            f"{t.number}.",
            Text.from_markup(
                f"[bold]{escape(t.title)}[/]{mark}\n{escape(t.instruction)}\n"
                f"[dim]why: {escape(t.reason)}[/]"
            ),
        )
    parts: list[RenderableType] = []
    if heading:
        about = f" for {result.customer.name}" if result.customer.name else ""
        ro = f" · {result.ro_number}" if result.ro_number else ""
        parts.append(Text.from_markup(f"[bold]Touches{escape(about)}{ro}[/]"))
    parts.append(table)
    parts.append(Text(TOUCH_HINT, style="dim"))
    return Group(*parts)


# --- the card -------------------------------------------------------------------------------


def _vehicle_row(v: CardVehicle) -> list[str]:
    whose = "own" if v.whose == "own" else "household: " + ", ".join(v.holders)
    recalls = ", ".join(
        f"{r.campaign_code} {r.title}" + (" (while you wait)" if r.while_you_wait else "")
        for r in v.open_recalls
    )
    service = _day(v.next_service_due) + (" (due soon)" if v.service_due_soon else "")
    return [v.label, v.plate or "—", whose, recalls or "—", service]


def _visit_line(v: CardVisit) -> str:
    shown = _MODE.get(v.wait_mode or "", v.wait_mode)
    mode = f" ({shown})" if v.wait_mode and v.wait_mode != v.status else ""
    waited = f", waiting {v.waiting_minutes} min" if v.waiting_minutes else ""
    advisor = f", advisor {v.advisor}" if v.advisor else ""
    concerns = f" — {v.concerns}" if v.concerns else ""
    return f"{v.ro_number} {v.vehicle}: {v.status}{mode}{waited}{advisor}{concerns}"


def card(result: CustomerCardResult) -> RenderableType:
    c: CustomerCard = result.card
    lines: list[RenderableType] = []
    greet = f"greet as [bold]{escape(c.greeting)}[/]"
    if c.pronunciation:
        greet += f" (say: {escape(c.pronunciation)})"
    facts = [greet]
    if c.customer_since:
        facts.append(f"customer since {c.customer_since.year}")
    facts.append(f"{c.visit_count} visit(s)")
    if c.language:
        facts.append(f"language {escape(c.language)}")
    if c.preferred_channel:
        facts.append(f"prefers {escape(c.preferred_channel)}")
    if c.do_not_contact:
        facts.append("[red]do not contact[/]")
    lines.append(Text.from_markup(" · ".join(facts)))
    if result.matched_on:
        lines.append(Text(f"matched on {', '.join(result.matched_on)}", style="dim"))
    if result.check_in is not None:
        ci = result.check_in
        verb = "Opened walk-in" if ci.created else "Checked in" if ci.changed else "Already in"
        mode = _MODE.get(ci.wait_mode, ci.wait_mode) or "wait mode not given"
        lines.append(
            Text.from_markup(
                f"[green]{verb}:[/] {escape(ci.ro_number)} · {escape(ci.vehicle_label)} · "
                f"{escape(mode)}"
            )
        )
    contacts = [
        f"{x.kind} {x.value}" + (" (primary)" if x.primary else "") for x in c.contacts if x.value
    ]
    if contacts:
        lines.append(Text("contact: " + " · ".join(contacts)))
    elif c.masking == "hidden":
        lines.append(Text("contact details hidden here (others can read this channel)", "dim"))
    if c.household:
        members = ", ".join(f"{m['name']} ({m['relation']})" for m in c.household)
        lines.append(Text(f"household: {members}"))
    if c.vehicles:
        table = _table("vehicle", "plate", "whose", "open recalls", "next service")
        for v in c.vehicles:
            table.add_row(*_vehicle_row(v))
        lines.append(table)
    if c.current_visit is not None:
        lines.append(Text.from_markup(f"[bold]Now:[/] {escape(_visit_line(c.current_visit))}"))
    for visit in c.last_visits:
        lines.append(Text(f"last: {visit.opened_at.date().isoformat()} {_visit_line(visit)}"))
    for d in c.declined_due:
        due = "overdue" if d.overdue else f"due {_day(d.due_date)}"
        cost = _money(d.estimate_cents)
        lines.append(Text(f"declined: {d.description} ({d.vehicle}, {due}) {cost}".rstrip()))
    if c.preferences:
        prefs = " · ".join(f"{k.replace('_', ' ')}: {v}" for k, v in c.preferences)
        lines.append(Text(f"preferences: {prefs}"))
    for note in c.notes:
        by = f" — {note.recorded_by}" if note.recorded_by else ""
        lines.append(Text(f"note: {note.text}{by}", style="italic"))
    if c.last_survey is not None:
        comment = f' "{c.last_survey.comment}"' if c.last_survey.comment else ""
        lines.append(Text(f"last survey: {c.last_survey.score}/10{comment}"))
    if result.touches is not None:
        lines.append(touches(result.touches))
    return Panel(Group(*lines), title=f"[bold]{escape(c.name)}[/]", title_align="left")


# --- the rest -------------------------------------------------------------------------------


def candidates(result: CandidateList) -> RenderableType:
    table = Table.grid(padding=(0, 1))
    table.add_column(justify="right", style="bold cyan")
    table.add_column()
    for c in result.candidates:
        table.add_row(
            f"{c.number}.",
            Text.from_markup(
                f"[bold]{escape(c.name)}[/] — {escape(', '.join(c.distinguishing) or 'no details')}"
                f" [dim](matched on {escape(', '.join(c.matched_on))})[/]"
            ),
        )
    hint = "yes / no" if len(result.candidates) == 1 else "type the number, e.g. 2"
    return Group(Text(result.question, style="bold"), table, Text(hint, style="dim"))


def no_match(result: NoMatch) -> RenderableType:
    parts: list[RenderableType] = [Text(result.message, style="yellow")]
    if result.suggestions:
        parts.append(Text("try: " + " · ".join(result.suggestions), style="dim"))
    return Group(*parts)


def vehicles(result: VehicleList) -> RenderableType:
    table = _table("#", "vehicle", "plate", "VIN", "whose", "km", "recalls", "next service",
                   title=f"Vehicles of {result.customer.name}")  # fmt: skip
    for v in result.vehicles:
        whose = (v.own_role or "own").replace("_", "-") if v.own_role else ", ".join(v.held_by)
        table.add_row(
            str(v.number),
            v.label + ("" if v.sold_here else " (not sold by us)"),
            v.plate or "—",
            v.vin,
            whose,
            f"{v.odometer_km:,}" if v.odometer_km is not None else "—",
            str(v.open_recalls) if v.open_recalls else "—",
            _day(v.next_service_due),
        )
    parts: list[RenderableType] = [table]
    if result.in_service_now:
        parts.append(Text(f"in the workshop today: {result.in_service_now}", style="dim"))
    if not result.vehicles:
        parts = [Text(f"No vehicles on record for {result.customer.name}.")]
    return Group(*parts)


def history(result: ServiceHistory) -> RenderableType:
    about = f" ({result.vehicle_label})" if result.vehicle_label else ""
    parts: list[RenderableType] = [
        Text.from_markup(
            f"[bold]Service history of {escape(result.customer.name)}{escape(about)}[/] — "
            f"{result.visit_count} visit(s) in all"
        )
    ]
    if result.current_visit is not None:
        v = result.current_visit
        parts.append(Text(f"now: {v.ro_number} {v.vehicle_label}, {v.status}"))
    if result.visits:
        table = _table("opened", "RO", "vehicle", "km", "concerns", "work done")
        for v in result.visits:
            km = f"{v.odometer_km:,}" if v.odometer_km is not None else "—"
            table.add_row(_day(v.opened_at.date()), v.ro_number, v.vehicle_label, km,
                          v.concerns or "—", v.work_done or "—")  # fmt: skip
        parts.append(table)
    else:
        parts.append(Text("no closed visits", style="dim"))
    for d in result.declined:
        parts.append(Text(f"declined: {d.description} ({d.vehicle_label}, due {_day(d.due_date)})"))
    if result.last_survey_score is not None:
        comment = f' "{result.last_survey_comment}"' if result.last_survey_comment else ""
        parts.append(Text(f"last survey: {result.last_survey_score}/10{comment}"))
    return Group(*parts)


def recalls(result: RecallList) -> RenderableType:
    if not result.recalls:
        return Text(
            f"No open recalls on the {result.vehicles_checked} vehicle(s) of "
            f"{result.customer.name} and household."
        )
    table = _table("vehicle", "VIN", "campaign", "title", "remedy",
                   title=f"Open recalls — {result.customer.name} and household")  # fmt: skip
    for r in result.recalls:
        minutes = f"{r.remedy_minutes} min" if r.remedy_minutes else ""
        whose = " (household)" if r.household else ""
        table.add_row(r.vehicle_label + whose, r.vin, r.campaign_code, r.title,
                      " ".join(p for p in (r.remedy or "", minutes) if p) or "—")  # fmt: skip
    return table


def owners(result: OwnersList) -> RenderableType:
    table = _table("#", "name", "vehicle", "VIN", "plate", "channel", "phone", "e-mail",
                   title=f"{result.description} — {result.total} in all")  # fmt: skip
    for o in result.owners:
        table.add_row(str(o.number), o.name, o.vehicle_label, o.vin, o.plate or "—",
                      o.preferred_channel or "—", o.phone or "—", o.email or "—")  # fmt: skip
    parts: list[RenderableType] = [table]
    if result.pages > 1:
        parts.append(Text(f"page {result.page} of {result.pages} — the CLI exports all: "
                          "concierge owners … --csv FILE", style="dim"))  # fmt: skip
    return Group(*parts)


def report(result: TouchReport) -> RenderableType:
    rate = f"{result.adoption:.0%}" if result.adoption is not None else "—"
    head = Text.from_markup(
        f"[bold]Touches of {escape(result.staff_name)}, {_day(result.period_start)} – "
        f"{_day(result.period_end)}[/]: shown {result.shown}, done {result.done}, skipped "
        f"{result.skipped}, n/a {result.not_applicable}, open {result.open} · adoption {rate}"
    )
    parts: list[RenderableType] = [head]
    if result.rows:
        table = _table("touch", "shown", "done", "skipped", "n/a", "open")
        for r in result.rows:
            table.add_row(r.title, str(r.shown), str(r.done), str(r.skipped),
                          str(r.not_applicable), str(r.open))  # fmt: skip
        parts.append(table)
    if result.skip_reasons:
        reasons = "; ".join(f"{reason} ({n})" for reason, n in result.skip_reasons)
        parts.append(Text(f"skip reasons: {reasons}", style="dim"))
    return Group(*parts)


def confirmation(result: Confirmation) -> RenderableType:
    style = "green" if result.changed else "yellow"
    return Text.from_markup(f"[{style}]✓[/] {escape(result.text)}")


def question(result: Question) -> RenderableType:
    parts: list[RenderableType] = [Text(result.text, style="bold")]
    if result.options:
        parts.append(Text("  " + " · ".join(result.options), style="cyan"))
    return Group(*parts)


def message(result: Message) -> RenderableType:
    parts: list[RenderableType] = [Text(result.text)]
    if result.examples:
        examples = "\n".join(f"  [cyan]›[/] {escape(e)}" for e in result.examples)
        parts.append(Text.from_markup(examples))
    return Group(*parts)


def apology(result: Apology) -> RenderableType:
    style = "bold red" if result.reason == "internal" else "red"
    parts: list[RenderableType] = [Text(result.text, style=style)]
    if result.hint:
        parts.append(Text(result.hint, style="dim"))
    return Group(*parts)


RENDERERS: dict[type[Any], Callable[[Any], RenderableType]] = {
    CustomerCardResult: card,
    CandidateList: candidates,
    NoMatch: no_match,
    VehicleList: vehicles,
    ServiceHistory: history,
    RecallList: recalls,
    TouchList: touches,
    OwnersList: owners,
    TouchReport: report,
    Confirmation: confirmation,
    Question: question,
    Message: message,
    Apology: apology,
}


def render(result: Result) -> RenderableType:
    return RENDERERS[type(result)](result)


def render_reply(reply: Reply) -> Sequence[RenderableType]:
    return [render(r) for r in reply.results]
