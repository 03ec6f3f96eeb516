"""Which customer a record joins: the cluster decision, with conflict checks and a size cap.

A record is compared with *every* record already in a candidate customer, not with a merged
profile. It may join only when its best pair is strong enough to merge and no record of the
cluster clearly conflicts with it — so A≈B and B≈C never pull in a C that contradicts A.
This is what stops chaining: a shared e-mail can link two people's records, but it cannot
make a cluster absorb everyone who wrote that e-mail, because their names and birth dates
conflict with the records already there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from knowledge.identity.compare import (
    MERGE_THRESHOLD,
    REVIEW_THRESHOLD,
    Comparison,
    compare,
)
from knowledge.identity.records import MatchView

DEFAULT_MAX_CLUSTER_SIZE = 12
# Two candidates both strong enough to merge and this close in weight: a human picks.
AMBIGUITY_MARGIN = 4.0


@dataclass(frozen=True, slots=True)
class MatchConfig:
    merge_threshold: float = MERGE_THRESHOLD
    review_threshold: float = REVIEW_THRESHOLD
    max_cluster_size: int = DEFAULT_MAX_CLUSTER_SIZE


@dataclass(slots=True)
class Candidate:
    customer_id: int
    members: list[MatchView]


@dataclass(slots=True)
class Assessment:
    """One candidate customer scored against the record."""

    customer_id: int
    best: Comparison
    best_member: MatchView
    conflict: str | None
    size: int

    def mergeable(self, config: MatchConfig) -> bool:
        return (
            self.conflict is None
            and self.best.can_merge(config.merge_threshold)
            and self.size < config.max_cluster_size
        )

    def describe(self) -> str:
        r = self.best_member.record
        return f"{self.best.reason()} vs {r.source}:{r.source_id}"


@dataclass(slots=True)
class Decision:
    customer_id: int | None  # the customer to join; None: a new customer
    score: float | None
    reason: str
    reviews: list[tuple[int, float, str]] = field(default_factory=list)
    # Other customers this record proves to be the same person as ``customer_id``: each
    # matched the record strongly enough to merge, and none of their records conflicts
    # with any record of the others.
    absorb: list[int] = field(default_factory=list)


def clusters_conflict(a: Candidate, b: Candidate) -> bool:
    """Whether any record of one customer clearly contradicts any record of the other."""
    return any(compare(x, y).conflicts for x in a.members for y in b.members)


def assess(view: MatchView, candidate: Candidate, household: set[str]) -> Assessment | None:
    best: Comparison | None = None
    best_member: MatchView | None = None
    conflict: str | None = None
    for member in candidate.members:
        comparison = compare(view, member, household)
        if comparison.conflicts and conflict is None:
            r = member.record
            conflict = f"{', '.join(comparison.conflicts)} with {r.source}:{r.source_id}"
        if best is None or comparison.weight > best.weight:
            best, best_member = comparison, member
    if best is None or best_member is None:
        return None
    return Assessment(candidate.customer_id, best, best_member, conflict, len(candidate.members))


def _worth_review(a: Assessment, config: MatchConfig) -> bool:
    # Two clearly different given names (twins, spouses, parent and child) are never the
    # same person, however much else they share: no reason to ask anyone.
    if a.best.level("given") == "differs":
        return False
    return a.best.weight >= config.review_threshold


def decide(
    view: MatchView,
    candidates: Iterable[Candidate],
    household: set[str],
    config: MatchConfig,
) -> Decision:
    by_id = {c.customer_id: c for c in candidates}
    assessments = [a for c in by_id.values() if (a := assess(view, c, household)) is not None]
    assessments.sort(key=lambda a: (-a.best.weight, a.customer_id))
    eligible = [a for a in assessments if a.mergeable(config)]

    target: Assessment | None = None
    absorbed: list[Assessment] = []
    if eligible:
        top, rivals = eligible[0], eligible[1:]
        # The record may prove that customers already in the store are one person (it
        # shares a phone with one and an address with the other). Join them only when no
        # record of any of them contradicts another, and the result stays within the cap.
        size = top.size + 1 + sum(r.size for r in rivals)
        group = [by_id[top.customer_id]]
        bridge = size <= config.max_cluster_size
        for rival in rivals:
            if not bridge:
                break
            if rival.best.hard_identifiers < 1:
                # A rare name is enough to join one customer, not to weld two together.
                bridge = False
                break
            candidate = by_id[rival.customer_id]
            if any(clusters_conflict(candidate, other) for other in group):
                bridge = False
            group.append(candidate)
        if bridge:
            target, absorbed = top, rivals
        elif not rivals or top.best.weight - rivals[0].best.weight >= AMBIGUITY_MARGIN:
            target = top

    reviews: list[tuple[int, float, str]] = []
    for a in assessments:
        if a is target or a in absorbed:
            continue
        if a.mergeable(config):
            why = f"as strong as another candidate: {a.describe()}"
        elif a.best.can_merge(config.merge_threshold) and a.size >= config.max_cluster_size:
            why = f"cluster would grow past {config.max_cluster_size} records: {a.describe()}"
        elif a.best.weight >= config.merge_threshold and a.conflict:
            why = f"{a.conflict}: {a.describe()}"
        elif _worth_review(a, config):
            why = a.describe()
        else:
            continue
        if a.best.level("given") == "differs":
            continue
        reviews.append((a.customer_id, a.best.weight, why))

    if target is not None:
        reason = target.describe()
        if absorbed:
            joined = ", ".join(f"#{a.customer_id}" for a in absorbed)
            reason += f"; also proves {joined} the same person"
        return Decision(
            target.customer_id,
            target.best.weight,
            reason,
            reviews,
            [a.customer_id for a in absorbed],
        )
    if assessments:
        top = assessments[0]
        return Decision(None, top.best.weight, f"new customer; closest: {top.describe()}", reviews)
    return Decision(None, None, "new customer; no candidate shares a key", reviews)
