"""What a message means: the client of the Rasa NLU server, and a fake for tests.

The dialogue asks ``parse(text)`` and gets an :class:`Understanding` — the top intent with
its confidence, the entities with their character offsets, and the intent ranking. The
real client talks HTTP to ``rasa run --enable-api`` (``POST /model/parse``); the project
never imports Rasa. When the server cannot be reached, is too slow or answers nonsense,
``parse`` raises :class:`NLUUnavailable`, so the caller can still serve the structured
paths (a bare VIN, phone, e-mail, plate or RO number) and say that free text is not
understood right now.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Any, Protocol, Self

import httpx

from knowledge.errors import ConciergeError
from knowledge.settings import Settings

# Longer messages are cut before they reach the NLU server: the intent of a staff message
# is in its first lines, and a 10,000-character paste would otherwise cost the server
# hundreds of milliseconds. Entities after the cut are not found.
MAX_TEXT_CHARS = 1000

# Entities a pattern finds exactly (an e-mail, a full VIN): a learned span overlapping one
# of them, of any kind, is dropped.
_EXACT_EXTRACTORS = frozenset({"RegexEntityExtractor"})

# What may stand between two fragments of one value: a space; in a phone number also the
# separators people type ("(0521) 98 76 54" may come back as "(0521" and "98 76 54").
_SPACE_ONLY = re.compile(r" {1,2}")
_JOINABLE = {"phone": re.compile(r"[\s()./-]{1,4}")}


class NLUUnavailable(ConciergeError):
    """The language service cannot be used right now (down, too slow, or answering nonsense)."""


@dataclass(frozen=True)
class Entity:
    """One entity in the message: ``text[start:end]`` was recognised as ``entity``.

    ``value`` is the canonical value (a synonym mapped to one spelling, e.g. "coffee black"
    → "black coffee", "second" → "2"); ``confidence`` is 1.0 for pattern matches.
    """

    entity: str
    value: str
    start: int
    end: int
    confidence: float
    extractor: str = ""


@dataclass(frozen=True)
class IntentScore:
    name: str
    confidence: float


@dataclass(frozen=True)
class Understanding:
    """The NLU reading of one message. ``intent`` is "" when there was nothing to read."""

    text: str
    intent: str
    confidence: float
    entities: list[Entity] = field(default_factory=list)
    ranking: list[IntentScore] = field(default_factory=list)

    def of(self, entity: str) -> list[Entity]:
        """The entities of one kind, in the order they appear in the message."""
        return [e for e in self.entities if e.entity == entity]

    def first(self, entity: str) -> Entity | None:
        found = self.of(entity)
        return found[0] if found else None

    def values(self, entity: str) -> list[str]:
        return [e.value for e in self.of(entity)]

    def is_confident(self, threshold: float) -> bool:
        return bool(self.intent) and self.confidence >= threshold


class Understander(Protocol):
    """Anything that reads a message: the HTTP client, or :class:`FakeNLU` in tests."""

    def parse(self, text: str) -> Understanding: ...


def empty_understanding(text: str) -> Understanding:
    return Understanding(text=text, intent="", confidence=0.0)


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise NLUUnavailable(f"the language service answered without a valid {what}")
    return float(value)


def _entity(raw: Any, text: str) -> Entity:
    if not isinstance(raw, Mapping):
        raise NLUUnavailable("the language service answered with a malformed entity")
    start, end = raw.get("start"), raw.get("end")
    name = raw.get("entity")
    if not isinstance(name, str) or not isinstance(start, int) or not isinstance(end, int):
        raise NLUUnavailable("the language service answered with a malformed entity")
    if not 0 <= start < end <= len(text):
        raise NLUUnavailable("the language service answered with an entity outside the text")
    value = raw.get("value")
    confidence = raw.get("confidence_entity")
    return Entity(
        entity=name,
        value=str(value) if value is not None else text[start:end],
        start=start,
        end=end,
        confidence=1.0 if confidence is None else _number(confidence, "entity confidence"),
        extractor=str(raw.get("extractor") or ""),
    )


def _overlaps(a: Entity, b: Entity) -> bool:
    return a.start < b.end and b.start < a.end


def _join_fragments(entities: list[Entity], text: str) -> list[Entity]:
    """Rejoin one value the tagger split in two: "+90 (535" + "123 45 67", "Björn" +
    "Brännström" — same kind, same extractor, nothing but a space (for a phone, also
    separators) between them, and no synonym value on either part."""
    joined: list[Entity] = []
    for entity in entities:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and previous.entity == entity.entity
            and previous.extractor == entity.extractor
            and entity.extractor not in _EXACT_EXTRACTORS
            and previous.value == text[previous.start : previous.end]
            and entity.value == text[entity.start : entity.end]
            and _JOINABLE.get(entity.entity, _SPACE_ONLY).fullmatch(
                text[previous.end : entity.start]
            )
        ):
            joined[-1] = Entity(
                entity=entity.entity,
                value=text[previous.start : entity.end],
                start=previous.start,
                end=entity.end,
                confidence=min(previous.confidence, entity.confidence),
                extractor=entity.extractor,
            )
        else:
            joined.append(entity)
    return joined


def _merge(entities: Sequence[Entity], text: str) -> list[Entity]:
    """One entity per span: a pattern match wins over any learned span overlapping it; of
    overlapping spans of one kind the earlier, then longer, is kept; fragments are rejoined."""
    ranked = sorted(
        entities,
        key=lambda e: (e.extractor not in _EXACT_EXTRACTORS, e.start, -(e.end - e.start)),
    )
    kept: list[Entity] = []
    for candidate in ranked:
        if any(
            _overlaps(k, candidate)
            and (k.entity == candidate.entity or k.extractor in _EXACT_EXTRACTORS)
            for k in kept
        ):
            continue
        kept.append(candidate)
    return _join_fragments(sorted(kept, key=lambda e: (e.start, e.end)), text)


def understanding_from_rasa(payload: Any, text: str) -> Understanding:
    """Read Rasa's ``/model/parse`` answer; raises NLUUnavailable when it is malformed."""
    if not isinstance(payload, Mapping):
        raise NLUUnavailable("the language service answered with something that is not a parse")
    intent = payload.get("intent")
    if not isinstance(intent, Mapping):
        raise NLUUnavailable("the language service answered without an intent")
    name = intent.get("name")
    if name is not None and not isinstance(name, str):
        raise NLUUnavailable("the language service answered with a malformed intent")
    raw_entities = payload.get("entities") or []
    raw_ranking = payload.get("intent_ranking") or []
    if not isinstance(raw_entities, list) or not isinstance(raw_ranking, list):
        raise NLUUnavailable("the language service answered with a malformed parse")
    ranking = []
    for item in raw_ranking:
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            raise NLUUnavailable("the language service answered with a malformed ranking")
        ranking.append(IntentScore(item["name"], _number(item.get("confidence"), "confidence")))
    return Understanding(
        text=text,
        intent=name or "",
        confidence=_number(intent.get("confidence", 0.0), "confidence") if name else 0.0,
        entities=_merge([_entity(e, text) for e in raw_entities], text),
        ranking=ranking,
    )


