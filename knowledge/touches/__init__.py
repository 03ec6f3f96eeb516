"""The service-touch playbook: facts about a customer, touches as data, ranking and memory."""

from knowledge.touches.engine import Held, Ranking, Suggestion, rank_touches
from knowledge.touches.facts import (
    FACTS,
    DealerContext,
    StaffContext,
    TouchHistory,
    compute_facts,
)
from knowledge.touches.memory import OutcomeResult, load_history, record_outcome, record_shown
from knowledge.touches.schema import (
    Offer,
    Playbook,
    PlaybookHolder,
    PlaybookInvalid,
    Problem,
    Touch,
    load_playbook,
)
from knowledge.touches.service import (
    ShownTouch,
    TouchResult,
    resolve_staff,
    resolve_visit,
    suggest_touches,
)

__all__ = [
    "FACTS",
    "DealerContext",
    "Held",
    "Offer",
    "OutcomeResult",
    "Playbook",
    "PlaybookHolder",
    "PlaybookInvalid",
    "Problem",
    "Ranking",
    "ShownTouch",
    "StaffContext",
    "Suggestion",
    "Touch",
    "TouchHistory",
    "TouchResult",
    "compute_facts",
    "load_history",
    "load_playbook",
    "rank_touches",
    "record_outcome",
    "record_shown",
    "resolve_staff",
    "resolve_visit",
    "suggest_touches",
]
