"""Which of a customer's vehicles a message means: "the golf", "her VW", "the 2019 X5"."""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.normalize import fold, normalize_plate
from knowledge.profile import VehicleInfo

# How staff shorten makes.
MAKE_ALIASES = {
    "vw": "volkswagen",
    "merc": "mercedes-benz",
    "mercedes": "mercedes-benz",
    "benz": "mercedes-benz",
    "chevy": "chevrolet",
    "beemer": "bmw",
}
_FILLER = frozenset({"the", "her", "his", "their", "a", "an", "car", "one", "new", "old"})


def _haystack(v: VehicleInfo) -> set[str]:
    words = set(fold(f"{v.model_year or ''} {v.make} {v.model} {v.colour or ''}").split())
    words |= set(fold(v.model).replace("-", " ").split())
    words.add(fold(v.model).replace(" ", "").replace("-", ""))
    return words


def matches(text: str, v: VehicleInfo) -> bool:
    """Every word of ``text`` describes ``v`` (make, model, year, colour, plate or VIN)."""
    typed = fold(text).strip()
    if not typed:
        return False
    compact = typed.replace(" ", "").replace("-", "").upper()
    if v.plate and normalize_plate(text) == normalize_plate(v.plate):
        return True
    if len(compact) >= 6 and v.vin.upper().endswith(compact):
        return True
    have = _haystack(v)
    wanted = [MAKE_ALIASES.get(w, w) for w in typed.replace("-", " ").split() if w not in _FILLER]
    if not wanted:
        return False
    return all(
        w in have
        or any(h.startswith(w) and len(w) >= 3 for h in have)
        or (len(w) >= 3 and w in fold(v.make))
        for w in wanted
    )


def pick(texts: Sequence[str], vehicles: Sequence[VehicleInfo]) -> list[VehicleInfo]:
    """The vehicles any of ``texts`` describes (in the customer's order)."""
    return [v for v in vehicles if any(matches(t, v) for t in texts)]
