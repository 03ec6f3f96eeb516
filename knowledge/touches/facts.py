"""The named facts a playbook touch may test and quote, and how they are computed.

A fact has a name, a type and a description: validation checks every condition and
placeholder of the playbook against this list, and trainers read it (``concierge playbook
facts``) to know what they can write. ``compute_facts`` is a pure function of the customer
profile, the visit, the asking staff member, the time and the touch history, so it can be
tested without a database.

Vehicle facts are noun phrases naming whose vehicle it is ("the 2019 BMW X5 xDrive40i
(HH-AB 1234)", "Mark Okafor's 2016 Volkswagen Golf"), ready to drop into an instruction.
"Other" vehicles are every vehicle of the customer or their household except the one in
the workshop on this visit — of any make, sold here or not.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from knowledge.models.enums import CustomerKind, PreferenceKind, VisitStatus, WaitMode

if TYPE_CHECKING:
    from knowledge.profile import CustomerProfile, VehicleInfo, VisitInfo
    from knowledge.touches.schema import Offer

FactValue = bool | int | float | str | tuple[str, ...] | None
Facts = Mapping[str, FactValue]

# "Declined work now due": due already, or within this many days.
DECLINED_DUE_WINDOW_DAYS = 14
# A service date more than this far past says the car is serviced elsewhere or the date is
# stale, not that it is overdue.
OVERDUE_HORIZON_DAYS = 365
# A birthday or purchase anniversary is "near" within half a year either way; the touches
# decide how near is near enough.
_HALF_YEAR = 183


class FactType(StrEnum):
    BOOL = "yes/no"
    INT = "whole number"
    NUMBER = "number"
    TEXT = "text"
    TEXT_LIST = "list of text"


@dataclass(frozen=True)
class FactSpec:
    name: str
    type: FactType
    description: str
    # Whether the fact can be missing (None) — e.g. no preferred drink on record. A list
    # fact is never None but can be empty.
    nullable: bool = False

    @property
    def may_be_empty(self) -> bool:
        return self.nullable or self.type is FactType.TEXT_LIST


def _f(name: str, type_: FactType, description: str, nullable: bool = False) -> FactSpec:
    return FactSpec(name, type_, description, nullable)


B, N, T, L = FactType.BOOL, FactType.NUMBER, FactType.TEXT, FactType.TEXT_LIST
I = FactType.INT  # noqa: E741 — one letter per type keeps the table readable

FACT_SPECS: tuple[FactSpec, ...] = (
    # --- the visit and the clock -------------------------------------------------------
    _f("has_visit", B, "A repair order of the customer is open now (or was named)."),
    _f("visit_status", T, "Status of the visit: arrived, waiting, in_progress, ready…", True),
    _f(
        "wait_mode", T, "How the customer spends the job: waiting, drop_off, loaner, shuttle.", True
    ),
    _f("is_waiting", B, "The customer is waiting on site for the car (not yet ready)."),
    _f("minutes_waiting", I, "Minutes since the waiting customer arrived.", True),
    _f("minutes_to_promised", I, "Minutes until the promised time; negative when past it.", True),
    _f("is_late", B, "The promised time has passed and the car is not ready."),
    _f("minutes_late", I, "Minutes past the promised time, when late.", True),
    _f("promised_time", T, "The promised time in the dealer's local time, e.g. 14:30.", True),
    _f("job_hours", N, "Hours from arrival to the promised time (the planned job length).", True),
    _f("ready_for_pickup", B, "The car is ready and the customer is about to collect it."),
    _f("visit_vehicle", T, "The vehicle in the workshop on this visit.", True),
    _f("visit_concerns", T, "Why the customer came in, as written on the repair order.", True),
    _f("first_visit", B, "This visit is the customer's first with the dealer group."),
    _f("visit_count", I, "Visits on record, including the current one."),
    _f("years_as_customer", I, "Whole years since the customer's first business with us.", True),
    _f("days_since_last_visit", I, "Days since the last closed visit was closed.", True),
    _f("last_visit_vehicle", T, "The vehicle of the last closed visit.", True),
    _f("contacted_since_last_visit", B, "Someone spoke to the customer after the last visit."),
    _f("month", I, "Month of the year (1–12), dealer's local time."),
    _f("local_hour", I, "Hour of the day (0–23), dealer's local time."),
    # --- the person ----------------------------------------------------------------------
    _f("greeting_name", T, "Name to greet with: the preferred name, else title and surname."),
    _f("preferred_name", T, "The name the customer asked to be called by.", True),
    _f("name_pronunciation", T, "How to pronounce the customer's name.", True),
    _f("is_company", B, "The customer is a company (fleet), not a person."),
    _f("preferred_drink", T, "What the customer likes to drink, as staff noted it.", True),
    _f("preferred_channel", T, "How the customer likes to be contacted (phone, sms…).", True),
    _f("contact_hours", T, "When the customer likes to be contacted.", True),
    _f("language", T, "Language the customer prefers (ISO code, e.g. tr).", True),
    _f("language_name", T, "That language in English, e.g. Turkish.", True),
    _f("speaks_other_language", B, "The customer prefers a language other than the dealer's."),
    _f("accessibility_needs", T, "Accessibility needs staff noted.", True),
    _f("days_to_birthday", I, "Days to the nearest birthday; negative just after it.", True),
    _f("birthday_when", T, "The nearest birthday in words: today, tomorrow, in 3 days…", True),
    _f("turning_age", I, "Age the customer turns (or turned) on that birthday.", True),
    # --- every vehicle of the customer and household --------------------------------------
    _f("vehicle_count", I, "Vehicles the customer or their household own or drive now."),
    _f("other_vehicle_count", I, "Of those, vehicles other than the one on this visit."),
    _f("other_vehicles", L, "Those other vehicles, as noun phrases."),
    _f("other_vehicle", T, "The first other vehicle (the customer's own before household).", True),
    _f("other_vehicle_sold_elsewhere", B, "That vehicle was not sold by our dealer group."),
    _f("open_recall_count", I, "Open recalls on all vehicles of the customer and household."),
    _f("visit_recall_code", T, "Campaign code of an open recall on the visit vehicle.", True),
    _f("visit_recall_title", T, "Title of that recall.", True),
    _f("visit_recall_minutes", I, "Workshop minutes that recall's remedy takes.", True),
    _f("other_recall_count", I, "Open recalls on the other vehicles."),
    _f("other_recall_vehicle", T, "Another vehicle with an open recall.", True),
    _f("other_recall_code", T, "Campaign code of that recall.", True),
    _f("other_recall_title", T, "Title of that recall.", True),
    _f("other_recall_minutes", I, "Workshop minutes that recall's remedy takes.", True),
    _f("overdue_service_count", I, "Other vehicles past their service date (within a year)."),
    _f("overdue_service_vehicle", T, "The most overdue of them.", True),
    _f("overdue_service_days", I, "Days that vehicle is past its service due date.", True),
    _f("warranty_vehicle", T, "The vehicle whose warranty ends soonest (not yet ended).", True),
    _f("warranty_days_left", I, "Days until that warranty ends.", True),
    _f(
        "anniversary_vehicle", T, "The customer's own vehicle with the nearest purchase date.", True
    ),
    _f("days_to_purchase_anniversary", I, "Days to that purchase anniversary (signed).", True),
    _f("anniversary_years", I, "Years owned at that anniversary.", True),
    _f("anniversary_when", T, "That anniversary in words: today, in 3 days…", True),
    _f("declined_due_count", I, "Declined work items due now or within 14 days."),
    _f("declined_due", T, "The first of them, as the advisor described it.", True),
    _f("declined_due_vehicle", T, "The vehicle it concerns.", True),
    _f("declined_due_estimate", T, "Its estimate, e.g. €290.", True),
    _f("fitting_offers", L, "Ids of playbook offers that fit one of the customer's vehicles."),
    _f("fitting_offer", T, "Title of the most valuable fitting offer.", True),
    _f("fitting_offer_vehicle", T, "The vehicle it fits.", True),
    # --- feedback and contact --------------------------------------------------------------
    _f("last_survey_score", I, "Score (0–10) of the last satisfaction survey.", True),
    _f("last_survey_comment", T, "Comment of the last survey.", True),
    _f("last_survey_days_ago", I, "Days since the last survey.", True),
    _f("days_since_contact", I, "Days since the last logged contact of any purpose.", True),
    _f("days_since_marketing_contact", I, "Days since the last marketing contact.", True),
    _f("marketing_consent", B, "The customer agreed to promotional contact."),
    _f("do_not_contact", B, "The customer asked not to be contacted."),
    # --- who asks --------------------------------------------------------------------------
    _f("staff_role", T, "Role of the asking staff member: advisor, call_center…", True),
    _f("staff_name", T, "Name of the asking staff member.", True),
    _f("is_visit_advisor", B, "The asking staff member is the advisor of this visit."),
    _f("touches_done_this_visit", I, "Touches already marked done on this occasion."),
)

FACTS: dict[str, FactSpec] = {spec.name: spec for spec in FACT_SPECS}


@dataclass(frozen=True)
class StaffContext:
    """The staff member asking for touches (None when the store's operator asks)."""

    staff_id: int
    name: str
    role: str
    dealer_id: int


@dataclass(frozen=True)
class DealerContext:
    """Where the touches happen: local time and the language the dealership speaks."""

    timezone: str = "UTC"
    language: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class TouchHistory:
    """What was already done for this customer, as far as the touches need to know.

    ``done_at`` holds the newest "done" outcome per touch (cooldowns start there);
    ``handled_this_occasion`` every touch that got any outcome on this visit (or day).
    """

    done_at: Mapping[str, dt.datetime] = field(default_factory=dict)
    handled_this_occasion: frozenset[str] = frozenset()
    done_this_occasion: frozenset[str] = frozenset()
    last_marketing_contact_at: dt.datetime | None = None


# Languages dealers and customers name most; unknown codes are shown as the code.
LANGUAGE_NAMES: dict[str, str] = {
    "ar": "Arabic", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "es": "Spanish", "fa": "Persian", "fi": "Finnish", "fr": "French",
    "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "it": "Italian", "ja": "Japanese",
    "ko": "Korean", "ku": "Kurdish", "nl": "Dutch", "no": "Norwegian", "pl": "Polish",
    "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sq": "Albanian", "sr": "Serbian",
    "sv": "Swedish", "tr": "Turkish", "uk": "Ukrainian", "vi": "Vietnamese", "zh": "Chinese",
}  # fmt: skip

# The language a dealership in that country speaks to its customers.
COUNTRY_LANGUAGE: dict[str, str] = {
    "AT": "de", "BE": "nl", "CH": "de", "DE": "de", "DK": "da", "ES": "es", "FR": "fr",
    "GB": "en", "IE": "en", "IT": "it", "LU": "fr", "NL": "nl", "PL": "pl", "SE": "sv",
    "US": "en",
}  # fmt: skip

_OPEN_WAITING = (
    VisitStatus.ARRIVED.value,
    VisitStatus.WAITING.value,
    VisitStatus.IN_PROGRESS.value,
)
_NOT_READY = (*_OPEN_WAITING, VisitStatus.BOOKED.value)


def language_code(raw: str | None) -> str | None:
    """'de-DE', 'DE', ' tr ' → 'de', 'de', 'tr'; None for nothing."""
    if not raw or not raw.strip():
        return None
    return raw.strip().replace("_", "-").split("-")[0].lower()


def compute_facts(
    profile: CustomerProfile,
    *,
    visit: VisitInfo | None,
    staff: StaffContext | None,
    now: dt.datetime,
    history: TouchHistory,
    offers: Sequence[Offer] = (),
    dealer: DealerContext | None = None,
) -> dict[str, FactValue]:
    """Every fact of ``FACT_SPECS`` for this customer at ``now`` (a pure function)."""
    if now.tzinfo is None:
        raise ValueError("compute_facts needs a time-zone-aware 'now'")
    dealer = dealer or DealerContext()
    local_now = now.astimezone(dealer.zone)
    today = local_now.date()
    facts: dict[str, FactValue] = {}
    facts.update(_visit_facts(profile, visit, now, dealer))
    facts.update(_person_facts(profile, today, dealer))
    facts.update(_vehicle_facts(profile, visit, today, offers))
    facts.update(_feedback_facts(profile, today, now, history, dealer))
    facts["month"] = local_now.month
    facts["local_hour"] = local_now.hour
    facts["staff_role"] = staff.role if staff else None
    facts["staff_name"] = staff.name if staff else None
    facts["is_visit_advisor"] = bool(
        staff and visit and visit.advisor_id is not None and visit.advisor_id == staff.staff_id
    )
    facts["touches_done_this_visit"] = len(history.done_this_occasion)
    return facts


def _minutes(delta: dt.timedelta) -> int:
    return math.floor(delta.total_seconds() / 60)


def _local_date(moment: dt.datetime, dealer: DealerContext) -> dt.date:
    return moment.astimezone(dealer.zone).date()


def _visit_facts(
    profile: CustomerProfile, visit: VisitInfo | None, now: dt.datetime, dealer: DealerContext
) -> dict[str, FactValue]:
    out: dict[str, FactValue] = {
        "has_visit": visit is not None,
        "visit_status": visit.status if visit else None,
        "wait_mode": visit.wait_mode if visit else None,
        "visit_vehicle": None,
        "visit_concerns": (visit.concerns or None) if visit else None,
        "visit_count": profile.visit_count,
        "first_visit": visit is not None and profile.visit_count <= 1,
    }
    is_waiting = bool(
        visit and visit.wait_mode == WaitMode.WAITING.value and visit.status in _OPEN_WAITING
    )
    out["is_waiting"] = is_waiting
    start = (visit.arrived_at or visit.opened_at) if visit else None
    out["minutes_waiting"] = max(0, _minutes(now - start)) if is_waiting and start else None
    to_promised: int | None = None
    promised_time: str | None = None
    job_hours: float | None = None
    if visit and visit.promised_at and visit.status in _NOT_READY:
        to_promised = _minutes(visit.promised_at - now)
        local = visit.promised_at.astimezone(dealer.zone)
        same_day = local.date() == now.astimezone(dealer.zone).date()
        promised_time = local.strftime("%H:%M") if same_day else local.strftime("%a %d %b %H:%M")
    if visit and visit.promised_at and start:
        job_hours = round((visit.promised_at - start).total_seconds() / 3600, 1)
    out["minutes_to_promised"] = to_promised
    out["is_late"] = to_promised is not None and to_promised < 0
    out["minutes_late"] = -to_promised if to_promised is not None and to_promised < 0 else None
    out["promised_time"] = promised_time
    out["job_hours"] = job_hours
    out["ready_for_pickup"] = bool(visit and visit.status == VisitStatus.READY.value)
    if visit:
        vehicle = next((v for v in profile.vehicles if v.vehicle_id == visit.vehicle_id), None)
        out["visit_vehicle"] = (
            vehicle_phrase(vehicle, profile.customer_id)
            if vehicle
            else f"the {visit.vehicle_label}"
        )

    since = profile.customer_since
    today = now.astimezone(dealer.zone).date()
    out["years_as_customer"] = _whole_years(since, today) if since else None
    last = next((v for v in profile.last_visits if v.closed_at is not None), None)
    if last is not None and last.closed_at is not None:
        out["days_since_last_visit"] = (today - _local_date(last.closed_at, dealer)).days
        vehicle = next((v for v in profile.vehicles if v.vehicle_id == last.vehicle_id), None)
        out["last_visit_vehicle"] = (
            vehicle_phrase(vehicle, profile.customer_id) if vehicle else f"the {last.vehicle_label}"
        )
        contact = profile.last_contact
        out["contacted_since_last_visit"] = contact is not None and contact.at > last.closed_at
    else:
        out["days_since_last_visit"] = None
        out["last_visit_vehicle"] = None
        out["contacted_since_last_visit"] = False
    return out


def _whole_years(since: dt.date, today: dt.date) -> int:
    years = today.year - since.year - ((today.month, today.day) < (since.month, since.day))
    return max(0, years)


def _greeting_name(profile: CustomerProfile) -> str:
    if profile.preferred_name:
        return profile.preferred_name
    if profile.kind == CustomerKind.COMPANY.value:
        return profile.display_name
    if profile.salutation and profile.family_name:
        return f"{profile.salutation} {profile.family_name}"
    return profile.given_name or profile.display_name


def _person_facts(
    profile: CustomerProfile, today: dt.date, dealer: DealerContext
) -> dict[str, FactValue]:
    language = language_code(profile.preference(PreferenceKind.LANGUAGE.value)) or language_code(
        profile.language
    )
    out: dict[str, FactValue] = {
        "greeting_name": _greeting_name(profile),
        "preferred_name": profile.preferred_name or None,
        "name_pronunciation": profile.preference(PreferenceKind.NAME_PRONUNCIATION.value)
        or profile.pronunciation
        or None,
        "is_company": profile.kind == CustomerKind.COMPANY.value,
        "preferred_drink": profile.preference(PreferenceKind.DRINK.value) or None,
        "preferred_channel": profile.preference(PreferenceKind.CONTACT_CHANNEL.value) or None,
        "contact_hours": profile.preference(PreferenceKind.CONTACT_HOURS.value) or None,
        "language": language,
        "language_name": LANGUAGE_NAMES.get(language, language) if language else None,
        "speaks_other_language": bool(
            language and dealer.language and language != language_code(dealer.language)
        ),
        "accessibility_needs": profile.preference(PreferenceKind.ACCESSIBILITY.value) or None,
    }
    birthday = _nearest_anniversary(profile.birth_date, today) if profile.birth_date else None
    out["days_to_birthday"] = birthday[0] if birthday else None
    out["birthday_when"] = in_words(birthday[0]) if birthday else None
    out["turning_age"] = birthday[1] if birthday else None
    return out


def _nearest_anniversary(start: dt.date, today: dt.date) -> tuple[int, int] | None:
    """(signed days to the nearest anniversary of ``start``, years at it), None if not yet 1."""
    best: tuple[int, int] | None = None
    for year in (today.year - 1, today.year, today.year + 1):
        years = year - start.year
        if years < 1:
            continue
        try:
            day = start.replace(year=year)
        except ValueError:  # 29 February in a common year
            day = dt.date(year, 2, 28)
        delta = (day - today).days
        if abs(delta) <= _HALF_YEAR and (best is None or abs(delta) < abs(best[0])):
            best = (delta, years)
    return best


def in_words(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    return f"in {days} days" if days > 0 else f"{-days} days ago"


def vehicle_phrase(vehicle: VehicleInfo, customer_id: int) -> str:
    """'the 2019 BMW X5 xDrive40i (HH-AB 1234)' or "Mark Okafor's 2016 Volkswagen Golf"."""
    plate = f" ({vehicle.plate})" if vehicle.plate else ""
    if vehicle.is_own or not vehicle.holders:
        return f"the {vehicle.label}{plate}"
    holder = next((h for h in vehicle.holders if h.customer_id != customer_id), vehicle.holders[0])
    return f"{holder.name}'s {vehicle.label}{plate}"


def _vehicle_facts(
    profile: CustomerProfile, visit: VisitInfo | None, today: dt.date, offers: Sequence[Offer]
) -> dict[str, FactValue]:
    cid = profile.customer_id
    visit_vehicle_id = visit.vehicle_id if visit else None
    visit_vehicle = next((v for v in profile.vehicles if v.vehicle_id == visit_vehicle_id), None)
    others = [v for v in profile.vehicles if v.vehicle_id != visit_vehicle_id]
    out: dict[str, FactValue] = {
        "vehicle_count": len(profile.vehicles),
        "other_vehicle_count": len(others),
        "other_vehicles": tuple(vehicle_phrase(v, cid) for v in others),
        "other_vehicle": vehicle_phrase(others[0], cid) if others else None,
        "other_vehicle_sold_elsewhere": bool(others and others[0].sold_by_dealer_id is None),
        "open_recall_count": sum(len(v.open_recalls) for v in profile.vehicles),
    }
    visit_recall = (
        visit_vehicle.open_recalls[0] if visit_vehicle and visit_vehicle.open_recalls else None
    )
    out["visit_recall_code"] = visit_recall.campaign_code if visit_recall else None
    out["visit_recall_title"] = visit_recall.title if visit_recall else None
    out["visit_recall_minutes"] = visit_recall.remedy_minutes if visit_recall else None
    other_recalls = [(v, r) for v in others for r in v.open_recalls]
    out["other_recall_count"] = len(other_recalls)
    first = other_recalls[0] if other_recalls else None
    out["other_recall_vehicle"] = vehicle_phrase(first[0], cid) if first else None
    out["other_recall_code"] = first[1].campaign_code if first else None
    out["other_recall_title"] = first[1].title if first else None
    out["other_recall_minutes"] = first[1].remedy_minutes if first else None

    overdue = sorted(
        (
            v
            for v in others
            if v.next_service_due is not None
            and 0 < (today - v.next_service_due).days <= OVERDUE_HORIZON_DAYS
        ),
        key=lambda v: (v.next_service_due or today, v.vehicle_id),
    )
    out["overdue_service_count"] = len(overdue)
    out["overdue_service_vehicle"] = vehicle_phrase(overdue[0], cid) if overdue else None
    due = overdue[0].next_service_due if overdue else None
    out["overdue_service_days"] = (today - due).days if due else None

    under_warranty = sorted(
        (v for v in profile.vehicles if v.warranty_end is not None and v.warranty_end >= today),
        key=lambda v: (v.warranty_end or today, v.vehicle_id),
    )
    soonest = under_warranty[0] if under_warranty else None
    out["warranty_vehicle"] = vehicle_phrase(soonest, cid) if soonest else None
    out["warranty_days_left"] = (
        (soonest.warranty_end - today).days if soonest and soonest.warranty_end else None
    )

    anniversary: tuple[int, int, VehicleInfo] | None = None
    for vehicle in profile.own_vehicles:
        mine = next((h for h in vehicle.holders if h.customer_id == cid), None)
        near = _nearest_anniversary(mine.since, today) if mine else None
        if near and (anniversary is None or abs(near[0]) < abs(anniversary[0])):
            anniversary = (near[0], near[1], vehicle)
    out["anniversary_vehicle"] = vehicle_phrase(anniversary[2], cid) if anniversary else None
    out["days_to_purchase_anniversary"] = anniversary[0] if anniversary else None
    out["anniversary_years"] = anniversary[1] if anniversary else None
    out["anniversary_when"] = in_words(anniversary[0]) if anniversary else None

    horizon = today + dt.timedelta(days=DECLINED_DUE_WINDOW_DAYS)
    by_id = {v.vehicle_id: v for v in profile.vehicles}
    declined = [d for d in profile.declined_work if d.is_due(horizon) and d.vehicle_id in by_id]
    out["declined_due_count"] = len(declined)
    item = declined[0] if declined else None
    out["declined_due"] = item.description if item else None
    out["declined_due_vehicle"] = vehicle_phrase(by_id[item.vehicle_id], cid) if item else None
    out["declined_due_estimate"] = (
        f"€{item.estimate_cents / 100:,.0f}" if item and item.estimate_cents is not None else None
    )

    # Offers go to the customer's own vehicles only, the car on this visit first: an offer
    # reaches a touch only through these facts, so it always fits the car it names.
    own = sorted(profile.own_vehicles, key=lambda v: v.vehicle_id != visit_vehicle_id)
    fitting: list[tuple[Offer, VehicleInfo]] = []
    for offer in offers:
        fits = next((v for v in own if offer.fits(v.make, v.options)), None)
        if fits is not None:
            fitting.append((offer, fits))
    fitting.sort(key=lambda ov: (-ov[0].value, ov[0].id))
    out["fitting_offers"] = tuple(o.id for o, _ in fitting)
    out["fitting_offer"] = fitting[0][0].title if fitting else None
    out["fitting_offer_vehicle"] = vehicle_phrase(fitting[0][1], cid) if fitting else None
    return out


def _feedback_facts(
    profile: CustomerProfile,
    today: dt.date,
    now: dt.datetime,
    history: TouchHistory,
    dealer: DealerContext,
) -> dict[str, FactValue]:
    survey = profile.last_survey
    contact = profile.last_contact
    marketing = history.last_marketing_contact_at
    return {
        "last_survey_score": survey.score if survey else None,
        "last_survey_comment": (survey.comment or "").strip() or None if survey else None,
        "last_survey_days_ago": (today - survey.surveyed_on).days if survey else None,
        "days_since_contact": (today - _local_date(contact.at, dealer)).days if contact else None,
        "days_since_marketing_contact": (
            (today - _local_date(marketing, dealer)).days if marketing else None
        ),
        "marketing_consent": profile.marketing_consent,
        "do_not_contact": profile.do_not_contact,
    }


def check_types(facts: Facts) -> list[str]:
    """Differences between ``facts`` and ``FACT_SPECS`` (names and types); empty when sound."""
    problems = [f"missing fact {name}" for name in FACTS if name not in facts]
    problems += [f"undeclared fact {name}" for name in facts if name not in FACTS]
    for name, value in facts.items():
        spec = FACTS.get(name)
        if spec is None:
            continue
        if value is None:
            if not spec.nullable:
                problems.append(f"{name} is None but not nullable")
        elif not value_has_type(value, spec.type):
            problems.append(f"{name}={value!r} is not {spec.type.value}")
    return problems


def value_has_type(value: object, type_: FactType) -> bool:
    if type_ is FactType.BOOL:
        return isinstance(value, bool)
    if type_ is FactType.INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if type_ is FactType.NUMBER:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_ is FactType.TEXT:
        return isinstance(value, str)
    return isinstance(value, tuple) and all(isinstance(v, str) for v in value)
