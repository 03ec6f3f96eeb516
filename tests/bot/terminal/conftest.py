"""The conversation tests' cast, for the terminal tests too."""

from __future__ import annotations

import pytest

from knowledge.db import Store
from tests.actions.cast import Cast, build_cast


@pytest.fixture()
def cast(store: Store) -> Cast:
    with store.sessions.begin() as session:
        return build_cast(session)
