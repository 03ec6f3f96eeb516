"""What did staff type? A query is read as every identifier it could be, plus a name.

A bare "204518" could be a repair order, a VIN's last digits or (barely) a phone number, so
it is tried as all three; exact identifier hits outrank names anyway.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.lookup.text import query_words
from knowledge.normalize import (
    VIN_LENGTH,
    looks_like_vin_fragment,
    normalize_email,
    normalize_plate,
    phone_digits,
    vin_problem,
)

# Longer input is a paste gone wrong, not a lookup; reading it would be unbounded work.
MAX_QUERY_CHARS = 200
MIN_PHONE_DIGITS = 6
MAX_PHONE_DIGITS = 15

_PHONE_SHAPE = re.compile(r"^\+?[\d\s().\-/]+$")
# German-style plates: district (1–3 letters), recognition letters (1–2), 1–4 digits, E/H.
_PLATE_SHAPE = re.compile(r"^[A-ZÄÖÜ]{1,3}[\s\-:]*[A-Z]{1,2}[\s\-]*\d{1,4}[EH]?$", re.IGNORECASE)
# Generic plates elsewhere: letters and digits, 2–10 characters, at least one of each.
_GENERIC_PLATE = re.compile(r"^(?=.*[A-Z])(?=.*\d)[A-Z0-9]{2,10}$")
_RO_SHAPE = re.compile(r"^(?:RO)?[\s\-#]*(?:([A-Z0-9]{2,8})[\s\-]+)?(\d{3,12})$", re.IGNORECASE)


@dataclass(frozen=True)
class Reading:
    kind: str  # email | phone | vin | vin_partial | plate | ro | name
    value: str
    # For RO: the rooftop code typed with it ("HAM1" in "RO-HAM1-204518"), if any.
    extra: str | None = None


def readings(text: str) -> list[Reading]:
    """Every plausible reading of a cleaned, non-empty query, most specific first."""
    out: list[Reading] = []
    if "@" in text:
        email = normalize_email(text)
        return [Reading("email", email)] if email else []
    compact = re.sub(r"[\s\-./()]", "", text).upper()

    if _PHONE_SHAPE.match(text):
        digits = phone_digits(text)
        if MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
            out.append(Reading("phone", text))
    if len(compact) == VIN_LENGTH and vin_problem(compact) is None:
        out.append(Reading("vin", compact))
    elif 6 <= len(compact) < VIN_LENGTH and looks_like_vin_fragment(compact):
        out.append(Reading("vin_partial", compact))
    ro = _RO_SHAPE.match(text.strip())
    if ro:
        out.append(Reading("ro", ro.group(2), (ro.group(1) or "").upper() or None))
    plate = normalize_plate(text)
    if _PLATE_SHAPE.match(text.strip()) or (
        _GENERIC_PLATE.match(plate) and not compact.isdigit() and len(compact) <= 10
    ):
        out.append(Reading("plate", plate))
    if not any(ch.isdigit() for ch in text):
        words = query_words(text)
        if any(len(w) >= 2 for w in words):
            out.append(Reading("name", " ".join(words)))
    return out


def vin_hint(text: str) -> str | None:
    """Why a 17-character query is not a VIN, when it looks like one."""
    compact = re.sub(r"[\s\-]", "", text).upper()
    if len(compact) == VIN_LENGTH and compact.isalnum():
        return vin_problem(compact)
    return None
