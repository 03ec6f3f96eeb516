"""Marking touches done, skipped or not applicable — by number, by name, or all of them.

Numbers are the ones the person saw ("done 2"), remembered in the conversation. A touch
named instead ("brought her a latte", "skip the car wash") is matched against the touches
shown — in this conversation, or to anyone today for the customer named. The outcome is
written through ``knowledge.touches.record_outcome``, the one way outcomes are recorded,
so a second identical "done 2" changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils
from sqlalchemy import select

from actions.context import Offered
from actions.resolve import identifiers, resolve_customer
from actions.results import Confirmation, CustomerRef, Question, Result
from actions.turn import Turn, words
from knowledge.models import Customer, TouchSuggestion
from knowledge.touches import record_outcome

# How close a typed touch name must be to a shown touch's title or id (0–100).
TOUCH_NAME_SCORE = 70.0
# Suggestions shown this long ago still count as "today's" for a customer named anew.
RECENT_SHOWN = dt.timedelta(hours=16)
_ORDINAL = re.compile(r"^#?(\d{1,2})$")
# Words that only say "skip" or point at a touch; what remains is the reason.
_SKIP_WORDS = frozenset(
    {"skip", "skipped", "skipping", "the", "touch", "number", "no", "nr", "one", "it", "that",
     "mark", "as", "drop", "pass", "on", "not", "doing", "leave", "out", "won't", "wont", "do",
     "dont", "don't", "suggestion", "this", "all", "of", "these", "today", "first", "second",
     "third", "last", "fourth", "fifth", "and", "please", "pls", "ignore"}
)  # fmt: skip
_REASON_SPLIT = re.compile(r"\s*(?:[,;:–—]|\s-\s|\bbecause\b|\bsince\b|\bas\b)\s*", re.I)
DRINK_QUERY = "drink"


@dataclass(frozen=True)
class Target:
    number: int
    suggestion_id: int
    title: str
    customer_id: int


def _from_context(turn: Turn) -> list[Target]:
    cid = turn.context.touches_customer_id
    if cid is None:
        return []
    return [Target(t.number, t.id, t.label, cid) for t in turn.context.touches]


def _recent_for(turn: Turn, customer_id: int) -> list[Target]:
    """Touches shown for the customer lately (to anyone), numbered by their rank."""
    rows = turn.session.execute(
        select(TouchSuggestion.id, TouchSuggestion.touch_id, TouchSuggestion.rank)
        .where(
            TouchSuggestion.customer_id == customer_id,
            TouchSuggestion.last_shown_at >= turn.now - RECENT_SHOWN,
        )
        .order_by(TouchSuggestion.last_shown_at.desc(), TouchSuggestion.rank)
        .limit(10)
    ).all()
    titles = {t.id: t.title for t in turn.playbook.touches}
    seen: set[str] = set()
    out = []
    for sid, touch_id, rank in rows:
        if touch_id in seen:
            continue
        seen.add(touch_id)
        out.append(Target(rank, sid, titles.get(touch_id, touch_id), customer_id))
    return out


def ordinals(turn: Turn) -> list[str]:
    return [o.lower().lstrip("#") for o in turn.values("ordinal")]


def by_number(targets: list[Target], wanted: list[str]) -> tuple[list[Target], list[str]]:
    chosen: list[Target] = []
    missing: list[str] = []
    for raw in wanted:
        pick: Target | None
        if raw == "last" and targets:
            pick = max(targets, key=lambda t: t.number)
        else:
            match = _ORDINAL.match(raw)
            number = int(match.group(1)) if match else None
            pick = next((t for t in targets if t.number == number), None)
        if pick is None:
            missing.append(raw)
        elif pick not in chosen:
            chosen.append(pick)
    return chosen, missing


def _touch_text(turn: Turn, target: Target) -> str:
    ids = {o.id: o for o in turn.context.touches}
    offered: Offered | None = ids.get(target.suggestion_id)
    extra = " ".join(offered.tags) if offered else ""
    return f"{target.title} {extra}".replace("_", " ")


def by_name(turn: Turn, targets: list[Target], names: list[str]) -> list[Target]:
    chosen: list[Target] = []
    choices = {i: _touch_text(turn, t) for i, t in enumerate(targets)}
    for name in names:
        found = process.extractOne(
            name.replace("_", " "),
            choices,
            scorer=fuzz.partial_token_set_ratio,
            processor=utils.default_process,
            score_cutoff=TOUCH_NAME_SCORE,
        )
        if found is not None:
            target = targets[found[2]]
            if target not in chosen:
                chosen.append(target)
    return chosen


def skip_reason(turn: Turn) -> str | None:
    """Why a touch is skipped, from the staff member's words; None when they gave none."""
    text = turn.text.strip()
    for e in sorted(turn.understanding.entities, key=lambda e: -e.start):
        if e.entity in ("ordinal", "touch"):
            text = text[: e.start] + " " + text[e.end :]
    parts = _REASON_SPLIT.split(text, maxsplit=1)
    if len(parts) == 2 and len([w for w in words(parts[1]) if w not in _SKIP_WORDS]) >= 1:
        return parts[1].strip(" .")
    remaining = [w for w in words(text) if w not in _SKIP_WORDS and not w.isdigit()]
    if len(remaining) >= 2:
        return turn.text.strip(" .")
    return None


