"""Finding customers by name: typo-tolerant, order-free, nickname- and accent-aware.

Three steps, each bounded:

1. **Expand** each typed word into stored name tokens it may mean, from the vocabulary
   (``search_term``): the same word, one-letter-off spellings (deletion variants), the
   same sound (Cologne phonetics), nicknames, and — for longer words — prefixes. Each
   expansion is scored with rapidfuzz; at most ``MAX_EXPANSIONS`` survive per word.
2. **Gather** customers holding the expanded tokens, best expansions first: pairs of words
   through the order-free pair keys ("anna muller"), single words through the token keys.
   Every fetch has a LIMIT; a common name never reads its whole posting list.
3. **Re-rank** the small pool on the customers' actual name fields with rapidfuzz, so the
   score says how well *this* customer's name fits what was typed, and which part matched.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA
from sqlalchemy import BindParameter, String, cast, null, or_, select, union, union_all
from sqlalchemy.orm import Session

from knowledge.lookup.identifiers import in_scope, many, rows
from knowledge.lookup.keys import NAME, NAME_PAIR
from knowledge.lookup.nicknames import are_related, related_names
from knowledge.lookup.people import Person
from knowledge.lookup.text import (
    deletion2_variants,
    deletion_variants,
    field_tokens,
    phonetic,
    transliterate,
)
from knowledge.models import (
    CustomerSearchKey,
    Dealer,
    SearchTerm,
    SearchTermVariant,
    ServiceVisit,
)
from knowledge.models.enums import OPEN_VISIT_STATUSES
from knowledge.normalize import name_tokens

_OPEN_STATUSES = tuple(s.value for s in OPEN_VISIT_STATUSES)
# A stored token this similar to a typed word may be the same name (0–100).
TERM_CUTOFF = 72.0
# Similarity given to a same-sounding spelling (Meyer/Maier) when letters alone say less.
SOUNDS_LIKE = 82.0
SOUNDS_LIKE_FLOOR = 45.0
SPELLING_VARIANT = 97.0
NICKNAME = 92.0
# Expansions kept per typed word, and how many of them are combined into pair keys.
MAX_EXPANSIONS = 8
PAIR_EXPANSIONS = 5
# Words of a query that are used (a name has few; more is a sentence or a paste).
MAX_WORDS = 6
# Customers re-ranked per query, and rows read per fetch.
POOL_TARGET = 25
FETCH_LIMIT = 30
# Keys fetched one by one (best first) before the rest are read in one go.
MAX_KEY_FETCHES = 6
# Cars in the workshop at once across the group, at most, for the lounge check.
MAX_OPEN_VISITS = 2_000
# Terms read from the vocabulary per query (phonetic codes can be shared by many).
VOCAB_LIMIT = 400
PREFIX_MIN = 3
# Prefix lookups are one statement per word: only the first few words get one.
MAX_PREFIX_WORDS = 2


@dataclass(frozen=True)
class Expansion:
    term: str
    sim: float
    how: str  # exact | spelling | nickname | typo | sounds like | partial


@dataclass(frozen=True)
class NameScore:
    customer_id: int
    score: float
    matched_on: tuple[str, ...]
    name: str
    kind: str
    preferred_name: str | None


@lru_cache(maxsize=262_144)
def word_similarity(word: str, token: str) -> tuple[float, str]:
    """How well a typed word fits a stored name token (both folded), and why."""
    if word == token:
        return 100.0, "exact"
    if transliterate(word) == transliterate(token):
        return SPELLING_VARIANT, "spelling"
    if are_related(word, token):
        return NICKNAME, "nickname"
    # Indel ratio counts a swapped pair of letters as two edits; optimal string alignment
    # counts it as one, which is how people mistype ("Anan" for "Anna").
    swaps = OSA.distance(word, token, processor=None)
    best = max(
        fuzz.ratio(word, token, processor=None, score_cutoff=0.0),
        100.0 * (1.0 - swaps / (max(len(word), len(token)) + 1)),
    )
    how = "typo"
    if (
        len(word) >= 3
        and best >= SOUNDS_LIKE_FLOOR
        and best < SOUNDS_LIKE
        and phonetic(word) == phonetic(token)
    ):
        best, how = SOUNDS_LIKE, "sounds like"
    if len(word) >= PREFIX_MIN and len(token) > len(word) and token.startswith(word):
        partial = 70.0 + 25.0 * len(word) / len(token)
        if partial > best:
            best, how = partial, "partial"
    return float(best), how


# --- 1. expansion --------------------------------------------------------------------------


def expand_words(session: Session, words: list[str]) -> dict[str, list[Expansion]]:
    """Stored tokens each typed word (two letters or more) may stand for, best first."""
    full = [w for w in dict.fromkeys(words) if len(w) >= 2][:MAX_WORDS]
    if not full:
        return {}
    found: dict[str, dict[str, int]] = {w: {} for w in full}  # word → term → freq
    variants = {w: deletion_variants(w) for w in full}
    _collect_vocabulary(session, variants, full, found)
    out = {w: _best(w, found[w]) for w in full}
    weak = [w for w in full if _weak(out[w])]
    if weak:
        # Part of a name ("Schwarzen…"), or a long word two letters off: a wider net, only
        # for the words the first one missed.
        _collect_prefixes(session, weak[:MAX_PREFIX_WORDS], found)
        retry = {w: deletion2_variants(w) for w in weak if len(w) >= 6}
        if retry:
            _collect_variants(session, retry, found)
        for w in weak:
            out[w] = _best(w, found[w])
    return out


def _weak(expansions: list[Expansion]) -> bool:
    return not expansions or expansions[0].sim < 86.0


_VARIANTS = (
    select(SearchTermVariant.variant, SearchTerm.term, SearchTerm.freq)
    .join(SearchTerm, SearchTerm.term == SearchTermVariant.term)
    .where(SearchTermVariant.variant.in_(many("variants")))
    .limit(VOCAB_LIMIT)
)
# Both vocabulary reads in one statement (one round trip): terms one letter off any typed
# word, and terms that are the word, a nickname of it, or sound like it.
_VOCAB_VARIANTS = (
    select(
        SearchTermVariant.variant.label("variant"),
        SearchTerm.term.label("term"),
        SearchTerm.phonetic.label("phonetic"),
        SearchTerm.freq.label("freq"),
    )
    .join(SearchTerm, SearchTerm.term == SearchTermVariant.term)
    .where(SearchTermVariant.variant.in_(many("variants")))
    .limit(VOCAB_LIMIT)
    .subquery()
)
_VOCAB_TERMS = (
    select(
        cast(null(), String).label("variant"),
        SearchTerm.term.label("term"),
        SearchTerm.phonetic.label("phonetic"),
        SearchTerm.freq.label("freq"),
    )
    .where(or_(SearchTerm.term.in_(many("names")), SearchTerm.phonetic.in_(many("codes"))))
    .limit(VOCAB_LIMIT)
    .subquery()
)
_VOCABULARY = union_all(select(_VOCAB_VARIANTS), select(_VOCAB_TERMS))
# Prefix search by range, never LIKE: typed text must not become a pattern.
_PREFIX = (
    select(SearchTerm.term, SearchTerm.freq)
    .where(SearchTerm.term > BindParameter("low"), SearchTerm.term < BindParameter("high"))
    .order_by(SearchTerm.term)
    .limit(VOCAB_LIMIT // 8)
)


def _collect_variants(
    session: Session, variants: dict[str, set[str]], found: dict[str, dict[str, int]]
) -> None:
    wanted = sorted(set().union(*variants.values()))
    if not wanted:
        return
    for variant, term, freq in rows(session, _VARIANTS, variants=wanted):
        for word, vs in variants.items():
            if variant in vs:
                found[word][term] = freq


def _collect_vocabulary(
    session: Session,
    variants: dict[str, set[str]],
    words: list[str],
    found: dict[str, dict[str, int]],
) -> None:
    """Variants and same-name/nickname/sound terms for the words, in one round trip."""
    codes = {w: phonetic(w) for w in words if len(w) >= 3}
    named = {w: related_names(w) | {w} for w in words}
    for variant, term, code, freq in rows(
        session,
        _VOCABULARY,
        variants=sorted(set().union(*variants.values())),
        names=sorted(set().union(*named.values())),
        codes=sorted({c for c in codes.values() if c}),
    ):
        for w in words:
            if variant is not None:
                if variant in variants.get(w, ()):
                    found[w][term] = freq
            elif term in named[w] or (codes.get(w) and code == codes[w]):
                found[w][term] = freq


def _collect_prefixes(
    session: Session,
    words: list[str],
    found: dict[str, dict[str, int]],
    into: str | None = None,
) -> None:
    for w in words:
        if len(w) < PREFIX_MIN:
            continue
        high = w[:-1] + chr(ord(w[-1]) + 1)
        for term, freq in rows(session, _PREFIX, low=w, high=high):
            found[into or w][term] = freq


def _best(word: str, terms: dict[str, int]) -> list[Expansion]:
    scored = []
    for term, freq in terms.items():
        sim, how = word_similarity(word, term)
        if sim >= TERM_CUTOFF:
            scored.append((sim, freq, term, how))
    scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
    return [Expansion(term, sim, how) for sim, _f, term, how in scored[:MAX_EXPANSIONS]]


def nearest_terms(session: Session, words: list[str], limit: int = 3) -> list[str]:
    """Stored tokens closest to words that matched nothing well: for "did you mean…".

    All words share the same three lookups (variants, sounds, the first letters), so a
    query of many unknown words costs no more than one.
    """
    words = [w for w in dict.fromkeys(words) if len(w) >= 2][:MAX_WORDS]
    if not words:
        return []
    found: dict[str, dict[str, int]] = {w: {} for w in words}
    _collect_vocabulary(
        session, {w: deletion_variants(w) | deletion2_variants(w) for w in words}, words, found
    )
    # Names that start the same way, for words too far off for any finer net.
    for w in words[:MAX_PREFIX_WORDS]:
        _collect_prefixes(session, [w[: max(PREFIX_MIN, len(w) // 2)]], found, into=w)
    out: list[str] = []
    for w in words:
        scored = sorted(
            ((word_similarity(w, t)[0], f, t) for t, f in found[w].items()),
            key=lambda s: (-s[0], -s[1], s[2]),
        )
        out += [t for sim, _f, t in scored[:limit] if sim >= 50.0]
    return list(dict.fromkeys(out))


# --- 2. gathering --------------------------------------------------------------------------


def gather(
    session: Session,
    expansions: dict[str, list[Expansion]],
    scope: Collection[int] | None,
) -> set[int]:
    """Customers worth re-ranking, fetched best-expansion tier first, bounded."""
    pool: set[int] = set()
    words = [w for w, e in expansions.items() if e]
    if len(words) >= 2:
        pairs: dict[str, float] = {}
        for wa, wb in itertools.combinations(words[:4], 2):
            for ea in expansions[wa][:PAIR_EXPANSIONS]:
                for eb in expansions[wb][:PAIR_EXPANSIONS]:
                    if ea.term == eb.term:
                        continue
                    key = " ".join(sorted((ea.term, eb.term)))
                    pairs[key] = max(pairs.get(key, 0.0), (ea.sim + eb.sim) / 2)
        _fetch_ranked(session, NAME_PAIR, pairs, scope, pool)
    if len(pool) < POOL_TARGET // 4:
        singles: dict[str, float] = {}
        for w in words:
            for e in expansions[w]:
                singles[e.term] = max(singles.get(e.term, 0.0), e.sim)
        _fetch_ranked(session, NAME, singles, scope, pool)
    return pool


_KEY = (
    select(CustomerSearchKey.customer_id)
    .where(
        CustomerSearchKey.kind == BindParameter("kind"),
        CustomerSearchKey.key == BindParameter("key"),
    )
    .limit(FETCH_LIMIT)
)
_KEY_IN_SCOPE = _KEY.where(in_scope(CustomerSearchKey.customer_id, many("scope")))
_KEYS = (
    select(CustomerSearchKey.customer_id)
    .where(
        CustomerSearchKey.kind == BindParameter("kind"),
        CustomerSearchKey.key.in_(many("keys")),
    )
    .limit(FETCH_LIMIT)
)
_KEYS_IN_SCOPE = _KEYS.where(in_scope(CustomerSearchKey.customer_id, many("scope")))
# Customers in the lounge now, read from the few open visits (every rooftop, open statuses:
# a seek of the (dealer, status) index), never from a common name's thousands of holders.
_OPEN_VISITORS = (
    select(ServiceVisit.customer_id)
    .where(
        ServiceVisit.dealer_id.in_(select(Dealer.id)),
        ServiceVisit.status.in_(_OPEN_STATUSES),
    )
    .limit(MAX_OPEN_VISITS)
)
# …and which of them hold the key: a primary-key seek per open visit.
_LOUNGE_HOLDERS = select(CustomerSearchKey.customer_id).where(
    CustomerSearchKey.customer_id.in_(_OPEN_VISITORS),
    CustomerSearchKey.kind == BindParameter("kind"),
    CustomerSearchKey.key == BindParameter("key"),
)


# The best key's holders (up to the limit) and those of them in the lounge now, in one
# statement: with a common name, the one waiting is the one staff mean, and the fetch
# limit must not leave them out.
_FIRST_KEY = union(select(_KEY.subquery()), _LOUNGE_HOLDERS)


def _fetch_ranked(
    session: Session,
    kind: str,
    keys: dict[str, float],
    scope: Collection[int] | None,
    pool: set[int],
) -> None:
    """Holders of the keys, best-expected first, each key with its own LIMIT.

    One IN list with one LIMIT would return rows in key order, so "hoffmann" could fill
    the pool before "hofmann" was read. Key by key, the exact spelling always gets in.
    """
    ordered = sorted(keys.items(), key=lambda kv: (-kv[1], kv[0]))
    extra: dict[str, Any] = {"scope": list(scope)} if scope is not None else {}
    one = _KEY if scope is None else _KEY_IN_SCOPE
    for position, (key, _est) in enumerate(ordered[:MAX_KEY_FETCHES]):
        stmt = _FIRST_KEY if position == 0 and scope is None else one
        pool.update(r[0] for r in rows(session, stmt, kind=kind, key=key, **extra))
        if len(pool) >= POOL_TARGET:
            return
    rest = [k for k, _est in ordered[MAX_KEY_FETCHES:]][:200]
    if rest:
        many_keys = _KEYS if scope is None else _KEYS_IN_SCOPE
        pool.update(r[0] for r in rows(session, many_keys, kind=kind, keys=rest, **extra))


# --- 3. re-ranking -------------------------------------------------------------------------

_FIELD_LABELS = ("given name", "family name", "preferred name", "company")


# What a title typed before the name says about the person ("Mrs. Jones" is not Mr. Jones).
_FEMALE_TITLES = frozenset(
    {"mrs", "ms", "miss", "frau", "fr", "madam", "dame", "mme", "mlle", "signora", "senora", "sra"}
)
_MALE_TITLES = frozenset({"mr", "herr", "hr", "sir", "signor", "senor", "sr", "mister"})
# A typed title that contradicts the recorded salutation costs this much of the score.
TITLE_MISMATCH = 0.9


def title_gender(titles: Iterable[str]) -> str | None:
    for t in titles:
        if t in _FEMALE_TITLES:
            return "f"
        if t in _MALE_TITLES:
            return "m"
    return None


def _salutation_gender(salutation: str | None) -> str | None:
    if not salutation:
        return None
    return title_gender(name_tokens(salutation))


def _tokens(value: str | None) -> tuple[str, ...]:
    return field_tokens(value) if value else ()


def rerank(
    words: list[str],
    initials: list[str],
    people: Iterable[Person],
    gender: str | None = None,
) -> list[NameScore]:
    """Score each candidate's name fields against the typed words (no store access)."""
    cache: dict[tuple[str, str], tuple[float, str]] = {}
    out = []
    for p in people:
        score, matched = score_name(
            words, initials, p.kind, p.given, p.family, p.preferred, p.company, cache
        )
        if gender and _salutation_gender(p.salutation) not in (None, gender):
            score = round(score * TITLE_MISMATCH, 1)
        out.append(NameScore(p.customer_id, score, matched, p.name, p.kind, p.preferred))
    return out


