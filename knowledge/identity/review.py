"""Human decisions: list uncertain pairs, merge two customers, split a wrong merge.

A merge moves every row that points at the merged-away customer (in any table, found from
the schema's foreign keys, so tables added later are moved too) onto the kept customer and
logs exactly which rows moved. A split of that merge moves the same rows back and restores
the customer with its own id and fields. A split can also take imported records out of a
customer that an import merged wrongly: they become a new customer with everything they
brought (contact points, vehicles, repair orders). Every merge and split is logged with who
and why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, DateTime, Table, TypeDecorator, delete, func, or_, select, update
from sqlalchemy.orm import Session

from knowledge.errors import InvalidInput
from knowledge.identity.dbio import chunked, insert_ignore, insert_returning_ids, table_of
from knowledge.identity.golden import GOLDEN_FIELDS, contact_values, golden_fields
from knowledge.identity.junk import SharedValues
from knowledge.identity.keys import index_keys
from knowledge.identity.records import PersonRecord
from knowledge.identity.resolver import (
    NATIVE_SOURCE,
    import_source_names,
    native_records,
)
from knowledge.identity.search_keys import refresh_search_keys
from knowledge.models import (
    Base,
    ContactPoint,
    Customer,
    CustomerRelationship,
    IdentityKey,
    IdentityMember,
    MatchReview,
    MergeLogEntry,
    Ownership,
    ServiceVisit,
    SourceRecord,
    SourceSystem,
)
from knowledge.models.base import utcnow
from knowledge.models.enums import EntityType
from knowledge.models.identity import MergeAction, ReviewStatus

_CUSTOMER = table_of(Customer)
_CONTACT = table_of(ContactPoint)
_KEY = table_of(IdentityKey)
_MEMBER = table_of(IdentityMember)
_REVIEW = table_of(MatchReview)
_RELATION = table_of(CustomerRelationship)
# Tables whose rows are handled specially (unique constraints, or derived data).
_SPECIAL = {"contact_point", "customer_relationship", "identity_key", "identity_review"}


@dataclass(frozen=True, slots=True)
class ReviewItem:
    id: int
    customer_id: int
    customer_name: str
    other_customer_id: int
    other_name: str
    score: float
    reason: str
    status: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class MergeResult:
    log_id: int
    kept_customer_id: int
    other_customer_id: int
    moved_rows: int


def _name(row: Any) -> str:
    parts = [p for p in (row.given_name, row.family_name) if p]
    return " ".join(parts) or row.company_name or f"customer #{row.id}"


def list_reviews(session: Session, *, status: str = "open", limit: int = 50) -> list[ReviewItem]:
    """Uncertain pairs, strongest first."""
    if status not in {s.value for s in ReviewStatus} | {"all"}:
        raise InvalidInput(f"unknown review status {status!r}: use open, merged, dismissed or all")
    stmt = select(MatchReview).order_by(MatchReview.score.desc(), MatchReview.id).limit(limit)
    if status != "all":
        stmt = stmt.where(MatchReview.status == status)
    reviews = list(session.execute(stmt).scalars())
    ids = {r.customer_id for r in reviews} | {r.other_customer_id for r in reviews}
    names = {
        row.id: _name(row)
        for row in session.execute(
            select(
                Customer.id, Customer.given_name, Customer.family_name, Customer.company_name
            ).where(Customer.id.in_(ids))
        )
    }
    return [
        ReviewItem(
            r.id,
            r.customer_id,
            names.get(r.customer_id, "?"),
            r.other_customer_id,
            names.get(r.other_customer_id, "?"),
            r.score,
            r.reason,
            r.status,
            r.created_at,
        )
        for r in reviews
    ]


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInput("say why (--reason): every merge and split is logged with its reason")
    return reason


def _customer_row(session: Session, customer_id: int) -> dict[str, Any]:
    row = session.execute(select(_CUSTOMER).where(_CUSTOMER.c.id == customer_id)).mappings().first()
    if row is None:
        raise InvalidInput(f"there is no customer #{customer_id}")
    return dict(row)


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dt.datetime | dt.date):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out


def _restore_types(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        column = table.c.get(key)
        if column is None:
            continue  # a column dropped since the merge
        if isinstance(value, str):
            kind = column.type
            if isinstance(kind, TypeDecorator):
                kind = kind.impl_instance
            if isinstance(kind, DateTime):
                value = dt.datetime.fromisoformat(value)
            elif isinstance(kind, Date):
                value = dt.date.fromisoformat(value)
        out[key] = value
    return out


def _customer_references() -> list[tuple[Table, str]]:
    """Every (table, column) with a foreign key to customer.id, from the live schema."""
    refs = []
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "customer" and fk.column.name == "id":
                refs.append((table, fk.parent.name))
    return refs


def _members(session: Session, customer_id: int) -> list[PersonRecord]:
    return [
        PersonRecord.from_json(text)
        for text in session.execute(
            select(IdentityMember.features).where(IdentityMember.customer_id == customer_id)
        ).scalars()
    ]


def _records_of(session: Session, customer_id: int) -> list[PersonRecord]:
    """The customer's imported records plus its own current data (contact points entered
    by staff, or moved over by a merge, count too)."""
    records = _members(session, customer_id)
    native = native_records(session, [customer_id]).get(customer_id)
    return [*records, native] if native else records


def rebuild_keys(session: Session, customer_ids: list[int]) -> None:
    """Recompute the blocking keys of customers from their records (or their own data)."""
    shared = SharedValues.load(session)
    session.execute(delete(_KEY).where(_KEY.c.customer_id.in_(customer_ids)))
    rows: set[tuple[int, int]] = set()
    for cid in customer_ids:
        for record in _records_of(session, cid):
            view = record.view()
            shared.mark(view)
            rows.update((k, cid) for k in index_keys(view))
    insert_ignore(session, _KEY, [{"key": k, "customer_id": c} for k, c in sorted(rows)])


# --- merge ---------------------------------------------------------------------------------


def merge_customers(
    session: Session,
    keep_id: int,
    other_id: int,
    *,
    actor: str,
    reason: str,
    review_id: int | None = None,
    rebuild: bool = True,
) -> MergeResult:
    """Merge customer ``other_id`` into ``keep_id``; logged, and undoable with a split.

    ``rebuild=False`` leaves blocking keys and lookup's search keys to the caller (an
    import rewrites them for the whole batch once).
    """
    reason = _require_reason(reason)
    if keep_id == other_id:
        raise InvalidInput("a customer cannot be merged with itself")
    keep = _customer_row(session, keep_id)
    other = _customer_row(session, other_id)
    moved: dict[str, dict[str, list[Any]]] = {}
    deleted: dict[str, list[dict[str, Any]]] = {}

    # Contact points: the kept customer's copy of a shared value wins; the other's is
    # remembered so a split gives it back.
    cp = _CONTACT.c
    have = set(session.execute(select(cp.kind, cp.normalized).where(cp.customer_id == keep_id)))
    dupes = [
        dict(r)
        for r in session.execute(select(_CONTACT).where(cp.customer_id == other_id)).mappings()
        if (r["kind"], r["normalized"]) in have
    ]
    if dupes:
        deleted["contact_point"] = [_jsonable(r) for r in dupes]
        session.execute(delete(_CONTACT).where(cp.id.in_([r["id"] for r in dupes])))
    moved_cp = list(session.execute(select(cp.id).where(cp.customer_id == other_id)).scalars())
    if moved_cp:
        session.execute(update(_CONTACT).where(cp.id.in_(moved_cp)).values(customer_id=keep_id))
        moved["contact_point"] = {"customer_id": moved_cp}

    # Relationships between the two disappear (one cannot be related to oneself); others
    # move unless the kept customer already has the same one.
    rc = _RELATION.c
    rel_rows = [
        dict(r)
        for r in session.execute(
            select(_RELATION).where(
                or_(rc.customer_id == other_id, rc.related_customer_id == other_id)
            )
        ).mappings()
    ]
    existing_rel: set[tuple[int, int, str]] = {
        (a, b, k)
        for a, b, k in session.execute(
            select(rc.customer_id, rc.related_customer_id, rc.kind).where(
                or_(rc.customer_id == keep_id, rc.related_customer_id == keep_id)
            )
        )
    }
    for r in rel_rows:
        a = keep_id if r["customer_id"] == other_id else r["customer_id"]
        b = keep_id if r["related_customer_id"] == other_id else r["related_customer_id"]
        if a == b or (a, b, r["kind"]) in existing_rel:
            deleted.setdefault("customer_relationship", []).append(_jsonable(r))
            session.execute(delete(_RELATION).where(rc.id == r["id"]))
        else:
            session.execute(
                update(_RELATION)
                .where(rc.id == r["id"])
                .values(customer_id=a, related_customer_id=b)
            )
            existing_rel.add((a, b, r["kind"]))
            col = moved.setdefault("customer_relationship", {})
            if r["customer_id"] == other_id:
                col.setdefault("customer_id", []).append(r["id"])
            if r["related_customer_id"] == other_id:
                col.setdefault("related_customer_id", []).append(r["id"])

    # Reviews that involve the merged-away customer are settled or dropped.
    rv = _REVIEW.c
    for review_row in session.execute(
        select(_REVIEW).where(or_(rv.customer_id == other_id, rv.other_customer_id == other_id))
    ).mappings():
        saved = dict(review_row)
        if saved["id"] == review_id:
            saved.update(
                status=ReviewStatus.MERGED.value, decided_by=actor, decided_at=utcnow(), note=reason
            )
        deleted.setdefault("identity_review", []).append(_jsonable(saved))
    session.execute(
        delete(_REVIEW).where(or_(rv.customer_id == other_id, rv.other_customer_id == other_id))
    )

    # Every other table, generically: whatever points at the other customer now points at
    # the kept one.
    for table, column in _customer_references():
        if table.name in _SPECIAL or table.name == "customer":
            continue
        pk = list(table.primary_key.columns)
        if len(pk) != 1:
            continue
        ref = table.c[column]
        ids = list(session.execute(select(pk[0]).where(ref == other_id)).scalars())
        if ids:
            for part in chunked(ids):
                session.execute(update(table).where(pk[0].in_(part)).values({column: keep_id}))
            moved.setdefault(table.name, {})[column] = ids

    # The kept customer keeps its fields; gaps are filled from the merged one.
    filled = {
        name: other[name]
        for name in (*GOLDEN_FIELDS, "preferred_name", "pronunciation", "customer_since")
        if name in other and other[name] is not None and keep.get(name) is None
    }
    if filled:
        session.execute(
            update(_CUSTOMER).where(_CUSTOMER.c.id == keep_id).values(**filled, updated_at=utcnow())
        )
    session.execute(delete(_CUSTOMER).where(_CUSTOMER.c.id == other_id))
    if rebuild:
        rebuild_keys(session, [keep_id])

    entry = MergeLogEntry(
        action=MergeAction.MERGE.value,
        actor=actor,
        reason=reason,
        kept_customer_id=keep_id,
        other_customer_id=other_id,
        review_id=None,
        detail={
            "customer": _jsonable(other),
            "filled": _jsonable(filled),
            "moved": moved,
            "deleted": deleted,
            "review_id": review_id,
        },
    )
    session.add(entry)
    session.flush()
    if rebuild:
        refresh_search_keys(session, [keep_id, other_id])
    count = sum(len(ids) for cols in moved.values() for ids in cols.values())
    return MergeResult(entry.id, keep_id, other_id, count)


def merge_review(session: Session, review_id: int, *, actor: str, reason: str) -> MergeResult:
    """Accept a review: the two customers are one person (the older customer is kept)."""
    review = session.get(MatchReview, review_id)
    if review is None:
        raise InvalidInput(f"there is no review #{review_id}")
    if review.status != ReviewStatus.OPEN.value:
        raise InvalidInput(f"review #{review_id} is already {review.status}")
    # The review row goes with the merged-away customer; its decision (merged, by whom,
    # why) is kept in the merge log, and a split of the merge restores it as dismissed.
    return merge_customers(
        session,
        review.customer_id,
        review.other_customer_id,
        actor=actor,
        reason=reason,
        review_id=review_id,
    )


def dismiss_review(session: Session, review_id: int, *, actor: str, reason: str) -> None:
    """Reject a review: two different people."""
    review = session.get(MatchReview, review_id)
    if review is None:
        raise InvalidInput(f"there is no review #{review_id}")
    if review.status != ReviewStatus.OPEN.value:
        raise InvalidInput(f"review #{review_id} is already {review.status}")
    review.status = ReviewStatus.DISMISSED.value
    review.decided_by = actor
    review.decided_at = utcnow()
    review.note = _require_reason(reason)


# --- split ---------------------------------------------------------------------------------


def undo_merge(session: Session, log_id: int, *, actor: str, reason: str) -> MergeResult:
    """Split a logged merge: the merged-away customer comes back with its own rows."""
    reason = _require_reason(reason)
    entry = session.get(MergeLogEntry, log_id)
    if entry is None:
        raise InvalidInput(f"there is no merge #{log_id} in the merge log")
    if entry.action != MergeAction.MERGE.value:
        raise InvalidInput(f"log entry #{log_id} is a {entry.action}, not a merge")
    undone = session.execute(
        select(MergeLogEntry.id).where(MergeLogEntry.undoes_id == log_id)
    ).scalar()
    if undone is not None:
        raise InvalidInput(f"merge #{log_id} was already split (log entry #{undone})")
    keep_id = entry.kept_customer_id
    if session.get(Customer, keep_id) is None:
        raise InvalidInput(f"customer #{keep_id} of merge #{log_id} no longer exists")
    detail = entry.detail
    snapshot = _restore_types(_CUSTOMER, detail["customer"])
    other_id = entry.other_customer_id
    if session.get(Customer, other_id) is not None:
        # The id was taken again (SQLite reuses the highest id): restore under a new one.
        snapshot.pop("id")
        other_id = insert_returning_ids(session, _CUSTOMER, [snapshot])[0]
    else:
        session.execute(_CUSTOMER.insert(), [snapshot])

    moved_back = 0
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    for table_name, columns in detail.get("moved", {}).items():
        table = tables.get(table_name)
        if table is None:
            continue
        pk = next(iter(table.primary_key.columns))
        for column, ids in columns.items():
            for part in chunked(ids):
                result = session.execute(
                    update(table)
                    .where(pk.in_(part), table.c[column] == keep_id)
                    .values({column: other_id})
                )
                moved_back += int(getattr(result, "rowcount", 0) or 0)
    for table_name, rows in detail.get("deleted", {}).items():
        table = tables.get(table_name)
        if table is None:
            continue
        restored = []
        for row in rows:
            data = _restore_types(table, row)
            for column in ("customer_id", "related_customer_id", "other_customer_id"):
                if data.get(column) == entry.other_customer_id:
                    data[column] = other_id
            if table_name == "identity_review" and data.get("id") == detail.get("review_id"):
                data["status"] = ReviewStatus.DISMISSED.value
                data["decided_by"], data["decided_at"] = actor, utcnow()
                data["note"] = f"merge #{log_id} split: {reason}"
            if table_name == "identity_review":
                low, high = sorted((data["customer_id"], data["other_customer_id"]))
                data["customer_id"], data["other_customer_id"] = low, high
            restored.append(data)
        insert_ignore(session, table, restored)
    filled = _restore_types(_CUSTOMER, detail.get("filled", {}))
    current = _customer_row(session, keep_id)
    reset = {k: None for k, v in filled.items() if current.get(k) == v}
    if reset:
        session.execute(update(_CUSTOMER).where(_CUSTOMER.c.id == keep_id).values(**reset))
    rebuild_keys(session, [keep_id, other_id])
    split = MergeLogEntry(
        action=MergeAction.SPLIT.value,
        actor=actor,
        reason=reason,
        kept_customer_id=keep_id,
        other_customer_id=other_id,
        undoes_id=log_id,
        detail={"restored_rows": moved_back},
    )
    session.add(split)
    session.flush()
    refresh_search_keys(session, [keep_id, other_id])
    return MergeResult(split.id, keep_id, other_id, moved_back)


def split_records(
    session: Session,
    customer_id: int,
    records: list[tuple[str, str]],
    *,
    actor: str,
    reason: str,
) -> MergeResult:
    """Take imported person records (source, source id) out of a customer into a new one.

    For a wrong merge made by an import: the records, and the vehicles and repair orders
    that came with them, become a customer of their own.
    """
    reason = _require_reason(reason)
    if not records:
        raise InvalidInput("name the records to split off, e.g. --record dms-service:K1002")
    _customer_row(session, customer_id)
    sr = table_of(SourceRecord).c
    chosen: list[tuple[int, int, str, str]] = []
    for source, source_id in records:
        row = session.execute(
            select(sr.id, sr.customer_id, sr.source_system_id)
            .join(SourceSystem, SourceSystem.id == sr.source_system_id)
            .where(
                SourceSystem.name == source,
                sr.entity_type == EntityType.CUSTOMER.value,
                sr.source_id == source_id,
            )
        ).first()
        if row is None:
            raise InvalidInput(f"there is no imported record {source}:{source_id}")
        if row.customer_id != customer_id:
            raise InvalidInput(
                f"record {source}:{source_id} belongs to customer #{row.customer_id}, "
                f"not #{customer_id}"
            )
        chosen.append((row.id, row.source_system_id, source, source_id))
    member_ids = set(
        session.execute(
            select(IdentityMember.source_record_id).where(IdentityMember.customer_id == customer_id)
        ).scalars()
    )
    chosen_ids = {c[0] for c in chosen}
    if not member_ids - chosen_ids:
        raise InvalidInput(
            "that would take every record out of the customer — nothing would remain to split from"
        )
    members = {
        sr_id: PersonRecord.from_json(text)
        for sr_id, text in session.execute(
            select(IdentityMember.source_record_id, IdentityMember.features).where(
                IdentityMember.source_record_id.in_(chosen_ids)
            )
        )
    }
    leaving = [members[i] for i in sorted(chosen_ids) if i in members]
    fields = golden_fields(leaving)
    now = utcnow()
    new_id = insert_returning_ids(
        session, _CUSTOMER, [{**fields, "created_at": now, "updated_at": now}]
    )[0]

    # The records, and the vehicle and repair-order records that hang from them.
    moved_sr = sorted(chosen_ids)
    for _, system_id, _, source_id in chosen:
        for dep_id, payload in session.execute(
            select(sr.id, sr.payload).where(
                sr.customer_id == customer_id,
                sr.source_system_id == system_id,
                sr.entity_type.in_([EntityType.VEHICLE.value, EntityType.VISIT.value]),
            )
        ):
            if isinstance(payload, dict) and payload.get("_owner") == source_id:
                moved_sr.append(dep_id)
    session.execute(
        update(table_of(SourceRecord)).where(sr.id.in_(moved_sr)).values(customer_id=new_id)
    )
    session.execute(
        update(_MEMBER).where(_MEMBER.c.source_record_id.in_(chosen_ids)).values(customer_id=new_id)
    )
    vehicle_ids = [
        v
        for v in session.execute(
            select(sr.vehicle_id).where(sr.id.in_(moved_sr), sr.vehicle_id.is_not(None))
        ).scalars()
    ]
    visit_ids = [
        v
        for v in session.execute(
            select(sr.visit_id).where(sr.id.in_(moved_sr), sr.visit_id.is_not(None))
        ).scalars()
    ]
    if visit_ids:
        session.execute(
            update(ServiceVisit)
            .where(ServiceVisit.id.in_(visit_ids), ServiceVisit.customer_id == customer_id)
            .values(customer_id=new_id)
        )
    if vehicle_ids:
        # A vehicle the remaining records also bring stays with both owners.
        still_there = set(
            session.execute(
                select(sr.vehicle_id).where(
                    sr.customer_id == customer_id, sr.vehicle_id.in_(vehicle_ids)
                )
            ).scalars()
        )
        movable = [v for v in vehicle_ids if v not in still_there]
        if movable:
            session.execute(
                update(Ownership)
                .where(Ownership.customer_id == customer_id, Ownership.vehicle_id.in_(movable))
                .values(customer_id=new_id)
            )

    # Golden fields and contact points of both, from their records.
    remaining = _members(session, customer_id)
    if remaining:
        session.execute(
            update(_CUSTOMER)
            .where(_CUSTOMER.c.id == customer_id)
            .values(**golden_fields(remaining), updated_at=now)
        )
    _rebuild_contacts(session, customer_id, remaining)
    _rebuild_contacts(session, new_id, leaving)
    rebuild_keys(session, [customer_id, new_id])
    entry = MergeLogEntry(
        action=MergeAction.SPLIT.value,
        actor=actor,
        reason=reason,
        kept_customer_id=customer_id,
        other_customer_id=new_id,
        detail={
            "records": [f"{s}:{i}" for _, _, s, i in chosen],
            "source_records": moved_sr,
            "vehicles": vehicle_ids,
            "visits": visit_ids,
        },
    )
    session.add(entry)
    session.flush()
    refresh_search_keys(session, [customer_id, new_id])
    return MergeResult(entry.id, customer_id, new_id, len(moved_sr))


def _rebuild_contacts(session: Session, customer_id: int, records: list[PersonRecord]) -> None:
    """Contact points that imports gave: exactly those the customer's records back.

    Contact points entered by staff (or any source that is not an import) are left alone.
    """
    sources = import_source_names(session)
    cp = _CONTACT.c
    have = {
        (kind, normalized): (cp_id, source)
        for cp_id, kind, normalized, source in session.execute(
            select(cp.id, cp.kind, cp.normalized, cp.source).where(cp.customer_id == customer_id)
        )
    }
    values = contact_values(records)
    wanted = {(v.kind, v.normalized) for v in values}
    stale = [
        cp_id for key, (cp_id, source) in have.items() if key not in wanted and source in sources
    ]
    if stale:
        session.execute(delete(_CONTACT).where(cp.id.in_(stale)))
    primary_kinds = {k for (k, _), _ in have.items()}
    rows = []
    for v in values:
        if (v.kind, v.normalized) not in have:
            rows.append(v.row(customer_id, primary=v.kind not in primary_kinds))
            primary_kinds.add(v.kind)
    insert_ignore(session, _CONTACT, rows)


def customer_records(session: Session, customer_id: int) -> list[tuple[str, str]]:
    """(source, source id) of the imported person records behind a customer."""
    sr = table_of(SourceRecord).c
    return [
        (name, source_id)
        for name, source_id in session.execute(
            select(SourceSystem.name, sr.source_id)
            .join(SourceSystem, SourceSystem.id == sr.source_system_id)
            .where(
                sr.customer_id == customer_id,
                sr.entity_type == EntityType.CUSTOMER.value,
                SourceSystem.name != NATIVE_SOURCE,
            )
            .order_by(SourceSystem.name, sr.source_id)
        )
    ]


def open_review_count(session: Session) -> int:
    return int(
        session.execute(
            select(func.count()).select_from(MatchReview).where(MatchReview.status == "open")
        ).scalar_one()
    )
