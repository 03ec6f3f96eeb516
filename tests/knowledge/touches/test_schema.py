"""Broken playbooks are refused with a message naming file, line, touch, field and the fault;
a failed reload keeps the playbook in force."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.touches.facts import FACTS
from knowledge.touches.schema import (
    CATEGORIES,
    DEFAULT_PLAYBOOK_DIR,
    PlaybookHolder,
    PlaybookInvalid,
    load_playbook,
)
from tests.knowledge.touches.builders import facts_for, profile, with_visit

GOOD = """\
version: "1"
touches:
  - id: drink_known
    title: Their usual drink
    category: comfort
    audience: [advisor]
    when:
      is_waiting: true
      preferred_drink: {present: true}
    instruction: "Bring {greeting_name} a {preferred_drink}."
    reason: "They like {preferred_drink}."
    priority: 90
    cooldown_days: 0
    needs_consent: false
"""


def touch(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "drink_known",
        "title": "Their usual drink",
        "category": "comfort",
        "audience": ["advisor"],
        "when": {"is_waiting": True, "preferred_drink": {"present": True}},
        "instruction": "Bring {greeting_name} a {preferred_drink}.",
        "reason": "They like {preferred_drink}.",
        "priority": 90,
        "cooldown_days": 0,
        "needs_consent": False,
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not ...}


def write(folder: Path, name: str, *touches: dict[str, Any], **top: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {**top, "touches": list(touches)} if touches else dict(top)
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(PlaybookInvalid) as caught:
        load_playbook(path)
    return [str(p) for p in caught.value.problems]


def test_the_built_in_playbook_is_valid_and_covers_every_category() -> None:
    pb = load_playbook()
    assert len(pb.touches) >= 20
    assert {t.category for t in pb.touches} == set(CATEGORIES)
    assert pb.label == "2026.11"
    assert len(pb.version) == 12
    assert [t.priority for t in pb.touches] == sorted(
        (t.priority for t in pb.touches), reverse=True
    )
    assert load_playbook(DEFAULT_PLAYBOOK_DIR).version == pb.version


def test_a_valid_single_file_loads(tmp_path: Path) -> None:
    (tmp_path / "p.yml").write_text(GOOD, encoding="utf-8")
    pb = load_playbook(tmp_path / "p.yml")
    assert [t.id for t in pb.touches] == ["drink_known"]
    t = pb.touches[0]
    assert t.facts_used == ("greeting_name", "is_waiting", "preferred_drink")
    facts = facts_for(with_visit(profile()))
    assert not t.applies(facts)


def test_missing_field(tmp_path: Path) -> None:
    path = write(tmp_path, "comfort.yml", touch(reason=...))
    assert problems(path) == [
        "comfort.yml:2 touch 'drink_known' field 'reason': missing field 'reason' "
        "(why, as the staff member sees it, with {fact} placeholders)"
    ]


def test_unknown_fact_with_a_suggestion(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "comfort.yml",
        touch(when={"is_waiting": True, "preferred_drnk": {"present": True}}),
    )
    found = problems(path)
    assert found[0] == (
        "comfort.yml:2 touch 'drink_known' field 'when.preferred_drnk': unknown fact "
        "'preferred_drnk' (did you mean 'preferred_drink'?)"
    )


def test_unknown_fact_deep_inside_any_and_not(tmp_path: Path) -> None:
    when = {"any": [{"is_waiting": True}, {"not": {"minutes_wating": {"at_least": 3}}}]}
    path = write(tmp_path, "c.yml", touch(when=when, instruction="x", reason="y"))
    assert problems(path) == [
        "c.yml:2 touch 'drink_known' field 'when.any[1].not.minutes_wating': unknown fact "
        "'minutes_wating' (did you mean 'minutes_waiting'?)"
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"priority": "high"}, "field 'priority': must be a whole number 1–100, got text ('high')"),
        ({"priority": 0}, "field 'priority': must be between 1 and 100, got 0"),
        (
            {"cooldown_days": 2.5},
            "field 'cooldown_days': must be a whole number 0–3650, got number (2.5)",
        ),
        ({"needs_consent": "no"}, "field 'needs_consent': must be true or false, got text ('no')"),
        ({"title": ["a"]}, "field 'title': must be non-empty text, got a list"),
        (
            {"audience": "everyone"},
            "field 'audience': unknown audience 'everyone'; use advisor, call_center",
        ),
        (
            {"category": "comfrot"},
            "field 'category': unknown category text ('comfrot') (did you mean 'comfort'?); "
            "use one of " + ", ".join(CATEGORIES),
        ),
        (
            {"when": {"is_waiting": "yes", "preferred_drink": {"present": True}}},
            "field 'when.is_waiting': is_waiting is yes/no, but the condition gives text ('yes')",
        ),
        (
            {
                "when": {
                    "minutes_waiting": {"at_least": "thirty"},
                    "preferred_drink": {"present": True},
                }
            },
            "field 'when.minutes_waiting.at_least': 'at_least' needs a number, got text ('thirty')",
        ),
        (
            {"when": {"preferred_drink": {"at_least": 3}}},
            "field 'when.preferred_drink.at_least': 'at_least' compares numbers, but "
            "preferred_drink is text",
        ),
        (
            {"when": {"preferred_drink": {"present": True}, "has_visit": {"present": True}}},
            "field 'when.has_visit.present': has_visit is always known; 'present' has nothing "
            "to test",
        ),
        (
            {"when": {"preferred_drink": {"present": True}, "job_hours": {"between": [5, 2]}}},
            "field 'when.job_hours.between': 'between' needs low ≤ high, got [5, 2]",
        ),
        (
            {"when": {"preferred_drink": {"present": True}, "fitting_offers": {"is": "x"}}},
            "field 'when.fitting_offers.is': fitting_offers is list of text: use 'contains' to "
            "test for an element",
        ),
        (
            {"when": {"preferred_drink": {"present": True}, "minutes_waiting": {"atleast": 3}}},
            "field 'when.minutes_waiting.atleast': unknown operator 'atleast' (did you mean "
            "'at_least'?); use one of is, is_not, at_least, at_most, more_than, less_than, "
            "between, one_of, present, contains",
        ),
        (
            {"when": ["is_waiting"]},
            "field 'when': must be a mapping of facts to conditions, got a list",
        ),
        ({"priorty": 3}, "field 'priorty': unknown field 'priorty' (did you mean 'priority'?)"),
    ],
)
def test_wrong_types_and_values(tmp_path: Path, changes: dict[str, Any], expected: str) -> None:
    path = write(tmp_path, "comfort.yml", touch(**changes))
    assert problems(path) == [f"comfort.yml:2 touch 'drink_known' {expected}"]


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", touch())
    write(tmp_path, "b.yml", touch(title="Another"))
    assert problems(tmp_path) == [
        "b.yml:2 touch 'drink_known' field 'id': duplicate touch id 'drink_known' "
        "(first defined at a.yml:2)"
    ]


def test_duplicate_key_in_one_touch(tmp_path: Path) -> None:
    text = GOOD.replace("    priority: 90\n", "    priority: 90\n    priority: 40\n")
    (tmp_path / "p.yml").write_text(text, encoding="utf-8")
    assert problems(tmp_path / "p.yml") == ["p.yml:13 field 'priority': 'priority' is given twice"]


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        (
            "Bring a {prefered_drink}.",
            "bad placeholder {prefered_drink}: no such fact (did you mean 'preferred_drink'?)",
        ),
        (
            "Bring a {preferred_drink.",
            "bad placeholder: unmatched '{' or '}' — write {{ or }} for a brace",
        ),
        ("Bring a {}.", "bad placeholder {}: name a fact inside the braces"),
        (
            "Bring a {preferred_drink!r}.",
            "bad placeholder {preferred_drink...}: write just {fact_name}",
        ),
        (
            "Bring a coffee to {preferred_name}.",
            "bad placeholder {preferred_name}: it can be empty, so 'when' must require it "
            "(e.g. preferred_name: {present: true})",
        ),
    ],
)
def test_bad_placeholders(tmp_path: Path, instruction: str, expected: str) -> None:
    path = write(tmp_path, "comfort.yml", touch(instruction=instruction))
    assert problems(path) == [f"comfort.yml:2 touch 'drink_known' field 'instruction': {expected}"]


def test_a_guard_inside_any_does_not_count(tmp_path: Path) -> None:
    when = {"any": [{"preferred_drink": {"present": True}}, {"is_waiting": True}]}
    path = write(tmp_path, "c.yml", touch(when=when, reason="ok"))
    assert problems(path) == [
        "c.yml:2 touch 'drink_known' field 'instruction': bad placeholder {preferred_drink}: it "
        "can be empty, so 'when' must require it (e.g. preferred_drink: {present: true})"
    ]


def test_literal_braces_are_fine(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yml", touch(reason="Use {{braces}} for {preferred_drink}."))
    assert load_playbook(path).touches[0].reason.text == "Use {{braces}} for {preferred_drink}."


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "c.yml",
        touch(priority="x", when={"nope": True}),
        touch(id="Bad Id", instruction="{whatever}"),
    )
    drink = "bad placeholder {preferred_drink}: it can be empty, so 'when' must require it"
    assert problems(path) == [
        "c.yml:2 touch 'drink_known' field 'when.nope': unknown fact 'nope'",
        f"c.yml:2 touch 'drink_known' field 'instruction': {drink} "
        "(e.g. preferred_drink: {present: true})",
        f"c.yml:2 touch 'drink_known' field 'reason': {drink} "
        "(e.g. preferred_drink: {present: true})",
        "c.yml:2 touch 'drink_known' field 'priority': must be a whole number 1–100, "
        "got text ('x')",
        "c.yml:14 touch 'Bad Id' field 'id': must be lower-case letters, digits and _ (2–64), "
        "got text ('Bad Id')",
        "c.yml:14 touch 'Bad Id' field 'instruction': bad placeholder {whatever}: no such fact",
    ]


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "p.yml").write_text(
        GOOD.replace("    priority: 90", "    priority: [90"), encoding="utf-8"
    )
    (found,) = problems(tmp_path / "p.yml")
    assert found == "p.yml:13: not valid YAML: expected ',' or ']', but got ':'"


def test_file_level_problems(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", touch(), version="1", touchs=[])
    write(tmp_path, "b.yml", touch(id="other"), version="2")
    found = problems(tmp_path)
    assert (
        "a.yml:1 field 'touchs': unknown key 'touchs' (did you mean 'touches'?); "
        "use version, touches, offers"
    ) in found
    assert any(
        "field 'version': files disagree on the version (a.yml: 1, b.yml: 2)" in p for p in found
    )


def test_missing_path(tmp_path: Path) -> None:
    assert problems(tmp_path / "nowhere") == [f"{tmp_path / 'nowhere'}: no such file or folder"]


@pytest.mark.parametrize(
    ("offer", "expected"),
    [
        (
            {"id": "adapter", "title": "Adapter", "value": 10},
            "field 'requires': an offer must list the option codes it needs (requires or "
            "requires_any), so it is never made for a car it does not fit",
        ),
        (
            {"id": "adapter", "title": "Adapter", "value": 10, "requires": ["3 AC"]},
            "field 'requires': '3 AC' is not an option code (2–8 letters or digits)",
        ),
        (
            {"id": "adapter", "title": "Adapter", "value": 10, "requires": "3AC"},
            "field 'requires': must be a list of option codes, got text ('3AC')",
        ),
    ],
)
def test_offer_problems(tmp_path: Path, offer: dict[str, Any], expected: str) -> None:
    path = write(tmp_path, "o.yml", touch(), offers=[offer])
    assert problems(path) == [f"o.yml:2 offer 'adapter' {expected}"]


def test_the_message_is_one_line_for_the_user(tmp_path: Path) -> None:
    path = write(tmp_path, "comfort.yml", touch(reason=...))
    with pytest.raises(PlaybookInvalid) as caught:
        load_playbook(path)
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith(f"playbook {path} has 1 problem: comfort.yml:2")


def test_version_ignores_comments_and_file_layout_but_not_content(tmp_path: Path) -> None:
    a = write(tmp_path / "a", "one.yml", touch(), touch(id="second", priority=10))
    write(tmp_path / "b", "x.yml", touch(id="second", priority=10))
    write(tmp_path / "b", "y.yml", touch())
    (tmp_path / "b" / "y.yml").write_text("# a comment\n" + (tmp_path / "b" / "y.yml").read_text())
    assert load_playbook(a).version == load_playbook(tmp_path / "b").version
    write(tmp_path / "c", "one.yml", touch(), touch(id="second", priority=11))
    assert load_playbook(tmp_path / "c").version != load_playbook(a).version


def test_a_failed_reload_keeps_the_previous_playbook(tmp_path: Path) -> None:
    folder = tmp_path / "playbook"
    shutil.copytree(DEFAULT_PLAYBOOK_DIR, folder)
    holder = PlaybookHolder(folder)
    before = holder.current
    assert holder.reload_if_changed() is False

    broken = folder / "welcome.yml"
    broken.write_text(broken.read_text().replace("preferred_drink: {present: true}", "drnk: 1", 1))
    with pytest.raises(PlaybookInvalid) as caught:
        holder.reload()
    assert "welcome.yml:" in str(caught.value) and "unknown fact 'drnk'" in str(caught.value)
    assert holder.current is before
    assert holder.last_error is caught.value
    assert holder.reload_if_changed() is False  # the same broken files are not re-read

    broken.write_text(broken.read_text().replace("drnk: 1", "preferred_drink: {present: true}"))
    text = broken.read_text().replace("priority: 90", "priority: 91", 1)
    broken.write_text(text)
    assert holder.reload_if_changed() is True
    assert holder.current.version != before.version
    assert holder.current.touch("drink_known").priority == 91  # type: ignore[union-attr]
    assert holder.last_error is None


def test_the_first_load_must_succeed(tmp_path: Path) -> None:
    write(tmp_path, "c.yml", touch(reason=...))
    with pytest.raises(PlaybookInvalid):
        PlaybookHolder(tmp_path)


def test_every_fact_is_described() -> None:
    for spec in FACTS.values():
        assert spec.description.strip(), spec.name
