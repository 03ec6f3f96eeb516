"""The NLU client against a tiny local HTTP server that answers like Rasa (or misbehaves)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from actions.understanding import (
    MAX_TEXT_CHARS,
    Entity,
    FakeNLU,
    IntentScore,
    NLUClient,
    NLUUnavailable,
    understanding_from_rasa,
)
from bot.nlu_server import free_port
from knowledge.errors import ConciergeError

TOKEN = "s3cret-token"


def rasa_answer(text: str) -> dict[str, Any]:
    start = text.index("gonzales")
    return {
        "text": text,
        "intent": {"name": "customer_arrived", "confidence": 0.97},
        "entities": [
            {
                "entity": "person",
                "start": start,
                "end": start + 8,
                "value": "gonzales",
                "confidence_entity": 0.99,
                "extractor": "DIETClassifier",
            }
        ],
        "intent_ranking": [
            {"name": "customer_arrived", "confidence": 0.97},
            {"name": "lookup_customer", "confidence": 0.02},
        ],
    }


@dataclass
class FakeRasa:
    """What the fake server answers, and what it was asked."""

    mode: str = "ok"  # ok | slow | bad_json | unauthorized | error
    delay_s: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture()
def fake_rasa() -> Iterator[tuple[str, FakeRasa]]:
    behaviour = FakeRasa()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            query = parse_qs(urlsplit(self.path).query)
            behaviour.requests.append({"path": urlsplit(self.path).path, "query": query, **body})
            if behaviour.mode == "slow":
                time.sleep(behaviour.delay_s)
            if behaviour.mode == "unauthorized" or query.get("token") != [TOKEN]:
                self._send(401, b'{"status": "failure", "reason": "NotAuthenticated"}')
            elif behaviour.mode == "bad_json":
                self._send(200, b"<html>not json")
            elif behaviour.mode == "error":
                self._send(500, b'{"status": "failure"}')
            else:
                self._send(200, json.dumps(rasa_answer(body["text"])).encode())

        def _send(self, code: int, payload: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            # The client may have given up already (the timeout test).
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", behaviour
    finally:
        server.shutdown()
        server.server_close()


def test_parse_returns_intent_entities_and_ranking(fake_rasa: tuple[str, FakeRasa]) -> None:
    url, behaviour = fake_rasa
    text = "mrs gonzales is here, she's waiting"
    with NLUClient(url, TOKEN, timeout_s=2.0) as client:
        first = client.parse(text)
        second = client.parse(text)

    assert first == second
    assert first.text == text
    assert first.intent == "customer_arrived"
    assert first.confidence == 0.97
    assert first.entities == [
        Entity("person", "gonzales", 4, 12, 0.99, "DIETClassifier"),
    ]
    assert first.ranking == [
        IntentScore("customer_arrived", 0.97),
        IntentScore("lookup_customer", 0.02),
    ]
    assert first.values("person") == ["gonzales"]
    assert first.first("phone") is None
    assert first.is_confident(0.6) and not first.is_confident(0.98)
    assert behaviour.requests[0] == {
        "path": "/model/parse",
        "query": {"token": [TOKEN]},
        "text": text,
    }


def test_timeout_raises_nlu_unavailable(fake_rasa: tuple[str, FakeRasa]) -> None:
    url, behaviour = fake_rasa
    behaviour.mode, behaviour.delay_s = "slow", 1.0
    with NLUClient(url, TOKEN, timeout_s=0.2) as client, pytest.raises(NLUUnavailable) as caught:
        client.parse("who is mrs gonzales")
    assert str(caught.value) == "the language service did not answer within 0.2 s"
    assert isinstance(caught.value, ConciergeError)


def test_connection_refused_raises_nlu_unavailable() -> None:
    port = free_port()
    with (
        NLUClient(f"http://127.0.0.1:{port}", TOKEN) as client,
        pytest.raises(NLUUnavailable) as caught,
    ):
        client.parse("who is mrs gonzales")
    assert str(caught.value) == (
        f"the language service at http://127.0.0.1:{port} cannot be reached (connection refused)"
    )


def test_bad_json_raises_nlu_unavailable(fake_rasa: tuple[str, FakeRasa]) -> None:
    url, behaviour = fake_rasa
    behaviour.mode = "bad_json"
    with NLUClient(url, TOKEN) as client, pytest.raises(NLUUnavailable) as caught:
        client.parse("who is mrs gonzales")
    assert str(caught.value) == "the language service answered with invalid JSON"


def test_wrong_token_and_server_error_raise_nlu_unavailable(
    fake_rasa: tuple[str, FakeRasa],
) -> None:
    url, behaviour = fake_rasa
    with NLUClient(url, "wrong") as client, pytest.raises(NLUUnavailable) as caught:
        client.parse("who is mrs gonzales")
    assert "refused the token" in str(caught.value)
    behaviour.mode = "error"
    with NLUClient(url, TOKEN) as client, pytest.raises(NLUUnavailable) as caught:
        client.parse("who is mrs gonzales")
    assert str(caught.value) == "the language service answered HTTP 500"


def test_empty_text_is_not_sent(fake_rasa: tuple[str, FakeRasa]) -> None:
    url, behaviour = fake_rasa
    with NLUClient(url, TOKEN) as client:
        result = client.parse("   \n ")
    assert (result.intent, result.confidence, result.entities) == ("", 0.0, [])
    assert behaviour.requests == []


def test_long_text_is_cut_before_sending(fake_rasa: tuple[str, FakeRasa]) -> None:
    url, behaviour = fake_rasa
    text = "gonzales " + "x" * 10_000
    with NLUClient(url, TOKEN) as client:
        result = client.parse(text)
    assert len(behaviour.requests[0]["text"]) == MAX_TEXT_CHARS
    assert result.text == text
    assert result.entities[0].start == 0 and result.entities[0].end == 8


def test_rasa_answer_with_no_intent_reads_as_empty() -> None:
    result = understanding_from_rasa(
        {"intent": {"name": None, "confidence": 0.0}, "entities": []}, "🙂"
    )
    assert (result.intent, result.confidence) == ("", 0.0)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "the language service answered with something that is not a parse"),
        ({"entities": []}, "the language service answered without an intent"),
        (
            {"intent": {"name": "greet", "confidence": "high"}},
            "the language service answered without a valid confidence",
        ),
        (
            {"intent": {"name": "greet", "confidence": 1.0}, "entities": [{"entity": "person"}]},
            "the language service answered with a malformed entity",
        ),
        (
            {
                "intent": {"name": "greet", "confidence": 1.0},
                "entities": [{"entity": "person", "start": 3, "end": 99}],
            },
            "the language service answered with an entity outside the text",
        ),
    ],
)
def test_malformed_answers_raise_nlu_unavailable(payload: Any, message: str) -> None:
    with pytest.raises(NLUUnavailable) as caught:
        understanding_from_rasa(payload, "hello there")
    assert str(caught.value) == message


def test_a_pattern_match_wins_over_overlapping_learned_spans() -> None:
    text = "who is anna.schmidt@web.de"
    payload = {
        "intent": {"name": "lookup_customer", "confidence": 0.9},
        "entities": [
            {
                "entity": "email",
                "start": 7,
                "end": 19,
                "value": "anna.schmidt",
                "extractor": "DIETClassifier",
                "confidence_entity": 0.7,
            },
            {
                "entity": "email",
                "start": 7,
                "end": 26,
                "value": "anna.schmidt@web.de",
                "extractor": "RegexEntityExtractor",
            },
            {
                "entity": "person",
                "start": 7,
                "end": 11,
                "value": "anna",
                "extractor": "DIETClassifier",
                "confidence_entity": 0.4,
            },
        ],
    }
    result = understanding_from_rasa(payload, text)
    assert result.entities == [
        Entity("email", "anna.schmidt@web.de", 7, 26, 1.0, "RegexEntityExtractor"),
    ]


def test_fake_nlu_is_driven_by_a_dict() -> None:
    fake = FakeNLU(
        {
            "Mrs Gonzales is here": {
                "intent": "customer_arrived",
                "confidence": 0.93,
                "entities": [{"entity": "person", "value": "gonzales"}],
            },
            "the second one": {
                "intent": "choose_option",
                "entities": [{"entity": "ordinal", "value": "2", "start": 4, "end": 10}],
            },
            "yes": "affirm",
        }
    )
    arrived = fake.parse("mrs   gonzales is HERE")
    assert (arrived.intent, arrived.confidence) == ("customer_arrived", 0.93)
    assert arrived.entities == [Entity("person", "gonzales", 6, 14, 1.0, "fake")]
    assert fake.parse("the second one").first("ordinal") == Entity(
        "ordinal", "2", 4, 10, 1.0, "fake"
    )
    assert (fake.parse("yes").intent, fake.parse("yes").confidence) == ("affirm", 1.0)
    unknown = fake.parse("what's the weather")
    assert (unknown.intent, unknown.confidence) == ("out_of_scope", 0.3)
    assert fake.calls[0] == "mrs   gonzales is HERE"


def test_fake_nlu_can_be_unavailable() -> None:
    fake = FakeNLU({"yes": "affirm"}, unavailable=True)
    with pytest.raises(NLUUnavailable):
        fake.parse("yes")
    assert fake.calls == ["yes"]


def test_fake_nlu_rejects_a_value_not_in_the_text() -> None:
    fake = FakeNLU(
        {
            "she takes it black": {
                "intent": "record_preference",
                "entities": [{"entity": "drink", "value": "black coffee"}],
            }
        }
    )
    with pytest.raises(ValueError, match="give start and end"):
        fake.parse("she takes it black")


def _learned(entity: str, text: str, part: str, value: str | None = None) -> dict[str, Any]:
    start = text.index(part)
    return {
        "entity": entity,
        "start": start,
        "end": start + len(part),
        "value": value or part,
        "extractor": "CRFEntityExtractor",
        "confidence_entity": 0.9,
    }


def test_fragments_of_one_value_are_rejoined() -> None:
    text = "check (0521) 98 76 54 for Björn Brännström, coffee black oat milk"
    payload = {
        "intent": {"name": "lookup_customer", "confidence": 0.9},
        "entities": [
            _learned("phone", text, "(0521"),
            _learned("phone", text, "98 76 54"),
            _learned("person", text, "Björn"),
            _learned("person", text, "Brännström"),
            # a synonym value on a part: not one value written in two pieces
            _learned("drink", text, "coffee black", "black coffee"),
            _learned("drink", text, "oat milk"),
        ],
    }
    result = understanding_from_rasa(payload, text)
    assert [(e.entity, e.value) for e in result.entities] == [
        ("phone", "(0521) 98 76 54"),
        ("person", "Björn Brännström"),
        ("drink", "black coffee"),
        ("drink", "oat milk"),
    ]


def test_values_apart_are_not_joined() -> None:
    text = "anna, maria and 0151 2345 / and 040 1234"
    payload = {
        "intent": {"name": "lookup_customer", "confidence": 0.9},
        "entities": [
            _learned("person", text, "anna"),
            _learned("person", text, "maria"),
            _learned("phone", text, "0151 2345"),
            _learned("phone", text, "040 1234"),
        ],
    }
    result = understanding_from_rasa(payload, text)
    assert result.values("person") == ["anna", "maria"]
    assert result.values("phone") == ["0151 2345", "040 1234"]
