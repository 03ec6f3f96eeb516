"""How common a name is, detected from the data: term frequencies of name tokens.

An exact match on "Thomas Müller" says little — a dealer's base holds dozens of them. An
exact match on "Hauke Brodersen" says a lot. The expected number of *other* people with a
full name is estimated from the frequencies of its given and family name among all person
records (those imported, plus the file being imported): count(given) × count(family) / total.
Only when that is small may a full-name match count as evidence on its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from knowledge.identity.dbio import chunked, table_of
from knowledge.identity.keys import full_name_key, name_key
from knowledge.identity.records import MatchView
from knowledge.models import NameFrequency
from knowledge.normalize import name_tokens

# A full-name match counts as evidence when fewer than this many other people are expected
# to carry the same name: a 1-in-50 chance of a namesake.
RARE_NAME_LIMIT = 0.02
# From this many carriers on a full name is common: name and birth date alone no longer
# prove one person. A record's namesakes share its birth date by chance about once in
# 15,000 each (one of ~29,000 days of birth in an adult population, day and month may be
# transposed), so from 60 carriers on, the chance that the match is a namesake nears 0.5%.
COMMON_NAME_HOLDERS = 60
_TABLE = table_of(NameFrequency)
_TOTAL = ("t", "")


@lru_cache(maxsize=200_000)
def name_key_of_text(given: str | None, family: str | None) -> tuple[str, str] | None:
    umlauts = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
    return name_key(
        tuple(name_tokens((given or "").translate(umlauts))),
        tuple(name_tokens((family or "").translate(umlauts))),
    )


class NameFrequencies:
    """Counts from the store (loaded per batch, for the tokens it needs) plus a file's own."""

    def __init__(self) -> None:
        self.stored: dict[tuple[str, str], int] = {}
        self.file: Counter[tuple[str, str]] = Counter()
        self.pending: Counter[tuple[str, str]] = Counter()
        # Full name → the one record id of the file carrying it, or None once a second
        # record (another person, or a duplicate) carries it too; and how many records
        # carry it (counted up to COMMON_NAME_HOLDERS).
        self.file_holders: dict[tuple[str, str], str | None] = {}
        self.file_carriers: Counter[tuple[str, str]] = Counter()
        self._last_id: dict[tuple[str, str], str] = {}

    def count_file(self, given: str | None, family: str | None, record_id: str) -> None:
        key = name_key_of_text(given, family)
        if key is None:
            self.file[_TOTAL] += 1
            return
        if self._last_id.get(key) != record_id and self.file_carriers[key] < COMMON_NAME_HOLDERS:
            self.file_carriers[key] += 1
        self._last_id[key] = record_id
        holder = self.file_holders.get(key, record_id)
        if key in self.file_holders and holder != record_id:
            self.file_holders[key] = None
        elif key not in self.file_holders:
            self.file_holders[key] = record_id
        else:
            return  # another row of the same record (a DMS owner's next repair order)
        self.file[_TOTAL] += 1
        self.file[("g", key[0])] += 1
        self.file[("f", key[1])] += 1

    def load(self, session: Session, views: Iterable[MatchView]) -> None:
        wanted = {_TOTAL}
        for view in views:
            key = full_name_key(view)
            if key:
                wanted.update((("g", key[0]), ("f", key[1])))
        missing = [k for k in wanted if k not in self.stored or k == _TOTAL]
        c = _TABLE.c
        for kind in ("g", "f", "t"):
            tokens = [t for k, t in missing if k == kind]
            for part in chunked(tokens):
                for token, count in session.execute(
                    select(c.token, c["count"]).where(c.kind == kind, c.token.in_(part))
                ):
                    self.stored[(kind, token)] = count
            for token in tokens:
                self.stored.setdefault((kind, token), 0)

    def _count(self, key: tuple[str, str]) -> int:
        return self.stored.get(key, 0) + self.file.get(key, 0) + self.pending.get(key, 0)

    def namesakes(self, view: MatchView) -> float:
        """Expected number of other people with this record's full name."""
        key = full_name_key(view)
        total = self._count(_TOTAL)
        if key is None or total == 0:
            return float("inf")
        return self._count(("g", key[0])) * self._count(("f", key[1])) / total

    def mark(self, view: MatchView) -> None:
        """Rare: few namesakes expected from the token frequencies, and no second record
        in the file being imported carries the same full name (given and family names are
        not independent: one culture's few common names go together)."""
        key = full_name_key(view)
        unique_in_file = key is None or self.file_holders.get(key, "") is not None
        view.rare_name = unique_in_file and self.namesakes(view) < RARE_NAME_LIMIT
        view.common_name = self.common_in_file(key)

    def common_in_file(self, key: tuple[str, str] | None) -> bool:
        """Whether many records of the file being imported carry this full name."""
        return key is not None and self.file_carriers[key] >= COMMON_NAME_HOLDERS

    def add(self, view: MatchView) -> None:
        """Count a newly imported record (written to the store with ``flush``)."""
        key = full_name_key(view)
        self.pending[_TOTAL] += 1
        if key:
            self.pending[("g", key[0])] += 1
            self.pending[("f", key[1])] += 1

    def flush(self, session: Session) -> None:
        if not self.pending:
            return
        rows = [
            {"kind": k, "token": t[:100], "count": n} for (k, t), n in sorted(self.pending.items())
        ]
        if session.get_bind().dialect.name == "postgresql":
            pg = postgresql.insert(_TABLE)
            session.execute(
                pg.on_conflict_do_update(
                    index_elements=["kind", "token"],
                    set_={"count": _TABLE.c["count"] + pg.excluded["count"]},
                ),
                rows,
            )
        else:
            lite = sqlite.insert(_TABLE)
            session.execute(
                lite.on_conflict_do_update(
                    index_elements=["kind", "token"],
                    set_={"count": _TABLE.c["count"] + lite.excluded["count"]},
                ),
                rows,
            )
        for key, n in self.pending.items():
            self.stored[key] = self.stored.get(key, 0) + n
        self.pending.clear()
