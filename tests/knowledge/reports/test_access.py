"""The access rule: trainers and admins see their group; advisors only their own figures;
call-center agents none; the operator at the command line the whole store."""

from __future__ import annotations

import pytest

from knowledge.access import Viewer, operator, viewer_for_slack_id
from knowledge.db import Store
from knowledge.errors import AccessDenied, InvalidInput
from knowledge.models import StaffMember
from knowledge.reports import may_review, resolve_scope
from tests.knowledge.reports.world import ReportWorld, build_report_world


@pytest.fixture()
def world(store: Store) -> ReportWorld:
    with store.sessions.begin() as session:
        return build_report_world(session)


def scope_of(store: Store, who: str | None, **options: str) -> tuple[str, str]:
    with store.sessions() as session:
        viewer = viewer_for_slack_id(session, who, channel="t") if who else operator("cli:t")
        scope = resolve_scope(session, viewer, **options)
        return scope.kind, scope.label


@pytest.mark.parametrize("who", ["U300", "U400"])  # a trainer, an admin
def test_trainers_and_admins_see_their_group(store: Store, world: ReportWorld, who: str) -> None:
    assert scope_of(store, who) == ("group", "dealer group Nordlicht")
    assert scope_of(store, who, dealer="KI1") == ("dealer", "KI1 — Nordlicht KI1")
    assert scope_of(store, who, advisor="U101") == ("advisor", "Mia Hansen (HAM1)")
    assert scope_of(store, who, advisor="Kai Petersen") == ("advisor", "Kai Petersen (KI1)")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"dealer": "MUC1"}, "MUC1 belongs to another dealer group"),
        ({"advisor": "U500"}, "Max Huber works for another dealer group"),
    ],
)
def test_trainers_see_nothing_of_another_group(
    store: Store, world: ReportWorld, options: dict[str, str], message: str
) -> None:
    with pytest.raises(AccessDenied, match=message):
        scope_of(store, "U300", **options)


def test_an_advisor_sees_only_their_own_figures(store: Store, world: ReportWorld) -> None:
    assert scope_of(store, "U100") == ("advisor", "Jonas Berg (HAM1)")
    assert scope_of(store, "U100", advisor="U100") == ("advisor", "Jonas Berg (HAM1)")
    with pytest.raises(AccessDenied, match=r"advisors see only their own figures$"):
        scope_of(store, "U100", advisor="U101")
    with pytest.raises(AccessDenied, match="advisors see only their own figures, not a rooftop"):
        scope_of(store, "U100", dealer="HAM1")


def test_call_center_agents_see_no_reports(store: Store, world: ReportWorld) -> None:
    with pytest.raises(AccessDenied, match="reports are for trainers and admins; call-center"):
        scope_of(store, "U200")


def test_an_inactive_trainer_sees_nothing(store: Store, world: ReportWorld) -> None:
    with store.sessions.begin() as session:
        tom = session.get(StaffMember, world.staff["tom"])
        assert tom is not None
        tom.active = False
    with pytest.raises(AccessDenied, match="no longer an active staff member"):
        scope_of(store, "U300")
    # Even with a viewer made before the deactivation.
    with store.sessions() as session:
        stale = Viewer("slack:T1/U300", "trainer", world.staff["tom"], world.dealers["HAM1"])
        with pytest.raises(AccessDenied, match="is not an active staff member"):
            resolve_scope(session, stale)


def test_an_unknown_role_sees_nothing(store: Store, world: ReportWorld) -> None:
    with store.sessions() as session, pytest.raises(AccessDenied):
        resolve_scope(session, Viewer("slack:T1/U999", "guest"))


def test_the_operator_sees_the_whole_store(store: Store, world: ReportWorld) -> None:
    assert scope_of(store, None) == ("store", "every rooftop")
    assert scope_of(store, None, dealer="MUC1") == ("dealer", "MUC1 — Süd MUC1")
    assert scope_of(store, None, advisor="U500") == ("advisor", "Max Huber (MUC1)")


def test_bad_names_are_clear(store: Store, world: ReportWorld) -> None:
    with pytest.raises(InvalidInput, match=r"no dealer with code 'XX9' \(known: HAM1, KI1, MUC1\)"):
        scope_of(store, "U300", dealer="XX9")
    with pytest.raises(InvalidInput, match="no staff member 'U999'"):
        scope_of(store, "U300", advisor="U999")
    with pytest.raises(InvalidInput, match="give a dealer or an advisor, not both"):
        scope_of(store, "U300", dealer="HAM1", advisor="U100")


def test_who_may_review() -> None:
    assert may_review(Viewer("a", "trainer")) and may_review(Viewer("a", "admin"))
    assert may_review(operator("cli:x"))
    assert not may_review(Viewer("a", "advisor")) and not may_review(Viewer("a", "call_center"))
