"""One record against the whole store: a walk-in, a new CRM contact, a caller's details.

``match_person`` only reads (who would this be?); ``resolve_person`` also writes, exactly as
an import of that one record would. Both cost a few indexed lookups whatever the size of the
store.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.errors import InvalidInput
from knowledge.identity.cluster import Candidate, MatchConfig, decide
from knowledge.identity.frequency import COMMON_NAME_HOLDERS
from knowledge.identity.junk import SHARED_MIN_PEOPLE, SharedValues
from knowledge.identity.keys import BLOCK_CAPS, NAME_BLOCK_READ, blocking_keys, value_keys
from knowledge.identity.mapping import load_mapping
from knowledge.identity.records import PersonRecord
from knowledge.identity.resolver import (
    MAX_BLOCK_CUSTOMERS,
    PeopleResolver,
    PersonInput,
    PersonOutcome,
    ensure_source_system,
    payload_hash,
)
from knowledge.identity.rows import RowParser, RowRejected
from knowledge.models import IdentityKey

WALK_IN_SOURCE = "walk-in"
# The source id of a record built only to be matched (never written).
_UNNAMED = "unnamed"
WALK_IN_TRUST = 40


@dataclass(slots=True)
class MatchResult:
    decision: str  # "merge" (it is this customer), "review" (maybe), "new" (nobody known)
    customer_id: int | None
    score: float | None
    reason: str
    # Other customers worth a look: (customer id, weight, why).
    candidates: list[tuple[int, float, str]] = field(default_factory=list)


def person_from_fields(
    fields: dict[str, Any], *, source: str = WALK_IN_SOURCE, today: dt.date | None = None
) -> PersonRecord:
    """A person from the generic-people fields (given_name, phone, birth_date…), normalised
    exactly as an import would; bad values raise InvalidInput naming the problem."""
    mapping = load_mapping("generic-people")
    parser = RowParser(mapping, today=today or dt.datetime.now(dt.UTC).date(), dealers={})
    data = {k: "" if v is None else str(v) for k, v in fields.items()}
    data.setdefault("source_id", _UNNAMED)
    try:
        record = parser.parse(0, data).person
    except RowRejected as exc:
        raise InvalidInput(str(exc)) from None
    assert record is not None
    record.source = source
    record.trust = WALK_IN_TRUST
    return record


def _holders(session: Session, key: int, cap: int) -> list[int]:
    """Up to ``cap`` + 1 customers holding a key (one more than the cap says "too many")."""
    return list(
        session.execute(
            select(IdentityKey.customer_id).where(IdentityKey.key == key).limit(cap + 1)
        ).scalars()
    )


def match_person(
    session: Session,
    record: PersonRecord,
    *,
    config: MatchConfig | None = None,
    shared: SharedValues | None = None,
) -> MatchResult:
    """Which existing customer ``record`` is, if any — without writing anything."""
    cfg = config or MatchConfig()
    known = shared if shared is not None else SharedValues.load(session)
    resolver = PeopleResolver(known, cfg)
    view = record.view()
    known.mark(view)
    resolver.names.load(session, [view])
    resolver.names.mark(view)
    keys = blocking_keys(view)
    household = set()
    for value, key in value_keys(view).items():
        if value in view.shared:
            continue
        # A value's holders are counted, not all fetched: a shared one may have thousands.
        holders = _holders(session, key, SHARED_MIN_PEOPLE)
        if len(holders) >= SHARED_MIN_PEOPLE:
            view.shared.add(value)
            keys.pop(key, None)
        elif len(holders) >= 2:
            household.add(value)
    ids: set[int] = set()
    for key, (kind, _) in keys.items():
        cap = BLOCK_CAPS.get(kind, MAX_BLOCK_CUSTOMERS)
        block = _holders(session, key, NAME_BLOCK_READ if kind == "n" else cap)
        if kind == "n":
            # Only a name no other customer carries is rare enough to count; one that
            # many carry is common.
            view.rare_name = view.rare_name and len(block) <= 1
            view.common_name = view.common_name or len(block) >= COMMON_NAME_HOLDERS
        if len(block) <= cap:
            ids.update(block)
    members = resolver.load_members(session, ids)
    candidates = [
        Candidate(cid, [m.view for m in members[cid]]) for cid in sorted(ids) if members.get(cid)
    ]
    decision = decide(view, candidates, household, cfg)
    if decision.customer_id is not None:
        return MatchResult(
            "merge", decision.customer_id, decision.score, decision.reason, decision.reviews
        )
    if decision.reviews:
        best = max(decision.reviews, key=lambda r: r[1])
        return MatchResult("review", best[0], best[1], best[2], decision.reviews)
    return MatchResult("new", None, decision.score, decision.reason, [])


def resolve_person(
    session: Session,
    record: PersonRecord,
    *,
    trust_rank: int = WALK_IN_TRUST,
    config: MatchConfig | None = None,
) -> PersonOutcome:
    """Match ``record`` and write it: it joins its customer or becomes a new one.

    The record's ``source_id`` names it in its source (a walk-in form's number): writing
    the same source id again is a correction of that record, not a new one.
    """
    if record.source_id in ("", _UNNAMED):
        raise InvalidInput("a record written to the store needs its own source id")
    system_id = ensure_source_system(
        session, record.source, trust_rank, f"records entered one by one ({record.source})"
    )
    payload: dict[str, Any] = json.loads(record.to_json())
    resolver = PeopleResolver(SharedValues.load(session), config)
    outcomes = resolver.resolve(
        session, system_id, [PersonInput(record, payload, payload_hash(payload))]
    )
    return outcomes[record.source_id]
