"""What actions answer: structured results that every front end renders its own way.

An action returns one or more results; the dialogue wraps them in a :class:`Reply`. The
Slack front end turns each kind into Block Kit, the terminal chat into rich text. Nothing
here is formatted for a screen: texts are plain sentences, dates are dates, numbers are
numbers. Every result has a ``kind`` (a stable string a renderer dispatches on) and
``to_dict()`` (JSON-able, for logs, tests and ``--json``).

Numbers shown to staff (``number``) are 1-based positions in the list as displayed, so
"the second one" or ``done 2`` refers to what the person saw. A touch also carries its
``suggestion_id``: what a Slack button or ``done 2`` records an outcome against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from knowledge.card import CustomerCard

# --- shared pieces --------------------------------------------------------------------------


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class CustomerRef:
    """Whom a result is about, in the words staff greet them with."""

    customer_id: int
    name: str
    preferred_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "name": self.name,
            "preferred_name": self.preferred_name,
        }


# --- touches --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TouchItem:
    number: int  # as shown: "done 1" marks this one
    suggestion_id: int | None  # what an outcome is recorded against; None if not recorded
    touch_id: str
    title: str
    category: str
    category_label: str
    instruction: str
    reason: str
    needs_consent: bool = False
    # Set once staff marked it in this conversation: done | skipped | not_applicable.
    outcome: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "suggestion_id": self.suggestion_id,
            "touch_id": self.touch_id,
            "title": self.title,
            "category": self.category,
            "category_label": self.category_label,
            "instruction": self.instruction,
            "reason": self.reason,
            "needs_consent": self.needs_consent,
            "outcome": self.outcome,
        }


@dataclass(frozen=True)
class TouchList:
    kind: ClassVar[str] = "touches"
    customer: CustomerRef
    touches: tuple[TouchItem, ...]
    ro_number: str | None = None
    playbook_version: str | None = None
    # How many applicable touches were held back (cooldown, consent, limit…).
    held_back: int = 0
    # A line for the reader when there is nothing to suggest, or something to explain.
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "customer": self.customer.to_dict(),
            "touches": [t.to_dict() for t in self.touches],
            "ro_number": self.ro_number,
            "playbook_version": self.playbook_version,
            "held_back": self.held_back,
            "note": self.note,
        }


# --- the card -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckIn:
    """A visit the customer was just checked in for (``customer_arrived``)."""

    visit_id: int
    ro_number: str
    vehicle_label: str
    wait_mode: str  # waiting | drop_off | loaner | shuttle
    status: str
    arrived_at: dt.datetime
    # False when the visit was already checked in the same way: nothing was written.
    changed: bool = True
    # True when a new repair order was opened (a walk-in), not a booking checked in.
    created: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "visit_id": self.visit_id,
            "ro_number": self.ro_number,
            "vehicle_label": self.vehicle_label,
            "wait_mode": self.wait_mode,
            "status": self.status,
            "arrived_at": _iso(self.arrived_at),
            "changed": self.changed,
            "created": self.created,
        }


@dataclass(frozen=True)
class CustomerCardResult:
    kind: ClassVar[str] = "card"
    # Already masked for the viewer (contact details by role; hidden in public channels).
    card: CustomerCard
    touches: TouchList | None = None
    check_in: CheckIn | None = None
    # What the lookup matched on ("phone", "family name"…), to show why this customer.
    matched_on: tuple[str, ...] = ()

    @property
    def customer_id(self) -> int:
        return self.card.customer_id

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "card": self.card.to_dict(),
            "touches": self.touches.to_dict() if self.touches else None,
            "check_in": self.check_in.to_dict() if self.check_in else None,
            "matched_on": list(self.matched_on),
        }


# --- choosing a customer --------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateItem:
    number: int  # "the second one" = number 2
    customer_id: int
    name: str
    score: float
    matched_on: tuple[str, ...]
    # Short facts that tell this candidate apart from the others: city, vehicles,
    # last visit, "in the lounge now"…
    distinguishing: tuple[str, ...] = ()
    city: str | None = None
    vehicles: tuple[str, ...] = ()
    last_visit: dt.date | None = None
    in_lounge: bool = False
    preferred_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "customer_id": self.customer_id,
            "name": self.name,
            "score": self.score,
            "matched_on": list(self.matched_on),
            "distinguishing": list(self.distinguishing),
            "city": self.city,
            "vehicles": list(self.vehicles),
            "last_visit": _iso(self.last_visit),
            "in_lounge": self.in_lounge,
            "preferred_name": self.preferred_name,
        }


@dataclass(frozen=True)
class CandidateList:
    """Several customers fit: the person asking picks one (by number, name or a button)."""

    kind: ClassVar[str] = "candidates"
    query: str
    candidates: tuple[CandidateItem, ...]
    question: str
    # The intent to carry out once a candidate is chosen (e.g. list_vehicles).
    pending_intent: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "query": self.query,
            "candidates": [c.to_dict() for c in self.candidates],
            "question": self.question,
            "pending_intent": self.pending_intent,
        }


@dataclass(frozen=True)
class NoMatch:
    """Nobody fits the query."""

    kind: ClassVar[str] = "no_match"
    query: str
    query_kind: str
    message: str
    suggestions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "query": self.query,
            "query_kind": self.query_kind,
            "message": self.message,
            "suggestions": list(self.suggestions),
        }


# --- vehicles, history, recalls -------------------------------------------------------------


@dataclass(frozen=True)
class VehicleItem:
    number: int
    vehicle_id: int
    label: str  # "2021 BMW X5"
    make: str
    model: str
    model_year: int | None
    vin: str
    plate: str | None
    colour: str | None
    odometer_km: int | None
    # The customer's own role (owner, co_owner, main_driver), or None for a household
    # member's vehicle; then ``held_by`` says whose it is.
    own_role: str | None
    held_by: tuple[str, ...]
    open_recalls: int
    next_service_due: dt.date | None
    warranty_end: dt.date | None
    sold_here: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "vehicle_id": self.vehicle_id,
            "label": self.label,
            "make": self.make,
            "model": self.model,
            "model_year": self.model_year,
            "vin": self.vin,
            "plate": self.plate,
            "colour": self.colour,
            "odometer_km": self.odometer_km,
            "own_role": self.own_role,
            "held_by": list(self.held_by),
            "open_recalls": self.open_recalls,
            "next_service_due": _iso(self.next_service_due),
            "warranty_end": _iso(self.warranty_end),
            "sold_here": self.sold_here,
        }


@dataclass(frozen=True)
class VehicleList:
    kind: ClassVar[str] = "vehicles"
    customer: CustomerRef
    vehicles: tuple[VehicleItem, ...]
    # Set when the question was "what ELSE does she drive": the vehicle in today's visit
    # is listed last and named here.
    in_service_now: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "customer": self.customer.to_dict(),
            "vehicles": [v.to_dict() for v in self.vehicles],
            "in_service_now": self.in_service_now,
        }


@dataclass(frozen=True)
class VisitItem:
    visit_id: int
    ro_number: str
    vehicle_label: str
    status: str
    wait_mode: str | None
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    odometer_km: int | None
    concerns: str | None
    work_done: str | None
    advisor_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "visit_id": self.visit_id,
            "ro_number": self.ro_number,
            "vehicle_label": self.vehicle_label,
            "status": self.status,
            "wait_mode": self.wait_mode,
            "opened_at": _iso(self.opened_at),
            "closed_at": _iso(self.closed_at),
            "odometer_km": self.odometer_km,
            "concerns": self.concerns,
            "work_done": self.work_done,
            "advisor_name": self.advisor_name,
        }


@dataclass(frozen=True)
class DeclinedItem:
    vehicle_label: str
    description: str
    due_date: dt.date | None
    estimate_cents: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "vehicle_label": self.vehicle_label,
            "description": self.description,
            "due_date": _iso(self.due_date),
            "estimate_cents": self.estimate_cents,
        }


@dataclass(frozen=True)
class ServiceHistory:
    kind: ClassVar[str] = "service_history"
    customer: CustomerRef
    current_visit: VisitItem | None
    # Closed visits, newest first.
    visits: tuple[VisitItem, ...]
    visit_count: int
    declined: tuple[DeclinedItem, ...] = ()
    # Set when the question named one vehicle: only its visits are listed.
    vehicle_label: str | None = None
    last_survey_score: int | None = None
    last_survey_comment: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "customer": self.customer.to_dict(),
            "current_visit": self.current_visit.to_dict() if self.current_visit else None,
            "visits": [v.to_dict() for v in self.visits],
            "visit_count": self.visit_count,
            "declined": [d.to_dict() for d in self.declined],
            "vehicle_label": self.vehicle_label,
            "last_survey_score": self.last_survey_score,
            "last_survey_comment": self.last_survey_comment,
        }


@dataclass(frozen=True)
class RecallItem:
    vehicle_id: int
    vehicle_label: str
    vin: str
    campaign_code: str
    title: str
    remedy: str | None
    remedy_minutes: int | None
    # True when the vehicle is a household member's, not the customer's own.
    household: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "vehicle_id": self.vehicle_id,
            "vehicle_label": self.vehicle_label,
            "vin": self.vin,
            "campaign_code": self.campaign_code,
            "title": self.title,
            "remedy": self.remedy,
            "remedy_minutes": self.remedy_minutes,
            "household": self.household,
        }


@dataclass(frozen=True)
class RecallList:
    kind: ClassVar[str] = "recalls"
    customer: CustomerRef
    recalls: tuple[RecallItem, ...]
    vehicles_checked: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "customer": self.customer.to_dict(),
            "recalls": [r.to_dict() for r in self.recalls],
            "vehicles_checked": self.vehicles_checked,
        }


# --- owners ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnerItem:
    number: int
    customer_id: int
    name: str
    vehicle_label: str
    vin: str
    plate: str | None
    preferred_channel: str | None
    # Contact details the viewer may see; None when masked.
    phone: str | None = None
    email: str | None = None
    open_recalls: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "customer_id": self.customer_id,
            "name": self.name,
            "vehicle_label": self.vehicle_label,
            "vin": self.vin,
            "plate": self.plate,
            "preferred_channel": self.preferred_channel,
            "phone": self.phone,
            "email": self.email,
            "open_recalls": list(self.open_recalls),
        }


@dataclass(frozen=True)
class OwnersList:
    kind: ClassVar[str] = "owners"
    # What was asked, in words: "owners of 2019–2021 BMW X5 with open recall 0061940300".
    description: str
    owners: tuple[OwnerItem, ...]
    total: int
    page: int = 1
    pages: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "description": self.description,
            "owners": [o.to_dict() for o in self.owners],
            "total": self.total,
            "page": self.page,
            "pages": self.pages,
        }


# --- reports --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TouchReportRow:
    touch_id: str
    title: str
    shown: int
    done: int
    skipped: int
    not_applicable: int

    @property
    def open(self) -> int:
        return self.shown - self.done - self.skipped - self.not_applicable

    def to_dict(self) -> dict[str, Any]:
        return {
            "touch_id": self.touch_id,
            "title": self.title,
            "shown": self.shown,
            "done": self.done,
            "skipped": self.skipped,
            "not_applicable": self.not_applicable,
            "open": self.open,
        }


@dataclass(frozen=True)
class TouchReport:
    """Touch adoption over a period (``touch_report``): one staff member's, or — asked by a
    trainer — their dealer group's (then ``staff_id`` is None and ``staff_name`` names it)."""

    kind: ClassVar[str] = "touch_report"
    staff_id: int | None
    staff_name: str
    period_start: dt.date
    period_end: dt.date  # inclusive
    shown: int
    done: int
    skipped: int
    not_applicable: int
    rows: tuple[TouchReportRow, ...]
    # The most common skip reasons, most frequent first, with their counts.
    skip_reasons: tuple[tuple[str, int], ...] = ()

    @property
    def open(self) -> int:
        return self.shown - self.done - self.skipped - self.not_applicable

    @property
    def adoption(self) -> float | None:
        """Done / shown, or None when nothing was shown."""
        return self.done / self.shown if self.shown else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "staff_id": self.staff_id,
            "staff_name": self.staff_name,
            "period_start": _iso(self.period_start),
            "period_end": _iso(self.period_end),
            "shown": self.shown,
            "done": self.done,
            "skipped": self.skipped,
            "not_applicable": self.not_applicable,
            "open": self.open,
            "adoption": self.adoption,
            "rows": [r.to_dict() for r in self.rows],
            "skip_reasons": [[reason, count] for reason, count in self.skip_reasons],
        }


