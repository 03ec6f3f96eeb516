"""The NLU training data and the held-out split are consistent with each other and the domain."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import yaml

from bot.nlu_eval import check_split, load_examples, load_synonyms, normalized

ROOT = Path(__file__).resolve().parents[2]
REQUIRED_INTENTS = {
    "greet", "goodbye", "thank", "help", "affirm", "deny", "out_of_scope", "lookup_customer",
    "list_vehicles", "service_history", "check_recalls", "suggest_touches", "customer_arrived",
    "record_preference", "log_touch", "touch_report",
}  # fmt: skip
REQUIRED_ENTITIES = {"person", "phone", "email", "vin", "plate", "ro_number", "vehicle", "drink"}


def _domain() -> dict[str, list[str]]:
    loaded = yaml.safe_load((ROOT / "domain.yml").read_text())
    return {"intents": loaded["intents"], "entities": loaded["entities"]}


def test_holdout_is_a_real_split() -> None:
    training = load_examples([ROOT / "nlu"])
    holdout = load_examples([ROOT / "tests" / "nlu" / "holdout.yml"])
    assert check_split(training, holdout) == []


def test_every_intent_and_entity_is_declared_and_required_ones_are_present() -> None:
    domain = _domain()
    for path in (ROOT / "nlu", ROOT / "tests" / "nlu" / "holdout.yml"):
        examples = load_examples([path])
        intents = {e.intent for e in examples}
        entities = {g.entity for e in examples for g in e.entities}
        assert intents == set(domain["intents"])
        assert intents >= REQUIRED_INTENTS
        assert entities == set(domain["entities"])
        assert entities >= REQUIRED_ENTITIES


def test_no_training_text_has_two_readings() -> None:
    readings: dict[str, set[tuple[str, tuple[tuple[str, int, int], ...]]]] = {}
    for e in load_examples([ROOT / "nlu"]):
        spans = tuple((g.entity, g.start, g.end) for g in e.entities)
        readings.setdefault(normalized(e.text), set()).add((e.intent, spans))
    assert {text: r for text, r in readings.items() if len(r) > 1} == {}


def test_entities_are_annotated_without_surrounding_space_or_titles() -> None:
    titles = re.compile(r"^(mr|mrs|ms|dr|herr|frau|prof)\.?\s", re.I)
    for e in load_examples([ROOT / "nlu", ROOT / "tests" / "nlu" / "holdout.yml"]):
        for g in e.entities:
            surface = e.text[g.start : g.end]
            assert surface == surface.strip(), (e.text, surface)
            if g.entity == "person":
                assert not titles.match(surface), (e.text, surface)


def test_structured_entities_come_in_many_formats() -> None:
    training = load_examples([ROOT / "nlu"])
    values: dict[str, set[str]] = {}
    for e in training:
        for g in e.entities:
            values.setdefault(g.entity, set()).add(e.text[g.start : g.end])
    phones = values["phone"]
    assert any(p.startswith("+") for p in phones)
    assert any(p.startswith("00") for p in phones)
    assert any("(" in p for p in phones) and any("/" in p for p in phones)
    assert any("-" in p for p in phones) and any("." in p for p in phones)
    assert any(len(v) == 17 for v in values["vin"]) and any(len(v) < 17 for v in values["vin"])
    assert any(v.islower() for v in values["vin"])
    assert any(v.startswith("RO-") for v in values["ro_number"])
    assert any(v.isdigit() for v in values["ro_number"])
    assert any(" " in v and "-" not in v for v in values["plate"])
    assert len(values["person"]) >= 200  # names from many cultures, not a few repeated


def test_synonym_surfaces_are_unique() -> None:
    seen: Counter[str] = Counter()
    for path in (ROOT / "nlu").glob("*.yml"):
        for item in yaml.safe_load(path.read_text()).get("nlu") or []:
            if "synonym" in item:
                for line in item["examples"].splitlines():
                    if line.strip().startswith("- "):
                        seen[line.strip()[2:].strip().lower()] += 1
    assert [surface for surface, n in seen.items() if n > 1] == []
    assert load_synonyms([ROOT / "nlu"])["coffee black"] == "black coffee"
