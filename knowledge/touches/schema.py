"""Loading and validating the playbook: YAML touches and offers, checked against the facts.

Every problem names its place — file and line, touch (or offer) id, field — and says what
is wrong; all problems of a load are reported together. Conditions are data, compiled here
into plain predicates over the facts (nothing from the YAML is ever evaluated as code).
A ``PlaybookHolder`` keeps the playbook in force: a reload that fails leaves it unchanged.

Condition language (the ``when:`` of a touch, all entries must hold)::

    when:
      is_waiting: true                    # shorthand for {is: true}
      minutes_waiting: {at_least: 30}
      preferred_drink: {present: true}
      any:                                # at least one block holds
        - {is_late: true}
        - {minutes_to_promised: {at_most: 15}}
      not: {wait_mode: {one_of: [loaner]}}

Operators: is, is_not, at_least, at_most, more_than, less_than, between [lo, hi], one_of
[…], present (true/false), contains (list facts). A missing value satisfies nothing but
``present: false``.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import yaml
from rapidfuzz import fuzz, process, utils

from knowledge.errors import InvalidInput
from knowledge.touches.facts import FACTS, Facts, FactSpec, FactType, FactValue, value_has_type

DEFAULT_PLAYBOOK_DIR = Path(__file__).resolve().parent.parent / "playbook"

CATEGORIES: dict[str, str] = {
    "welcome": "welcome",
    "comfort": "comfort",
    "all_vehicles": "care for all their vehicles",
    "keep_informed": "keep informed",
    "recognition": "recognition",
    "follow_up": "follow-up",
    "trust": "trust",
    "offer": "offers that fit",
}
AUDIENCES: tuple[str, ...] = ("advisor", "call_center")

TOUCH_FIELDS: dict[str, str] = {
    "id": "unique name, lower case letters, digits and _",
    "title": "short name staff see",
    "category": "one of " + ", ".join(CATEGORIES),
    "audience": "who does it: " + ", ".join(AUDIENCES),
    "when": "conditions over named facts",
    "instruction": "what to do, with {fact} placeholders",
    "reason": "why, as the staff member sees it, with {fact} placeholders",
    "priority": "1–100, higher is more valuable",
    "cooldown_days": "days before the touch may be suggested again after it was done",
    "needs_consent": "promotional: needs marketing consent and a quiet period",
    "outbound": "(optional) the dealer reaches out; suppressed for do-not-contact customers",
    "source": "(optional) where the practice comes from, for trainers",
}
REQUIRED_TOUCH_FIELDS = tuple(k for k, v in TOUCH_FIELDS.items() if not v.startswith("(optional)"))

OFFER_FIELDS: dict[str, str] = {
    "id": "unique name, lower case letters, digits and _",
    "title": "what is offered",
    "value": "1–100, higher is offered first",
    "makes": "(optional) makes it is made for",
    "requires": "option codes the vehicle must all have",
    "requires_any": "option codes of which the vehicle must have one",
    "excludes": "(optional) option codes that make it pointless",
}
REQUIRED_OFFER_FIELDS = ("id", "title", "value")
FILE_KEYS = ("version", "touches", "offers")

OPERATORS: dict[str, str] = {
    "is": "equals",
    "is_not": "differs from",
    "at_least": "≥ a number",
    "at_most": "≤ a number",
    "more_than": "> a number",
    "less_than": "< a number",
    "between": "within [low, high], both included",
    "one_of": "equals one of a list",
    "present": "true: the fact is known (non-empty); false: it is missing",
    "contains": "a list fact contains the text",
}
GROUPS = ("all", "any", "not")
_ID = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_OPTION_CODE = re.compile(r"^[A-Z0-9]{2,8}$")
# How close a misspelt name must be to a real one to be offered as "did you mean".
SUGGEST_CUTOFF = 80

Predicate = Callable[[Facts], bool]


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    item: str | None  # "touch 'x'", "offer 'y'", or None for the file itself
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        if self.item:
            where += f" {self.item}"
        if self.field:
            where += f" field '{self.field}'"
        return f"{where}: {self.message}"


class PlaybookInvalid(InvalidInput):
    """The playbook cannot be used; the problems say where and why. Nothing was changed."""

    def __init__(self, source: str, problems: Iterable[Problem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        count = len(self.problems)
        listed = "; ".join(str(p) for p in self.problems)
        super().__init__(f"playbook {source} has {count} problem{'s' * (count != 1)}: {listed}")


def did_you_mean(word: object, choices: Collection[str]) -> str:
    if not isinstance(word, str):
        return ""
    best = process.extractOne(
        word,
        list(choices),
        scorer=fuzz.ratio,
        processor=utils.default_process,
        score_cutoff=SUGGEST_CUTOFF,
    )
    return f" (did you mean '{best[0]}'?)" if best else ""


# --------------------------------------------------------------------------- templates


@dataclass(frozen=True)
class Template:
    """Text with {fact} placeholders, parsed once."""

    text: str
    parts: tuple[tuple[str, str | None], ...]

    @property
    def facts(self) -> tuple[str, ...]:
        return tuple(name for _, name in self.parts if name is not None)

    def render(self, facts: Facts) -> str | None:
        """The text with every placeholder filled, or None when a value is missing."""
        out: list[str] = []
        for literal, name in self.parts:
            out.append(literal)
            if name is not None:
                shown = show_value(facts.get(name))
                if shown is None:
                    return None
                out.append(shown)
        return "".join(out)


def show_value(value: FactValue) -> str | None:
    if value is None or value == () or value == "":
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return ", ".join(value)
    return str(value)


# --------------------------------------------------------------------------- the playbook


@dataclass(frozen=True)
class Offer:
    """An accessory or service offer and the option codes a vehicle needs for it to fit."""

    id: str
    title: str
    value: int
    requires: frozenset[str] = frozenset()
    requires_any: frozenset[str] = frozenset()
    excludes: frozenset[str] = frozenset()
    makes: frozenset[str] = frozenset()  # as written; empty: any make
    file: str = ""

    @cached_property
    def folded_makes(self) -> frozenset[str]:
        return frozenset(m.casefold() for m in self.makes)

    def fits(self, make: str, options: Collection[str]) -> bool:
        codes = {o.upper() for o in options}
        if self.makes and make.casefold() not in self.folded_makes:
            return False
        if not self.requires <= codes:
            return False
        if self.requires_any and not (self.requires_any & codes):
            return False
        return not (self.excludes & codes)


@dataclass(frozen=True)
class Touch:
    id: str
    title: str
    category: str
    audience: tuple[str, ...]
    when: Predicate = field(repr=False, compare=False)
    conditions: Mapping[str, Any] = field(repr=False, compare=False)
    instruction: Template
    reason: Template
    priority: int
    cooldown_days: int
    needs_consent: bool
    outbound: bool
    source: str | None
    # Every fact the conditions and placeholders read: what a suggestion's snapshot keeps.
    facts_used: tuple[str, ...]
    file: str
    line: int | None

    def applies(self, facts: Facts) -> bool:
        return self.when(facts)


@dataclass(frozen=True)
class Playbook:
    touches: tuple[Touch, ...]  # most valuable first: priority, then id
    offers: tuple[Offer, ...]
    version: str  # content hash: changes exactly when what the playbook does changes
    label: str | None  # the human "version:" of the files, if any
    source: str

    @cached_property
    def max_cooldown_days(self) -> int:
        return max((t.cooldown_days for t in self.touches), default=0)

    def touch(self, touch_id: str) -> Touch | None:
        return next((t for t in self.touches if t.id == touch_id), None)

    @property
    def display_version(self) -> str:
        return f"{self.label} ({self.version})" if self.label else self.version


# --------------------------------------------------------------------------- YAML with lines


class _Map(dict[Any, Any]):
    line: int = 0


class _DuplicateKey(Exception):
    def __init__(self, key: object, line: int) -> None:
        super().__init__(key, line)
        self.key = key
        self.line = line


class _Loader(yaml.SafeLoader):
    """Safe YAML that remembers each mapping's line and refuses a key given twice."""


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Any:
    data = _Map()
    data.line = node.start_mark.line + 1
    yield data
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
        except TypeError:  # an unhashable key; construct_mapping reports it
            duplicate = False
        if duplicate:
            raise _DuplicateKey(key, key_node.start_mark.line + 1)
        seen.add(key)
    data.update(loader.construct_mapping(node, deep=True))


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)


