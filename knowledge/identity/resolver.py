"""Resolve a batch of person records against the store: find, decide, write — in bulk.

One batch costs a handful of statements whatever its size: look up the records already
imported, look up the blocking keys, load the records of every candidate customer, decide
record by record in memory (records of the same batch see each other), then write new
customers, changed golden fields, source records, members, keys, contact points and reviews.
The work per record depends on the size of its blocks, never on the size of the store.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from knowledge.identity.cluster import Candidate, MatchConfig, decide
from knowledge.identity.compare import compare
from knowledge.identity.dbio import (
    bulk_insert,
    bulk_insert_returning,
    chunked,
    driver_value,
    insert_ignore,
    insert_returning_ids,
    table_of,
)
from knowledge.identity.frequency import COMMON_NAME_HOLDERS, NameFrequencies
from knowledge.identity.golden import GOLDEN_FIELDS, contact_values, golden_fields
from knowledge.identity.junk import SHARED_MIN_PEOPLE, SharedValues
from knowledge.identity.keys import (
    BLOCK_CAPS,
    blocking_keys,
    full_name_key,
    index_keys,
    name_block_key,
    value_keys,
)
from knowledge.identity.records import MatchView, PersonRecord
from knowledge.identity.search_keys import refresh_search_keys
from knowledge.models import (
    ContactPoint,
    Customer,
    IdentityKey,
    IdentityMember,
    MatchReview,
    SourceRecord,
    SourceSystem,
)
from knowledge.models.base import utcnow
from knowledge.models.enums import ContactKind, EntityType

# A blocking key shared by more customers than this is too common to compare against
# (think family name + postcode in a city block of Müllers): it is skipped for the run.
MAX_BLOCK_CUSTOMERS = 50
NATIVE_SOURCE = "store"

_CUSTOMER = table_of(Customer)
_CONTACT = table_of(ContactPoint)
_KEY = table_of(IdentityKey)
_MEMBER = table_of(IdentityMember)
_SOURCE_RECORD = table_of(SourceRecord)
_REVIEW = table_of(MatchReview)
_GOLDEN_COLUMNS = ("kind", *GOLDEN_FIELDS)
_SR_COLUMNS = (
    "source_system_id",
    "entity_type",
    "source_id",
    "customer_id",
    "payload",
    "payload_hash",
    "match_score",
    "match_reason",
    "first_seen",
    "last_seen",
)
_CONTACT_COLUMNS = (
    "customer_id",
    "kind",
    "value",
    "normalized",
    "street",
    "address_line2",
    "city",
    "postcode",
    "region",
    "country",
    "source",
    "is_primary",
    "created_at",
)


def payload_text(payload: dict[str, Any]) -> str:
    """The payload as stored, in one canonical spelling (so equal payloads hash equal)."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def payload_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(payload_text(payload).encode()).hexdigest()


@dataclass(slots=True)
class PersonInput:
    record: PersonRecord
    payload: dict[str, Any]
    payload_hash: str
    # The payload as JSON text, when already serialised (saves doing it twice).
    payload_json: str | None = None

    @classmethod
    def of(cls, record: PersonRecord, payload: dict[str, Any]) -> PersonInput:
        text = payload_text(payload)
        return cls(record, payload, hashlib.sha256(text.encode()).hexdigest(), text)


@dataclass(slots=True)
class PersonOutcome:
    source_record_id: int
    customer_id: int
    action: str  # created | merged | updated | unchanged
    score: float | None
    reason: str
    reviews: int = 0


@dataclass(slots=True)
class Member:
    record: PersonRecord
    view: MatchView
    sr_id: int | None = None  # None: not yet written, or the store's own (native) record
    native: bool = False


@dataclass(slots=True)
class _Work:
    inp: PersonInput
    view: MatchView
    # Blocking keys to look candidates up by (too common ones are dropped during the run).
    keys: dict[int, tuple[str, str]]
    # Phone/e-mail → key, and every key the record gives its customer (written as is).
    vkeys: dict[str, int] = field(default_factory=dict)
    all_keys: set[int] = field(default_factory=set)
    sr_id: int | None = None  # set for a corrected record
    old_customer: int | None = None
    target: int = 0
    score: float | None = None
    reason: str = ""
    action: str = ""
    reviews: list[tuple[int, float, str]] = field(default_factory=list)


