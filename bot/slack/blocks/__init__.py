"""Pure Block Kit builders, one per result type: data in, ``list[dict]`` out."""

from bot.slack.blocks.card import build_card_result, build_customer_card
from bot.slack.blocks.home import build_advisor_home, build_trainer_home
from bot.slack.blocks.modals import build_skip_modal, build_survey_modal
from bot.slack.blocks.results import (
    build_candidates,
    build_help,
    build_reply,
    build_result,
    build_results,
)
from bot.slack.blocks.touches import apply_outcome, build_touch, build_touches

__all__ = [
    "apply_outcome",
    "build_advisor_home",
    "build_candidates",
    "build_card_result",
    "build_customer_card",
    "build_help",
    "build_reply",
    "build_result",
    "build_results",
    "build_skip_modal",
    "build_survey_modal",
    "build_touch",
    "build_touches",
    "build_trainer_home",
]
