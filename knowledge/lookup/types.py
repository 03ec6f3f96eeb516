"""What a lookup answers: a clear match, a few candidates that tell themselves apart, or none."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["match", "candidates", "none"]


@dataclass(frozen=True)
class Candidate:
    customer_id: int
    name: str
    # 0–100: 100 is an exact identifier (phone, e-mail, VIN, plate, RO) or an exact name.
    score: float
    # What matched, in words staff understand: "phone", "family name", "nickname", …
    matched_on: tuple[str, ...]
    # What tells candidates apart.
    city: str | None = None
    vehicles: tuple[str, ...] = ()
    last_visit: dt.date | None = None
    in_lounge: bool = False
    preferred_name: str | None = None
    kind: str = "person"

    def to_dict(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "name": self.name,
            "score": self.score,
            "matched_on": list(self.matched_on),
            "city": self.city,
            "vehicles": list(self.vehicles),
            "last_visit": self.last_visit.isoformat() if self.last_visit else None,
            "in_lounge": self.in_lounge,
            "preferred_name": self.preferred_name,
            "kind": self.kind,
        }


@dataclass(frozen=True)
class SearchResult:
    query: str
    # What the query was read as: name, phone, email, vin, vin_partial, plate, ro, empty…
    query_kind: str
    status: Status
    candidates: tuple[Candidate, ...] = ()
    # For "none": nearest names in the store, or a hint on what to type instead.
    suggestions: tuple[str, ...] = ()
    # One line for the person asking, when there is something to explain.
    message: str | None = None
    # Every way the query was tried (a bare "204518" is an RO, a VIN tail and a phone).
    tried: tuple[str, ...] = field(default=())

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def match(self) -> Candidate | None:
        return self.candidates[0] if self.status == "match" else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "query_kind": self.query_kind,
            "status": self.status,
            "candidates": [c.to_dict() for c in self.candidates],
            "suggestions": list(self.suggestions),
            "message": self.message,
            "tried": list(self.tried),
        }