def native_records(session: Session, customer_ids: list[int]) -> dict[int, PersonRecord]:
    """The store's own view of customers that no import stands behind (staff, demo data)."""
    out: dict[int, PersonRecord] = {}
    if not customer_ids:
        return out
    c = _CUSTOMER.c
    for ids in chunked(customer_ids):
        for row in session.execute(
            select(
                c.id,
                c.given_name,
                c.family_name,
                c.company_name,
                c.salutation,
                c.language,
                c.birth_date,
                c.updated_at,
            ).where(c.id.in_(ids))
        ):
            out[row.id] = PersonRecord(
                source=NATIVE_SOURCE,
                source_id=str(row.id),
                trust=0,
                seen=row.updated_at.date().isoformat() if row.updated_at else "",
                given_name=row.given_name,
                family_name=row.family_name,
                company_name=row.company_name,
                salutation=row.salutation,
                language=row.language,
                birth_date=row.birth_date.isoformat() if row.birth_date else None,
            )
        cp = _CONTACT.c
        phones: dict[int, list[tuple[str, str]]] = defaultdict(list)
        emails: dict[int, list[str]] = defaultdict(list)
        for crow in session.execute(
            select(
                cp.customer_id,
                cp.kind,
                cp.value,
                cp.normalized,
                cp.street,
                cp.address_line2,
                cp.city,
                cp.postcode,
                cp.region,
                cp.country,
                cp.is_primary,
            )
            .where(cp.customer_id.in_(ids))
            .order_by(cp.customer_id, cp.is_primary.desc(), cp.id)
        ):
            rec = out.get(crow.customer_id)
            if rec is None:
                continue
            if crow.kind == ContactKind.PHONE.value:
                phones[crow.customer_id].append((crow.normalized, crow.value))
            elif crow.kind == ContactKind.EMAIL.value:
                emails[crow.customer_id].append(crow.normalized)
            elif crow.kind == ContactKind.ADDRESS.value and not rec.has_address:
                rec.street, rec.address_line2, rec.city = crow.street, crow.address_line2, crow.city
                rec.postcode, rec.region, rec.country = crow.postcode, crow.region, crow.country
        for cid, values in phones.items():
            out[cid].phones = tuple(v[0] for v in values)
            out[cid].phones_raw = tuple(v[1] for v in values)
        for cid, mails in emails.items():
            out[cid].emails = tuple(mails)
    return out


def import_source_names(session: Session) -> set[str]:
    names = set(session.execute(select(SourceSystem.name)).scalars())
    names.discard(NATIVE_SOURCE)
    return names


def ensure_source_system(session: Session, name: str, trust_rank: int, description: str) -> int:
    """The id of the source system ``name``, created (or its trust rank updated) as needed."""
    row = session.execute(
        select(SourceSystem.id, SourceSystem.trust_rank, SourceSystem.description).where(
            SourceSystem.name == name
        )
    ).first()
    if row is None:
        system = SourceSystem(name=name, trust_rank=trust_rank, description=description[:300])
        session.add(system)
        session.flush()
        return system.id
    if row.trust_rank != trust_rank or row.description != description[:300]:
        session.execute(
            update(SourceSystem)
            .where(SourceSystem.id == row.id)
            .values(trust_rank=trust_rank, description=description[:300])
        )
    return int(row.id)


