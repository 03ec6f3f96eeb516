"""The conversation: one message in, one structured reply out.

``Dialogue.handle`` is the one entry point every front end calls (the Slack app, the
terminal chat). For each message it:

1. refuses what cannot be a question (empty, far too long, only symbols, another script)
   with a clear answer — before the language service is asked, and writing nothing;
2. takes the structured paths that need no language understanding: ``done 2`` / ``skip 1
   <reason>`` / ``n/a 3``, a number answering "which one?", ``lookup <anything>``, and a
   message that is only a VIN, phone number, e-mail, plate or repair-order number;
3. otherwise asks the NLU what the message means; below the confidence threshold it asks
   back instead of guessing; when the NLU is down or slow, it says so plainly;
4. runs the intent's action inside a savepoint — an action that fails writes nothing — and
   saves the conversation's context (customer, offered choices, numbered touches).

The caller owns the session and commits it (``with store.sessions.begin() as session``).
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import re
import unicodedata
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from actions import router
from actions.context import (
    ConversationContext,
    Pending,
    load_context,
    purge_idle,
    save_context,
)
from actions.customer_arrived import wait_mode
from actions.help import examples_for
from actions.results import Apology, ErrorReason, Message, Question, Reply, Result
from actions.touch_outcomes import mark
from actions.turn import DialogueSettings, Turn, entity_dicts, words
from actions.understanding import (
    Entity,
    NLUUnavailable,
    Understander,
    Understanding,
    empty_understanding,
)
from knowledge.access import staff_viewer
from knowledge.errors import AccessDenied, ConciergeError, InvalidInput
from knowledge.lookup.classify import readings
from knowledge.models import StaffMember
from knowledge.normalize import clean_text
from knowledge.touches import Playbook, PlaybookHolder

log = logging.getLogger(__name__)

# Conversations idle this long are deleted (their memory expired long before).
RETAIN_MINUTES = 24 * 60
# A staff message is a sentence or a paste of one identifier; much longer is a paste gone
# wrong, and reading it would cost the NLU server hundreds of milliseconds.
MAX_MESSAGE_CHARS = 1000
# Structured commands: "done 2", "done 1 and 3", "skip 2 customer in a hurry", "n/a 3".
_OUTCOME = re.compile(
    r"^\s*(done|did|skip|skipped|n/?a|not\s+applicable)\s*[:#]?\s*"
    r"(\d{1,2}(?:\s*(?:,|and|&|\+)\s*#?\d{1,2})*)\b[\s,.:;-]*(.*)$",
    re.IGNORECASE,
)
_BARE_NUMBER = re.compile(r"^\s*#?(\d{1,2})\s*[.!]?\s*$")
_LOOKUP = re.compile(r"^\s*(?:lookup|look\s+up|find|search)\s*[:]?\s+(.+)$", re.IGNORECASE)
_YES = frozenset({"👍", "✅", "👌", "✔", "✔️"})
_NO = frozenset({"👎", "❌", "✖", "✖️"})
# Languages staff sometimes write in that the NLU was not trained on: their commonest
# words. Two of them (and more than English words) in a message not understood is a tell.
_FOREIGN_WORDS = {
    "Spanish": "el la los las es está esta por favor dónde donde cliente quién quien que qué "
    "tiene coche hola gracias del una",
    "French": "le la les est où ou client qui quel quelle voiture bonjour merci une des avec "
    "pour dans",
    "Italian": "il lo gli è dove cliente chi che macchina ciao grazie una del",
    "Portuguese": "o os é onde cliente quem carro olá obrigado uma do da",
    "Dutch": "de het een is waar klant wie auto hallo bedankt van met",
    "Polish": "jest gdzie klient kto samochód dzień dobry dziękuję nie tak",
    "Turkish": "bir ve bu müşteri nerede kim araba merhaba teşekkürler ne",
}
_FOREIGN = {language: frozenset(text.split(" ")) for language, text in _FOREIGN_WORDS.items()}
_ENGLISH_WORDS = (
    "the a an is are was what who where she he her his they it in on for with to of my any "
    "does do can this that here"
)
_ENGLISH = frozenset(_ENGLISH_WORDS.split(" "))
# Characters in these scripts alongside Latin ones are fine (names); a message mostly in
# another script is not something the NLU can read.
_LATIN_SHARE = 0.5

_IDENTIFIER_ENTITY = {
    "email": "email",
    "phone": "phone",
    "vin": "vin",
    "vin_partial": "vin",
    "plate": "plate",
    "ro": "ro_number",
}
# Readings of a bare word that are too weak to skip the NLU: "x5" is a model, not a plate.
_MIN_GENERIC_PLATE = 5


@dataclass(frozen=True)
class Checked:
    text: str
    refusal: Apology | None = None


def _letters(text: str) -> tuple[int, int]:
    """(letters, Latin letters) in ``text``."""
    total = latin = 0
    for ch in text:
        if ch.isalpha():
            total += 1
            if unicodedata.name(ch, "").startswith("LATIN"):
                latin += 1
    return total, latin


def check_text(text: str) -> Checked:
    """The message cleaned, or why it cannot be read at all (nothing is written then)."""
    raw = text if isinstance(text, str) else ""
    if len(raw) > MAX_MESSAGE_CHARS:
        return Checked(
            raw[:MAX_MESSAGE_CHARS],
            Apology(
                text=f"That message is {len(raw):,} characters long; I read messages of up to "
                f"{MAX_MESSAGE_CHARS:,} characters.",
                reason="too_long",
                hint="Ask in a sentence, or paste just the phone number, e-mail, VIN, plate "
                "or RO number.",
            ),
        )
    cleaned = clean_text(raw)
    if not cleaned:
        return Checked(
            "",
            Apology(
                text="That message is empty.",
                reason="invalid_input",
                hint="Type a question, e.g. 'who is 0151 2345 6789?', or 'help'.",
            ),
        )
    if not any(ch.isalnum() for ch in cleaned):
        return Checked(
            cleaned,
            Apology(
                text="I can't read a message of only symbols or emoji.",
                reason="not_understood",
                hint="Type a name, phone number, e-mail, VIN, plate or RO number — or 'help'.",
            ),
        )
    letters, latin = _letters(cleaned)
    if letters >= 2 and latin / letters < _LATIN_SHARE:
        return Checked(
            cleaned,
            Apology(
                text="I only understand English (and a few German words), so I can't read "
                "that message.",
                reason="unsupported_language",
                hint="Write it in English; a name from another script can be typed in Latin "
                "letters.",
            ),
        )
    return Checked(cleaned)


def foreign_language(text: str) -> str | None:
    """The language a message not understood seems to be written in, if not English."""
    said = words(text)
    english = sum(w in _ENGLISH for w in said)
    best, hits = None, 0
    for language, vocabulary in _FOREIGN.items():
        count = sum(w in vocabulary for w in said)
        if count > hits:
            best, hits = language, count
    return best if hits >= 2 and hits > english else None


def bare_identifier(text: str) -> str | None:
    """The entity kind of a message that is only an identifier (VIN, phone, e-mail, plate,
    RO number), or None when it has words in it."""
    if len(text) > 80:
        return None
    found = readings(text)
    if not found or any(r.kind == "name" for r in found):
        return None
    strong = [
        r
        for r in found
        if not (
            r.kind == "plate"
            and len(r.value.replace(" ", "").replace("-", "")) < _MIN_GENERIC_PLATE
        )
    ]
    return _IDENTIFIER_ENTITY.get(strong[0].kind) if strong else None


# What may separate the parts of one name the NLU tagged word by word ("anna" "schmidt").
_NAME_GAP = re.compile(r"^[\s\-'’.]*$")


def joined_names(understanding: Understanding) -> Understanding:
    """One person entity per name: adjacent person spans ("anna", "schmidt") are one person
    ("anna schmidt"), while "kenji tanaka and priya patel" stays two."""
    text = understanding.text
    merged: list[Entity] = []
    for e in understanding.entities:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.entity == e.entity == "person"
            and last.end <= e.start
            and _NAME_GAP.match(text[last.end : e.start])
        ):
            merged[-1] = Entity(
                "person",
                text[last.start : e.end],
                last.start,
                e.end,
                min(last.confidence, e.confidence),
                last.extractor,
            )
            continue
        merged.append(e)
    if len(merged) == len(understanding.entities):
        return understanding
    return replace(understanding, entities=merged)


class Dialogue:
    """The conversation engine: an NLU, the playbook and the settings, shared by every
    conversation (it holds no per-conversation state; that lives in the store)."""

    def __init__(
        self,
        nlu: Understander,
        playbook: Playbook | PlaybookHolder,
        settings: DialogueSettings | None = None,
    ) -> None:
        self.nlu = nlu
        self._playbook = playbook
        self.settings = settings or DialogueSettings()

    @property
    def playbook(self) -> Playbook:
        if isinstance(self._playbook, PlaybookHolder):
            return self._playbook.current
        return self._playbook

    def handle(
        self,
        session: Session,
        *,
        conversation_key: str,
        text: str,
        staff: StaffMember,
        channel: str,
        now: dt.datetime,
        public: bool = False,
    ) -> Reply:
        """Answer one message of ``staff`` in the conversation ``conversation_key``.

        ``channel`` says where the answer is shown ("terminal", "slack:C0123"); ``public``
        that others can read it there (contact details are then hidden on cards).
        """
        if now.tzinfo is None:
            raise InvalidInput("Dialogue.handle needs a time-zone-aware 'now'")
        if not staff.active:
            raise AccessDenied(f"{staff.display_name} is no longer an active staff member")
        context = load_context(
            session,
            conversation_key,
            channel=channel,
            staff_id=staff.id,
            now=now,
            idle_minutes=self.settings.idle_minutes,
        )
        checked = check_text(text)
        emoji = checked.text.strip()
        if checked.refusal is not None and emoji not in _YES | _NO:
            # Nothing is read, written or remembered; the conversation stays as it was.
            return Reply(
                conversation_key,
                (checked.refusal,),
                customer_id=None if context.expired else context.customer_id,
                customer_name=None if context.expired else context.customer_name,
                awaiting=context.awaiting,
            )
        turn = Turn(
            session=session,
            context=context,
            staff=staff,
            viewer=staff_viewer(staff, channel=channel, public=public),
            now=now,
            text=checked.text,
            understanding=empty_understanding(checked.text),
            playbook=self.playbook,
            settings=self.settings,
        )
        structured = False
        # What the conversation knew before: kept when the action fails, so it never
        # remembers a customer or touch numbers from writes that were rolled back.
        before = copy.deepcopy(context)
        try:
            with session.begin_nested():
                results, structured = self._answer(turn, emoji)
        except ConciergeError as exc:
            results = [Apology(text=_sentence(str(exc)), reason=_reason(exc))]
            turn.wrote = False
            context = before
        except Exception:
            log.exception("the action for %r failed", turn.intent or "(structured)")
            results = [
                Apology(
                    text="Something went wrong on my side; nothing was changed.",
                    reason="internal",
                    hint="Try again, or ask in other words.",
                )
            ]
            turn.wrote = False
            context = before
        if context.expired:
            results = [
                Message(
                    text="(Our earlier conversation had been idle for a while, so I started "
                    "afresh.)"
                ),
                *results,
            ]
        context.turns += 1
        if context.is_new:
            # Housekeeping as conversations start: threads idle for a day are gone for good.
            retain = max(self.settings.idle_minutes, RETAIN_MINUTES)
            purge_idle(session, now=now, idle_minutes=retain)
        save_context(session, context, now=now)
        return Reply(
            conversation_key=conversation_key,
            results=tuple(results),
            intent=turn.intent,
            confidence=turn.understanding.confidence,
            customer_id=context.customer_id,
            customer_name=context.customer_name if context.customer_id else None,
            structured=structured,
            awaiting=context.awaiting,
            wrote=turn.wrote,
        )

    # --- the steps -------------------------------------------------------------------------

    def _answer(self, turn: Turn, emoji: str) -> tuple[list[Result], bool]:
        """The results, and whether a structured path answered (no NLU)."""
        structured = self._structured(turn, emoji)
        if structured is not None:
            return structured, True
        try:
            understanding = self.nlu.parse(turn.text)
        except NLUUnavailable as exc:
            return [_unavailable(exc)], False
        turn.understanding = joined_names(understanding)
        understanding = turn.understanding
        threshold = self.settings.confidence_threshold
        intent = understanding.intent
        if not understanding.is_confident(threshold) or intent == "out_of_scope":
            language = foreign_language(turn.text)
            if language:
                return [
                    Apology(
                        text=f"That looks like {language}; I only understand English (and a "
                        "few German words).",
                        reason="unsupported_language",
                        hint="Please write it in English.",
                    )
                ], False
        if not understanding.is_confident(threshold):
            return self._unsure(turn), False
        return router.dispatch(turn, intent), False

    def _structured(self, turn: Turn, emoji: str) -> list[Result] | None:
        context = turn.context
        text = turn.text
        if emoji in _YES | _NO:
            intent = "affirm" if emoji in _YES else "deny"
            turn.understanding = Understanding(text, intent, 1.0)
            return router.dispatch(turn, intent)
        outcome = _OUTCOME.match(text)
        if outcome:
            verb = outcome.group(1).lower()
            numbers = re.findall(r"\d{1,2}", outcome.group(2))
            rest = outcome.group(3).strip() or None
            kind = (
                "done"
                if verb in ("done", "did")
                else "skipped"
                if verb.startswith("skip")
                else "not_applicable"
            )
            turn.understanding = Understanding(
                text, "skip_touch" if kind == "skipped" else "log_touch", 1.0
            )
            context.clear_question()
            return mark(turn, kind, numbers=numbers, reason=rest)
        bare = _BARE_NUMBER.match(text)
        if bare and (context.candidates or context.vehicles):
            number = bare.group(1)
            turn.understanding = Understanding(
                text, "choose_option", 1.0, [Entity("ordinal", number, 0, len(text), 1.0)]
            )
            return router.dispatch(turn, "choose_option")
        answers_wait_mode = (
            context.awaiting == "wait_mode"
            and context.customer_id is not None
            and not text.rstrip().endswith("?")
        )
        if answers_wait_mode and len(words(text)) <= 4 and wait_mode(text):
            # "she's waiting" / "drop-off": the answer to "waiting or dropping off?"
            turn.understanding = Understanding(text, "customer_arrived", 1.0)
            return router.dispatch(turn, "customer_arrived")
        lookup = _LOOKUP.match(text)
        query = lookup.group(1).strip() if lookup else text
        entity = bare_identifier(query)
        if lookup and entity is None:
            entity = "person"
        if entity is not None:
            turn.understanding = Understanding(
                text,
                "lookup_customer",
                1.0,
                [Entity(entity, query, 0, len(query), 1.0, "structured")],
            )
            return router.dispatch(turn, "lookup_customer")
        return None

    def _unsure(self, turn: Turn) -> list[Result]:
        understanding = turn.understanding
        intent = understanding.intent
        label = router.INTENT_LABELS.get(intent)
        if (
            not intent
            or intent in router.SMALL_TALK
            or label is None
            or understanding.confidence < self.settings.confidence_threshold / 2
        ):
            return [
                Apology(
                    text="Sorry, I didn't understand that.",
                    reason="not_understood",
                    hint="Try e.g. " + "; ".join(f"'{e}'" for e in examples_for(turn)[:3]),
                )
            ]
        context = turn.context
        context.clear_question()
        context.awaiting = "intent_confirm"
        context.pending = Pending(intent, entity_dicts(understanding.entities), turn.text[:500])
        return [
            Question(
                text=f"I'm not sure I understood. Do you want to {label}?",
                expects="confirm",
                options=("yes", "no"),
            )
        ]


def _unavailable(exc: NLUUnavailable) -> Apology:
    return Apology(
        text=f"The language service is unavailable right now ({exc}), so I can't read free text.",
        reason="nlu_unavailable",
        hint="These still work: paste a phone number, e-mail, VIN, plate or RO number; "
        "'lookup <name>'; 'done 1' or 'skip 2 <reason>'.",
    )


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return "That could not be done; nothing was changed."
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _reason(exc: ConciergeError) -> ErrorReason:
    if isinstance(exc, AccessDenied):
        return "access_denied"
    return "invalid_input"


def context_of(
    session: Session, key: str, *, now: dt.datetime, idle_minutes: int
) -> ConversationContext:
    """The context of a conversation as the next message would see it (for front ends and
    tests)."""
    return load_context(session, key, channel="", staff_id=None, now=now, idle_minutes=idle_minutes)
