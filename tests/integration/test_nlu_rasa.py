"""The real trained model behind the real server understands how staff write."""

from __future__ import annotations

import pytest

from actions.understanding import NLUClient, NLUUnavailable
from bot.nlu_server import ServerInfo

pytestmark = pytest.mark.rasa


@pytest.mark.parametrize(
    ("text", "intent", "entities"),
    [
        (
            "mrs gonzales is here, she's waiting",
            "customer_arrived",
            [("person", "gonzales", "gonzales")],
        ),
        ("what else does she drive?", "list_vehicles", []),
        (
            "who is +49 151 2345 6789",
            "lookup_customer",
            [("phone", "+49 151 2345 6789", "+49 151 2345 6789")],
        ),
        (
            "pull up WBA8E9G50GNU12345",
            "lookup_customer",
            [("vin", "WBA8E9G50GNU12345", "WBA8E9G50GNU12345")],
        ),
        ("any recalls on her cars?", "check_recalls", []),
        (
            "she takes her coffee black, oat milk",
            "record_preference",
            [("drink", "coffee black", "black coffee"), ("drink", "oat milk", "oat milk")],
        ),
        (
            "done the drink for mr okafor",
            "log_touch",
            [("touch", "drink", "drink"), ("person", "okafor", "okafor")],
        ),
        (
            "how are we doing on touches this week",
            "touch_report",
            [("period", "this week", "this_week")],
        ),
        ("the second one", "choose_option", [("ordinal", "second", "2")]),
        ("yes that's her", "affirm", []),
        (
            "owners of 2019-2021 X5 with campaign 0061 open",
            "owners_query",
            [("vehicle", "2019-2021 X5", "2019-2021 X5"), ("campaign", "0061", "0061")],
        ),
        (
            "look up plate HH-AB 1234",
            "lookup_customer",
            [("plate", "HH-AB 1234", "HH-AB 1234")],
        ),
        (
            "what was done on ro 204518",
            "service_history",
            [("ro_number", "204518", "204518")],
        ),
        ("thanks a lot", "thank", []),
        ("tell me a joke", "out_of_scope", []),
    ],
)
def test_staff_messages_are_understood(
    nlu_client: NLUClient, text: str, intent: str, entities: list[tuple[str, str, str]]
) -> None:
    result = nlu_client.parse(text)

    assert result.intent == intent
    assert result.confidence >= 0.6
    assert [(e.entity, text[e.start : e.end], e.value) for e in result.entities] == entities
    assert result.ranking[0].name == intent


def test_an_email_is_extracted_exactly_by_its_pattern(nlu_client: NLUClient) -> None:
    result = nlu_client.parse("who is Dr.Anna-Lena.Krüger+service@mail.example.co.uk?")

    emails = result.of("email")
    assert [(e.value, e.extractor) for e in emails] == [
        ("Dr.Anna-Lena.Krüger+service@mail.example.co.uk", "RegexEntityExtractor")
    ]
    assert result.of("person") == []


def test_hard_inputs_get_an_answer_not_an_error(nlu_client: NLUClient) -> None:
    for text in ("🙈🙈🙈", "x" * 10_000, "¿dónde está la estación?", "   "):
        result = nlu_client.parse(text)
        assert result.text == text
        assert 0.0 <= result.confidence <= 1.0


def test_wrong_token_is_refused(nlu_server: ServerInfo) -> None:
    with (
        NLUClient(nlu_server.url, "not-the-token", 10.0) as client,
        pytest.raises(NLUUnavailable) as caught,
    ):
        client.parse("who is mrs gonzales")
    assert str(caught.value) == "the language service refused the token (check NLU_TOKEN)"


def test_validate_command_passes_on_the_project_data() -> None:
    from typer.testing import CliRunner

    from bot.cli import app

    result = CliRunner().invoke(app, ["nlu", "validate"])

    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("NLU data OK")