# --- writes, questions, messages, errors ----------------------------------------------------

ConfirmationAction = Literal[
    "preference_recorded", "touch_outcome", "touch_logged", "checked_in", "contact_logged"
]


@dataclass(frozen=True)
class Confirmation:
    """What was just written to the store, so staff can see it was understood right."""

    kind: ClassVar[str] = "confirmation"
    action: ConfirmationAction
    text: str  # one sentence: "Noted: Mrs Gonzales drinks black coffee."
    customer: CustomerRef | None = None
    # What was written, field by field ("drink" → "black coffee").
    written: tuple[tuple[str, str], ...] = ()
    # False when the same thing was already recorded: nothing changed.
    changed: bool = True
    suggestion_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "action": self.action,
            "text": self.text,
            "customer": self.customer.to_dict() if self.customer else None,
            "written": {k: v for k, v in self.written},
            "changed": self.changed,
            "suggestion_id": self.suggestion_id,
        }


QuestionExpects = Literal["customer", "choice", "confirm", "intent", "detail"]


@dataclass(frozen=True)
class Question:
    """Concierge asks back instead of guessing: which customer, is it her, what did you mean."""

    kind: ClassVar[str] = "question"
    text: str
    expects: QuestionExpects
    # Quick answers a front end may offer as buttons ("yes", "no", an intent's example…).
    options: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "expects": self.expects,
            "options": list(self.options),
        }


