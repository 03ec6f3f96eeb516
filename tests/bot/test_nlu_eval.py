"""Scoring the NLU on the held-out split: reading Rasa's format and computing the metrics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from actions.understanding import FakeNLU
from bot.nlu_eval import (
    Example,
    GoldEntity,
    check_split,
    evaluate,
    load_examples,
    load_synonyms,
    parse_annotated,
    render_text,
    save_report,
)
from knowledge.errors import InvalidInput


def test_annotations_become_text_and_spans() -> None:
    example = parse_annotated(
        'she takes [coffee black]{"entity": "drink", "value": "black coffee"}, [oat milk](drink)'
        " for mrs [gonzales](person)",
        "record_preference",
    )
    assert example.text == "she takes coffee black, oat milk for mrs gonzales"
    assert example.entities == (
        GoldEntity("drink", 10, 22, "black coffee"),
        GoldEntity("drink", 24, 32, "oat milk"),
        GoldEntity("person", 41, 49, "gonzales"),
    )
    assert example.text[41:49] == "gonzales"


def test_bad_annotation_is_reported() -> None:
    with pytest.raises(InvalidInput, match="bad entity annotation"):
        parse_annotated("who is [maria]{not json}", "lookup_customer", "x.yml")


def test_examples_and_synonyms_load_from_rasa_yaml(tmp_path: Path) -> None:
    data = tmp_path / "nlu.yml"
    data.write_text(
        'version: "3.1"\n'
        "nlu:\n"
        "- intent: greet\n"
        "  examples: |\n"
        "    - hi\n"
        "    - hello [anna](person)\n"
        "- synonym: black coffee\n"
        "  examples: |\n"
        "    - Coffee Black\n"
        "- regex: phone_shape\n"
        "  examples: |\n"
        "    - \\d+\n"
    )
    assert load_examples([tmp_path]) == [
        Example("hi", "greet", (), str(data)),
        Example("hello anna", "greet", (GoldEntity("person", 6, 10, "anna"),), str(data)),
    ]
    assert load_synonyms([data]) == {"coffee black": "black coffee"}


def test_split_problems_are_named() -> None:
    training = [Example("hi", "greet", (), ""), Example("bye", "goodbye", (), "")]
    holdout = [Example(" HI ", "greet", (), "")] + [
        Example(f"hello {n}", "greet", (), "") for n in range(15)
    ]
    holdout.append(Example("what", "unknown", (), ""))
    assert check_split(training, holdout) == [
        "1 held-out example(s) also in the training data: ' HI '",
        "intent 'goodbye' has 0 held-out examples (at least 15 needed)",
        "held-out intents not in the training data: unknown",
    ]


def test_metrics_are_exact() -> None:
    examples = [
        parse_annotated("who is [maria](person)", "lookup_customer"),
        parse_annotated("find [okafor](person) [HH-AB 1](plate)", "lookup_customer"),
        parse_annotated("she takes it [black](drink)", "record_preference"),
        parse_annotated("hi", "greet"),
    ]
    fake = FakeNLU(
        {
            "who is maria": {
                "intent": "lookup_customer",
                "entities": [{"entity": "person", "value": "maria"}],
            },
            # plate missed, person found
            "find okafor HH-AB 1": {
                "intent": "lookup_customer",
                "entities": [{"entity": "person", "value": "okafor"}],
            },
            # right span, canonical value, wrong intent
            "she takes it black": {
                "intent": "suggest_touches",
                "confidence": 0.7,
                "entities": [{"entity": "drink", "value": "black coffee", "start": 13, "end": 18}],
            },
            # a spurious entity
            "hi": {"intent": "greet", "entities": [{"entity": "person", "value": "hi"}]},
        }
    )
    report = evaluate(examples, fake, model="m", synonyms={"black": "black coffee"}, threshold=0.5)

    assert report.intent_accuracy == 0.75
    assert report.intents["lookup_customer"].f1 == 1.0
    assert report.intents["record_preference"].recall == 0.0
    assert report.intents["suggest_touches"].precision == 0.0
    # labels: greet 1, lookup 1, record 0, suggest 0
    assert report.intent_macro_f1 == 0.5
    person = report.entities["person"]
    assert (person.precision, person.recall, person.support) == (2 / 3, 1.0, 2)
    assert report.entities["plate"].recall == 0.0
    assert report.entities["drink"].f1 == 1.0
    micro = report.entity_micro
    assert (micro.precision, micro.recall) == (0.75, 0.75)
    assert report.value_accuracy == 1.0
    assert [(m.text, m.missing, m.spurious) for m in report.mistakes] == [
        ("find okafor HH-AB 1", ["plate='HH-AB 1'"], []),
        ("she takes it black", [], []),
        ("hi", [], ["person='hi'"]),
    ]
    assert not report.passed
    assert "intent accuracy: 0.750 (target ≥ 0.95)" in render_text(report)


def test_report_is_kept_as_json_and_text(tmp_path: Path) -> None:
    examples = [parse_annotated("hi", "greet")]
    report = evaluate(examples, FakeNLU({"hi": "greet"}), model="nlu-abc.tar.gz")

    json_path, text_path = save_report(report, tmp_path / "eval")

    saved = json.loads(json_path.read_text())
    assert saved["intent_accuracy"] == 1.0 and saved["passed"] is True
    assert saved["targets"] == {"intent_accuracy": 0.95, "entity_f1": 0.92}
    assert json_path.name.endswith("-nlu-abc.json")
    assert text_path.read_text().endswith("PASSED\n")
    assert (tmp_path / "eval" / "latest.json").read_text() == json_path.read_text()
    assert (tmp_path / "eval" / "latest.txt").read_text() == text_path.read_text()
