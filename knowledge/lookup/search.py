"""One entry point: whatever staff typed, find the customer — or say honestly who it might be.

Exact identifiers (phone, e-mail, VIN, plate, RO) rank first; names are scored by how well
the customer's name fits. The answer is a ``match`` when one customer clearly fits,
``candidates`` when several might (with what tells them apart), or ``none`` with the
nearest names. Work per query is bounded whatever is typed: the text is cut to
``MAX_QUERY_CHARS``, every fetch has a LIMIT, and user text is never put into a LIKE
pattern.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import BindParameter, or_, select
from sqlalchemy.orm import Session

from knowledge.lookup import identifiers as ids
from knowledge.lookup import names
from knowledge.lookup.classify import MAX_QUERY_CHARS, Reading, readings, vin_hint
from knowledge.lookup.identifiers import many, rows
from knowledge.lookup.people import Person, load_people
from knowledge.lookup.text import query_titles, query_words
from knowledge.lookup.types import Candidate, SearchResult
from knowledge.models import Ownership, Vehicle
from knowledge.normalize import clean_text

# A single candidate at or above this score, ahead of the next by MATCH_MARGIN, is "the"
# customer; below CANDIDATE_SCORE nothing is offered as a candidate.
MATCH_SCORE = 88.0
MATCH_MARGIN = 5.0
CANDIDATE_SCORE = 60.0
SUGGESTION_SCORE = 40.0
MAX_LIMIT = 25
VEHICLES_SHOWN = 3


@dataclass
class _Found:
    customer_id: int
    score: float
    matched_on: list[str] = field(default_factory=list)
    rank: int = 0
    source: str = "name"


def search(
    session: Session,
    query: str,
    *,
    dealer_ids: Collection[int] | None = None,
    limit: int = 5,
    region: str = "DE",
    today: dt.date | None = None,
) -> SearchResult:
    """Find the customer ``query`` names (any identifier or a name); never raises on input."""
    raw = query if isinstance(query, str) else str(query)
    today = today or dt.datetime.now(dt.UTC).date()
    limit = max(1, min(int(limit), MAX_LIMIT))
    scope = tuple(sorted(set(dealer_ids))) if dealer_ids is not None else None
    if len(raw) > MAX_QUERY_CHARS:
        return SearchResult(
            query=raw[:80] + "…",
            query_kind="too_long",
            status="none",
            message=(
                f"the query is {len(raw):,} characters long; a lookup takes at most "
                f"{MAX_QUERY_CHARS} — type a name, phone number, e-mail, VIN, plate or RO number"
            ),
            suggestions=_HINTS,
        )
    text = clean_text(raw)
    if not any(ch.isalnum() for ch in text):
        typed = text if text else "(empty)"
        return SearchResult(
            query=text,
            query_kind="empty",
            status="none",
            message=f"nothing to look up in {typed!r} — type a name, phone number, e-mail, "
            "VIN, plate or RO number",
            suggestions=_HINTS,
        )
    if scope == ():
        return SearchResult(
            query=text, query_kind="none", status="none", message="no rooftop to search in"
        )

    found: dict[int, _Found] = {}
    kinds_hit: dict[int, str] = {}
    messages: list[str] = []
    tried: list[str] = []
    name_reading: Reading | None = None
    for reading in readings(text):
        tried.append(reading.kind)
        if reading.kind == "name":
            name_reading = reading
            continue
        hits, note = _identifier_hits(session, reading, text, region, today)
        if note:
            messages.append(note)
        for hit in hits:
            _add(found, hit.customer_id, hit.score, hit.matched_on, hit.rank, "identifier")
            kinds_hit.setdefault(hit.customer_id, reading.kind)

    pool: set[int] = set()
    words: list[str] = []
    expansions: dict[str, list[names.Expansion]] = {}
    if name_reading is not None:
        words = [w for w in query_words(text) if len(w) >= 2][: names.MAX_WORDS]
        expansions = names.expand_words(session, words)
        pool = names.gather(session, expansions, scope)

    # One read for every candidate, however found: names, city, visits, rooftop.
    people = load_people(session, set(found) | pool, scope)
    for cid in list(found):
        person = people.get(cid)
        if person is None or not person.in_scope:
            del found[cid]

    suggestions: list[str] = []
    name_scores: dict[int, names.NameScore] = {}
    if name_reading is not None:
        initials = [w for w in query_words(text) if len(w) == 1][:3]
        gender = names.title_gender(query_titles(text))
        candidates_by_name = [people[c] for c in sorted(pool) if c in people]
        for ns in names.rerank(words, initials, candidates_by_name, gender):
            name_scores[ns.customer_id] = ns
            _add(found, ns.customer_id, ns.score, list(ns.matched_on), 0, "name")
        if not any(f.score >= CANDIDATE_SCORE for f in found.values()):
            suggestions = _name_suggestions(session, words, expansions, name_scores)

    ranked = _rank(found, people)
    shown = [f for f in ranked if f.score >= CANDIDATE_SCORE][:limit]
    query_kind = _query_kind(shown, kinds_hit, tried)
    if not shown:
        hint = messages[0] if messages else _none_message(text, tried)
        return SearchResult(
            query=text,
            query_kind=query_kind,
            status="none",
            suggestions=tuple(suggestions) or _HINTS,
            message=hint,
            tried=tuple(tried),
        )
    candidates = _details(session, shown, people, today)
    top = candidates[0]
    second = candidates[1].score if len(candidates) > 1 else None
    clear = top.score >= MATCH_SCORE and (second is None or top.score - second >= MATCH_MARGIN)
    return SearchResult(
        query=text,
        query_kind=query_kind,
        status="match" if clear else "candidates",
        candidates=tuple(candidates),
        message=messages[0] if messages else None,
        tried=tuple(tried),
    )


_HINTS = (
    "a name, e.g. 'Anna Müller' or 'Mrs. Jones'",
    "a phone number in any format",
    "an e-mail address",
    "a VIN or its last 6–8 characters",
    "a plate, e.g. 'HH-AB 123'",
    "a repair-order number",
)


def _identifier_hits(
    session: Session, reading: Reading, typed: str, region: str, today: dt.date
) -> tuple[list[ids.Hit], str | None]:
    if reading.kind == "phone":
        return ids.by_phone(session, reading.value, region)
    if reading.kind == "email":
        return ids.by_email(session, reading.value), None
    if reading.kind == "vin":
        return ids.by_vin(session, reading.value, today), None
    if reading.kind == "vin_partial":
        return ids.by_vin_tail(session, reading.value, today), None
    if reading.kind == "plate":
        return ids.by_plate(session, reading.value, today), None
    if reading.kind == "ro":
        return ids.by_ro(session, reading.value, reading.extra, typed), None
    return [], None


def _add(
    found: dict[int, _Found], cid: int, score: float, matched: list[str] | str, rank: int, src: str
) -> None:
    labels = [matched] if isinstance(matched, str) else list(matched)
    f = found.get(cid)
    if f is None:
        found[cid] = _Found(cid, score, labels, rank, src)
        return
    for label in labels:
        if label not in f.matched_on:
            f.matched_on.append(label)
    if score > f.score:
        f.score, f.rank, f.source = score, rank, src


def _rank(found: dict[int, _Found], people: dict[int, Person]) -> list[_Found]:
    """Best score first; among equals the customer in the lounge now, then the latest visit."""
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)

    def key(f: _Found) -> tuple[float, int, bool, float, int]:
        person = people.get(f.customer_id)
        last = person.last_visit if person and person.last_visit else epoch
        lounge = bool(person and person.in_lounge)
        return (-f.score, f.rank, not lounge, -(last - epoch).total_seconds(), f.customer_id)

    return sorted(found.values(), key=key)


def _query_kind(shown: list[_Found], kinds_hit: dict[int, str], tried: list[str]) -> str:
    if shown and shown[0].source == "identifier":
        return kinds_hit.get(shown[0].customer_id, tried[0] if tried else "unknown")
    if "name" in tried and (not shown or shown[0].source == "name"):
        return "name"
    return tried[0] if tried else "unknown"


def _none_message(text: str, tried: list[str]) -> str:
    problem = vin_hint(text)
    if problem:
        return f"{text!r} is not a valid VIN: {problem}"
    if not tried:
        return f"{text!r} is not a name, phone number, e-mail, VIN, plate or RO number"
    what = {
        "email": "e-mail",
        "phone": "phone number",
        "vin": "VIN",
        "vin_partial": "VIN ending",
        "plate": "plate",
        "ro": "repair order",
        "name": "name",
    }
    readings_text = " or ".join(dict.fromkeys(what.get(t, t) for t in tried))
    return f"no customer found for {text!r} (read as {readings_text})"


def _name_suggestions(
    session: Session,
    words: list[str],
    expansions: dict[str, list[names.Expansion]],
    scores: dict[int, names.NameScore],
) -> list[str]:
    close = sorted(
        (s for s in scores.values() if s.score >= SUGGESTION_SCORE),
        key=lambda s: (-s.score, s.customer_id),
    )
    out = list(dict.fromkeys(s.name for s in close))[:3]
    unknown = [w for w in words if not expansions.get(w)]
    out += [t.capitalize() for t in names.nearest_terms(session, unknown)]
    return list(dict.fromkeys(out))[:5]


_VEHICLES = (
    select(Ownership.customer_id, Vehicle.model_year, Vehicle.make, Vehicle.model, Vehicle.plate)
    .join(Vehicle, Vehicle.id == Ownership.vehicle_id)
    .where(
        Ownership.customer_id.in_(many("ids")),
        Ownership.since <= BindParameter("today"),
        or_(Ownership.until.is_(None), Ownership.until >= BindParameter("today")),
    )
    .order_by(Ownership.customer_id, Vehicle.model_year.desc(), Vehicle.id)
)


def _details(
    session: Session, shown: list[_Found], people: dict[int, Person], today: dt.date
) -> list[Candidate]:
    cids = [f.customer_id for f in shown]
    vehicles: dict[int, list[str]] = {}
    for cid, year, make, model, plate in rows(session, _VEHICLES, ids=cids, today=today):
        label = " ".join(str(p) for p in (year, make, model) if p)
        vehicles.setdefault(cid, []).append(f"{label} ({plate})" if plate else label)
    out = []
    for f in shown:
        person = people.get(f.customer_id)
        if person is None:
            continue
        out.append(
            Candidate(
                customer_id=f.customer_id,
                name=person.name,
                score=round(f.score, 1),
                matched_on=tuple(f.matched_on),
                city=person.city,
                vehicles=tuple(vehicles.get(f.customer_id, [])[:VEHICLES_SHOWN]),
                last_visit=person.last_visit.date() if person.last_visit else None,
                in_lounge=person.in_lounge,
                preferred_name=person.preferred,
                kind=person.kind,
            )
        )
    return out
