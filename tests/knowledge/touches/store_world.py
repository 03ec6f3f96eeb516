"""A small dealer world written to the real store, for the touches' memory and service tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from knowledge.models import (
    ContactLog,
    Customer,
    CustomerRelationship,
    Dealer,
    DealerGroup,
    Ownership,
    Preference,
    RecallCampaign,
    ServiceVisit,
    StaffMember,
    Vehicle,
    VehicleOption,
    VehicleRecall,
)
from tests.knowledge.touches.builders import NOW


@dataclass
class World:
    dealer_id: int
    advisor_id: int
    agent_id: int
    dana_id: int
    mark_id: int
    x5_id: int
    touareg_id: int
    visit_id: int
    other_visit_id: int


def build_world(session: Session) -> World:
    group = DealerGroup(name="Nordlicht")
    session.add(group)
    session.flush()
    dealer = Dealer(
        group_id=group.id,
        code="HAM1",
        name="Nordlicht BMW Hamburg",
        timezone="Europe/Berlin",
        country="DE",
    )
    session.add(dealer)
    session.flush()
    advisor = StaffMember(
        dealer_id=dealer.id,
        slack_team_id="T1",
        slack_user_id="U100",
        display_name="Jonas Berg",
        role="advisor",
    )
    agent = StaffMember(
        dealer_id=dealer.id,
        slack_team_id="T1",
        slack_user_id="U200",
        display_name="Lea Sommer",
        role="call_center",
    )
    dana = Customer(
        given_name="Dana",
        family_name="Okafor",
        salutation="Ms.",
        customer_since=dt.date(2019, 6, 1),
        home_dealer_id=dealer.id,
        marketing_consent=True,
    )
    mark = Customer(given_name="Mark", family_name="Okafor", salutation="Mr.")
    session.add_all([advisor, agent, dana, mark])
    session.flush()
    session.add(
        CustomerRelationship(customer_id=dana.id, related_customer_id=mark.id, kind="spouse")
    )
    x5 = Vehicle(
        vin="WBACR610X0L000001",
        make="BMW",
        model="X5 xDrive40i",
        model_year=2020,
        plate="HH-AB 1234",
        sold_by_dealer_id=dealer.id,
    )
    touareg = Vehicle(vin="WVGZZZ7PZGD000002", make="Volkswagen", model="Touareg", model_year=2016)
    session.add_all([x5, touareg])
    session.flush()
    session.add_all(
        [
            VehicleOption(vehicle_id=x5.id, code="3AC"),
            Ownership(customer_id=dana.id, vehicle_id=x5.id, since=dt.date(2020, 3, 1)),
            Ownership(customer_id=mark.id, vehicle_id=touareg.id, since=dt.date(2016, 8, 1)),
            Preference(
                customer_id=dana.id,
                kind="drink",
                value="oat flat white",
                recorded_at=NOW - dt.timedelta(days=90),
            ),
        ]
    )
    campaign = RecallCampaign(
        code="69Q7", make="Volkswagen", title="Airbag control unit software", remedy_minutes=30
    )
    session.add(campaign)
    session.flush()
    session.add(VehicleRecall(vehicle_id=touareg.id, campaign_id=campaign.id, status="open"))
    old = ServiceVisit(
        ro_number="RO-HAM1-100001",
        dealer_id=dealer.id,
        customer_id=dana.id,
        vehicle_id=x5.id,
        status="closed",
        opened_at=NOW - dt.timedelta(days=200),
        closed_at=NOW - dt.timedelta(days=199),
    )
    today = ServiceVisit(
        ro_number="RO-HAM1-204518",
        dealer_id=dealer.id,
        customer_id=dana.id,
        vehicle_id=x5.id,
        advisor_id=advisor.id,
        status="waiting",
        wait_mode="waiting",
        opened_at=NOW - dt.timedelta(minutes=40),
        arrived_at=NOW - dt.timedelta(minutes=40),
        promised_at=NOW + dt.timedelta(minutes=50),
    )
    session.add_all([old, today])
    session.flush()
    return World(
        dealer_id=dealer.id,
        advisor_id=advisor.id,
        agent_id=agent.id,
        dana_id=dana.id,
        mark_id=mark.id,
        x5_id=x5.id,
        touareg_id=touareg.id,
        visit_id=today.id,
        other_visit_id=old.id,
    )


def marketing_contact(session: Session, customer_id: int, at: dt.datetime) -> None:
    session.add(
        ContactLog(
            customer_id=customer_id,
            channel="email",
            direction="outbound",
            purpose="marketing",
            at=at,
        )
    )
    session.flush()
