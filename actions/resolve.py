"""Whom a message is about: named in it, or the customer of this conversation.

An action that needs one customer asks :func:`resolve_customer`. It looks at the message's
identifying entities (VIN, e-mail, phone, plate, RO number, person), most specific first,
and falls back on the conversation's customer for "she", "his car" or no name at all. It
never guesses: several candidates are offered to choose from (and remembered, so "the
second one" works), nobody found is said, and two different customers in one message are
refused rather than mixed up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from actions.context import Offered, Pending
from actions.results import Apology, CandidateItem, CandidateList, NoMatch, Question, Result
from actions.turn import IDENTIFIER_KINDS, Turn, entity_dicts, words
from actions.understanding import Entity
from knowledge.lookup import Candidate, SearchResult, search
from knowledge.lookup.text import TITLES
from knowledge.normalize import name_tokens

CANDIDATES_SHOWN = 5
# Words that refer to the customer the conversation is about.
REFERENCES = frozenset(
    {"she", "her", "hers", "herself", "he", "him", "his", "himself", "they", "them", "their"}
)
# Titles and filler the NLU may leave inside a person entity.
_TITLES = frozenset(
    {"mr", "mrs", "ms", "miss", "dr", "herr", "frau", "prof", "sir", "madam", "the", "customer"}
)


@dataclass
class Resolution:
    customer_id: int | None = None
    name: str = ""
    # How the customer was found: "context", or the search's query kind (name, phone, …).
    how: str = ""
    matched_on: tuple[str, ...] = ()
    # What to answer instead when there is not exactly one customer.
    results: list[Result] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.customer_id is not None


def refers_back(text: str) -> bool:
    return any(w in REFERENCES for w in words(text))


def _name_fits(person: str, name: str) -> bool:
    """The typed person ("mrs gonzales") fits the known name ("Maria Gonzales")."""
    wanted = [t for t in name_tokens(person) if t not in _TITLES]
    have = set(name_tokens(name))
    return bool(wanted) and all(t in have for t in wanted)


def _titled(turn: Turn, entity: Entity) -> str:
    """The person as typed with the form of address before it ("mrs" + "gonzales"): the
    lookup uses it to tell Mrs from Mr Gonzales."""
    value = entity.value.strip()
    if entity.start <= 0 or entity.end > len(turn.text) or entity.extractor == "carried":
        return value
    before = name_tokens(turn.text[: entity.start])
    if before and before[-1] in TITLES and before[-1] not in name_tokens(value):
        return f"{before[-1]} {value}"
    return value


def identifiers(turn: Turn) -> list[tuple[str, list[str]]]:
    """The identifying entities of the message, per kind, most specific kind first."""
    out = []
    for kind in IDENTIFIER_KINDS:
        if kind == "person":
            named = [
                _titled(turn, e)
                for e in turn.of("person")
                if any(t not in _TITLES for t in name_tokens(e.value))
            ]
            seen: dict[str, str] = {}
            for value in named:
                seen.setdefault(" ".join(t for t in name_tokens(value) if t not in _TITLES), value)
            values = list(seen.values())
        else:
            values = turn.values(kind)
        if values:
            out.append((kind, values))
    return out


def several_customers(names: list[str]) -> Apology:
    listed = " and ".join(repr(n) for n in names[:3])
    return Apology(
        text=f"That message names more than one customer ({listed}); I answer about one "
        "customer at a time.",
        reason="several_customers",
        hint="Ask about each of them in a message of its own.",
    )


def candidate_items(candidates: tuple[Candidate, ...]) -> tuple[CandidateItem, ...]:
    items = []
    for number, c in enumerate(candidates[:CANDIDATES_SHOWN], 1):
        facts: list[str] = []
        if c.preferred_name:
            facts.append(f"goes by {c.preferred_name}")
        if c.city:
            facts.append(c.city)
        facts.extend(c.vehicles[:2])
        if c.in_lounge:
            facts.append("here today")
        elif c.last_visit:
            facts.append(f"last visit {c.last_visit.isoformat()}")
        items.append(
            CandidateItem(
                number=number,
                customer_id=c.customer_id,
                name=c.name,
                score=round(c.score, 1),
                matched_on=c.matched_on,
                distinguishing=tuple(facts),
                city=c.city,
                vehicles=c.vehicles,
                last_visit=c.last_visit,
                in_lounge=c.in_lounge,
                preferred_name=c.preferred_name,
            )
        )
    return tuple(items)


def offer(turn: Turn, result: SearchResult, pending_intent: str) -> list[Result]:
    """Offer the candidates of ``result`` and remember them for the answer."""
    items = candidate_items(result.candidates)
    offered = [
        Offered(
            i.number,
            i.customer_id,
            i.name,
            [t for t in (i.city, *i.vehicles, i.preferred_name) if t],
        )
        for i in items
    ]
    turn.context.offer_candidates(
        result.query,
        offered,
        Pending(pending_intent, entity_dicts(turn.entities), turn.text[:500]),
    )
    if len(items) == 1:
        only = items[0]
        about = f" ({', '.join(only.distinguishing)})" if only.distinguishing else ""
        question = f"Do you mean {only.name}{about}?"
    else:
        question = f"{len(items)} customers fit {result.query!r} — which one? Say the number."
    return [CandidateList(result.query, items, question, pending_intent)]


def lookup(turn: Turn, query: str, kind: str, pending_intent: str) -> Resolution:
    """Search for ``query``: one customer, candidates to choose from, or nobody."""
    result = search(
        turn.session,
        query,
        limit=CANDIDATES_SHOWN,
        region=turn.settings.region,
        today=turn.today,
    )
    match = result.match
    if match is not None:
        return Resolution(match.customer_id, match.name, result.query_kind, match.matched_on)
    turn.audit(
        None,
        how=result.query_kind,
        detail={
            "query": query[:200],
            "status": result.status,
            "candidates": [c.customer_id for c in result.candidates],
        },
    )
    if result.status == "candidates":
        return Resolution(results=offer(turn, result, pending_intent))
    message = result.message or f"I found nobody for {query!r}."
    return Resolution(
        results=[NoMatch(result.query, result.query_kind, message, result.suggestions)]
    )


def resolve_customer(turn: Turn, pending_intent: str) -> Resolution:
    """The one customer this message is about, or what to answer instead."""
    found = identifiers(turn)
    context = turn.context
    if found:
        kind, values = found[0]
        if len(values) > 1:
            return Resolution(results=[several_customers(values)])
        persons = dict(found).get("person", [])
        current = context.customer_name or ""
        # "Mrs Gonzales" again in a conversation about Maria Gonzales: no new search.
        if kind == "person" and context.customer_id is not None and _name_fits(values[0], current):
            return Resolution(context.customer_id, current, "context")
        resolution = lookup(turn, values[0], kind, pending_intent)
        # A phone number and a name in one message that belong to two different people.
        other = len(persons) == 1 and not _name_fits(persons[0], resolution.name)
        if resolution.found and kind != "person" and other:
            return Resolution(results=[several_customers([persons[0], resolution.name])])
        return resolution
    if context.customer_id is not None:
        return Resolution(context.customer_id, context.customer_name or "", "context")
    context.awaiting = "customer"
    context.pending = Pending(pending_intent, entity_dicts(turn.entities), turn.text[:500])
    who = "Who is it about?" if refers_back(turn.text) else "Which customer?"
    return Resolution(
        results=[
            Question(
                text=f"{who} Type a name, phone number, e-mail, VIN, plate or RO number.",
                expects="customer",
            )
        ]
    )
