"""Deterministic generation of a realistic dealer-group store.

Rows are produced as plain dicts per table, household by household, with explicit ids, so
they can be bulk-loaded in chunks without round trips: one million customers never sit in
memory at once. The same seed and the same ``now`` always produce the same rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from dataclasses import dataclass, field
from typing import Any

from knowledge.demo import catalog
from knowledge.demo.catalog import ModelSpec
from knowledge.normalize import VIN_ALPHABET, fold, normalize_plate, vin_check_digit

Row = dict[str, Any]

# VIN position 10: model year.
_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"
STAFF_TEAM_ID = "T0DEMO0001"


def vin_for(prefix: str, year: int, serial: int) -> str:
    """A VIN with a correct check digit; ``serial`` makes it unique."""
    assert len(prefix) == 8, prefix
    year_code = _YEAR_CODES[(year - 2010) % 30]
    plant = VIN_ALPHABET[10 + (serial // 1_000_000) % 23]
    body = f"{prefix}0{year_code}{plant}{serial % 1_000_000:06d}"
    return body[:8] + vin_check_digit(body) + body[9:]


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass
class Batch:
    """Rows for a set of households, per table name."""

    rows: dict[str, list[Row]] = field(default_factory=dict)

    def add(self, table: str, row: Row) -> None:
        self.rows.setdefault(table, []).append(row)

    def count(self, table: str) -> int:
        return len(self.rows.get(table, ()))


# Each chunk of customers owns a disjoint id range in every table, so chunks can be generated
# independently (in parallel, in any order) and still fit together.
CHUNK_CUSTOMERS = 5000
ROWS_PER_CUSTOMER_MAX = 64
_ID_TABLES = (
    "contact",
    "relationship",
    "vehicle",
    "ownership",
    "visit",
    "declined",
    "recall",
    "survey",
    "preference",
    "contact_log",
    "source_record",
)


@dataclass
class Ids:
    customer: int = 0
    contact: int = 0
    relationship: int = 0
    vehicle: int = 0
    ownership: int = 0
    visit: int = 0
    declined: int = 0
    recall: int = 0
    survey: int = 0
    preference: int = 0
    contact_log: int = 0
    source_record: int = 0

    @classmethod
    def for_chunk(cls, index: int) -> Ids:
        ids = cls(customer=index * CHUNK_CUSTOMERS)
        for name in _ID_TABLES:
            setattr(ids, name, index * CHUNK_CUSTOMERS * ROWS_PER_CUSTOMER_MAX)
        return ids

    def next(self, name: str) -> int:
        value: int = getattr(self, name) + 1
        setattr(self, name, value)
        return value


@dataclass(frozen=True)
class Person:
    id: int
    culture: str
    given: str
    family: str
    gender: str
    city: tuple[str, str, str, str]


class FastRandom(random.Random):
    """Seeded draws built on ``random()``: same determinism, several times cheaper than the
    stdlib's ``randint``/``choice`` (which go through ``randrange``), and the generator makes
    tens of millions of draws for a million customers."""

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq: Any) -> Any:
        return seq[int(self.random() * len(seq))]


class DemoGenerator:
    """Generates the fixed organisation, then households in chunks."""

    def __init__(self, *, seed: int, now: dt.datetime) -> None:
        self.seed = seed
        self.rng = FastRandom(seed)
        self.now = now.astimezone(dt.UTC)
        self.today = self.now.date()
        self.ids = Ids()
        self._ro_base = 100_000
        self._ro_seq: dict[int, int] = {}
        self._models = catalog.MODELS
        self._model_weights = [m.weight for m in self._models]
        self._cultures = list(catalog.CULTURE_WEIGHTS)
        self._culture_weights = list(catalog.CULTURE_WEIGHTS.values())
        self.dealer_by_make: dict[str, int] = {}
        self.dealer_phone: dict[int, str] = {}
        self.advisors: dict[int, list[int]] = {}
        self.call_center: dict[int, list[int]] = {}
        self.campaigns: list[tuple[int, catalog.RecallSpec]] = []
        self.lounge_slots = 0
        self.lounge_used = 0
        self._sold_here = False
        self._folded: dict[str, str] = {}

    # --- the organisation --------------------------------------------------------------------

    def organisation(self) -> Batch:
        b = Batch()
        b.add("dealer_group", {"id": 1, "name": catalog.GROUP_NAME})
        staff_id = 0
        roles = (("advisor", 4), ("call_center", 2), ("trainer", 1))
        for dealer_id, (code, name, city, phone, brands) in enumerate(catalog.DEALERS, 1):
            b.add(
                "dealer",
                {
                    "id": dealer_id,
                    "group_id": 1,
                    "code": code,
                    "name": name,
                    "city": city,
                    "country": "DE",
                    "timezone": "Europe/Berlin",
                    "main_phone": phone,
                    "brands": brands,
                },
            )
            self.dealer_phone[dealer_id] = phone
            for make in brands.split(","):
                self.dealer_by_make[make] = dealer_id
            for role, count in roles:
                for n in range(1, count + 1):
                    staff_id += 1
                    given, _g = self.rng.choice(
                        catalog.GIVEN_NAMES["de"] + catalog.GIVEN_NAMES["en"]
                    )
                    family = self.rng.choice(catalog.FAMILY_NAMES["de"])
                    b.add(
                        "staff_member",
                        {
                            "id": staff_id,
                            "dealer_id": dealer_id,
                            "slack_team_id": STAFF_TEAM_ID,
                            "slack_user_id": f"U{code}{role[:2].upper()}{n:02d}",
                            "display_name": f"{given} {family}",
                            "role": role,
                            "active": True,
                            "created_at": self.now - dt.timedelta(days=400),
                        },
                    )
                    bucket = self.advisors if role == "advisor" else self.call_center
                    if role in ("advisor", "call_center"):
                        bucket.setdefault(dealer_id, []).append(staff_id)
        staff_id += 1
        b.add(
            "staff_member",
            {
                "id": staff_id,
                "dealer_id": 1,
                "slack_team_id": STAFF_TEAM_ID,
                "slack_user_id": "UADMIN0001",
                "display_name": "Concierge Admin",
                "role": "admin",
                "active": True,
                "created_at": self.now - dt.timedelta(days=400),
            },
        )
        for cid, spec in enumerate(catalog.RECALLS, 1):
            self.campaigns.append((cid, spec))
            b.add(
                "recall_campaign",
                {
                    "id": cid,
                    "code": spec.code,
                    "make": spec.make,
                    "title": spec.title,
                    "description": f"{spec.title} ({', '.join(spec.models)}, "
                    f"{spec.years[0]}–{spec.years[1]})",
                    "remedy": spec.remedy,
                    "remedy_minutes": spec.remedy_minutes,
                    "published_on": dt.date.fromisoformat(spec.published),
                },
            )
        for sid, (name, desc, rank) in enumerate(
            (("crm", "Marketing CRM", 10), ("dms", "Dealer management system", 20)), 1
        ):
            b.add(
                "source_system", {"id": sid, "name": name, "description": desc, "trust_rank": rank}
            )
        return b

    # --- households ----------------------------------------------------------------------------

    def chunk(self, index: int, size: int, lounge: int) -> Batch:
        """Customers ``index * CHUNK_CUSTOMERS + 1 …`` (``size`` of them), whole households.

        Each chunk draws from its own random stream seeded by (seed, index), so its content
        does not depend on which process generates it or in which order. ``lounge`` is how
        many of its customers are on site right now.
        """
        assert 1 <= size <= CHUNK_CUSTOMERS
        self.rng = FastRandom(self.seed * 1_000_003 + index + 1)
        self.ids = Ids.for_chunk(index)
        self._ro_base = 100_000 + index * 100_000
        self._ro_seq = {}
        self.lounge_slots, self.lounge_used = lounge, 0
        self._lounge_every = max(1, size // max(lounge, 1))
        first = self.ids.customer
        batch = Batch()
        while self.ids.customer - first < size:
            self._household(batch, size - (self.ids.customer - first))
        return batch

    def _household(self, b: Batch, room: int) -> None:
        rng = self.rng
        city = rng.choice(catalog.CITIES)
        if room >= 3 and rng.random() < 0.01:
            self._fleet(b, city, room)
            return
        head = self._person(b, city)
        members = [head]
        shared_landline = self._landline(city) if rng.random() < 0.5 else None
        if room >= 2 and rng.random() < 0.33:
            spouse = self._person(
                b, city, family=head.family if rng.random() < 0.7 else None, culture=head.culture
            )
            members.append(spouse)
            self._relate(b, head.id, spouse.id, "spouse")
        if room >= len(members) + 1 and rng.random() < 0.1:
            child = self._person(b, city, family=head.family, culture=head.culture, young=True)
            members.append(child)
            self._relate(b, head.id, child.id, "family")
        for m in members:
            self._contacts(b, m, shared_landline)
            self._profile_rows(b, m)
        for m in members:
            self._vehicles(b, m, members)

    def _fleet(self, b: Batch, city: tuple[str, str, str, str], room: int) -> None:
        rng = self.rng
        cid = self.ids.next("customer")
        family = rng.choice(catalog.FAMILY_NAMES["de"])
        trade = rng.choice(("Logistik", "Bau", "Haustechnik", "Immobilien", "Consulting"))
        company = f"{family} {trade} GmbH"
        since = self._date_between(dt.date(2005, 1, 1), self.today - dt.timedelta(days=400))
        b.add(
            "customer",
            {
                "id": cid,
                "kind": "company",
                "given_name": None,
                "family_name": None,
                "company_name": company,
                "preferred_name": None,
                "salutation": None,
                "pronunciation": None,
                "language": "de",
                "birth_date": None,
                "customer_since": since,
                "home_dealer_id": rng.randint(1, len(catalog.DEALERS)),
                "marketing_consent": True,
                "do_not_contact": False,
                "created_at": self._at(since),
                "updated_at": self._at(since),
            },
        )
        company_person = Person(cid, "de", company, "", "x", city)
        self._contacts(b, company_person, None, company=True)
        self._source(
            b,
            "crm",
            "customer",
            f"CRM-{cid:07d}",
            customer_id=cid,
            payload={"company": company, "city": city[0]},
        )
        for _ in range(min(room - 1, rng.randint(2, 4))):
            driver = self._person(b, city)
            self._relate(b, cid, driver.id, "fleet_driver")
            self._contacts(b, driver, None)
            self._profile_rows(b, driver)
            self._vehicle(
                b,
                owners=[(cid, "owner"), (driver.id, "main_driver")],
                holder=driver,
                since=self._date_between(dt.date(2018, 1, 1), self.today - dt.timedelta(days=60)),
            )

    def _person(
        self,
        b: Batch,
        city: tuple[str, str, str, str],
        *,
        family: str | None = None,
        culture: str | None = None,
        young: bool = False,
    ) -> Person:
        rng = self.rng
        culture = culture or rng.choices(self._cultures, self._culture_weights)[0]
        given, gender = rng.choice(catalog.GIVEN_NAMES[culture])
        family = family or rng.choice(catalog.FAMILY_NAMES[culture])
        cid = self.ids.next("customer")
        age = rng.randint(18, 30) if young else rng.randint(24, 82)
        birth = dt.date(self.today.year - age, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
        preferred = None
        if given in catalog.NICKNAMES and rng.random() < 0.45:
            preferred = rng.choice(catalog.NICKNAMES[given])
        pronunciation = None
        for part in (given, family):
            if part in catalog.PRONUNCIATIONS and rng.random() < 0.8:
                pronunciation = (
                    f"{pronunciation}, {catalog.PRONUNCIATIONS[part]}"
                    if pronunciation
                    else catalog.PRONUNCIATIONS[part]
                )
        language = catalog.CULTURE_LANGUAGE[culture]
        if language not in ("de", "en") and rng.random() < 0.6:
            language = "de"  # most second-generation customers are happy in German
        adult = birth + dt.timedelta(days=18 * 366)
        since = self._date_between(
            max(dt.date(1995, 1, 1), adult), self.today - dt.timedelta(days=10)
        )
        salutation = rng.choice(catalog.SALUTATIONS[gender])
        if rng.random() < 0.05:
            salutation = "Dr."
        b.add(
            "customer",
            {
                "id": cid,
                "kind": "person",
                "given_name": given,
                "family_name": family,
                "company_name": None,
                "preferred_name": preferred,
                "salutation": salutation,
                "pronunciation": pronunciation,
                "language": language,
                "birth_date": birth,
                "customer_since": since,
                "home_dealer_id": None,
                "marketing_consent": rng.random() < 0.62,
                "do_not_contact": rng.random() < 0.03,
                "created_at": self._at(since),
                "updated_at": self._at(since),
            },
        )
        self._source(
            b,
            "crm",
            "customer",
            f"CRM-{cid:07d}",
            customer_id=cid,
            payload={
                "first_name": given,
                "last_name": family,
                "dob": birth.isoformat(),
                "city": city[0],
            },
        )
        return Person(cid, culture, given, family, gender, city)

    def _relate(self, b: Batch, a: int, c: int, kind: str) -> None:
        b.add(
            "customer_relationship",
            {
                "id": self.ids.next("relationship"),
                "customer_id": a,
                "related_customer_id": c,
                "kind": kind,
                "since": None,
            },
        )

    # --- contact points -----------------------------------------------------------------------

    def _mobile(self) -> tuple[str, str]:
        rng = self.rng
        r = rng.random()
        if r < 0.03:
            digits = f"664{rng.randint(1000000, 9999999)}"
            return f"+43{digits}", rng.choice((f"+43 {digits[:3]} {digits[3:]}", f"0043{digits}"))
        if r < 0.05:
            digits = f"79{rng.randint(1000000, 9999999)}"
            return f"+41{digits}", f"+41 {digits[:2]} {digits[2:5]} {digits[5:7]} {digits[7:]}"
        if r < 0.07:
            area = rng.choice(("415", "212", "617", "312"))
            digits = f"{area}{rng.randint(2, 9)}{rng.randint(10, 99)}{rng.randint(1000, 9999)}"
            return f"+1{digits}", f"+1 ({digits[:3]}) {digits[3:6]}-{digits[6:]}"
        prefix, length = rng.choice(
            (
                ("151", 8),
                ("152", 8),
                ("157", 8),
                ("160", 7),
                ("170", 7),
                ("171", 7),
                ("172", 7),
                ("175", 7),
                ("176", 8),
                ("179", 7),
            )
        )
        rest = "".join(str(rng.randint(0, 9)) for _ in range(length))
        e164 = f"+49{prefix}{rest}"
        style = rng.randint(0, 4)
        original = (
            f"0{prefix} {rest}",
            f"+49 {prefix} {rest[:4]} {rest[4:]}",
            f"0{prefix}/{rest}",
            f"(0{prefix}) {rest[:3]}-{rest[3:]}",
            f"0049{prefix}{rest}",
        )[style]
        return e164, original

    def _landline(self, city: tuple[str, str, str, str]) -> tuple[str, str] | None:
        rng = self.rng
        area = {"Hamburg": ("40", 8), "Lübeck": ("451", 6), "Kiel": ("431", 6)}.get(city[0])
        if area is None:
            return None
        code, length = area
        rest = str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(length - 1))
        return f"+49{code}{rest}", rng.choice(
            (f"0{code} {rest}", f"0{code}-{rest}", f"+49 {code} {rest}")
        )

    def _contacts(
        self,
        b: Batch,
        p: Person,
        shared_landline: tuple[str, str] | None,
        *,
        company: bool = False,
    ) -> None:
        rng = self.rng
        seen: set[tuple[str, str]] = set()

        def add(
            kind: str, value: str, normalized: str, primary: bool, source: str, **addr: Any
        ) -> None:
            if (kind, normalized) in seen:
                return
            seen.add((kind, normalized))
            b.add(
                "contact_point",
                {
                    "id": self.ids.next("contact"),
                    "customer_id": p.id,
                    "kind": kind,
                    "value": value,
                    "normalized": normalized,
                    "street": addr.get("street"),
                    "address_line2": addr.get("address_line2"),
                    "city": addr.get("city"),
                    "postcode": addr.get("postcode"),
                    "region": addr.get("region"),
                    "country": addr.get("country"),
                    "source": source,
                    "is_primary": primary,
                    "created_at": self.now - dt.timedelta(days=rng.randint(30, 3000)),
                },
            )

        if company:
            landline = self._landline(p.city) or self._mobile()
            add("phone", landline[1], landline[0], True, "crm")
        else:
            e164, original = self._mobile()
            add("phone", original, e164, True, rng.choice(("crm", "dms")))
            if shared_landline and rng.random() < 0.8:
                add("phone", shared_landline[1], shared_landline[0], False, "dms")
            if rng.random() < 0.003:
                # A data-entry shortcut seen in every DMS: the dealership's own number.
                phone = self.dealer_phone[rng.randint(1, len(self.dealer_phone))]
                add("phone", phone, phone, False, "dms")
        if company or rng.random() < 0.8:
            given, family = self._fold(p.given), self._fold(p.family)
            local = (
                f"info.{given.split()[0]}"
                if company
                else rng.choice(
                    (
                        f"{given}.{family}",
                        f"{given[:1]}.{family}",
                        f"{given}{rng.randint(1, 99)}",
                        f"{family}.{given[:1]}",
                    )
                )
            )
            local = "".join(ch for ch in local if ch.isalnum() or ch in "._")
            domain = rng.choice(catalog.EMAIL_DOMAINS)
            original = f"{local}@{domain}"
            if rng.random() < 0.1:
                original = original.capitalize()
            add("email", original, original.lower(), True, "crm")
        city, postcode_prefix, _plate, region = p.city
        street = f"{rng.choice(catalog.STREETS)} {rng.randint(1, 180)}"
        postcode = postcode_prefix + "".join(
            str(rng.randint(0, 9)) for _ in range(5 - len(postcode_prefix))
        )
        add(
            "address",
            f"{street}, {postcode} {city}",
            fold(f"{street} {postcode} {city}"),
            True,
            "crm",
            street=street,
            city=city,
            postcode=postcode,
            region=region,
            country="DE",
            address_line2=None,
        )

    # --- preferences, notes, contacts -------------------------------------------------------------

    def _profile_rows(self, b: Batch, p: Person) -> None:
        rng = self.rng

        def pref(kind: str, value: str) -> None:
            staff = rng.choice(self.advisors[rng.randint(1, len(catalog.DEALERS))])
            b.add(
                "preference",
                {
                    "id": self.ids.next("preference"),
                    "customer_id": p.id,
                    "kind": kind,
                    "value": value,
                    "recorded_by_id": staff,
                    "recorded_at": self.now
                    - dt.timedelta(days=rng.randint(5, 1500), minutes=rng.randint(0, 600)),
                    "source": "staff",
                },
            )

        if rng.random() < 0.45:
            pref("drink", rng.choice(catalog.DRINKS))
        if rng.random() < 0.55:
            pref(
                "contact_channel",
                rng.choices(("phone", "sms", "email", "whatsapp"), (4, 2, 3, 2))[0],
            )
        if rng.random() < 0.25:
            pref("contact_hours", rng.choice(catalog.CONTACT_HOURS))
        if rng.random() < 0.025:
            pref("accessibility", rng.choice(catalog.ACCESSIBILITY))
        if rng.random() < 0.12:
            pref("note", rng.choice(catalog.NOTES))
        for _ in range(rng.choices((0, 1, 2), (6, 3, 1))[0]):
            marketing = rng.random() < 0.4
            b.add(
                "contact_log",
                {
                    "id": self.ids.next("contact_log"),
                    "customer_id": p.id,
                    "staff_id": None,
                    "channel": "email" if marketing else rng.choice(("phone", "sms")),
                    "direction": "outbound",
                    "purpose": "marketing" if marketing else "service",
                    "at": self.now
                    - dt.timedelta(days=rng.randint(1, 150), hours=rng.randint(0, 9)),
                    "note": "Newsletter" if marketing else "Service reminder",
                },
            )

    # --- vehicles, ownership, visits -----------------------------------------------------------

    def _vehicles(self, b: Batch, p: Person, household: list[Person]) -> None:
        rng = self.rng
        count = (
            rng.choices((0, 1, 2, 3), (8, 62, 25, 5))[0]
            if len(household) > 1
            else rng.choices((1, 2, 3), (70, 25, 5))[0]
        )
        for _ in range(count):
            since = self._date_between(dt.date(2014, 1, 1), self.today - dt.timedelta(days=20))
            owners = [(p.id, "owner")]
            if len(household) > 1 and rng.random() < 0.15:
                other = rng.choice([m for m in household if m.id != p.id])
                owners.append((other.id, "co_owner"))
            self._vehicle(b, owners=owners, holder=p, since=since)
        if rng.random() < 0.25:
            # A car they owned before and sold: its old visits still belong to them.
            since = self._date_between(dt.date(2012, 1, 1), self.today - dt.timedelta(days=1500))
            until = since + dt.timedelta(days=rng.randint(700, 1400))
            self._vehicle(b, owners=[(p.id, "owner")], holder=p, since=since, until=until)

    def _vehicle(
        self,
        b: Batch,
        *,
        owners: list[tuple[int, str]],
        holder: Person,
        since: dt.date,
        until: dt.date | None = None,
    ) -> None:
        rng = self.rng
        spec: ModelSpec = rng.choices(self._models, self._model_weights)[0]
        latest_year = min(spec.years[1], since.year + 1)
        earliest_year = min(spec.years[0], latest_year)
        year = rng.randint(max(earliest_year, latest_year - 6), latest_year)
        in_service = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        if in_service > since:
            in_service = since
        vid = self.ids.next("vehicle")
        vin = vin_for(spec.vin_prefix, year, vid)
        district = holder.city[2]
        letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(rng.randint(1, 2)))
        plate = f"{district}-{letters} {rng.randint(1, 9999)}"
        if spec.model in ("i4 eDrive40", "ID.4", "e-tron", "Taycan"):
            plate += "E"
        end = until or self.today
        years_used = max(0.1, (end - in_service).days / 365.25)
        odometer = int(years_used * rng.randint(7000, 26000))
        warranty_years = 3 if spec.make in ("Toyota",) else 2
        warranty_end = add_years(in_service, warranty_years)
        if rng.random() < 0.3:
            warranty_end = add_years(warranty_end, 2)  # extended warranty
        dealer_id = self.dealer_by_make.get(spec.make)
        sold_here = dealer_id is not None and rng.random() < 0.7
        self._sold_here = sold_here
        b.add(
            "vehicle",
            {
                "id": vid,
                "vin": vin,
                "make": spec.make,
                "model": spec.model,
                "model_year": year,
                "trim": rng.choice(spec.trims),
                "colour": rng.choice(catalog.COLOURS),
                "plate": plate,
                "plate_normalized": normalize_plate(plate),
                "odometer_km": odometer,
                "in_service_date": in_service,
                "warranty_end": warranty_end,
                "next_service_due": None,
                "sold_by_dealer_id": dealer_id if sold_here else None,
                "created_at": self._at(since),
            },
        )
        for code in sorted(rng.sample(spec.options, rng.randint(1, min(4, len(spec.options))))):
            b.add("vehicle_option", {"vehicle_id": vid, "code": code})
        for cid, role in owners:
            b.add(
                "ownership",
                {
                    "id": self.ids.next("ownership"),
                    "customer_id": cid,
                    "vehicle_id": vid,
                    "role": role,
                    "since": since,
                    "until": until,
                },
            )
        source = "dms" if dealer_id else "crm"
        self._source(
            b,
            source,
            "vehicle",
            f"{source.upper()}-V{vid:07d}",
            vehicle_id=vid,
            payload={"vin": vin, "make": spec.make, "model": spec.model, "year": year},
        )
        for cid, spec_recall in self.campaigns:
            if (
                spec_recall.make == spec.make
                and spec.model in spec_recall.models
                and spec_recall.years[0] <= year <= spec_recall.years[1]
            ):
                done = rng.random() < spec_recall.done_share
                status = (
                    ("done_here" if dealer_id and rng.random() < 0.8 else "done_elsewhere")
                    if done
                    else "open"
                )
                b.add(
                    "vehicle_recall",
                    {
                        "id": self.ids.next("recall"),
                        "vehicle_id": vid,
                        "campaign_id": cid,
                        "status": status,
                        "updated_at": self.now - dt.timedelta(days=rng.randint(1, 600)),
                    },
                )
        # Visits belong to the person who brings the car in: the owner, or a fleet's driver.
        last_visit = self._visits(b, vid, holder.id, dealer_id, since, end, odometer, in_service)
        base = last_visit or in_service
        due = base + dt.timedelta(days=365)
        b.rows["vehicle"][-1]["next_service_due"] = due if until is None else None

    def _visits(
        self,
        b: Batch,
        vid: int,
        customer_id: int,
        dealer_id: int | None,
        since: dt.date,
        end: dt.date,
        odometer: int,
        in_service: dt.date,
    ) -> dt.date | None:
        """Past visits while the customer owned the car; maybe one today. Returns the last date."""
        rng = self.rng
        # Most cars the group sold come back for service; few bought elsewhere do.
        if dealer_id is None or rng.random() > (0.75 if self._sold_here else 0.3):
            return None
        day = since + dt.timedelta(days=rng.randint(60, 500))
        last: dt.date | None = None
        total_days = max(1, (end - in_service).days)
        while day < end - dt.timedelta(days=1):
            if day >= self.today:
                break
            km = int(odometer * max(0.02, (day - in_service).days / total_days))
            self._visit(b, vid, customer_id, dealer_id, day, km, today=False)
            last = day
            day += dt.timedelta(days=rng.randint(300, 640))
        if (
            end == self.today
            and self.lounge_used < self.lounge_slots
            and (customer_id - 1) % self._lounge_every == 0
        ):
            self.lounge_used += 1
            self._visit(b, vid, customer_id, dealer_id, self.today, odometer, today=True)
        return last

    def _visit(
        self,
        b: Batch,
        vid: int,
        customer_id: int,
        dealer_id: int,
        day: dt.date,
        km: int,
        *,
        today: bool,
    ) -> None:
        rng = self.rng
        visit_id = self.ids.next("visit")
        seq = self._ro_seq.get(dealer_id, self._ro_base) + 1
        self._ro_seq[dealer_id] = seq
        code = catalog.DEALERS[dealer_id - 1][0]
        concern, work = rng.choice(catalog.CONCERNS)
        advisor = rng.choice(self.advisors[dealer_id])
        if today:
            arrived = self.now - dt.timedelta(minutes=rng.randint(5, 150))
            status, mode = rng.choice(
                (
                    ("waiting", "waiting"),
                    ("waiting", "waiting"),
                    ("in_progress", "waiting"),
                    ("arrived", "waiting"),
                    ("in_progress", "drop_off"),
                    ("in_progress", "loaner"),
                    ("ready", "drop_off"),
                    ("in_progress", "shuttle"),
                )
            )
            promised = arrived + dt.timedelta(minutes=rng.choice((60, 90, 120, 180, 240, 480)))
            b.add(
                "service_visit",
                {
                    "id": visit_id,
                    "ro_number": f"RO-{code}-{seq}",
                    "dealer_id": dealer_id,
                    "customer_id": customer_id,
                    "vehicle_id": vid,
                    "advisor_id": advisor,
                    "status": status,
                    "wait_mode": mode,
                    "opened_at": arrived - dt.timedelta(days=rng.randint(0, 10)),
                    "arrived_at": arrived,
                    "promised_at": promised,
                    "closed_at": None,
                    "odometer_km": km,
                    "concerns": concern,
                    "work_done": None,
                },
            )
            return
        arrived = dt.datetime.combine(
            day, dt.time(rng.randint(6, 10), rng.choice((0, 15, 30, 45))), dt.UTC
        )
        duration = dt.timedelta(hours=rng.choice((1, 2, 3, 5, 8)))
        mode = rng.choices(("waiting", "drop_off", "loaner", "shuttle"), (35, 45, 12, 8))[0]
        b.add(
            "service_visit",
            {
                "id": visit_id,
                "ro_number": f"RO-{code}-{seq}",
                "dealer_id": dealer_id,
                "customer_id": customer_id,
                "vehicle_id": vid,
                "advisor_id": advisor,
                "status": "closed",
                "wait_mode": mode,
                "opened_at": arrived - dt.timedelta(days=rng.randint(1, 20)),
                "arrived_at": arrived,
                "promised_at": arrived + duration,
                "closed_at": arrived
                + duration
                + dt.timedelta(minutes=rng.choice((-30, 0, 0, 15, 45, 120))),
                "odometer_km": km,
                "concerns": concern,
                "work_done": work,
            },
        )
        if rng.random() < 0.2:
            text, months, euros = rng.choice(catalog.DECLINED)
            due = day + dt.timedelta(days=30 * months)
            recent = (self.today - day).days < 540
            b.add(
                "declined_work",
                {
                    "id": self.ids.next("declined"),
                    "visit_id": visit_id,
                    "vehicle_id": vid,
                    "description": text,
                    "due_date": due,
                    "estimate_cents": euros * 100,
                    "status": "open" if recent else rng.choice(("done", "dismissed")),
                },
            )
        if rng.random() < 0.4:
            r = rng.random()
            band = "high" if r < 0.65 else "mid" if r < 0.87 else "low"
            score = {
                "high": rng.randint(9, 10),
                "mid": rng.randint(7, 8),
                "low": rng.randint(1, 6),
            }[band]
            b.add(
                "survey",
                {
                    "id": self.ids.next("survey"),
                    "visit_id": visit_id,
                    "score": score,
                    "comment": rng.choice(catalog.SURVEY_COMMENTS[band]) or None,
                    "surveyed_on": min(self.today, day + dt.timedelta(days=rng.randint(1, 4))),
                    "source": "survey",
                    "created_at": self.now - dt.timedelta(days=(self.today - day).days),
                },
            )

    # --- helpers -------------------------------------------------------------------------------

    def _source(
        self,
        b: Batch,
        system: str,
        entity: str,
        source_id: str,
        *,
        payload: dict[str, Any],
        customer_id: int | None = None,
        vehicle_id: int | None = None,
        visit_id: int | None = None,
    ) -> None:
        text = json.dumps(payload, sort_keys=True)
        b.add(
            "source_record",
            {
                "id": self.ids.next("source_record"),
                "source_system_id": 1 if system == "crm" else 2,
                "entity_type": entity,
                "source_id": source_id,
                "customer_id": customer_id,
                "vehicle_id": vehicle_id,
                "visit_id": visit_id,
                "payload": payload,
                "payload_hash": hashlib.sha256(text.encode()).hexdigest(),
                "match_score": None,
                "match_reason": "generated demo record",
                "first_seen": self.now,
                "last_seen": self.now,
            },
        )

    def _fold(self, name: str) -> str:
        folded = self._folded.get(name)
        if folded is None:
            folded = self._folded[name] = fold(name).replace(" ", "").replace("'", "")
        return folded

    def _date_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    @staticmethod
    def _at(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(9, 0), dt.UTC)