class PeopleResolver:
    """Resolves batches of person records of one source system; holds per-run memory."""

    def __init__(
        self,
        session_shared: SharedValues,
        config: MatchConfig | None = None,
    ) -> None:
        self.shared = session_shared
        self.config = config or MatchConfig()
        # Blocking keys found too common during this run: never looked up again.
        self.oversized: set[int] = set()
        self.names = NameFrequencies()
        self.common_names: set[int] = set()
        # Full-name keys of stored records found to be carried by few: not counted again.
        self.uncommon_names: set[int] = set()
        # Seconds spent per phase over the run (what a benchmark or a slow import shows).
        self.phase_seconds: defaultdict[str, float] = defaultdict(float)
        self._clock = time.perf_counter()

    def _lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.phase_seconds[phase] += now - self._clock
        self._clock = now

    # --- reading ------------------------------------------------------------------------

    def lookup_keys(self, session: Session, keys: set[int]) -> dict[int, list[int]]:
        found: dict[int, list[int]] = defaultdict(list)
        wanted = [k for k in keys if k not in self.oversized]
        kc = _KEY.c
        for part in chunked(wanted):
            for key, cid in session.execute(select(kc.key, kc.customer_id).where(kc.key.in_(part))):
                found[key].append(cid)
        return found

    def load_members(self, session: Session, customer_ids: set[int]) -> dict[int, list[Member]]:
        members: dict[int, list[Member]] = defaultdict(list)
        if not customer_ids:
            return members
        mc = _MEMBER.c
        ids = sorted(customer_ids)
        for part in chunked(ids):
            for sr_id, cid, features in session.execute(
                select(mc.source_record_id, mc.customer_id, mc.features)
                .where(mc.customer_id.in_(part))
                .order_by(mc.source_record_id)
            ):
                record = PersonRecord.from_json(features)
                view = record.view()
                self.shared.mark(view)
                members[cid].append(Member(record, view, sr_id))
        natives = [cid for cid in ids if cid not in members]
        for cid, record in native_records(session, natives).items():
            view = record.view()
            self.shared.mark(view)
            members[cid].append(Member(record, view, None, native=True))
        self._mark_common(session, [m.view for ms in members.values() for m in ms])
        return members

    def _mark_common(self, session: Session, views: list[MatchView]) -> None:
        """Flag stored records whose full name many carry. A pair is judged by the commoner
        of its two names: a record that misspells a common name (Sabine Fircher) must not
        join a Sabine Fischer on a birth date that hundreds of Sabine Fischers share."""
        unknown: dict[int, list[MatchView]] = defaultdict(list)
        for view in views:
            full = full_name_key(view)
            if full is None:
                continue
            key = name_block_key(full)
            if key in self.uncommon_names:
                continue
            if key in self.common_names or self.names.common_in_file(full):
                view.common_name = True
            else:
                unknown[key].append(view)
        c = _KEY.c
        counts: dict[int, int] = {}
        for part in chunked(list(unknown)):
            rows = session.execute(
                select(c.key, func.count()).where(c.key.in_(part)).group_by(c.key)
            )
            counts.update((key, n) for key, n in rows)
        for key, waiting in unknown.items():
            if counts.get(key, 0) >= COMMON_NAME_HOLDERS:
                self.common_names.add(key)
                for view in waiting:
                    view.common_name = True
            else:
                self.uncommon_names.add(key)

    # --- the batch ----------------------------------------------------------------------

    def resolve(
        self, session: Session, source_system_id: int, inputs: list[PersonInput]
    ) -> dict[str, PersonOutcome]:
        """Resolve and write a batch; returns the outcome per source id.

        A source id given twice in one batch is one record (the last version wins).
        """
        self._clock = time.perf_counter()
        latest: dict[str, PersonInput] = {}
        for inp in inputs:
            latest[inp.record.source_id] = inp
        sr = _SOURCE_RECORD.c
        existing: dict[str, tuple[int, int | None, str]] = {}
        for part in chunked(list(latest)):
            for sr_id, source_id, cid, phash in session.execute(
                select(sr.id, sr.source_id, sr.customer_id, sr.payload_hash).where(
                    sr.source_system_id == source_system_id,
                    sr.entity_type == EntityType.CUSTOMER.value,
                    sr.source_id.in_(part),
                )
            ):
                existing[source_id] = (sr_id, cid, phash)

        outcomes: dict[str, PersonOutcome] = {}
        work: list[_Work] = []
        for source_id, inp in latest.items():
            known = existing.get(source_id)
            if known and known[2] == inp.payload_hash and known[1] is not None:
                outcomes[source_id] = PersonOutcome(known[0], known[1], "unchanged", None, "")
                continue
            view = inp.record.view()
            self.shared.mark(view)
            keys = blocking_keys(view)
            vkeys = value_keys(view)
            item = _Work(inp, view, keys, vkeys, index_keys(view, keys, vkeys))
            if known:
                item.sr_id, item.old_customer = known[0], known[1]
            work.append(item)
        if not work:
            return outcomes
        self.names.load(session, [w.view for w in work])
        for item in work:
            self.names.mark(item.view)

        all_keys: set[int] = set()
        for item in work:
            all_keys.update(item.keys)
            # A value known to be shared is carried by many: never fetch its holders.
            all_keys.update(k for v, k in item.vkeys.items() if v not in item.view.shared)
        self._lap("prepare")
        key_customers = self.lookup_keys(session, all_keys)
        self._lap("lookup keys")
        self._detect_shared_in_store(work, key_customers)

        wanted: set[int] = set()
        for item in work:
            for key in item.keys:
                wanted.update(key_customers.get(key, ()))
            if item.old_customer is not None:
                wanted.add(item.old_customer)
        members = self.load_members(session, wanted)
        self._lap("load candidates")
        return self._decide_and_write(
            session, source_system_id, work, key_customers, members, outcomes
        )

    def _detect_shared_in_store(
        self, work: list[_Work], key_customers: dict[int, list[int]]
    ) -> None:
        for item in work:
            for value, key in item.vkeys.items():
                count = len(key_customers.get(key, ()))
                if count >= SHARED_MIN_PEOPLE and value not in item.view.shared:
                    kind = "email" if "@" in value else "phone"
                    self.shared.add(kind, value, count, f"carried by {count} customers")
                    item.view.shared.add(value)
                    item.keys.pop(key, None)
                    self.oversized.add(key)
            for key, (kind, _) in list(item.keys.items()):
                holders = len(key_customers.get(key, ()))
                if kind == "n" and (holders > 1 or key in self.oversized):
                    # The full-name block only serves rare names: a name two customers
                    # carry already is not rare, and its block can be huge — a common
                    # name is remembered and never looked up again in this run.
                    item.keys.pop(key)
                    item.view.rare_name = False
                    if holders >= COMMON_NAME_HOLDERS:
                        self.oversized.add(key)
                        self.common_names.add(key)
                    if key in self.common_names:
                        item.view.common_name = True
                elif holders > BLOCK_CAPS.get(kind, MAX_BLOCK_CUSTOMERS):
                    self.oversized.add(key)
                    item.keys.pop(key)

    def _decide_and_write(
        self,
        session: Session,
        source_system_id: int,
        work: list[_Work],
        key_customers: dict[int, list[int]],
        members: dict[int, list[Member]],
        outcomes: dict[str, PersonOutcome],
    ) -> dict[str, PersonOutcome]:
        overlay: dict[int, set[int]] = defaultdict(set)
        new_customers: list[int] = []  # temporary (negative) ids
        touched: set[int] = set()  # existing customers whose records changed
        rebuild: set[int] = set()  # …of which some lost a record or had one corrected
        before: dict[int, dict[str, Any]] = {}
        # Customers found to be one person during this batch: merged-away id → kept id.
        alias: dict[int, int] = {}
        store_merges: list[tuple[int, int, str]] = []
        next_temp = -1

        def canon(cid: int) -> int:
            while cid in alias:
                cid = alias[cid]
            return cid

        def touch(cid: int) -> None:
            if cid > 0 and cid not in before:
                before[cid] = golden_fields([m.record for m in members[cid]])
            if cid > 0:
                touched.add(cid)

        for item in work:
            view = item.view
            if item.sr_id is None:
                self.names.add(view)
            member = Member(item.inp.record, view, item.sr_id)
            old = canon(item.old_customer) if item.old_customer is not None else None
            if old is not None and old in members:
                touch(old)
                rebuild.add(old)
                rest = [m for m in members[old] if m.sr_id != item.sr_id]
                clash = next((m for m in rest if _conflicts(view, m.view)), None)
                members[old] = rest
                if clash is None:
                    members[old].append(member)
                    item.target, item.action = old, "updated"
                    item.reason = "corrected by the source; still fits its customer"
                    self._add_overlay(overlay, item, old)
                    continue
                # The correction contradicts its cluster: resolve it afresh below.

            if view.rare_name:
                # Two customers of that name already: namesakes exist, the name is no proof.
                full = full_name_key(view)
                if full:
                    nkey = name_block_key(full)
                    holders_n = {canon(c) for c in key_customers.get(nkey, ())}
                    holders_n.update(canon(c) for c in overlay.get(nkey, ()))
                    view.rare_name = len(holders_n) <= 1
            household: set[str] = set()
            for value, key in item.vkeys.items():
                if value in view.shared:
                    continue
                holders = {canon(c) for c in key_customers.get(key, ())}
                holders.update(canon(c) for c in overlay.get(key, ()))
                if len(holders) >= 2:
                    household.add(value)
            candidate_ids: set[int] = set()
            for key in item.keys:
                candidate_ids.update(canon(c) for c in key_customers.get(key, ()))
                candidate_ids.update(canon(c) for c in overlay.get(key, ()))
            candidates = [
                Candidate(cid, [m.view for m in members[cid]])
                for cid in sorted(candidate_ids)
                if members.get(cid)
            ]
            decision = decide(view, candidates, household, self.config)
            item.score, item.reason, item.reviews = (
                decision.score,
                decision.reason,
                decision.reviews,
            )
            if decision.customer_id is not None:
                group = [decision.customer_id, *decision.absorb]
                # Keep the oldest customer already in the store, if any.
                stored = sorted(c for c in group if c > 0)
                target = stored[0] if stored else decision.customer_id
                touch(target)
                for other in group:
                    if other == target:
                        continue
                    members[target].extend(members.pop(other, []))
                    alias[other] = target
                    if other < 0:
                        new_customers.remove(other)
                    else:
                        touched.discard(other)
                        rebuild.discard(other)
                        before.pop(other, None)
                        store_merges.append((target, other, item.inp.record.source_id))
                if decision.absorb and target > 0:
                    rebuild.add(target)
                item.action = "merged" if item.sr_id is None else "updated"
            else:
                target = next_temp
                next_temp -= 1
                new_customers.append(target)
                item.action = "created" if item.sr_id is None else "updated"
            members[target].append(member)
            item.target = target
            self._add_overlay(overlay, item, target)

        for item in work:
            item.target = canon(item.target)
            item.reviews = [(canon(o), score, why) for o, score, why in item.reviews]
            item.reviews = [r for r in item.reviews if r[0] != item.target]
        self._lap("decide")
        self._merge_in_store(session, source_system_id, store_merges, canon)
        self._lap("merge customers")
        return self._write(
            session,
            source_system_id,
            work,
            members,
            new_customers,
            touched,
            rebuild,
            before,
            outcomes,
        )

    def _merge_in_store(
        self,
        session: Session,
        source_system_id: int,
        merges: list[tuple[int, int, str]],
        canon: Any,
    ) -> None:
        """Customers an incoming record proved to be one person are merged like a staff
        merge would: every row moves, and the merge log says which record proved it."""
        if not merges:
            return
        # review imports this module; importing it here keeps the dependency one-way.
        from knowledge.identity.review import merge_customers

        source = session.get(SourceSystem, source_system_id)
        name = source.name if source else "import"
        for keep, other, source_id in merges:
            merge_customers(
                session,
                canon(keep),
                other,
                actor=f"import:{name}",
                reason=f"record {name}:{source_id} matches both customers, which do not conflict",
                rebuild=False,
            )
        refresh_search_keys(session, [other for _, other, _ in merges])

    def _persist_natives(
        self,
        session: Session,
        touched: set[int],
        members: dict[int, list[Member]],
        now: Any,
    ) -> list[tuple[int | None, int, str]]:
        """A customer the store made itself (staff, demo data) gets its own record as a
        member the first time an import joins it, so its values keep counting — and keep
        winning survivorship (trust rank 0) — from then on."""
        natives = [(cid, m) for cid in sorted(touched) for m in members.get(cid, ()) if m.native]
        if not natives:
            return []
        store_id = ensure_source_system(
            session, NATIVE_SOURCE, 0, "The store's own data: staff entries, demo data"
        )
        rows = []
        for cid, m in natives:
            payload = json.loads(m.record.to_json())
            rows.append(
                {
                    "source_system_id": store_id,
                    "entity_type": EntityType.CUSTOMER.value,
                    "source_id": m.record.source_id,
                    "customer_id": cid,
                    "payload": payload,
                    "payload_hash": payload_hash(payload),
                    "match_score": None,
                    "match_reason": "the store's own record of this customer",
                    "first_seen": now,
                    "last_seen": now,
                }
            )
        ids = insert_returning_ids(session, _SOURCE_RECORD, rows)
        out: list[tuple[int | None, int, str]] = []
        for (cid, m), sr_id in zip(natives, ids, strict=True):
            m.sr_id, m.native = sr_id, False
            out.append((sr_id, cid, m.record.to_json()))
        return out

    @staticmethod
    def _add_overlay(overlay: dict[int, set[int]], item: _Work, target: int) -> None:
        for key in item.keys:
            overlay[key].add(target)
        for key in item.vkeys.values():
            overlay[key].add(target)

    # --- writing ------------------------------------------------------------------------

    def _write(
        self,
        session: Session,
        source_system_id: int,
        work: list[_Work],
        members: dict[int, list[Member]],
        new_customers: list[int],
        touched: set[int],
        rebuild: set[int],
        before: dict[int, dict[str, Any]],
        outcomes: dict[str, PersonOutcome],
    ) -> dict[str, PersonOutcome]:
        now = utcnow()
        # 1. New customers, with survivorship over their records.
        dialect = session.get_bind().dialect.name
        stamp = driver_value(dialect, now)
        rows: list[tuple[Any, ...]] = []
        for temp in new_customers:
            fields = golden_fields([m.record for m in members[temp]])
            fields["birth_date"] = driver_value(dialect, fields["birth_date"])
            rows.append((*(fields[c] for c in _GOLDEN_COLUMNS), False, False, stamp, stamp))
        ids = bulk_insert_returning(
            session,
            _CUSTOMER,
            (*_GOLDEN_COLUMNS, "marketing_consent", "do_not_contact", "created_at", "updated_at"),
            rows,
        )
        real: dict[int, int] = dict(zip(new_customers, ids, strict=True))

        def rid(cid: int) -> int:
            return real.get(cid, cid)

        for temp, cid in real.items():
            members[cid] = members.pop(temp)

        # 2. Changed golden fields of existing customers (only the fields that changed, so
        #    staff edits to other fields survive).
        by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for cid in sorted(touched):
            if not members.get(cid):
                continue
            after = golden_fields([m.record for m in members[cid]])
            changed = {k: v for k, v in after.items() if before[cid].get(k) != v}
            if changed:
                row = {f"b_{k}": v for k, v in changed.items()}
                by_columns[tuple(sorted(changed))].append({**row, "b_id": cid})
        for columns, rows_ in by_columns.items():
            session.execute(
                update(_CUSTOMER)
                .where(_CUSTOMER.c.id == bindparam("b_id"))
                .values({**{c: bindparam(f"b_{c}") for c in columns}, "updated_at": now}),
                rows_,
            )

        # 3. Source records: new ones inserted, corrected ones updated.
        new_items = [w for w in work if w.sr_id is None]
        corrected = [w for w in work if w.sr_id is not None]
        sr_rows = [
            (
                source_system_id,
                EntityType.CUSTOMER.value,
                w.inp.record.source_id,
                rid(w.target),
                w.inp.payload_json or payload_text(w.inp.payload),
                w.inp.payload_hash,
                w.score,
                w.reason[:2000],
                stamp,
                stamp,
            )
            for w in new_items
        ]
        new_sr_ids = bulk_insert_returning(
            session,
            _SOURCE_RECORD,
            _SR_COLUMNS,
            sr_rows,
            json_columns=("payload",),
        )
        for w, sr_id in zip(new_items, new_sr_ids, strict=True):
            w.sr_id = sr_id
        if corrected:
            sr = _SOURCE_RECORD.c
            session.execute(
                update(_SOURCE_RECORD)
                .where(sr.id == bindparam("b_id"))
                .values(
                    customer_id=bindparam("b_customer"),
                    payload=bindparam("b_payload"),
                    payload_hash=bindparam("b_hash"),
                    match_score=bindparam("b_score"),
                    match_reason=bindparam("b_reason"),
                    last_seen=bindparam("b_seen"),
                ),
                [
                    {
                        "b_id": w.sr_id,
                        "b_customer": rid(w.target),
                        "b_payload": w.inp.payload,
                        "b_hash": w.inp.payload_hash,
                        "b_score": w.score,
                        "b_reason": w.reason[:2000],
                        "b_seen": now,
                    }
                    for w in corrected
                ],
            )
            session.execute(
                delete(_MEMBER).where(_MEMBER.c.source_record_id.in_([w.sr_id for w in corrected]))
            )
        for w in work:
            for m in members[rid(w.target)]:
                if m.record is w.inp.record:
                    m.sr_id = w.sr_id
        member_rows = [(w.sr_id, rid(w.target), w.inp.record.to_json()) for w in work]
        member_rows.extend(self._persist_natives(session, touched, members, now))
        bulk_insert(session, _MEMBER, ("source_record_id", "customer_id", "features"), member_rows)

        # 4. Blocking keys, contact points and reviews.
        self._write_keys(session, work, members, real, rebuild, rid)
        self._write_contacts(session, work, members, real, rebuild, rid)
        review_rows = []
        for w in work:
            for other, score, why in w.reviews:
                a, b = sorted((rid(w.target), rid(other)))
                if a != b:
                    review_rows.append(
                        {
                            "customer_id": a,
                            "other_customer_id": b,
                            "source_record_id": w.sr_id,
                            "score": score,
                            "reason": why[:2000],
                            "status": "open",
                            "created_at": now,
                        }
                    )
        insert_ignore(session, _REVIEW, review_rows)
        self.shared.flush(session)
        self.names.flush(session)

        changed_customers = sorted({rid(w.target) for w in work} | touched)
        self._lap("write")
        refresh_search_keys(session, changed_customers)
        self._lap("lookup search keys")
        for w in work:
            assert w.sr_id is not None
            outcomes[w.inp.record.source_id] = PersonOutcome(
                w.sr_id, rid(w.target), w.action, w.score, w.reason, len(w.reviews)
            )
        return outcomes

    def _write_keys(
        self,
        session: Session,
        work: list[_Work],
        members: dict[int, list[Member]],
        real: dict[int, int],
        rebuild: set[int],
        rid: Any,
    ) -> None:
        if rebuild:
            session.execute(delete(_KEY).where(_KEY.c.customer_id.in_(sorted(rebuild))))
        pairs: set[tuple[int, int]] = set()
        for cid in rebuild:
            for m in members.get(cid, ()):
                pairs.update((k, cid) for k in index_keys(m.view))
        for w in work:
            cid = rid(w.target)
            if cid in rebuild:
                continue
            # Values (shared ones too) are keyed so the store can count who carries them.
            pairs.update((k, cid) for k in w.all_keys)
        bulk_insert(session, _KEY, ("key", "customer_id"), sorted(pairs), ignore=True)

    def _write_contacts(
        self,
        session: Session,
        work: list[_Work],
        members: dict[int, list[Member]],
        real: dict[int, int],
        rebuild: set[int],
        rid: Any,
    ) -> None:
        new_ids = set(real.values())
        targets = {rid(w.target) for w in work} | rebuild
        existing: dict[int, dict[tuple[str, str], tuple[int, str]]] = defaultdict(dict)
        old_ids = sorted(targets - new_ids)
        cp = _CONTACT.c
        for part in chunked(old_ids):
            for cp_id, cid, kind, normalized, source in session.execute(
                select(cp.id, cp.customer_id, cp.kind, cp.normalized, cp.source).where(
                    cp.customer_id.in_(part)
                )
            ):
                existing[cid][(kind, normalized)] = (cp_id, source)
        sources = import_source_names(session) if rebuild else set()
        rows: list[dict[str, Any]] = []
        stale: list[int] = []
        relabel: list[dict[str, Any]] = []
        for cid in sorted(targets):
            values = contact_values([m.record for m in members.get(cid, ())])
            have = existing.get(cid, {})
            kinds_with_primary: set[str] = set()
            if cid in new_ids:
                for cv in values:
                    primary = cv.kind not in kinds_with_primary
                    kinds_with_primary.add(cv.kind)
                    rows.append(cv.row(cid, primary=primary))
                continue
            wanted = {(cv.kind, cv.normalized) for cv in values}
            trust = {m.record.source: m.record.trust for m in members.get(cid, ())}
            for cv in values:
                known = have.get((cv.kind, cv.normalized))
                if known is None:
                    rows.append(cv.row(cid, primary=False))
                elif (
                    known[1] != cv.source
                    and known[1] in trust
                    and trust[cv.source] < trust[known[1]]
                ):
                    # A more trusted source now gives it too: provenance names that one.
                    relabel.append({"b_id": known[0], "b_source": cv.source})
            if cid in rebuild:
                # A record left or changed: drop what only imports had given and no
                # remaining record backs. Staff-entered contact points are never touched.
                stale.extend(
                    cp_id
                    for key, (cp_id, source) in have.items()
                    if key not in wanted and source in sources
                )
        if stale:
            for part in chunked(stale):
                session.execute(delete(_CONTACT).where(cp.id.in_(part)))
        if relabel:
            session.execute(
                update(_CONTACT)
                .where(cp.id == bindparam("b_id"))
                .values(source=bindparam("b_source")),
                relabel,
            )
        dialect = session.get_bind().dialect.name
        created = driver_value(dialect, utcnow())
        bulk_insert(
            session,
            _CONTACT,
            _CONTACT_COLUMNS,
            [(*(r[c] for c in _CONTACT_COLUMNS[:-1]), created) for r in rows],
            ignore=True,
        )


def _conflicts(a: MatchView, b: MatchView) -> bool:
    return bool(compare(a, b).conflicts)