def _line(value: object) -> int | None:
    return value.line if isinstance(value, _Map) else None


def _type_name(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"yes/no ({str(value).lower()})"
    if isinstance(value, int):
        return f"whole number ({value})"
    if isinstance(value, float):
        return f"number ({value})"
    if isinstance(value, str):
        return f"text ({value!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


# --------------------------------------------------------------------------- validation


@dataclass
class _Item:
    """Collects the problems of one touch or offer and what its conditions read."""

    file: str
    line: int | None
    item: str | None
    problems: list[Problem]
    used: set[str] = field(default_factory=set)
    guarded: set[str] = field(default_factory=set)

    def problem(self, field_name: str | None, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(self.file, line or self.line, self.item, field_name, message))


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _compile_block(value: object, path: str, item: _Item, top: bool) -> Predicate | None:
    """An AND of the entries of one mapping of conditions."""
    if not isinstance(value, dict):
        item.problem(path, f"must be a mapping of facts to conditions, got {_type_name(value)}")
        return None
    preds: list[Predicate] = []
    for key, sub in value.items():
        where = f"{path}.{key}"
        pred: Predicate | None
        if key in ("all", "any"):
            if not isinstance(sub, list) or not sub:
                item.problem(where, f"'{key}' needs a non-empty list of condition mappings")
                continue
            blocks = [
                _compile_block(b, f"{where}[{i}]", item, top and key == "all")
                for i, b in enumerate(sub)
            ]
            if any(b is None for b in blocks):
                continue
            parts = tuple(b for b in blocks if b is not None)
            pred = _all(parts) if key == "all" else _any(parts)
        elif key == "not":
            inner = _compile_block(sub, where, item, top=False)
            if inner is None:
                continue
            pred = _not(inner)
        else:
            pred = _compile_fact(key, sub, where, item, top)
        if pred is not None:
            preds.append(pred)
    return _all(tuple(preds))


def _all(preds: tuple[Predicate, ...]) -> Predicate:
    if len(preds) == 1:
        return preds[0]
    return lambda facts: all(p(facts) for p in preds)


def _any(preds: tuple[Predicate, ...]) -> Predicate:
    return lambda facts: any(p(facts) for p in preds)


def _not(pred: Predicate) -> Predicate:
    return lambda facts: not pred(facts)


def _compile_fact(
    name: object, value: object, path: str, item: _Item, top: bool
) -> Predicate | None:
    spec = FACTS.get(name) if isinstance(name, str) else None
    if spec is None:
        item.problem(path, f"unknown fact '{name}'{did_you_mean(name, FACTS)}")
        return None
    item.used.add(spec.name)
    ops: dict[Any, Any] = dict(value) if isinstance(value, dict) else {"is": value}
    if not ops:
        item.problem(path, "no condition given — write e.g. {present: true}")
        return None
    if top and any(not (op == "present" and operand is False) for op, operand in ops.items()):
        # Counted even when an operator below is faulty, so one mistake is reported once.
        item.guarded.add(spec.name)
    preds: list[Predicate] = []
    for op, operand in ops.items():
        where = f"{path}.{op}" if isinstance(value, dict) else path
        if op not in OPERATORS:
            item.problem(
                where,
                f"unknown operator '{op}'{did_you_mean(op, OPERATORS)}; "
                f"use one of {', '.join(OPERATORS)}",
            )
            continue
        error = _operand_problem(spec, op, operand)
        if error:
            item.problem(where, error)
            continue
        preds.append(_test(spec.name, op, operand))
    if len(preds) != len(ops):
        return None
    return _all(tuple(preds))


def _operand_problem(spec: FactSpec, op: str, operand: object) -> str | None:
    kind = spec.type
    what = f"{spec.name} is {kind.value}"
    if op in ("is", "is_not"):
        if operand is None:
            return "compare with a value; to test for a missing value write {present: false}"
        if kind is FactType.TEXT_LIST:
            return f"{what}: use 'contains' to test for an element"
        if not value_has_type(operand, kind):
            return f"{what}, but the condition gives {_type_name(operand)}"
        return None
    if op in ("at_least", "at_most", "more_than", "less_than"):
        if kind not in (FactType.INT, FactType.NUMBER):
            return f"'{op}' compares numbers, but {what}"
        if not _number(operand):
            return f"'{op}' needs a number, got {_type_name(operand)}"
        return None
    if op == "between":
        if kind not in (FactType.INT, FactType.NUMBER):
            return f"'between' compares numbers, but {what}"
        if not (isinstance(operand, list) and len(operand) == 2 and all(map(_number, operand))):
            return f"'between' needs [low, high], two numbers, got {_type_name(operand)}"
        if operand[0] > operand[1]:
            return f"'between' needs low ≤ high, got [{operand[0]}, {operand[1]}]"
        return None
    if op == "one_of":
        if kind is FactType.TEXT_LIST:
            return f"{what}: use 'contains' to test for an element"
        if not isinstance(operand, list) or not operand:
            return f"'one_of' needs a non-empty list, got {_type_name(operand)}"
        wrong = [v for v in operand if not value_has_type(v, kind)]
        if wrong:
            return f"{what}, but 'one_of' lists {_type_name(wrong[0])}"
        return None
    if op == "present":
        if not isinstance(operand, bool):
            return f"'present' takes true or false, got {_type_name(operand)}"
        if not spec.may_be_empty:
            return f"{spec.name} is always known; 'present' has nothing to test"
        return None
    # contains
    if kind is not FactType.TEXT_LIST:
        return f"'contains' tests list facts, but {what}"
    if not isinstance(operand, str):
        return f"'contains' needs text, got {_type_name(operand)}"
    return None


def _as_tuple(value: FactValue) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else ()


def _present(value: FactValue) -> bool:
    return value is not None and value != () and value != ""


def _test(name: str, op: str, operand: Any) -> Predicate:
    """One operator as a predicate; a missing value satisfies nothing but present: false."""
    if op == "present":
        wanted = bool(operand)
        return lambda f: _present(f.get(name)) is wanted
    if op == "contains":
        return lambda f: operand in _as_tuple(f.get(name))
    if op == "one_of":
        allowed = tuple(operand)
        return lambda f: (v := f.get(name)) is not None and v in allowed
    if op == "between":
        lo, hi = operand
        return lambda f: _number(v := f.get(name)) and lo <= v <= hi
    compare: dict[str, Callable[[Any, Any], bool]] = {
        "is": lambda v, o: bool(v == o),
        "is_not": lambda v, o: bool(v != o),
        "at_least": lambda v, o: bool(v >= o),
        "at_most": lambda v, o: bool(v <= o),
        "more_than": lambda v, o: bool(v > o),
        "less_than": lambda v, o: bool(v < o),
    }
    fn = compare[op]
    return lambda f: (v := f.get(name)) is not None and fn(v, operand)


def _template(value: object, name: str, item: _Item) -> Template | None:
    if not isinstance(value, str) or not value.strip():
        item.problem(name, f"must be non-empty text, got {_type_name(value)}")
        return None
    parts: list[tuple[str, str | None]] = []
    try:
        parsed = list(string.Formatter().parse(value))
    except ValueError:
        item.problem(name, "bad placeholder: unmatched '{' or '}' — write {{ or }} for a brace")
        return None
    ok = True
    for literal, fact, spec, conversion in parsed:
        if fact is None:
            parts.append((literal, None))
            continue
        if spec or conversion:
            item.problem(name, f"bad placeholder {{{fact}...}}: write just {{fact_name}}")
            ok = False
        elif not fact:
            item.problem(name, "bad placeholder {}: name a fact inside the braces")
            ok = False
        elif fact not in FACTS:
            item.problem(
                name, f"bad placeholder {{{fact}}}: no such fact{did_you_mean(fact, FACTS)}"
            )
            ok = False
        else:
            item.used.add(fact)
            parts.append((literal, fact))
    return Template(value, tuple(parts)) if ok else None


def _check_guards(template: Template, name: str, item: _Item) -> None:
    for fact in dict.fromkeys(template.facts):
        if FACTS[fact].may_be_empty and fact not in item.guarded:
            item.problem(
                name,
                f"bad placeholder {{{fact}}}: it can be empty, so 'when' must require it "
                f"(e.g. {fact}: {{present: true}})",
            )


def _int_field(raw: Mapping[str, Any], name: str, item: _Item, lo: int, hi: int) -> int | None:
    value = raw[name]
    if isinstance(value, bool) or not isinstance(value, int):
        item.problem(name, f"must be a whole number {lo}–{hi}, got {_type_name(value)}")
        return None
    if not lo <= value <= hi:
        item.problem(name, f"must be between {lo} and {hi}, got {value}")
        return None
    return value


def _text_field(raw: Mapping[str, Any], name: str, item: _Item) -> str | None:
    value = raw[name]
    if not isinstance(value, str) or not value.strip():
        item.problem(name, f"must be non-empty text, got {_type_name(value)}")
        return None
    return value.strip()


def _bool_field(
    raw: Mapping[str, Any], name: str, item: _Item, default: bool | None
) -> bool | None:
    if name not in raw:
        return default
    value = raw[name]
    if not isinstance(value, bool):
        item.problem(name, f"must be true or false, got {_type_name(value)}")
        return None
    return value


def _fields_problems(
    raw: Mapping[str, Any], known: Mapping[str, str], required: Iterable[str], item: _Item
) -> bool:
    ok = True
    for key in raw:
        if key not in known:
            item.problem(str(key), f"unknown field '{key}'{did_you_mean(key, known)}", _line(raw))
            ok = False
    for key in required:
        if key not in raw:
            item.problem(key, f"missing field '{key}' ({known[key]})")
            ok = False
    return ok


def _parse_touch(
    raw: object, file: str, index: int, problems: list[Problem], default_line: int | None
) -> Touch | None:
    line = _line(raw) or default_line
    if not isinstance(raw, dict):
        problems.append(
            Problem(
                file, line, f"touch #{index + 1}", None, f"must be a mapping, got {_type_name(raw)}"
            )
        )
        return None
    touch_id = raw.get("id")
    label = f"touch '{touch_id}'" if isinstance(touch_id, str) else f"touch #{index + 1}"
    item = _Item(file, line, label, problems)
    before = len(problems)
    _fields_problems(raw, TOUCH_FIELDS, REQUIRED_TOUCH_FIELDS, item)
    if "id" in raw and not (isinstance(touch_id, str) and _ID.match(touch_id)):
        item.problem(
            "id", f"must be lower-case letters, digits and _ (2–64), got {_type_name(touch_id)}"
        )
    title = _text_field(raw, "title", item) if "title" in raw else None
    category = raw.get("category")
    if "category" in raw and category not in CATEGORIES:
        item.problem(
            "category",
            f"unknown category {_type_name(category)}{did_you_mean(category, CATEGORIES)}; "
            f"use one of {', '.join(CATEGORIES)}",
        )
    audience: tuple[str, ...] = ()
    if "audience" in raw:
        value = raw["audience"]
        listed = [value] if isinstance(value, str) else value
        if (
            not isinstance(listed, list)
            or not listed
            or not all(isinstance(a, str) for a in listed)
        ):
            item.problem(
                "audience", f"must be a list of {', '.join(AUDIENCES)}, got {_type_name(value)}"
            )
        else:
            wrong = [a for a in listed if a not in AUDIENCES]
            if wrong:
                item.problem(
                    "audience",
                    f"unknown audience '{wrong[0]}'{did_you_mean(wrong[0], AUDIENCES)}; "
                    f"use {', '.join(AUDIENCES)}",
                )
            audience = tuple(dict.fromkeys(listed))
    when = (
        _compile_block(raw["when"] if raw.get("when") is not None else {}, "when", item, top=True)
        if "when" in raw
        else None
    )
    instruction = (
        _template(raw["instruction"], "instruction", item) if "instruction" in raw else None
    )
    reason = _template(raw["reason"], "reason", item) if "reason" in raw else None
    for template, name in ((instruction, "instruction"), (reason, "reason")):
        if template is not None and when is not None:
            _check_guards(template, name, item)
    priority = _int_field(raw, "priority", item, 1, 100) if "priority" in raw else None
    cooldown = _int_field(raw, "cooldown_days", item, 0, 3650) if "cooldown_days" in raw else None
    needs_consent = _bool_field(raw, "needs_consent", item, None)
    outbound = _bool_field(raw, "outbound", item, False)
    source = raw.get("source")
    if source is not None and not isinstance(source, str):
        item.problem("source", f"must be text, got {_type_name(source)}")
    if len(problems) != before:
        return None
    assert isinstance(touch_id, str) and title and isinstance(category, str)
    assert when is not None and instruction and reason and priority is not None
    assert cooldown is not None and needs_consent is not None and outbound is not None
    return Touch(
        id=touch_id,
        title=title,
        category=category,
        audience=audience,
        when=when,
        conditions=raw.get("when") or {},
        instruction=instruction,
        reason=reason,
        priority=priority,
        cooldown_days=cooldown,
        needs_consent=needs_consent,
        outbound=outbound,
        source=source.strip() if isinstance(source, str) else None,
        facts_used=tuple(sorted(item.used)),
        file=file,
        line=line,
    )


def _codes(raw: Mapping[str, Any], name: str, item: _Item) -> frozenset[str] | None:
    if name not in raw:
        return frozenset()
    value = raw[name]
    if not isinstance(value, list) or not all(
        isinstance(c, str | int) and not isinstance(c, bool) for c in value
    ):
        item.problem(name, f"must be a list of option codes, got {_type_name(value)}")
        return None
    codes = [str(c).strip().upper() for c in value]
    bad = [c for c in codes if not _OPTION_CODE.match(c)]
    if bad:
        item.problem(name, f"'{bad[0]}' is not an option code (2–8 letters or digits)")
        return None
    return frozenset(codes)


def _parse_offer(
    raw: object, file: str, index: int, problems: list[Problem], default_line: int | None
) -> Offer | None:
    line = _line(raw) or default_line
    if not isinstance(raw, dict):
        problems.append(
            Problem(
                file, line, f"offer #{index + 1}", None, f"must be a mapping, got {_type_name(raw)}"
            )
        )
        return None
    offer_id = raw.get("id")
    label = f"offer '{offer_id}'" if isinstance(offer_id, str) else f"offer #{index + 1}"
    item = _Item(file, line, label, problems)
    before = len(problems)
    _fields_problems(raw, OFFER_FIELDS, REQUIRED_OFFER_FIELDS, item)
    if "id" in raw and not (isinstance(offer_id, str) and _ID.match(offer_id)):
        item.problem(
            "id", f"must be lower-case letters, digits and _ (2–64), got {_type_name(offer_id)}"
        )
    title = _text_field(raw, "title", item) if "title" in raw else None
    value = _int_field(raw, "value", item, 1, 100) if "value" in raw else None
    requires = _codes(raw, "requires", item)
    requires_any = _codes(raw, "requires_any", item)
    excludes = _codes(raw, "excludes", item)
    if requires is not None and requires_any is not None and not requires and not requires_any:
        item.problem(
            "requires",
            "an offer must list the option codes it needs (requires or requires_any), "
            "so it is never made for a car it does not fit",
        )
    makes: frozenset[str] = frozenset()
    if "makes" in raw:
        listed = raw["makes"]
        if (
            not isinstance(listed, list)
            or not listed
            or not all(isinstance(m, str) and m.strip() for m in listed)
        ):
            item.problem("makes", f"must be a list of makes, got {_type_name(listed)}")
        else:
            makes = frozenset(m.strip() for m in listed)
    if len(problems) != before:
        return None
    assert isinstance(offer_id, str) and title and value is not None
    assert requires is not None and requires_any is not None and excludes is not None
    return Offer(offer_id, title, value, requires, requires_any, excludes, makes, file)


# --------------------------------------------------------------------------- loading


def playbook_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())
    return [path]


