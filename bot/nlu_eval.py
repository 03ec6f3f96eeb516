"""How well the NLU model understands messages it was never trained on.

The held-out split (``tests/nlu/holdout.yml``) is parsed message by message through the real
server — the same HTTP path the dialogue uses — and compared with its annotations:

- intents: accuracy, and precision / recall / F1 per intent with their macro average;
- entities: exact spans (same kind, same start and end) — precision / recall / F1 per entity
  kind, micro-averaged overall; for matched spans, whether the canonical value (after
  synonyms) is the expected one.

Reading the Rasa YAML here (not in Rasa) keeps the project free of Rasa imports.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from actions.understanding import Understander, Understanding
from knowledge.errors import InvalidInput

INTENT_ACCURACY_TARGET = 0.95
ENTITY_F1_TARGET = 0.92
MIN_EXAMPLES_PER_INTENT = 15

# "[text](entity)" or '[text]{"entity": "…", "value": "…"}', as in Rasa's training format.
_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<entity>[^)]+)\)|(?P<json>\{[^}]*\}))")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class GoldEntity:
    entity: str
    start: int
    end: int
    value: str


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: tuple[GoldEntity, ...]
    source: str


def parse_annotated(line: str, intent: str, source: str = "") -> Example:
    """One example line ("who is [maria](person)") as plain text plus its entity spans."""
    text_parts: list[str] = []
    entities: list[GoldEntity] = []
    position = 0
    length = 0
    for match in _ANNOTATION.finditer(line):
        before = line[position : match.start()]
        text_parts.append(before)
        length += len(before)
        surface = match.group("text")
        if match.group("entity") is not None:
            name, _, value = match.group("entity").partition(":")
            value = value or surface
        else:
            try:
                spec = json.loads(match.group("json"))
            except json.JSONDecodeError:
                raise InvalidInput(f"{source}: bad entity annotation in {line!r}") from None
            if not isinstance(spec, dict) or not isinstance(spec.get("entity"), str):
                raise InvalidInput(f"{source}: bad entity annotation in {line!r}")
            name, value = spec["entity"], str(spec.get("value", surface))
        entities.append(GoldEntity(name.strip(), length, length + len(surface), value))
        text_parts.append(surface)
        length += len(surface)
        position = match.end()
    text_parts.append(line[position:])
    return Example("".join(text_parts).strip(), intent, tuple(entities), source)


def _example_lines(block: str) -> Iterable[str]:
    for raw in block.splitlines():
        stripped = raw.strip()
        if stripped.startswith("- "):
            yield stripped[2:].strip()
        elif stripped == "-":
            continue
        elif stripped:
            raise InvalidInput(f"example lines start with '- ', got {stripped!r}")


def _documents(path: Path) -> list[dict[str, Any]]:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidInput(f"cannot read NLU data {path}: {exc}") from None
    if not isinstance(loaded, dict):
        raise InvalidInput(f"{path} is not Rasa NLU data (no top-level mapping)")
    items = loaded.get("nlu") or []
    if not isinstance(items, list):
        raise InvalidInput(f"{path}: 'nlu' must be a list")
    return [item for item in items if isinstance(item, dict)]


def load_examples(paths: Sequence[Path]) -> list[Example]:
    """Every intent example in the given Rasa NLU files (or directories of them)."""
    examples: list[Example] = []
    for path in _expand(paths):
        for item in _documents(path):
            intent = item.get("intent")
            if not isinstance(intent, str):
                continue
            block = item.get("examples") or ""
            if not isinstance(block, str):
                raise InvalidInput(f"{path}: examples of {intent!r} must be a text block")
            examples.extend(
                parse_annotated(line, intent, str(path)) for line in _example_lines(block)
            )
    return examples


def load_synonyms(paths: Sequence[Path]) -> dict[str, str]:
    """Surface text (lower case) → canonical value, from the ``synonym:`` blocks."""
    mapping: dict[str, str] = {}
    for path in _expand(paths):
        for item in _documents(path):
            value = item.get("synonym")
            if value is None:
                continue
            for line in _example_lines(str(item.get("examples") or "")):
                mapping[line.strip().lower()] = str(value)
    return mapping


def _expand(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.yml") if p.is_file()))
        else:
            files.append(path)
    return files


def normalized(text: str) -> str:
    return _SPACES.sub(" ", text.strip().lower())


def check_split(training: Sequence[Example], holdout: Sequence[Example]) -> list[str]:
    """Problems that would make the held-out numbers meaningless (empty when fine)."""
    problems: list[str] = []
    seen = {normalized(e.text) for e in training}
    copies = sorted({e.text for e in holdout if normalized(e.text) in seen})
    if copies:
        shown = "; ".join(repr(c) for c in copies[:5])
        problems.append(f"{len(copies)} held-out example(s) also in the training data: {shown}")
    counts = Counter(e.intent for e in holdout)
    for intent in sorted({e.intent for e in training}):
        if counts[intent] < MIN_EXAMPLES_PER_INTENT:
            problems.append(
                f"intent {intent!r} has {counts[intent]} held-out examples "
                f"(at least {MIN_EXAMPLES_PER_INTENT} needed)"
            )
    unknown = sorted(set(counts) - {e.intent for e in training})
    if unknown:
        problems.append(f"held-out intents not in the training data: {', '.join(unknown)}")
    return problems


# --- metrics ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    support: int  # gold occurrences


def score(true_positive: int, predicted: int, gold: int) -> Score:
    precision = true_positive / predicted if predicted else (1.0 if not gold else 0.0)
    recall = true_positive / gold if gold else (1.0 if not predicted else 0.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, gold)


@dataclass
class Mistake:
    text: str
    expected_intent: str
    predicted_intent: str
    confidence: float
    missing: list[str] = field(default_factory=list)  # gold entities not found exactly
    spurious: list[str] = field(default_factory=list)  # predicted entities not in the gold
    wrong_values: list[str] = field(default_factory=list)


@dataclass
class EvalReport:
    model: str
    examples: int
    intent_accuracy: float
    intent_macro_f1: float
    intents: dict[str, Score]
    entity_micro: Score
    entities: dict[str, Score]
    value_accuracy: float
    low_confidence: int  # correct intent but below the dialogue's threshold
    threshold: float
    mistakes: list[Mistake]
    seconds: float

    @property
    def passed(self) -> bool:
        return (
            self.intent_accuracy >= INTENT_ACCURACY_TARGET
            and self.entity_micro.f1 >= ENTITY_F1_TARGET
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["passed"] = self.passed
        data["targets"] = {
            "intent_accuracy": INTENT_ACCURACY_TARGET,
            "entity_f1": ENTITY_F1_TARGET,
        }
        return data


def _describe(entity: str, text: str, start: int, end: int) -> str:
    return f"{entity}={text[start:end]!r}"


def evaluate(
    examples: Sequence[Example],
    understander: Understander,
    *,
    model: str = "",
    synonyms: dict[str, str] | None = None,
    threshold: float = 0.0,
) -> EvalReport:
    """Parse every example and compare; the understander is the real client in production."""
    started = time.monotonic()
    synonyms = synonyms or {}
    predictions: list[Understanding] = [understander.parse(e.text) for e in examples]
    labels = sorted({e.intent for e in examples} | {p.intent for p in predictions})
    intent_tp: Counter[str] = Counter()
    intent_pred: Counter[str] = Counter()
    intent_gold: Counter[str] = Counter()
    ent_tp: Counter[str] = Counter()
    ent_pred: Counter[str] = Counter()
    ent_gold: Counter[str] = Counter()
    values_right = values_total = low_confidence = 0
    mistakes: list[Mistake] = []
    for example, predicted in zip(examples, predictions, strict=True):
        intent_gold[example.intent] += 1
        intent_pred[predicted.intent] += 1
        if predicted.intent == example.intent:
            intent_tp[example.intent] += 1
            if predicted.confidence < threshold:
                low_confidence += 1
        gold = {(g.entity, g.start, g.end): g for g in example.entities}
        found = {(p.entity, p.start, p.end): p for p in predicted.entities}
        mistake = Mistake(example.text, example.intent, predicted.intent, predicted.confidence)
        for key, g in gold.items():
            ent_gold[g.entity] += 1
            p = found.get(key)
            if p is None:
                mistake.missing.append(_describe(g.entity, example.text, g.start, g.end))
                continue
            ent_tp[g.entity] += 1
            expected = synonyms.get(g.value.lower(), g.value)
            values_total += 1
            if normalized(p.value) == normalized(expected):
                values_right += 1
            else:
                mistake.wrong_values.append(f"{g.entity}: {p.value!r}, expected {expected!r}")
        for key, p in found.items():
            ent_pred[p.entity] += 1
            if key not in gold:
                mistake.spurious.append(_describe(p.entity, example.text, p.start, p.end))
        if (
            predicted.intent != example.intent
            or mistake.missing
            or mistake.spurious
            or mistake.wrong_values
        ):
            mistakes.append(mistake)
    intents = {
        label: score(intent_tp[label], intent_pred[label], intent_gold[label]) for label in labels
    }
    kinds = sorted(set(ent_gold) | set(ent_pred))
    entities = {kind: score(ent_tp[kind], ent_pred[kind], ent_gold[kind]) for kind in kinds}
    total = len(examples)
    return EvalReport(
        model=model,
        examples=total,
        intent_accuracy=sum(intent_tp.values()) / total if total else 0.0,
        intent_macro_f1=sum(s.f1 for s in intents.values()) / len(intents) if intents else 0.0,
        intents=intents,
        entity_micro=score(sum(ent_tp.values()), sum(ent_pred.values()), sum(ent_gold.values())),
        entities=entities,
        value_accuracy=values_right / values_total if values_total else 1.0,
        low_confidence=low_confidence,
        threshold=threshold,
        mistakes=mistakes,
        seconds=time.monotonic() - started,
    )


def render_text(report: EvalReport) -> str:
    """The report as plain text (kept beside the JSON, and what the CLI prints)."""
    lines = [
        f"model: {report.model}",
        f"held-out examples: {report.examples}",
        f"intent accuracy: {report.intent_accuracy:.3f} (target ≥ {INTENT_ACCURACY_TARGET})",
        f"intent macro-F1: {report.intent_macro_f1:.3f}",
        f"entity F1 (micro): {report.entity_micro.f1:.3f} (target ≥ {ENTITY_F1_TARGET}) — "
        f"precision {report.entity_micro.precision:.3f}, recall {report.entity_micro.recall:.3f}",
        f"entity value accuracy (after synonyms): {report.value_accuracy:.3f}",
        f"correct intent below the confidence threshold {report.threshold:g}: "
        f"{report.low_confidence}",
        "",
        f"{'entity':<12} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}",
    ]
    for name, s in report.entities.items():
        lines.append(f"{name:<12} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f} {s.support:>8}")
    lines += ["", f"{'intent':<18} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}"]
    for name, s in report.intents.items():
        lines.append(
            f"{name or '(none)':<18} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f} "
            f"{s.support:>8}"
        )
    if report.mistakes:
        lines += ["", f"mistakes ({len(report.mistakes)}):"]
        for m in report.mistakes:
            detail = []
            if m.predicted_intent != m.expected_intent:
                detail.append(
                    f"intent {m.predicted_intent or '(none)'} ({m.confidence:.2f}), "
                    f"expected {m.expected_intent}"
                )
            if m.missing:
                detail.append("missed " + ", ".join(m.missing))
            if m.spurious:
                detail.append("extra " + ", ".join(m.spurious))
            if m.wrong_values:
                detail.append("values " + ", ".join(m.wrong_values))
            lines.append(f"- {m.text!r}: {'; '.join(detail)}")
    lines += ["", "PASSED" if report.passed else "BELOW TARGET"]
    return "\n".join(lines) + "\n"


def save_report(report: EvalReport, directory: Path) -> tuple[Path, Path]:
    """Write the JSON and text report (timestamped, plus latest.*); returns the two paths."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    stem = f"{stamp}-{report.model.removesuffix('.tar.gz') or 'model'}"
    json_path = directory / f"{stem}.json"
    text_path = directory / f"{stem}.txt"
    payload = json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
    text = render_text(report)
    for path, content in ((json_path, payload), (text_path, text)):
        path.write_text(content, encoding="utf-8")
    (directory / "latest.json").write_text(payload, encoding="utf-8")
    (directory / "latest.txt").write_text(text, encoding="utf-8")
    return json_path, text_path
