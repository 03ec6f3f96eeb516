"""Every Block Kit ``action_id``, ``block_id`` prefix and view ``callback_id`` of the app.

Listeners match on these and builders emit them, so a renamed id can never leave a button
that nothing answers.
"""

from __future__ import annotations

# Touch buttons: the value is the suggestion id the outcome is recorded against.
TOUCH_DONE = "touch_done"
TOUCH_SKIP = "touch_skip"  # a menu of reasons; "other" opens SKIP_REASON_VIEW
TOUCH_NOT_APPLICABLE = "touch_not_applicable"
TOUCH_ACTIONS = (TOUCH_DONE, TOUCH_SKIP, TOUCH_NOT_APPLICABLE)
# The block of one touch's buttons: TOUCH_BLOCK_PREFIX + suggestion id.
TOUCH_BLOCK_PREFIX = "touch:"
# The block of one touch's text (replaced with the outcome once one is recorded).
TOUCH_TEXT_PREFIX = "touchtext:"

# Choosing among several customers: the value is the customer id.
PICK_CUSTOMER = "pick_customer"
# A quick answer to a question ("yes", "no", an example): the value is the text to send.
QUICK_ANSWER = "quick_answer"

# Recording what a customer said about a visit (score 0–10 + comment).
OPEN_SURVEY = "open_survey"
SURVEY_VIEW = "survey_view"
SURVEY_VISIT_BLOCK = "survey_visit"
SURVEY_VISIT_INPUT = "survey_visit_input"
SURVEY_SCORE_BLOCK = "survey_score"
SURVEY_SCORE_INPUT = "survey_score_input"
SURVEY_COMMENT_BLOCK = "survey_comment"
SURVEY_COMMENT_INPUT = "survey_comment_input"

# Skipping a touch with a reason of one's own.
SKIP_REASON_VIEW = "skip_reason_view"
SKIP_REASON_BLOCK = "skip_reason"
SKIP_REASON_INPUT = "skip_reason_input"
# The skip menu's option that opens SKIP_REASON_VIEW instead of recording a preset reason.
SKIP_OTHER = "other"

# App Home: refresh the tab.
HOME_REFRESH = "home_refresh"

# The slash command.
COMMAND = "/concierge"