T_ = TypeVar("T_", Touch, Offer)


def _collect(
    data: Mapping[str, Any],
    key: str,
    file: str,
    parse: Callable[[object, str, int, list[Problem], int | None], T_ | None],
    seen: dict[str, str],
    parsed: list[T_],
    raws: list[Any],
    problems: list[Problem],
) -> None:
    """Parse the touches (or offers) of one file, refusing an id defined before."""
    kind = key[:-2] if key == "touches" else key[:-1]
    listed = data[key]
    if not isinstance(listed, list):
        problems.append(
            Problem(file, _line(data), None, key, f"must be a list, got {_type_name(listed)}")
        )
        return
    for i, raw in enumerate(listed):
        thing = parse(raw, file, i, problems, _line(data))
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(raw_id, str):
            if raw_id in seen:
                problems.append(
                    Problem(
                        file,
                        _line(raw),
                        f"{kind} '{raw_id}'",
                        "id",
                        f"duplicate {kind} id '{raw_id}' (first defined at {seen[raw_id]})",
                    )
                )
                continue
            seen[raw_id] = f"{file}:{_line(raw)}" if _line(raw) else file
        if thing is not None:
            parsed.append(thing)
            raws.append(raw)


def load_playbook(path: Path | str | None = None) -> Playbook:
    """Load and validate a playbook folder (every *.yml in it) or a single file.

    Raises ``PlaybookInvalid`` naming every problem; returns a ready ``Playbook`` otherwise.
    """
    root = Path(path) if path is not None else DEFAULT_PLAYBOOK_DIR
    source = str(path) if path is not None else "(built-in)"
    if not root.exists():
        raise PlaybookInvalid(
            source, [Problem(str(root), None, None, None, "no such file or folder")]
        )
    files = playbook_files(root)
    if not files:
        raise PlaybookInvalid(source, [Problem(str(root), None, None, None, "no .yml files in it")])

    problems: list[Problem] = []
    touches: list[Touch] = []
    offers: list[Offer] = []
    raw_touches: list[Any] = []
    raw_offers: list[Any] = []
    labels: dict[str, str] = {}
    touch_seen: dict[str, str] = {}
    offer_seen: dict[str, str] = {}
    for file_path in files:
        name = file_path.name
        try:
            text = file_path.read_text(encoding="utf-8")
            data = yaml.load(text, Loader=_Loader)
        except _DuplicateKey as dup:
            problems.append(
                Problem(name, dup.line, None, str(dup.key), f"'{dup.key}' is given twice")
            )
            continue
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            problems.append(Problem(name, line, None, None, f"not valid YAML: {what}"))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(name, None, None, None, f"cannot be read: {exc}"))
            continue
        if not isinstance(data, dict):
            problems.append(
                Problem(
                    name,
                    None,
                    None,
                    None,
                    f"must be a mapping with {', '.join(FILE_KEYS)}; got {_type_name(data)}",
                )
            )
            continue
        for key in data:
            if key not in FILE_KEYS:
                problems.append(
                    Problem(
                        name,
                        _line(data),
                        None,
                        str(key),
                        f"unknown key '{key}'{did_you_mean(key, FILE_KEYS)}; "
                        f"use {', '.join(FILE_KEYS)}",
                    )
                )
        if "version" in data:
            label = data["version"]
            if not isinstance(label, str | int | float) or isinstance(label, bool):
                problems.append(
                    Problem(
                        name, _line(data), None, "version", f"must be text, got {_type_name(label)}"
                    )
                )
            else:
                labels[name] = str(label)
        if "touches" in data:
            _collect(
                data, "touches", name, _parse_touch, touch_seen, touches, raw_touches, problems
            )
        if "offers" in data:
            _collect(data, "offers", name, _parse_offer, offer_seen, offers, raw_offers, problems)
        if "touches" not in data and "offers" not in data:
            problems.append(Problem(name, None, None, None, "has neither touches nor offers"))
    distinct = sorted(set(labels.values()))
    if len(distinct) > 1:
        listed = ", ".join(f"{f}: {v}" for f, v in sorted(labels.items()))
        problems.append(
            Problem(
                files[0].name if len(files) == 1 else str(root.name),
                None,
                None,
                "version",
                f"files disagree on the version ({listed})",
            )
        )
    if not touches and not problems:
        problems.append(Problem(str(root.name), None, None, None, "has no touches"))
    if problems:
        raise PlaybookInvalid(source, problems)

    label = distinct[0] if distinct else None
    canonical = json.dumps(
        {
            "label": label,
            "touches": sorted(raw_touches, key=lambda r: str(r["id"])),
            "offers": sorted(raw_offers, key=lambda r: str(r["id"])),
        },
        sort_keys=True,
        default=str,
        ensure_ascii=False,
    )
    version = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]
    touches.sort(key=lambda t: (-t.priority, t.id))
    offers.sort(key=lambda o: (-o.value, o.id))
    return Playbook(tuple(touches), tuple(offers), version, label, source)