class NLUClient:
    """HTTP client of one Rasa NLU server; keeps its connection open between messages.

    Thread-safe (httpx.Client is), so one instance can serve every conversation.
    """

    def __init__(
        self,
        base_url: str,
        token: str = "",
        timeout_s: float = 2.0,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._params = {"token": token} if token else {}
        self.timeout_s = timeout_s
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout_s),
            transport=transport,
            # The server is on loopback (or a private network): never route it via a proxy.
            trust_env=False,
        )

    @classmethod
    def from_settings(cls, settings: Settings, token: str | None = None) -> NLUClient:
        return cls(
            settings.nlu_url,
            settings.nlu_token if token is None else token,
            settings.nlu_timeout_s,
        )

    def parse(self, text: str) -> Understanding:
        """The intent and entities of ``text``; "" intent for empty text (no request made)."""
        if not text.strip():
            return empty_understanding(text)
        sent = text[:MAX_TEXT_CHARS]
        try:
            response = self._http.post("/model/parse", params=self._params, json={"text": sent})
        except httpx.TimeoutException:
            raise NLUUnavailable(
                f"the language service did not answer within {self.timeout_s:g} s"
            ) from None
        except httpx.HTTPError as exc:
            raise NLUUnavailable(
                f"the language service at {self.base_url} cannot be reached ({_reason(exc)})"
            ) from None
        if response.status_code in (401, 403):
            raise NLUUnavailable("the language service refused the token (check NLU_TOKEN)")
        if response.status_code == 409:
            raise NLUUnavailable("the language service has no model loaded")
        if response.status_code != 200:
            raise NLUUnavailable(f"the language service answered HTTP {response.status_code}")
        try:
            payload = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise NLUUnavailable("the language service answered with invalid JSON") from None
        # Offsets refer to the part sent, which is a prefix of the full text.
        return replace(understanding_from_rasa(payload, sent), text=text)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _reason(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "connection refused"
    return type(exc).__name__


# --- a fake for tests and offline demos -------------------------------------------------------

_SPACES = re.compile(r"\s+")


def _key(text: str) -> str:
    return _SPACES.sub(" ", text.strip().lower())


class FakeNLU:
    """An :class:`Understander` driven by a dict: message text → what it means.

    A value is an intent name (confidence 1.0, no entities) or a dict with ``intent`` and
    optionally ``confidence`` and ``entities`` — each entity a dict with ``entity`` and
    ``value`` (its position is found in the message; give ``start``/``end`` when the value
    is not written literally, e.g. a synonym). Keys match case- and space-insensitively.
    A message not in the dict reads as ``default`` (out_of_scope, confidence 0.3).
    ``unavailable = True`` makes every parse raise :class:`NLUUnavailable`. ``calls`` lists
    every text parsed, so a test can assert the NLU was (or was not) asked.
    """

    def __init__(
        self,
        meanings: Mapping[str, str | Mapping[str, Any]] | None = None,
        *,
        default: tuple[str, float] = ("out_of_scope", 0.3),
        unavailable: bool = False,
    ) -> None:
        self.meanings = {_key(k): v for k, v in (meanings or {}).items()}
        self.default = default
        self.unavailable = unavailable
        self.calls: list[str] = []

    def add(self, text: str, meaning: str | Mapping[str, Any]) -> None:
        self.meanings[_key(text)] = meaning

    def parse(self, text: str) -> Understanding:
        self.calls.append(text)
        if self.unavailable:
            raise NLUUnavailable("the language service is unavailable (fake)")
        if not text.strip():
            return empty_understanding(text)
        meaning = self.meanings.get(_key(text))
        if meaning is None:
            intent, confidence = self.default
            return Understanding(text, intent, confidence, [], [IntentScore(intent, confidence)])
        if isinstance(meaning, str):
            return Understanding(text, meaning, 1.0, [], [IntentScore(meaning, 1.0)])
        intent = str(meaning["intent"])
        confidence = float(meaning.get("confidence", 1.0))
        entities = [self._entity(text, raw) for raw in meaning.get("entities", [])]
        ranking = [IntentScore(intent, confidence)]
        return Understanding(
            text, intent, confidence, sorted(entities, key=lambda e: e.start), ranking
        )

    @staticmethod
    def _entity(text: str, raw: Mapping[str, Any]) -> Entity:
        value = str(raw["value"])
        if "start" in raw and "end" in raw:
            start, end = int(raw["start"]), int(raw["end"])
        else:
            start = text.lower().find(value.lower())
            if start < 0:
                raise ValueError(f"fake NLU: {value!r} is not in {text!r}; give start and end")
            end = start + len(value)
        return Entity(
            entity=str(raw["entity"]),
            value=value,
            start=start,
            end=end,
            confidence=float(raw.get("confidence", 1.0)),
            extractor="fake",
        )
