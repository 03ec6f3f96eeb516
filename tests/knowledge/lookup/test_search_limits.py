"""Fetch limits never hide the best answer: near-spellings and crowds of namesakes."""

from __future__ import annotations

from knowledge.db import Store
from knowledge.lookup import search
from knowledge.lookup.keys import refresh_search_keys
from knowledge.lookup.names import FETCH_LIMIT
from tests.knowledge.lookup.world import NOW, TODAY, World


def test_exact_spelling_beats_a_crowd_of_near_spellings(store: Store) -> None:
    with store.sessions.begin() as s:
        w = World(s)
        crowd = [w.customer("Ursula", "Hoffmann") for _ in range(FETCH_LIMIT + 5)]
        one = w.customer("Ursula", "Hofmann")
        refresh_search_keys(s, [c.id for c in [*crowd, one]])
        one_id = one.id
    with store.sessions() as s:
        result = search(s, "Ursula Hofmann", today=TODAY)
    # One letter from a crowd of Hoffmanns: offered first, not assumed.
    assert result.status == "candidates"
    assert result.best is not None and result.best.customer_id == one_id
    assert (result.best.score, result.candidates[1].score) == (100.0, 96.7)


def test_the_namesake_in_the_lounge_comes_first(store: Store) -> None:
    with store.sessions.begin() as s:
        w = World(s)
        crowd = [w.customer("Michael", "Schneider") for _ in range(FETCH_LIMIT * 2)]
        waiting = crowd[-1]  # the highest id: never among the first rows of the key
        car = w.vehicle(waiting, "BMW", "118i", 2019)
        w.visit(waiting, car, "RO-HAM1-9", NOW, status="waiting", wait_mode="waiting")
        refresh_search_keys(s, [c.id for c in crowd])
        waiting_id = waiting.id
    with store.sessions() as s:
        result = search(s, "Michael Schneider", today=TODAY)
    assert result.status == "candidates"
    assert result.candidates[0].customer_id == waiting_id
    assert result.candidates[0].in_lounge