def fingerprint(path: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times: what tells a reload that the files changed."""
    if not path.exists():
        return ()
    out = []
    for p in playbook_files(path):
        try:
            stat = p.stat()
        except OSError:
            continue
        out.append((p.name, stat.st_mtime_ns, stat.st_size))
    return tuple(out)


class PlaybookHolder:
    """The playbook in force. A reload that fails raises and keeps the previous playbook."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else DEFAULT_PLAYBOOK_DIR
        self._explicit = path is not None
        self._fingerprint = fingerprint(self.path)
        # The first load must succeed: there is no previous playbook to fall back on.
        self._current = load_playbook(self.path if self._explicit else None)
        self.last_error: PlaybookInvalid | None = None

    @property
    def current(self) -> Playbook:
        return self._current

    def reload(self) -> Playbook:
        stamp = fingerprint(self.path)
        try:
            loaded = load_playbook(self.path if self._explicit else None)
        except PlaybookInvalid as exc:
            self.last_error = exc
            self._fingerprint = stamp  # do not retry the same broken files on every call
            raise
        self._current = loaded
        self._fingerprint = stamp
        self.last_error = None
        return loaded

    def reload_if_changed(self) -> bool:
        """Reload when the files changed; True when a new playbook is now in force."""
        if fingerprint(self.path) == self._fingerprint:
            return False
        before = self._current.version
        self.reload()
        return self._current.version != before


_SYMBOLS = {
    "is": "=",
    "is_not": "≠",
    "at_least": "≥",
    "at_most": "≤",
    "more_than": ">",
    "less_than": "<",
    "contains": "has",
}


def _say(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "/".join(_say(v) for v in value)
    return str(value)


def _describe_fact(name: str, spec: object) -> list[str]:
    ops = spec if isinstance(spec, dict) else {"is": spec}
    out = []
    for op, operand in ops.items():
        if op == "is" and isinstance(operand, bool):
            out.append(name if operand else f"not {name}")
        elif op == "present":
            out.append(f"{name} known" if operand else f"no {name}")
        elif op == "between" and isinstance(operand, list) and len(operand) == 2:
            out.append(f"{name} {operand[0]}–{operand[1]}")
        elif op == "one_of":
            out.append(f"{name} in {_say(operand)}")
        else:
            out.append(f"{name} {_SYMBOLS.get(str(op), str(op))} {_say(operand)}")
    return out


def describe_conditions(conditions: Mapping[str, Any]) -> str:
    """Conditions in a line a trainer reads: 'is_waiting, minutes_waiting ≥ 30, no drink'."""
    parts: list[str] = []
    for key, value in conditions.items():
        if key in ("any", "all") and isinstance(value, list):
            joiner = " or " if key == "any" else " and "
            inner = [describe_conditions(v) for v in value if isinstance(v, dict)]
            parts.append("(" + joiner.join(inner) + ")")
        elif key == "not" and isinstance(value, dict):
            parts.append(f"not ({describe_conditions(value)})")
        else:
            parts.extend(_describe_fact(str(key), value))
    return ", ".join(parts) if parts else "always"
