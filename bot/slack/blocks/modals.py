"""Modals: what a customer said about a visit, and a touch skipped for a reason of one's own."""

from __future__ import annotations

import json
from typing import Any

from bot.slack import ids
from bot.slack.blocks.common import context, esc, option, plain, section

MAX_METADATA = 3000


def _metadata(data: dict[str, Any]) -> str:
    text = json.dumps(data, separators=(",", ":"))
    if len(text) > MAX_METADATA:
        raise ValueError("modal metadata too long")
    return text


def read_metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


SCORE_LABELS = {0: "0 — very unhappy", 5: "5 — so-so", 10: "10 — delighted"}


def build_survey_modal(
    *, ro_number: str | None, metadata: dict[str, Any], customer: str | None = None
) -> dict[str, Any]:
    """Score 0–10 and a comment for a visit (its repair-order number)."""
    ro_input: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": ids.SURVEY_VISIT_INPUT,
        "placeholder": plain("RO-HAM1-204518"),
        "max_length": 32,
    }
    if ro_number:
        ro_input["initial_value"] = ro_number
    about = f"What did {esc(customer)} say" if customer else "What did the customer say"
    return {
        "type": "modal",
        "callback_id": ids.SURVEY_VIEW,
        "title": plain("Customer feedback", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "private_metadata": _metadata(metadata),
        "blocks": [
            section(f"{about} about this visit? It is saved with the visit, for the trainers."),
            {
                "type": "input",
                "block_id": ids.SURVEY_VISIT_BLOCK,
                "label": plain("Repair order"),
                "element": ro_input,
            },
            {
                "type": "input",
                "block_id": ids.SURVEY_SCORE_BLOCK,
                "label": plain("Score (0–10)"),
                "element": {
                    "type": "static_select",
                    "action_id": ids.SURVEY_SCORE_INPUT,
                    "placeholder": plain("How happy were they?"),
                    "options": [option(SCORE_LABELS.get(n, str(n)), str(n)) for n in range(11)],
                },
            },
            {
                "type": "input",
                "block_id": ids.SURVEY_COMMENT_BLOCK,
                "optional": True,
                "label": plain("In their words"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": ids.SURVEY_COMMENT_INPUT,
                    "multiline": True,
                    "max_length": 1000,
                },
            },
            context("Only the score and comment are stored; no contact details."),
        ],
    }


def survey_values(view: dict[str, Any]) -> tuple[str, str | None, str]:
    """(repair-order number, score as text or None, comment) from a submitted survey view."""
    values = (view.get("state") or {}).get("values") or {}
    ro = ((values.get(ids.SURVEY_VISIT_BLOCK) or {}).get(ids.SURVEY_VISIT_INPUT) or {}).get("value")
    score_el = (values.get(ids.SURVEY_SCORE_BLOCK) or {}).get(ids.SURVEY_SCORE_INPUT) or {}
    selected = score_el.get("selected_option") or {}
    comment = (
        (values.get(ids.SURVEY_COMMENT_BLOCK) or {}).get(ids.SURVEY_COMMENT_INPUT) or {}
    ).get("value")
    return (ro or "").strip(), selected.get("value"), (comment or "").strip()


def build_skip_modal(*, title: str, metadata: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": ids.SKIP_REASON_VIEW,
        "title": plain("Skip a touch", 24),
        "submit": plain("Skip it", 24),
        "close": plain("Cancel", 24),
        "private_metadata": _metadata(metadata),
        "blocks": [
            section(f"Why is *{esc(title)}* skipped? Trainers read the reasons."),
            {
                "type": "input",
                "block_id": ids.SKIP_REASON_BLOCK,
                "label": plain("Reason"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": ids.SKIP_REASON_INPUT,
                    "max_length": 300,
                    "placeholder": plain("e.g. customer on the phone the whole time"),
                },
            },
        ],
    }


def skip_reason(view: dict[str, Any]) -> str:
    values = (view.get("state") or {}).get("values") or {}
    raw = ((values.get(ids.SKIP_REASON_BLOCK) or {}).get(ids.SKIP_REASON_INPUT) or {}).get("value")
    return (raw or "").strip()
