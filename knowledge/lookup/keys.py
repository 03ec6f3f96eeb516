"""The derived search keys: computed from names and phones, kept beside the customer.

Call ``refresh_search_keys`` after writing a customer's names or phones (an import, a merge,
an edit), and ``rebuild_search_keys`` once after a bulk load. Keys are derived data: a
rebuild from the customer and contact tables always gives the same result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import phonenumbers
from sqlalchemy import Connection, bindparam, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from knowledge.db import Store
from knowledge.lookup.text import deletion_variants, index_tokens, pair_keys, phonetic
from knowledge.models import ContactPoint, Customer, CustomerSearchKey, SearchTerm
from knowledge.models.enums import ContactKind
from knowledge.models.lookup import SearchTermVariant

NAME = "n1"
NAME_PAIR = "n2"
PHONE = "p"

# Rows per round trip when rebuilding a whole store.
REBUILD_BATCH = 20_000
# Customers per statement when refreshing a given list (keeps IN lists short).
REFRESH_BATCH = 500

_CALLING_CODES = frozenset(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)

Progress = Callable[[int, int], None]


def national_number(e164: str) -> str | None:
    """The number without its country code: '+4915123456789' → '15123456789'.

    Country calling codes are prefix-free, so the first 1–3 digit prefix that is a known
    code is the code.
    """
    if not e164.startswith("+"):
        return None
    digits = e164[1:]
    if not digits.isdigit():
        return None
    for length in (1, 2, 3):
        if int(digits[:length]) in _CALLING_CODES:
            rest = digits[length:]
            return rest if len(rest) >= 4 else None
    return None


@dataclass(frozen=True)
class _NameFields:
    customer_id: int
    given: str | None
    family: str | None
    preferred: str | None
    company: str | None


def customer_keys(
    given: str | None,
    family: str | None,
    preferred: str | None,
    company: str | None,
    phones: Iterable[str],
) -> set[tuple[str, str]]:
    """Every (kind, key) a customer with these names and E.164 phones is found by."""
    tokens = index_tokens(given, family, preferred, company)
    keys = {(NAME, t) for t in tokens}
    keys.update((NAME_PAIR, p) for p in pair_keys(tokens))
    for phone in phones:
        nsn = national_number(phone)
        if nsn:
            keys.add((PHONE, nsn))
    return keys


def _keys_of(row: _NameFields, phones: Sequence[str]) -> set[tuple[str, str]]:
    return customer_keys(row.given, row.family, row.preferred, row.company, phones)


# --- incremental ---------------------------------------------------------------------------


def refresh_search_keys(session: Session, customer_ids: Iterable[int]) -> None:
    """Recompute the keys of these customers (after any write to their names or phones).

    Customers that no longer exist lose their keys. Runs in the caller's transaction.
    """
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), REFRESH_BATCH):
        _refresh_chunk(session, ids[start : start + REFRESH_BATCH])


def _refresh_chunk(session: Session, ids: list[int]) -> None:
    session.flush()
    old_terms: Counter[str] = Counter(
        session.scalars(
            select(CustomerSearchKey.key).where(
                CustomerSearchKey.customer_id.in_(ids), CustomerSearchKey.kind == NAME
            )
        )
    )
    session.execute(delete(CustomerSearchKey).where(CustomerSearchKey.customer_id.in_(ids)))
    rows = [
        _NameFields(*r)
        for r in session.execute(
            select(
                Customer.id,
                Customer.given_name,
                Customer.family_name,
                Customer.preferred_name,
                Customer.company_name,
            ).where(Customer.id.in_(ids))
        )
    ]
    phones: dict[int, list[str]] = {}
    for cid, kind, normalized in session.execute(
        select(ContactPoint.customer_id, ContactPoint.kind, ContactPoint.normalized).where(
            ContactPoint.customer_id.in_(ids)
        )
    ):
        if kind == ContactKind.PHONE.value:
            phones.setdefault(cid, []).append(normalized)
    new_rows = []
    new_terms: Counter[str] = Counter()
    for row in rows:
        for kind, key in sorted(_keys_of(row, phones.get(row.customer_id, ()))):
            new_rows.append({"customer_id": row.customer_id, "kind": kind, "key": key})
            if kind == NAME:
                new_terms[key] += 1
    if new_rows:
        session.execute(insert(CustomerSearchKey), new_rows)
    _adjust_terms(session, old_terms, new_terms)
    if len(rows) < len(ids):
        # Deleted customers lost their keys with them (ON DELETE CASCADE), so which terms
        # they held is unknown here: drop every term nobody holds any more.
        _drop_orphan_terms(session)


_BUMP = (
    update(SearchTerm)
    .where(SearchTerm.term == bindparam("t"))
    .values(freq=SearchTerm.freq + bindparam("d"))
)


def _adjust_terms(session: Session, old: Counter[str], new: Counter[str]) -> None:
    """Move the vocabulary's counts by what this batch changed (no recounting of postings:
    a common name is held by tens of thousands of customers)."""
    delta = {t: new[t] - old[t] for t in old.keys() | new.keys() if new[t] != old[t]}
    if not delta:
        return
    listed = sorted(delta)
    known = set(session.scalars(select(SearchTerm.term).where(SearchTerm.term.in_(listed))))
    bumps = [{"t": t, "d": d} for t, d in sorted(delta.items()) if t in known]
    if bumps:
        session.connection().execute(_BUMP, bumps)
    fresh = [t for t in listed if t not in known and delta[t] > 0]
    if fresh:
        session.execute(
            insert(SearchTerm),
            [{"term": t, "phonetic": phonetic(t), "freq": delta[t]} for t in fresh],
        )
        session.execute(
            insert(SearchTermVariant),
            [{"variant": v, "term": t} for t in fresh for v in sorted(deletion_variants(t))],
        )
    gone = list(
        session.scalars(
            select(SearchTerm.term).where(SearchTerm.term.in_(listed), SearchTerm.freq <= 0)
        )
    )
    if gone:
        session.execute(delete(SearchTermVariant).where(SearchTermVariant.term.in_(gone)))
        session.execute(delete(SearchTerm).where(SearchTerm.term.in_(gone)))


def _drop_orphan_terms(session: Session) -> None:
    held = select(CustomerSearchKey.key).where(
        CustomerSearchKey.kind == NAME, CustomerSearchKey.key == SearchTerm.term
    )
    orphans = select(SearchTerm.term).where(~held.exists())
    session.execute(delete(SearchTermVariant).where(SearchTermVariant.term.in_(orphans)))
    session.execute(delete(SearchTerm).where(~held.exists()))


# --- bulk ----------------------------------------------------------------------------------


def rebuild_search_keys(store: Store, progress: Progress | None = None) -> int:
    """Recompute every customer's keys and the vocabulary; returns the customers indexed.

    Set-based: customers and phones are read in id ranges, keys written in large batches
    (COPY on PostgreSQL), and the lookup index is dropped during the load and built once
    at the end — a million customers take a minute or two, not hours.
    """
    with store.engine.connect() as conn:
        total = int(conn.scalar(select(func.count()).select_from(Customer)) or 0)
        _prepare(conn)
        conn.commit()
        terms: Counter[str] = Counter()
        done = 0
        for batch in _customer_batches(conn):
            rows: list[tuple[int, str, str]] = []
            for fields, phones in batch:
                for kind, key in sorted(_keys_of(fields, phones)):
                    rows.append((fields.customer_id, kind, key))
                    if kind == NAME:
                        terms[key] += 1
            _write_keys(conn, rows)
            conn.commit()
            done += len(batch)
            if progress:
                progress(done, total)
        _write_vocabulary(conn, terms)
        _finish(conn)
        conn.commit()
    return done


def _prepare(conn: Connection) -> None:
    for table in ("search_term_variant", "search_term", "customer_search_key"):
        conn.execute(text(f"DELETE FROM {table}"))
    conn.execute(text("DROP INDEX IF EXISTS ix_customer_search_key_lookup"))


def _finish(conn: Connection) -> None:
    conn.execute(
        text(
            "CREATE INDEX IF NOT EXISTS ix_customer_search_key_lookup "
            "ON customer_search_key (kind, key, customer_id)"
        )
    )
    # Fresh statistics let both planners see how selective a key seek is. On SQLite a
    # sample is enough (a full ANALYZE of millions of keys takes longer than the load).
    if conn.dialect.name == "sqlite":
        conn.execute(text("PRAGMA analysis_limit=2000"))
        for table in ("customer_search_key", "search_term", "search_term_variant"):
            conn.execute(text(f"ANALYZE {table}"))
    else:
        # A rebuild follows a bulk load: PostgreSQL has no statistics for the freshly loaded
        # tables yet and would scan them (e.g. visits by RO number) until autovacuum runs.
        conn.execute(text("ANALYZE"))


def _customer_batches(
    conn: Connection,
) -> Iterator[list[tuple[_NameFields, list[str]]]]:
    last = 0
    while True:
        rows = conn.execute(
            select(
                Customer.id,
                Customer.given_name,
                Customer.family_name,
                Customer.preferred_name,
                Customer.company_name,
            )
            .where(Customer.id > last)
            .order_by(Customer.id)
            .limit(REBUILD_BATCH)
        ).all()
        if not rows:
            return
        lo, hi = rows[0][0], rows[-1][0]
        phones: dict[int, list[str]] = {}
        # Only the id range in SQL: with "kind = 'phone'" as well, SQLite prefers the
        # (kind, normalized) index and reads every phone in the store for every batch.
        for cid, kind, normalized in conn.execute(
            select(ContactPoint.customer_id, ContactPoint.kind, ContactPoint.normalized).where(
                ContactPoint.customer_id.between(lo, hi)
            )
        ).all():
            if kind == ContactKind.PHONE.value:
                phones.setdefault(cid, []).append(normalized)
        yield [(_NameFields(*r), phones.get(r[0], [])) for r in rows]
        last = hi


def _write_keys(conn: Connection, rows: list[tuple[int, str, str]]) -> None:
    _copy_or_insert(conn, "customer_search_key", ("customer_id", "kind", "key"), rows)


def _write_vocabulary(conn: Connection, terms: Counter[str]) -> None:
    term_rows = [(t, phonetic(t), n) for t, n in sorted(terms.items())]
    variant_rows = sorted({(v, t) for t in terms for v in deletion_variants(t)})
    for start in range(0, len(term_rows), REBUILD_BATCH):
        _copy_or_insert(
            conn,
            "search_term",
            ("term", "phonetic", "freq"),
            term_rows[start : start + REBUILD_BATCH],
        )
    for start in range(0, len(variant_rows), REBUILD_BATCH):
        _copy_or_insert(
            conn,
            "search_term_variant",
            ("variant", "term"),
            variant_rows[start : start + REBUILD_BATCH],
        )


def _copy_or_insert(
    conn: Connection, table: str, columns: tuple[str, ...], rows: Sequence[tuple[object, ...]]
) -> None:
    if not rows:
        return
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        driver = conn.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))