def score_name(
    words: list[str],
    initials: list[str],
    kind: str,
    given: str | None,
    family: str | None,
    preferred: str | None,
    company: str | None,
    cache: dict[tuple[str, str], tuple[float, str]] | None = None,
) -> tuple[float, tuple[str, ...]]:
    """0–100: how well this customer's name fields fit the typed words; and what matched."""
    cache = {} if cache is None else cache
    fields = [
        (label, _tokens(value))
        for label, value in zip(_FIELD_LABELS, (given, family, preferred, company), strict=True)
    ]
    options = []
    for wi, word in enumerate(words):
        for label, tokens in fields:
            for token in tokens:
                key = (word, token)
                if key not in cache:
                    cache[key] = word_similarity(word, token)
                sim, how = cache[key]
                if sim >= TERM_CUTOFF:
                    options.append((sim, wi, label, token, how))
    options.sort(key=lambda o: (-o[0], o[1]))
    assigned: dict[int, tuple[float, str, str, str]] = {}
    used: set[str] = set()
    for sim, wi, label, token, how in options:
        if wi in assigned or token in used:
            continue
        # A compound token ("annalena") and its parts are one name: using one uses all.
        assigned[wi] = (sim, label, token, how)
        used.add(token)
        field_tokens = dict(fields)[label]
        used.update(t for t in field_tokens if t in token or token in t)
    if not words:
        return 0.0, ()
    base = sum(a[0] for a in assigned.values()) / len(words)
    labels = {a[1] for a in assigned.values()}
    if kind == "company" or (company and not (given or family)):
        company_tokens = dict(fields)["company"]
        covered = sum(1 for t in company_tokens if t in used)
        # A word of a company name is weaker evidence than a person's whole family name
        # ("Richter" is first the Richters, then "Richter Bau GmbH").
        factor = 0.85 + 0.15 * covered / max(1, len(company_tokens))
    else:
        has_given = bool(labels & {"given name", "preferred name"})
        has_family = "family name" in labels
        if not has_given and initials:
            first_letters = {
                t[0] for t in dict(fields)["given name"] + dict(fields)["preferred name"]
            }
            if any(i in first_letters for i in initials):
                has_given = True
                labels.add("initial")
            else:
                base *= 0.85
        if has_given and has_family:
            factor = 1.0
        elif has_family:
            factor = 0.93
        elif has_given:
            factor = 0.85
        else:
            factor = 0.9
    score = round(min(100.0, base * factor), 1)
    matched = tuple(
        label if how == "exact" else f"{label} ({how})"
        for _wi, (_s, label, _t, how) in sorted(assigned.items())
    )
    if "initial" in labels:
        matched += ("initial",)
    return score, matched