def _targets(turn: Turn, intent: str) -> tuple[list[Target], list[Result]]:
    """The touches the message can refer to, and anything to answer first."""
    names_customer = identifiers(turn)
    context_targets = _from_context(turn)
    if names_customer:
        found = resolve_customer(turn, intent)
        if found.customer_id is None:
            return [], found.results
        if found.customer_id == turn.context.touches_customer_id:
            return context_targets, []
        return _recent_for(turn, found.customer_id), []
    if context_targets:
        return context_targets, []
    if turn.context.customer_id is not None:
        return _recent_for(turn, turn.context.customer_id), []
    return [], []


def mark(
    turn: Turn,
    outcome: str,
    *,
    numbers: list[str] | None = None,
    names: list[str] | None = None,
    reason: str | None = None,
    everything: bool = False,
    intent: str = "log_touch",
) -> list[Result]:
    """Record ``outcome`` for the touches meant; a question when it is not clear which."""
    targets, first = _targets(turn, intent)
    if first:
        return first
    verb = {"done": "done", "skipped": "skip", "not_applicable": "n/a"}[outcome]
    if not targets:
        return [
            Question(
                text="Which touch? I have not shown any touches in this conversation yet — "
                "ask 'what can I do for her?' first, then say e.g. 'done 1'.",
                expects="detail",
            )
        ]
    chosen: list[Target] = []
    missing: list[str] = []
    if everything:
        chosen = list(targets)
    if numbers:
        picked, missing = by_number(targets, numbers)
        chosen += [t for t in picked if t not in chosen]
    if names and not chosen:
        chosen = by_name(turn, targets, names)
    if missing:
        listed = ", ".join(f"{t.number}. {t.title}" for t in targets)
        return [
            Question(
                text=f"There is no touch {', '.join(missing)} — the touches shown are: {listed}.",
                expects="detail",
            )
        ]
    if not chosen:
        if len(targets) == 1 and not names:
            chosen = targets
        else:
            listed = ", ".join(f"{t.number}. {t.title}" for t in targets)
            what = f" {names[0]!r} is not among them." if names else ""
            return [
                Question(
                    text=f"Which touch?{what} Shown: {listed}. "
                    f"Say e.g. '{verb} {targets[0].number}'.",
                    expects="detail",
                    options=tuple(f"{verb} {t.number}" for t in targets),
                )
            ]
    if outcome == "skipped" and not reason:
        numbers_text = " ".join(str(t.number) for t in chosen)
        return [
            Question(
                text=f"Why skip it? Say e.g. 'skip {numbers_text} customer in a hurry' — the "
                "trainers review skip reasons.",
                expects="detail",
            )
        ]
    results: list[Result] = []
    for target in chosen:
        recorded = record_outcome(
            turn.session,
            target.suggestion_id,
            outcome,
            staff_id=turn.staff.id,
            reason=reason if outcome == "skipped" else None,
            now=turn.now,
        )
        turn.wrote = turn.wrote or recorded.changed
        said = outcome.replace("_", " ")
        why = f" ({recorded.reason})" if recorded.reason else ""
        text = (
            f"Marked {target.number}. {target.title} as {said}{why}."
            if recorded.changed
            else f"{target.number}. {target.title} was already marked {said}."
        )
        written = [("touch", target.title), ("outcome", said)]
        if recorded.reason:
            written.append(("reason", recorded.reason))
        results.append(
            Confirmation(
                action="touch_outcome",
                text=text,
                customer=_ref(turn, target.customer_id),
                written=tuple(written),
                changed=recorded.changed,
                suggestion_id=target.suggestion_id,
            )
        )
    return results


def _ref(turn: Turn, customer_id: int) -> CustomerRef:
    customer = turn.session.get(Customer, customer_id)
    if customer is None:
        return CustomerRef(customer_id, "")
    return CustomerRef(customer.id, customer.display_name, customer.preferred_name)


def touch_names(turn: Turn) -> list[str]:
    names = turn.values("touch")
    if not names and turn.values("drink"):
        names = [DRINK_QUERY]
    return names
