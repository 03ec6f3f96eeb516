"""Blocking keys: the few indexed values that find the candidates a record must be compared with.

Each key is a 64-bit hash of a kind and a value. Several kinds overlap on purpose, so one
error in a record (a typo in the family name, a nickname, a moved address, a missing birth
date) still leaves a key that finds its twin in the store:

- ``p`` a phone, ``e`` an e-mail (never a junk or shared one);
- ``fd`` family name (sound code) + birth date, day and month unordered so a transposed date
  meets the right one;
- ``gd`` given name (formal form of a nickname, sound code) + birth date, for a changed or
  misspelt family name;
- ``fip`` family name sound code + given initial + postcode, for records without a birth date;
- ``a`` the exact address (postcode, street, house number), for records that share it;
- ``ac`` the same by town (city, street, house number): every record with a town is indexed
  under it, only a record without a postcode looks it up (with a postcode ``a`` finds the
  same house, in smaller blocks);
- ``n`` the full name (formal given name, spelling collapsed), for a record that shares
  nothing but a rare name with its twin — a common name's block is too large and skipped.
"""

from __future__ import annotations

import hashlib

import jellyfish

from knowledge.identity.compare import spelling_key
from knowledge.identity.names import canonical_given
from knowledge.identity.records import MatchView

# The most customers a block may hold and still be compared against: beyond that a key is too
# common to point at anyone (an apartment block's address, a city's Müllers born in 1960).
BLOCK_CAPS = {"p": 4, "e": 4, "n": 2, "a": 12, "ac": 12, "fd": 30, "gd": 30, "fip": 30}
# The full-name block is read this far to tell a common name (frequency.py).
NAME_BLOCK_READ = 60


def name_key(given: tuple[str, ...], family: tuple[str, ...]) -> tuple[str, str] | None:
    """(given, family) in comparable form: nicknames to their formal name, umlauts and
    spelling variants collapsed (Müller, Mueller and Muller are one name)."""
    if not given or not family or len(given[0]) < 2:
        return None
    return spelling_key(canonical_given(given[0])), spelling_key("".join(family))


def full_name_key(view: MatchView) -> tuple[str, str] | None:
    """The record's full name in comparable form, umlauts written out."""
    return name_key(view.given_de or view.given, view.family_de or view.family)


def key_hash(kind: str, value: str) -> int:
    digest = hashlib.blake2b(f"{kind}|{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _dob_part(view: MatchView) -> str | None:
    if view.dob is None:
        return None
    year, month, day = view.dob
    low, high = sorted((month, day))
    return f"{year}-{low}-{high}"


def blocking_keys(view: MatchView) -> dict[int, tuple[str, str]]:
    """Key hash → (kind, readable value) for one record; junk and shared values excluded."""
    out: dict[int, tuple[str, str]] = {}

    def put(kind: str, value: str) -> None:
        out[key_hash(kind, value)] = (kind, value)

    for phone in view.phones:
        if phone not in view.shared:
            put("p", phone)
    for email in view.emails:
        if email not in view.shared:
            put("e", email)
    dob = _dob_part(view)
    family_codes = [jellyfish.soundex(t) for t in view.family if len(t) > 1]
    given = canonical_given(view.given[0]) if view.given else ""
    if dob:
        for code in family_codes:
            put("fd", f"{code}|{dob}")
        if len(given) > 1:
            put("gd", f"{jellyfish.soundex(given)}|{dob}")
    if view.postcode and given:
        for code in family_codes:
            put("fip", f"{code}|{given[0]}|{view.postcode}")
    if view.postcode and view.street and view.number:
        put("a", f"{view.postcode}|{view.street}|{view.number}")
    elif town := _town_address(view):
        put("ac", town)
    full = full_name_key(view)
    if full:
        put("n", "|".join(full))
    return out


def _town_address(view: MatchView) -> str | None:
    if view.city and view.street and view.number:
        return f"{view.city}|{view.street}|{view.number}"
    return None


def index_keys(
    view: MatchView,
    keys: dict[int, tuple[str, str]] | None = None,
    values: dict[str, int] | None = None,
) -> set[int]:
    """Every key the store files a record under: its blocking keys (``keys`` when already
    made), its phones and e-mails (``values``), and its house by town."""
    out = set(blocking_keys(view) if keys is None else keys)
    out.update((value_keys(view) if values is None else values).values())
    if town := _town_address(view):
        out.add(key_hash("ac", town))
    return out


def name_block_key(full: tuple[str, str]) -> int:
    """The key of a full name's block (how many customers carry the name)."""
    return key_hash("n", "|".join(full))


def value_keys(view: MatchView) -> dict[str, int]:
    """Phone/e-mail value → its key hash (how many customers carry it tells how shared it is)."""
    keys = {p: key_hash("p", p) for p in view.phones}
    keys.update({e: key_hash("e", e) for e in view.emails})
    return keys
