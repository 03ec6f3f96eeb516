"""Closed vocabularies of the store, stored as short strings with CHECK constraints.

Plain strings (not database ENUM types) keep migrations simple on both backends; the CHECK
constraints still reject anything outside the vocabulary.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADVISOR = "advisor"
    CALL_CENTER = "call_center"
    TRAINER = "trainer"
    ADMIN = "admin"


class CustomerKind(StrEnum):
    PERSON = "person"
    COMPANY = "company"


class ContactKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    ADDRESS = "address"


class RelationshipKind(StrEnum):
    SPOUSE = "spouse"
    FAMILY = "family"
    FLEET_DRIVER = "fleet_driver"


class OwnershipRole(StrEnum):
    OWNER = "owner"
    CO_OWNER = "co_owner"
    MAIN_DRIVER = "main_driver"


class VisitStatus(StrEnum):
    BOOKED = "booked"
    ARRIVED = "arrived"
    WAITING = "waiting"
    IN_PROGRESS = "in_progress"
    READY = "ready"
    CLOSED = "closed"


# Visits that are "current": the customer is on site or their car is in the workshop.
OPEN_VISIT_STATUSES = (
    VisitStatus.ARRIVED,
    VisitStatus.WAITING,
    VisitStatus.IN_PROGRESS,
    VisitStatus.READY,
)


class WaitMode(StrEnum):
    WAITING = "waiting"
    DROP_OFF = "drop_off"
    LOANER = "loaner"
    SHUTTLE = "shuttle"


class RecallStatus(StrEnum):
    OPEN = "open"
    DONE_HERE = "done_here"
    DONE_ELSEWHERE = "done_elsewhere"
    NOT_APPLICABLE = "not_applicable"


class DeclinedStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DISMISSED = "dismissed"


class PreferenceKind(StrEnum):
    DRINK = "drink"
    NAME_PRONUNCIATION = "name_pronunciation"
    CONTACT_CHANNEL = "contact_channel"
    CONTACT_HOURS = "contact_hours"
    LANGUAGE = "language"
    ACCESSIBILITY = "accessibility"
    NOTE = "note"


class ContactChannel(StrEnum):
    PHONE = "phone"
    SMS = "sms"
    EMAIL = "email"
    WHATSAPP = "whatsapp"
    POST = "post"


class EntityType(StrEnum):
    CUSTOMER = "customer"
    VEHICLE = "vehicle"
    VISIT = "visit"
    RECALL = "recall"


def check_in(column: str, values: type[StrEnum]) -> str:
    """SQL for a CHECK constraint limiting ``column`` to the enum's values."""
    listed = ", ".join(f"'{v.value}'" for v in values)
    return f"{column} IN ({listed})"
