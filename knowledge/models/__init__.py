"""Every table of the store. Import from here so Alembic and the app see the same metadata."""

from knowledge.models.base import Base, UTCDateTime, utcnow
from knowledge.models.conversation import Conversation
from knowledge.models.customer import (
    ContactLog,
    ContactPoint,
    Customer,
    CustomerRelationship,
    Preference,
)
from knowledge.models.identity import (
    IdentityKey,
    IdentityMember,
    ImportReject,
    ImportRun,
    MatchReview,
    MergeLogEntry,
    NameFrequency,
    SharedValue,
)
from knowledge.models.lookup import CustomerSearchKey, SearchTerm, SearchTermVariant
from knowledge.models.org import Dealer, DealerGroup, StaffMember
from knowledge.models.provenance import AuditEntry, SourceRecord, SourceSystem, StoreMeta
from knowledge.models.report import Rating, SuggestionRating, SurveyImportRun
from knowledge.models.slack import SlackEvent
from knowledge.models.touch import TouchOutcome, TouchSuggestion
from knowledge.models.vehicle import (
    Ownership,
    RecallCampaign,
    Vehicle,
    VehicleOption,
    VehicleRecall,
)
from knowledge.models.visit import DeclinedWork, ServiceVisit, Survey

__all__ = [
    "AuditEntry",
    "Base",
    "ContactLog",
    "ContactPoint",
    "Conversation",
    "Customer",
    "CustomerRelationship",
    "CustomerSearchKey",
    "Dealer",
    "DealerGroup",
    "DeclinedWork",
    "IdentityKey",
    "IdentityMember",
    "ImportReject",
    "ImportRun",
    "MatchReview",
    "MergeLogEntry",
    "NameFrequency",
    "Ownership",
    "Preference",
    "Rating",
    "RecallCampaign",
    "SearchTerm",
    "SearchTermVariant",
    "ServiceVisit",
    "SharedValue",
    "SlackEvent",
    "SourceRecord",
    "SourceSystem",
    "StaffMember",
    "StoreMeta",
    "SuggestionRating",
    "Survey",
    "SurveyImportRun",
    "TouchOutcome",
    "TouchSuggestion",
    "UTCDateTime",
    "Vehicle",
    "VehicleOption",
    "VehicleRecall",
    "utcnow",
]