MessageTone = Literal["info", "greeting", "farewell", "thanks", "help"]


@dataclass(frozen=True)
class Message:
    kind: ClassVar[str] = "message"
    text: str
    tone: MessageTone = "info"
    # Example messages to try (help, greeting).
    examples: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "tone": self.tone,
            "examples": list(self.examples),
        }


ErrorReason = Literal[
    "nlu_unavailable",
    "invalid_input",
    "access_denied",
    "not_understood",
    "unsupported_language",
    "too_long",
    "several_customers",
    "no_customer",
    "store_unavailable",
    "internal",
]


@dataclass(frozen=True)
class Apology:
    """Something could not be done; ``text`` says what and, where possible, what to do."""

    kind: ClassVar[str] = "apology"
    text: str
    reason: ErrorReason
    hint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "reason": self.reason, "hint": self.hint}


Result = (
    CustomerCardResult
    | CandidateList
    | NoMatch
    | VehicleList
    | ServiceHistory
    | RecallList
    | TouchList
    | OwnersList
    | TouchReport
    | Confirmation
    | Question
    | Message
    | Apology
)


@dataclass(frozen=True)
class Reply:
    """Everything the front end needs for one answer (``Dialogue.handle``'s return)."""

    conversation_key: str
    results: tuple[Result, ...]
    # How the message was read ("" when the NLU was not asked or not available).
    intent: str = ""
    confidence: float = 0.0
    # Whom the conversation is about after this message (None: nobody yet).
    customer_id: int | None = None
    customer_name: str | None = None
    # True when the structured path answered without the NLU (a bare VIN, phone…).
    structured: bool = False
    # What the next message is expected to answer (a choice, a yes/no), if anything.
    awaiting: str | None = None
    # Whether this message wrote anything to the store (besides the conversation itself
    # and the audit log).
    wrote: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "conversation_key": self.conversation_key,
            "results": [r.to_dict() for r in self.results],
            "intent": self.intent,
            "confidence": self.confidence,
            "customer_id": self.customer_id,
            "customer_name": self.customer_name,
            "structured": self.structured,
            "awaiting": self.awaiting,
            "wrote": self.wrote,
            "extra": dict(self.extra),
        }

    def of(self, kind: type[Any]) -> list[Any]:
        """The results of one type, in order (tests and renderers)."""
        return [r for r in self.results if isinstance(r, kind)]
