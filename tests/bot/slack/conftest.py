"""The Slack app running for real over HTTP, against the fake Slack Web API and a real store.

``slack`` starts the whole thing: the cast of the conversation tests in the store (plus a
customer waiting in the lounge now), the fake Web API, and the app served by waitress on a
free loopback port. Tests send signed requests with ``slack.send`` and read what the app
called at ``slack.api``.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from actions.understanding import FakeNLU, Understander
from bot.slack.app import HttpServer, build_app, http_server, make_deps
from bot.slack.deps import SlackDeps
from knowledge.db import Store
from knowledge.models import ServiceVisit
from knowledge.settings import Settings
from knowledge.touches import PlaybookHolder
from tests.actions.cast import Cast, build_cast, ent
from tests.fakes.slack_api import FakeSlackAPI, SlackSender
from tests.knowledge.lookup.world import NOW

SECRET = "test-signing-secret"
TEAM = "T1"
ADVISOR = "U100"
AGENT = "U200"
TRAINER = "U300"
STRANGER = "U999"
PRIVATE = "C0PRIVATE"
PUBLIC = "C0PUBLIC"
DM = "D0ADVISOR"

MEANINGS: dict[str, Any] = {
    "who is Maria Gonzales?": {
        "intent": "lookup_customer",
        "entities": [ent("person", "Maria Gonzales")],
    },
    "who is Anna Schmidt?": {
        "intent": "lookup_customer",
        "entities": [ent("person", "Anna Schmidt")],
    },
    "what else does she drive?": "list_vehicles",
    "hello": "greet",
    # Not sure enough: Concierge asks back, with yes / no buttons.
    "maria gonzales cars": {
        "intent": "list_vehicles",
        "confidence": 0.45,
        "entities": [ent("person", "maria gonzales")],
    },
    "yes": "affirm",
}


@dataclass
class SlackWorld:
    store: Store
    cast: Cast
    api: FakeSlackAPI
    send: SlackSender
    deps: SlackDeps
    nlu: Any
    server: HttpServer
    waiting_visit: int
    ts: Any = field(default=None)

    @property
    def url(self) -> str:
        return self.send.url


def settings_for(api: FakeSlackAPI, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": "xoxb-test-token",
        "slack_signing_secret": SECRET,
        "slack_api_url": api.api_url,
        "conversation_idle_minutes": 30,
    }
    values.update(changes)
    return Settings(**values)


def add_waiting_customer(store: Store, cast: Cast) -> int:
    """Kenji Tanaka waits in the Hamburg lounge now, 25 minutes in, with the advisor."""
    with store.sessions.begin() as session:
        visit = ServiceVisit(
            ro_number="RO-HAM1-100200",
            dealer_id=session.get_one(ServiceVisit, cast.booking).dealer_id,
            customer_id=cast.kenji,
            vehicle_id=cast.corolla,
            advisor_id=cast.advisor,
            status="waiting",
            wait_mode="waiting",
            opened_at=NOW - dt.timedelta(minutes=25),
            arrived_at=NOW - dt.timedelta(minutes=25),
            promised_at=NOW + dt.timedelta(minutes=65),
            concerns="Tyre change",
        )
        session.add(visit)
        session.flush()
        return visit.id


@pytest.fixture(scope="session")
def playbook_holder() -> PlaybookHolder:
    return PlaybookHolder()


@contextmanager
def running_slack(
    store: Store, nlu: Understander, playbook: PlaybookHolder
) -> Iterator[SlackWorld]:
    """The cast in ``store``, the fake Web API, and the app serving on a loopback port."""
    with store.sessions.begin() as session:
        cast = build_cast(session)
    waiting = add_waiting_customer(store, cast)
    api = FakeSlackAPI(team_id=TEAM, private_channels={PRIVATE: True}).start()
    settings = settings_for(api)
    deps = make_deps(settings, store, nlu=nlu, clock=lambda: NOW, playbook=playbook)
    app = build_app(settings, deps)
    server = http_server(app, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    sender = SlackSender(f"http://127.0.0.1:{server.port}/slack/events", SECRET)
    try:
        yield SlackWorld(store, cast, api, sender, deps, nlu, server, waiting)
    finally:
        sender.close()
        server.close()
        api.stop()


@pytest.fixture()
def slack(store: Store, playbook_holder: PlaybookHolder) -> Iterator[SlackWorld]:
    with running_slack(store, FakeNLU(MEANINGS), playbook_holder) as world:
        yield world
