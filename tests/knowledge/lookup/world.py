"""A small, explicit dealer world for lookup, profile, card and owners tests.

Every helper writes real rows through the ORM and returns them, so a test states exactly the
data it relies on.
"""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.models import (
    ContactLog,
    ContactPoint,
    Customer,
    CustomerRelationship,
    Dealer,
    DealerGroup,
    DeclinedWork,
    Ownership,
    Preference,
    RecallCampaign,
    ServiceVisit,
    StaffMember,
    Survey,
    Vehicle,
    VehicleOption,
    VehicleRecall,
)
from knowledge.normalize import (
    VIN_ALPHABET,
    normalize_email,
    normalize_phone,
    normalize_plate,
    vin_check_digit,
)

NOW = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
TODAY = NOW.date()

_vin_counter = itertools.count(1)


def make_vin(wmi: str = "WBA") -> str:
    """A valid, unique VIN (check digit computed)."""
    n = next(_vin_counter)
    serial = "".join(VIN_ALPHABET[(n // 33**i) % 33] for i in range(6))[::-1]
    body = f"{wmi}8E9G5" + "0" + "GN" + serial
    body = body[:8] + "0" + body[9:]
    return body[:8] + vin_check_digit(body) + body[9:]


class World:
    def __init__(self, session: Session) -> None:
        self.s = session
        self.group = DealerGroup(name="Nordauto Gruppe")
        session.add(self.group)
        session.flush()
        self.hamburg = self.dealer("HAM1", "Nordauto Hamburg", "Hamburg", "+494012345678")
        self.berlin = self.dealer("BER1", "Nordauto Berlin", "Berlin", "+493098765432")

    @classmethod
    def existing(cls, session: Session) -> World:
        """The world already in the store (built earlier by ``World(session)``)."""
        w = cls.__new__(cls)
        w.s = session
        w.group = session.scalars(select(DealerGroup).order_by(DealerGroup.id)).one()
        dealers = {d.code: d for d in session.scalars(select(Dealer))}
        w.hamburg, w.berlin = dealers["HAM1"], dealers["BER1"]
        return w

    def dealer(self, code: str, name: str, city: str, phone: str | None = None) -> Dealer:
        d = Dealer(group_id=self.group.id, code=code, name=name, city=city, main_phone=phone)
        self.s.add(d)
        self.s.flush()
        return d

    def staff(
        self, name: str, role: str, *, dealer: Dealer | None = None, slack_id: str = "U1"
    ) -> StaffMember:
        m = StaffMember(
            dealer_id=(dealer or self.hamburg).id,
            slack_team_id="T1",
            slack_user_id=slack_id,
            display_name=name,
            role=role,
        )
        self.s.add(m)
        self.s.flush()
        return m

    def customer(
        self,
        given: str | None,
        family: str | None,
        *,
        phone: str | None = None,
        email: str | None = None,
        city: str | None = None,
        dealer: Dealer | None = None,
        company: str | None = None,
        **fields: object,
    ) -> Customer:
        c = Customer(
            given_name=given,
            family_name=family,
            company_name=company,
            kind="company" if company and not given else "person",
            home_dealer_id=(dealer or self.hamburg).id,
            **fields,
        )
        self.s.add(c)
        self.s.flush()
        if phone:
            self.contact(c, "phone", phone)
        if email:
            self.contact(c, "email", email)
        if city:
            self.s.add(
                ContactPoint(
                    customer_id=c.id,
                    kind="address",
                    value=f"Hauptstr. 1, {city}",
                    normalized=f"hauptstr 1 {city.lower()}",
                    street="Hauptstr. 1",
                    city=city,
                    country="DE",
                    is_primary=True,
                )
            )
        self.s.flush()
        return c

    def contact(self, c: Customer, kind: str, value: str) -> ContactPoint:
        if kind == "phone":
            normalized = normalize_phone(value) or value
        elif kind == "email":
            normalized = normalize_email(value) or value
        else:
            normalized = value.lower()
        cp = ContactPoint(
            customer_id=c.id, kind=kind, value=value, normalized=normalized, is_primary=True
        )
        self.s.add(cp)
        self.s.flush()
        return cp

    def vehicle(
        self,
        owner: Customer | None,
        make: str,
        model: str,
        year: int,
        *,
        plate: str | None = None,
        vin: str | None = None,
        role: str = "owner",
        options: tuple[str, ...] = (),
        since: dt.date = dt.date(2020, 1, 1),
        until: dt.date | None = None,
        **fields: object,
    ) -> Vehicle:
        v = Vehicle(
            vin=vin or make_vin(),
            make=make,
            model=model,
            model_year=year,
            plate=plate,
            plate_normalized=normalize_plate(plate) if plate else None,
            **fields,
        )
        self.s.add(v)
        self.s.flush()
        for code in options:
            self.s.add(VehicleOption(vehicle_id=v.id, code=code))
        if owner is not None:
            self.own(owner, v, role=role, since=since, until=until)
        self.s.flush()
        return v

    def own(
        self,
        c: Customer,
        v: Vehicle,
        *,
        role: str = "owner",
        since: dt.date = dt.date(2020, 1, 1),
        until: dt.date | None = None,
    ) -> Ownership:
        o = Ownership(customer_id=c.id, vehicle_id=v.id, role=role, since=since, until=until)
        self.s.add(o)
        self.s.flush()
        return o

    def relate(self, a: Customer, b: Customer, kind: str = "spouse") -> None:
        self.s.add(CustomerRelationship(customer_id=a.id, related_customer_id=b.id, kind=kind))
        self.s.flush()

    def campaign(
        self, code: str, make: str, title: str, minutes: int | None = 30
    ) -> RecallCampaign:
        rc = RecallCampaign(
            code=code,
            make=make,
            title=title,
            remedy="replace part",
            remedy_minutes=minutes,
            published_on=dt.date(2026, 3, 1),
        )
        self.s.add(rc)
        self.s.flush()
        return rc

    def recall(self, v: Vehicle, rc: RecallCampaign, status: str = "open") -> None:
        self.s.add(VehicleRecall(vehicle_id=v.id, campaign_id=rc.id, status=status))
        self.s.flush()

    def visit(
        self,
        c: Customer,
        v: Vehicle,
        ro: str,
        opened: dt.datetime,
        *,
        status: str = "closed",
        dealer: Dealer | None = None,
        advisor: StaffMember | None = None,
        **fields: object,
    ) -> ServiceVisit:
        sv = ServiceVisit(
            ro_number=ro,
            dealer_id=(dealer or self.hamburg).id,
            customer_id=c.id,
            vehicle_id=v.id,
            advisor_id=advisor.id if advisor else None,
            status=status,
            opened_at=opened,
            closed_at=opened + dt.timedelta(hours=5) if status == "closed" else None,
            **fields,
        )
        self.s.add(sv)
        self.s.flush()
        return sv

    def declined(
        self, sv: ServiceVisit, description: str, due: dt.date | None, status: str = "open"
    ) -> DeclinedWork:
        d = DeclinedWork(
            visit_id=sv.id,
            vehicle_id=sv.vehicle_id,
            description=description,
            due_date=due,
            estimate_cents=12000,
            status=status,
        )
        self.s.add(d)
        self.s.flush()
        return d

    def prefer(self, c: Customer, kind: str, value: str, at: dt.datetime) -> None:
        self.s.add(Preference(customer_id=c.id, kind=kind, value=value, recorded_at=at))
        self.s.flush()

    def survey(self, sv: ServiceVisit, score: int, comment: str | None, on: dt.date) -> None:
        self.s.add(Survey(visit_id=sv.id, score=score, comment=comment, surveyed_on=on))
        self.s.flush()

    def logged(self, c: Customer, channel: str, at: dt.datetime, note: str | None = None) -> None:
        self.s.add(
            ContactLog(customer_id=c.id, channel=channel, direction="inbound", at=at, note=note)
        )
        self.s.flush()
