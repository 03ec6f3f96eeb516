"""One export row → canonical records (person, vehicle, repair order, recall), or a rejection.

Normalisation happens here, once: names cleaned (Unicode NFC; all-caps names in title case,
the original stays in the payload), phones to E.164, e-mails trimmed and lower-cased, VINs
upper-cased and check-digit validated, dates per the mapping's formats. Placeholder phones
and e-mails are dropped. A value that is wrong rather than missing (a date that is no date,
an invalid VIN) rejects the whole row, with the reason.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from knowledge.errors import InvalidInput
from knowledge.identity.junk import junk_email_reason, junk_phone_reason
from knowledge.identity.mapping import SourceMapping
from knowledge.identity.readers import lookup
from knowledge.identity.records import PersonRecord
from knowledge.models.enums import RecallStatus, VisitStatus
from knowledge.normalize import clean_text, normalize_email, normalize_phone, normalize_vin

_SPLIT_EMAILS = re.compile(r"[;,\s]+")
_COUNTRIES = {
    "de": "DE", "deu": "DE", "deutschland": "DE", "germany": "DE",
    "at": "AT", "aut": "AT", "osterreich": "AT", "österreich": "AT", "austria": "AT",
    "ch": "CH", "che": "CH", "schweiz": "CH", "switzerland": "CH", "suisse": "CH",
    "nl": "NL", "nld": "NL", "niederlande": "NL", "netherlands": "NL",
    "fr": "FR", "fra": "FR", "frankreich": "FR", "france": "FR",
    "it": "IT", "ita": "IT", "italien": "IT", "italy": "IT",
    "pl": "PL", "pol": "PL", "polen": "PL", "poland": "PL",
    "dk": "DK", "dnk": "DK", "danemark": "DK", "dänemark": "DK", "denmark": "DK",
    "be": "BE", "bel": "BE", "belgien": "BE", "belgium": "BE",
    "lu": "LU", "lux": "LU", "luxemburg": "LU", "luxembourg": "LU",
    "cz": "CZ", "cze": "CZ", "tschechien": "CZ", "czechia": "CZ",
    "us": "US", "usa": "US", "united states": "US",
    "gb": "GB", "uk": "GB", "united kingdom": "GB", "grossbritannien": "GB",
}  # fmt: skip
_RECALL_STATUS_ALIASES = {
    "": RecallStatus.OPEN.value,
    "done": RecallStatus.DONE_HERE.value,
    "closed": RecallStatus.DONE_HERE.value,
    "completed": RecallStatus.DONE_HERE.value,
}


class RowRejected(Exception):
    """This row cannot be used; the message says why (it goes to the rejects report)."""


@dataclass(slots=True)
class VehicleIn:
    vin: str
    make: str | None
    model: str | None
    model_year: int | None
    plate: str | None
    colour: str | None
    in_service_date: dt.date | None
    odometer_km: int | None
    payload: dict[str, Any]


@dataclass(slots=True)
class VisitIn:
    ro_number: str
    dealer_code: str
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    status: str
    odometer_km: int | None
    concerns: str | None
    work_done: str | None
    payload: dict[str, Any]

    @property
    def source_id(self) -> str:
        return f"{self.dealer_code}/{self.ro_number}"


@dataclass(slots=True)
class RecallIn:
    campaign_code: str
    title: str | None
    description: str | None
    remedy: str | None
    remedy_minutes: int | None
    published_on: dt.date | None
    status: str
    payload: dict[str, Any]


@dataclass(slots=True)
class ParsedRow:
    line: int
    person: PersonRecord | None = None
    person_payload: dict[str, Any] | None = None
    vehicle: VehicleIn | None = None
    visit: VisitIn | None = None
    recall: RecallIn | None = None


def _human_format(fmt: str) -> str:
    return (
        fmt.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD")
        .replace("%H", "hh").replace("%M", "mm").replace("%S", "ss")
    )  # fmt: skip


def normalize_country(raw: str) -> str | None:
    value = raw.strip()
    if not value:
        return None
    known = _COUNTRIES.get(value.lower())
    if known:
        return known
    if len(value) == 2 and value.isalpha():
        return value.upper()
    return None


def clean(raw: str) -> str:
    """``clean_text``, with a fast path for the plain printable ASCII most values are."""
    if raw.isascii() and raw.isprintable():
        return " ".join(raw.split())
    return clean_text(raw)


def tidy_name(raw: str) -> str | None:
    """A name as stored: cleaned, and in title case when the source shouted or whispered."""
    value = clean(raw).strip(" ,;")
    if not value:
        return None
    if value.isupper() or value.islower():
        value = value.title()
    return value


class RowParser:
    """Parses rows of one mapping; ``today`` bounds dates, ``dealers`` maps codes to ids."""

    def __init__(self, mapping: SourceMapping, *, today: dt.date, dealers: dict[str, int]) -> None:
        self.mapping = mapping
        self.today = today
        self.dealers = dealers
        self.dotted = mapping.format == "jsonl"
        try:
            self.zone = ZoneInfo(mapping.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(
                f"mapping {mapping.name}: unknown timezone {mapping.timezone!r}"
            ) from None
        self.columns_by_entity: dict[str, list[tuple[str, str]]] = {}
        for canonical, columns in mapping.fields.items():
            entity = canonical.split(".")[0]
            for column in columns:
                self.columns_by_entity.setdefault(entity, []).append((canonical, column))

    # --- values ---------------------------------------------------------------------------

    def _values(self, data: dict[str, Any], canonical: str) -> list[str]:
        out = []
        for column in self.mapping.fields.get(canonical, ()):
            value = lookup(data, column, dotted=self.dotted)
            if value is None:
                continue
            text = value if isinstance(value, str) else str(value)
            text = text.strip()
            if text:
                out.append(text)
        return out

    def _one(self, data: dict[str, Any], canonical: str) -> str | None:
        values = self._values(data, canonical)
        return clean(values[0]) or None if values else None

    def _date(self, data: dict[str, Any], canonical: str) -> dt.date | None:
        value = self._one(data, canonical)
        if value is None:
            return None
        for fmt in self.mapping.date_formats:
            if fmt == "%Y-%m-%d" and len(value) == 10:
                try:  # the common case, ten times faster than strptime
                    return dt.date.fromisoformat(value)
                except ValueError:
                    continue
            try:
                return dt.datetime.strptime(value, fmt).date()
            except ValueError:
                continue
        for fmt in self.mapping.datetime_formats:
            try:
                return dt.datetime.strptime(value, fmt).date()
            except ValueError:
                continue
        shown = " or ".join(_human_format(f) for f in self.mapping.date_formats)
        raise RowRejected(f"{canonical.split('.')[1]} {value!r} is not a date ({shown})")

    def _datetime(self, data: dict[str, Any], canonical: str) -> dt.datetime | None:
        value = self._one(data, canonical)
        if value is None:
            return None
        for fmt in (*self.mapping.datetime_formats, *self.mapping.date_formats):
            try:
                parsed = dt.datetime.strptime(value, fmt)
            except ValueError:
                continue
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=self.zone)
            return parsed.astimezone(dt.UTC)
        shown = " or ".join(_human_format(f) for f in self.mapping.datetime_formats)
        raise RowRejected(f"{canonical.split('.')[1]} {value!r} is not a date and time ({shown})")

    def _int(self, data: dict[str, Any], canonical: str, low: int, high: int) -> int | None:
        value = self._one(data, canonical)
        if value is None:
            return None
        # "12.345 km" (German thousands) → 12345.
        digits = value.lower().removesuffix("km").replace(".", "").replace(" ", "")
        try:
            number = int(digits)
        except ValueError:
            raise RowRejected(
                f"{canonical.split('.')[1]} {value!r} is not a whole number"
            ) from None
        if not low <= number <= high:
            raise RowRejected(f"{canonical.split('.')[1]} {number} is out of range")
        return number

    def _payload(self, data: dict[str, Any], entity: str) -> dict[str, Any]:
        payload: dict[str, Any] = {}
        for _, column in self.columns_by_entity.get(entity, ()):
            value = lookup(data, column, dotted=self.dotted)
            if value not in (None, ""):
                payload[column] = value
        return payload

    # --- entities -------------------------------------------------------------------------

    def parse(self, line: int, data: dict[str, Any]) -> ParsedRow:
        row = ParsedRow(line)
        entities = self.mapping.entities
        if "customer" in entities:
            row.person_payload = self._payload(data, "customer")
            if row.person_payload or "visit" in entities:
                row.person = self._person(data)
        if "vehicle" in entities:
            row.vehicle = self._vehicle(data)
        if "visit" in entities:
            row.visit = self._visit(data)
            if row.visit is not None and row.person is None:
                raise RowRejected("a repair order needs its owner (the customer columns are empty)")
        if "recall" in entities:
            row.recall = self._recall(data)
        if row.person is None and row.vehicle is None and row.recall is None:
            raise RowRejected("the row is empty")
        return row

    def _person(self, data: dict[str, Any]) -> PersonRecord:
        source_id = self._one(data, "customer.source_id")
        if not source_id:
            raise RowRejected("source_id is empty")
        if len(source_id) > 128:
            raise RowRejected("source_id is longer than 128 characters")
        given = tidy_name(self._one(data, "customer.given_name") or "")
        family = tidy_name(self._one(data, "customer.family_name") or "")
        full = self._one(data, "customer.full_name")
        if full and not (given or family):
            given, family = self._split_full_name(full)
        company = self._one(data, "customer.company_name")
        birth = self._date(data, "customer.birth_date")
        if birth is not None and not dt.date(1900, 1, 1) <= birth <= self.today:
            raise RowRejected(f"birth_date {birth.isoformat()} is not a plausible birth date")
        raw_country = self._one(data, "customer.country")
        country = normalize_country(raw_country) if raw_country else None
        if raw_country and country is None:
            raise RowRejected(f"country {raw_country!r} is not a country code or known name")
        postcode = self._one(data, "customer.postcode")
        city = self._one(data, "customer.city")
        street = self._one(data, "customer.street")
        if country is None and (postcode or city or street):
            country = self.mapping.default_country
        region = country if country and country in _PHONE_COUNTRIES else None
        phone_region = region or self.mapping.default_phone_country
        phones: list[str] = []
        phones_raw: list[str] = []
        for raw in self._values(data, "customer.phone"):
            if junk_phone_reason(raw):
                continue
            e164 = normalize_phone(raw, phone_region)
            if e164 and e164 not in phones:
                phones.append(e164)
                phones_raw.append(clean(raw))
        emails: list[str] = []
        for raw in self._values(data, "customer.email"):
            for part in _SPLIT_EMAILS.split(raw):
                email = normalize_email(part) if part else None
                if email and not junk_email_reason(email) and email not in emails:
                    emails.append(email)
        if not (given or family or company or phones or emails):
            raise RowRejected("no name, phone or e-mail: nothing identifies this person")
        updated = self._date(data, "customer.updated")
        return PersonRecord(
            source=self.mapping.name,
            source_id=source_id,
            trust=self.mapping.trust_rank,
            seen=(updated or self.today).isoformat(),
            given_name=given,
            family_name=family,
            company_name=company,
            salutation=self._one(data, "customer.salutation"),
            language=(self._one(data, "customer.language") or "")[:16] or None,
            birth_date=birth.isoformat() if birth else None,
            phones=tuple(phones),
            phones_raw=tuple(phones_raw),
            emails=tuple(emails),
            street=street,
            address_line2=self._one(data, "customer.address_line2"),
            city=city,
            postcode=postcode,
            region=self._one(data, "customer.region"),
            country=country,
        )

    def _split_full_name(self, full: str) -> tuple[str | None, str | None]:
        if "," in full:
            family, _, given = full.partition(",")
            return tidy_name(given), tidy_name(family)
        parts = full.split()
        if len(parts) == 1:
            return None, tidy_name(parts[0])
        if self.mapping.full_name_order == "family_first":
            return tidy_name(" ".join(parts[1:])), tidy_name(parts[0])
        return tidy_name(" ".join(parts[:-1])), tidy_name(parts[-1])

    def _vehicle(self, data: dict[str, Any]) -> VehicleIn | None:
        raw_vin = self._one(data, "vehicle.vin")
        if not raw_vin:
            if "recall" in self.mapping.entities or "visit" in self.mapping.entities:
                raise RowRejected("VIN is empty")
            return None
        try:
            vin = normalize_vin(raw_vin)
        except InvalidInput as exc:
            raise RowRejected(str(exc)) from None
        return VehicleIn(
            vin=vin,
            make=self._one(data, "vehicle.make"),
            model=self._one(data, "vehicle.model"),
            model_year=self._int(data, "vehicle.model_year", 1900, self.today.year + 2),
            plate=self._one(data, "vehicle.plate"),
            colour=self._one(data, "vehicle.colour"),
            in_service_date=self._date(data, "vehicle.in_service_date"),
            odometer_km=self._int(data, "vehicle.odometer_km", 0, 5_000_000),
            payload=self._payload(data, "vehicle"),
        )

    def _visit(self, data: dict[str, Any]) -> VisitIn | None:
        ro = self._one(data, "visit.ro_number")
        if not ro:
            return None
        code = self._one(data, "visit.dealer_code") or self.mapping.default_dealer
        if not code:
            raise RowRejected(f"repair order {ro} has no dealer code")
        if code not in self.dealers:
            raise RowRejected(f"repair order {ro}: unknown dealer code {code!r}")
        opened = self._datetime(data, "visit.opened_at")
        closed = self._datetime(data, "visit.closed_at")
        status = (self._one(data, "visit.status") or "").lower()
        if not status:
            status = VisitStatus.CLOSED.value if closed else VisitStatus.BOOKED.value
        if status not in {s.value for s in VisitStatus}:
            raise RowRejected(f"repair order status {status!r} is not one of the known ones")
        return VisitIn(
            ro_number=ro[:32],
            dealer_code=code,
            opened_at=opened,
            closed_at=closed,
            status=status,
            odometer_km=self._int(data, "visit.odometer_km", 0, 5_000_000),
            concerns=self._one(data, "visit.concerns"),
            work_done=self._one(data, "visit.work_done"),
            payload=self._payload(data, "visit"),
        )

    def _recall(self, data: dict[str, Any]) -> RecallIn | None:
        code = self._one(data, "recall.campaign_code")
        if not code:
            raise RowRejected("campaign code is empty")
        raw_status = (self._one(data, "recall.status") or "").lower()
        status = _RECALL_STATUS_ALIASES.get(raw_status, raw_status)
        if status not in {s.value for s in RecallStatus}:
            raise RowRejected(f"recall status {raw_status!r} is not one of the known ones")
        return RecallIn(
            campaign_code=code[:32],
            title=self._one(data, "recall.title"),
            description=self._one(data, "recall.description"),
            remedy=self._one(data, "recall.remedy"),
            remedy_minutes=self._int(data, "recall.remedy_minutes", 0, 100_000),
            published_on=self._date(data, "recall.published_on"),
            status=status,
            payload=self._payload(data, "recall"),
        )


# Countries whose national phone numbers the address country tells apart from the default.
_PHONE_COUNTRIES = frozenset(set(_COUNTRIES.values()))
