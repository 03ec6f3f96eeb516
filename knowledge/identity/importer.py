"""``concierge import``: an export file into the store, batch by batch, safe to repeat.

- Every batch is one transaction that also advances the run's ``rows_done``: a crash loses
  at most the batch in flight and leaves the store consistent; running the same command
  again resumes the run after its last committed batch.
- Every record is a ``source_record`` with a hash of its payload: a record seen before with
  the same hash is skipped (importing a file twice changes nothing); a changed one updates.
- Bad rows go to ``import_reject`` with line number and reason, never stopping the run.

This is the one place in identity resolution that commits by itself: an import of a million
rows cannot be one transaction, so it takes the ``Store`` and opens one per batch.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import multiprocessing
import queue as queue_module
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import phonenumbers
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from knowledge.db import Store
from knowledge.errors import InvalidInput
from knowledge.identity.cluster import MatchConfig
from knowledge.identity.dbio import chunked, insert_ignore, insert_returning_ids, table_of
from knowledge.identity.frequency import NameFrequencies
from knowledge.identity.indexing import index_unindexed_customers
from knowledge.identity.junk import SharedValueCounter, SharedValues, person_key, rough_e164
from knowledge.identity.mapping import SourceMapping, load_mapping
from knowledge.identity.readers import Row, check_file, csv_header, lookup, read_rows
from knowledge.identity.resolver import (
    PeopleResolver,
    PersonInput,
    ensure_source_system,
    payload_hash,
)
from knowledge.identity.rows import ParsedRow, RowParser, RowRejected
from knowledge.models import (
    Dealer,
    ImportReject,
    ImportRun,
    Ownership,
    RecallCampaign,
    ServiceVisit,
    SourceRecord,
    Vehicle,
    VehicleRecall,
)
from knowledge.models.base import utcnow
from knowledge.models.enums import EntityType, OwnershipRole
from knowledge.models.identity import ImportStatus
from knowledge.normalize import normalize_email, normalize_plate

DEFAULT_BATCH_SIZE = 5000

_SR = table_of(SourceRecord)
_VEHICLE = table_of(Vehicle)
_VISIT = table_of(ServiceVisit)
_OWNERSHIP = table_of(Ownership)
_CAMPAIGN = table_of(RecallCampaign)
_VRECALL = table_of(VehicleRecall)
_REJECT = table_of(ImportReject)

ProgressFn = Callable[[int, int], None]


@dataclass
class ImportReport:
    run_id: int
    source: str
    file: str
    rows_total: int = 0
    resumed_from: int = 0
    created: int = 0
    merged: int = 0
    updated: int = 0
    unchanged: int = 0
    reviewed: int = 0
    rejected: int = 0
    shared_values: int = 0
    seconds: float = 0.0
    # Seconds per batch, for benchmarks that watch the rate as the store grows.
    batch_seconds: list[tuple[int, float]] = field(default_factory=list)
    # Where the time went: pre-scan, waiting for parsed rows, and the matcher's phases.
    phase_seconds: dict[str, float] = field(default_factory=dict)
    # The matcher's phase totals after each batch (rows done, totals so far): where the
    # time of a stretch of the file went, for benchmarks that watch the cost grow.
    phase_marks: list[tuple[int, dict[str, float]]] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float:
        done = self.rows_total - self.resumed_from
        return done / self.seconds if self.seconds else 0.0


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class ParsedBatch:
    """A batch of rows, parsed: what the database side of an import works on."""

    last_index: int
    rows: int
    parsed: list[ParsedRow]
    people: list[PersonInput]
    rejects: list[tuple[int, str, str]]


def parse_batch(rows: list[Row], parser: RowParser) -> ParsedBatch:
    parsed: list[ParsedRow] = []
    rejects: list[tuple[int, str, str]] = []
    for row in rows:
        if row.problem is not None:
            rejects.append((row.line, row.problem.reason, row.problem.raw[:2000]))
            continue
        assert row.data is not None
        try:
            parsed.append(parser.parse(row.line, row.data))
        except RowRejected as exc:
            rejects.append((row.line, str(exc), _raw(row.data)))
    people = [PersonInput.of(p.person, p.person_payload or {}) for p in parsed if p.person]
    return ParsedBatch(rows[-1].index, len(rows), parsed, people, rejects)


# Files larger than this are parsed in a second process while this one matches and writes
# (parsing — phone numbers, dates, names — is a third of the work). Smaller ones inline.
PARALLEL_FROM_BYTES = 4_000_000


def _parse_worker(
    source: str,
    path: str,
    today: dt.date,
    dealers: dict[str, int],
    resume_at: int,
    batch_size: int,
    queue: Any,
) -> None:
    try:
        mapping = load_mapping(source)
        parser = RowParser(mapping, today=today, dealers=dealers)
        rows = (r for r in read_rows(Path(path), mapping) if r.index >= resume_at)
        for batch in _batches(rows, batch_size):
            queue.put(parse_batch(batch, parser))
        queue.put(None)
    except BaseException as exc:  # reported to the importing process, which raises it
        queue.put(("error", f"{type(exc).__name__}: {exc}"))


class BatchSource:
    """Parsed batches of a file from ``resume_at`` on — from a second process when the file
    is large, so that parsing overlaps with matching and writing."""

    def __init__(
        self,
        source: str,
        mapping: SourceMapping,
        path: Path,
        parser: RowParser,
        resume_at: int,
        batch_size: int,
    ) -> None:
        self.source, self.mapping, self.path, self.parser = source, mapping, path, parser
        self.resume_at, self.batch_size = resume_at, batch_size
        self.parallel = path.stat().st_size >= PARALLEL_FROM_BYTES
        self.process: Any = None
        self.queue: Any = None

    def start(self) -> None:
        if not self.parallel:
            return
        context = multiprocessing.get_context("spawn")
        self.queue = context.Queue(maxsize=6)
        self.process = context.Process(
            target=_parse_worker,
            args=(self.source, str(self.path), self.parser.today, self.parser.dealers,
                  self.resume_at, self.batch_size, self.queue),
            daemon=True,
        )  # fmt: skip
        self.process.start()

    def __iter__(self) -> Iterator[ParsedBatch]:
        if not self.parallel:
            rows = (r for r in read_rows(self.path, self.mapping) if r.index >= self.resume_at)
            for batch in _batches(rows, self.batch_size):
                yield parse_batch(batch, self.parser)
            return
        while True:
            try:
                item = self.queue.get(timeout=5)
            except queue_module.Empty:
                if not self.process.is_alive():
                    raise RuntimeError("the parsing process ended unexpectedly") from None
                continue
            if item is None:
                self.process.join(timeout=30)
                return
            if isinstance(item, tuple):
                raise RuntimeError(f"parsing {self.path.name} failed: {item[1]}")
            yield item

    def stop(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=5)


def _batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _prescan_rows(path: Path, mapping: SourceMapping) -> Iterator[dict[str, Any] | None]:
    """Rows for the pre-scan: like ``read_rows`` without its checks, for speed (the rows'
    problems are reported when they are imported)."""
    if mapping.format == "jsonl":
        for row in read_rows(path, mapping):
            yield row.data
        return
    header = csv_header(path, mapping)
    wanted = [(i, name) for i, name in enumerate(header) if name in mapping.columns()]
    with path.open(encoding=mapping.encoding, errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh, delimiter=mapping.delimiter)
        next(reader)
        for values in reader:
            if not values or (len(values) == 1 and not values[0].strip()):
                continue
            if len(values) != len(header):
                yield None
                continue
            yield {name: values[i] for i, name in wanted}


def _prescan(
    path: Path, mapping: SourceMapping, shared: SharedValues, names: NameFrequencies
) -> tuple[int, int]:
    """Count the file's rows and name tokens, and mark phones/e-mails that many different
    people give."""
    counter = SharedValueCounter()
    dotted = mapping.format == "jsonl"
    f = mapping.fields
    country = _country_code(mapping.default_phone_country)
    rows = 0

    def first(data: dict[str, Any], key: str) -> str | None:
        for column in f.get(key, ()):
            value = lookup(data, column, dotted=dotted)
            if value not in (None, ""):
                return str(value)
        return None

    has_people = "customer" in mapping.entities
    phone_columns = f.get("customer.phone", ())
    email_columns = f.get("customer.email", ())
    for data in _prescan_rows(path, mapping):
        rows += 1
        if not has_people or data is None:
            continue
        given, family = first(data, "customer.given_name"), first(data, "customer.family_name")
        if not (given or family):
            full = first(data, "customer.full_name") or ""
            family, _, given = full.partition(",") if "," in full else (full, "", "")
        who = person_key(given, family, first(data, "customer.birth_date"))
        names.count_file(given, family, first(data, "customer.source_id") or str(rows))
        for column in phone_columns:
            value = lookup(data, column, dotted=dotted)
            if value:
                e164 = rough_e164(str(value), country)
                if e164:
                    counter.add(who, "phone", e164)
        for column in email_columns:
            value = lookup(data, column, dotted=dotted)
            email = normalize_email(str(value)) if value else None
            if email:
                counter.add(who, "email", email)
    return rows, counter.finish(shared)


def _country_code(region: str) -> str:
    return str(phonenumbers.country_code_for_region(region))


def import_file(
    store: Store,
    source: str | Path,
    path: Path,
    *,
    actor: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    config: MatchConfig | None = None,
    today: dt.date | None = None,
    progress: ProgressFn | None = None,
    after_batch: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import ``path`` as source ``source``; resumes an unfinished run of the same file."""
    mapping = load_mapping(source)
    check_file(path)
    if mapping.format == "csv":
        csv_header(path, mapping)  # a wrong file fails here, before anything is written
    if batch_size < 1:
        raise InvalidInput("batch size must be at least 1")
    day = today or dt.datetime.now(dt.UTC).date()
    sha = file_sha256(path)
    started = time.perf_counter()

    with store.sessions.begin() as session:
        system_id = ensure_source_system(
            session, mapping.name, mapping.trust_rank, mapping.description
        )
        run = session.execute(
            select(ImportRun)
            .where(
                ImportRun.source_system_id == system_id,
                ImportRun.file_sha256 == sha,
                ImportRun.status != ImportStatus.DONE.value,
            )
            .order_by(ImportRun.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if run is None:
            run = ImportRun(
                source_system_id=system_id,
                file_name=path.name[:300],
                file_sha256=sha,
                actor=actor,
                rows_done=0,
                created=0, merged=0, updated=0, unchanged=0, reviewed=0, rejected=0,
            )  # fmt: skip
            session.add(run)
        run.status = ImportStatus.RUNNING.value
        session.flush()
        run_id, resume_at = run.id, run.rows_done
        report = ImportReport(
            run_id, mapping.name, path.name, resumed_from=resume_at,
            created=run.created, merged=run.merged, updated=run.updated,
            unchanged=run.unchanged, reviewed=run.reviewed, rejected=run.rejected,
        )  # fmt: skip
        dealers = dict(session.execute(select(Dealer.code, Dealer.id)).all())
        shared = SharedValues.load(session)

    if "customer" in mapping.entities:
        index_unindexed_customers(store)
    parser = RowParser(mapping, today=day, dealers=dealers)
    resolver = PeopleResolver(shared, config)
    batches = BatchSource(str(source), mapping, path, parser, resume_at, batch_size)
    batches.start()  # a large file's rows are parsed while the pre-scan runs
    t_scan = time.perf_counter()
    total, report.shared_values = _prescan(path, mapping, shared, resolver.names)
    report.phase_seconds["pre-scan"] = time.perf_counter() - t_scan
    waited = 0.0
    t_wait = time.perf_counter()
    report.rows_total = total
    done = resume_at
    if progress:
        progress(done, total)
    try:
        for number, batch in enumerate(batches, start=1):
            t0 = time.perf_counter()
            waited += t0 - t_wait
            with store.sessions.begin() as session:
                _tune_for_bulk(session)
                counts = _import_batch(session, system_id, run_id, batch, resolver)
                done = batch.last_index + 1
                session.execute(
                    update(ImportRun)
                    .where(ImportRun.id == run_id)
                    .values(
                        rows_done=done,
                        created=ImportRun.created + counts["created"],
                        merged=ImportRun.merged + counts["merged"],
                        updated=ImportRun.updated + counts["updated"],
                        unchanged=ImportRun.unchanged + counts["unchanged"],
                        reviewed=ImportRun.reviewed + counts["reviewed"],
                        rejected=ImportRun.rejected + counts["rejected"],
                    )
                )
            for key, value in counts.items():
                setattr(report, key, getattr(report, key) + value)
            report.batch_seconds.append((batch.rows, time.perf_counter() - t0))
            report.phase_marks.append((done, dict(resolver.phase_seconds)))
            if progress:
                progress(done, total)
            if after_batch:
                after_batch(number)
            t_wait = time.perf_counter()
        with store.sessions.begin() as session:
            session.execute(
                update(ImportRun)
                .where(ImportRun.id == run_id)
                .values(status=ImportStatus.DONE.value, finished_at=utcnow(), rows_done=total)
            )
    except BaseException:
        batches.stop()
        with store.sessions.begin() as session:
            session.execute(
                update(ImportRun)
                .where(ImportRun.id == run_id)
                .values(status=ImportStatus.FAILED.value, finished_at=utcnow())
            )
        raise
    report.seconds = time.perf_counter() - started
    report.phase_seconds["parse (waiting for rows)"] = waited
    report.phase_seconds.update(resolver.phase_seconds)
    return report


def _tune_for_bulk(session: Session) -> None:
    """SQLite: a larger page cache and rarer WAL checkpoints while an import writes.

    An import's blocking keys, contact points and records land all over large B-trees;
    with the default 64 MB cache every batch rereads the same index pages, and a
    checkpoint every 1000 pages rewrites them too often. Both settings belong to this
    connection only.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA cache_size=-262144"))
        session.execute(text("PRAGMA wal_autocheckpoint=16384"))


def _import_batch(
    session: Session,
    system_id: int,
    run_id: int,
    batch: ParsedBatch,
    resolver: PeopleResolver,
) -> dict[str, int]:
    counts = dict.fromkeys(("created", "merged", "updated", "unchanged", "reviewed", "rejected"), 0)
    counts["rejected"] = len(batch.rejects)
    if batch.rejects:
        # A resumed batch may already hold some of these lines' rejects.
        insert_ignore(
            session,
            _REJECT,
            [{"run_id": run_id, "line": line, "reason": reason, "raw": raw}
             for line, reason, raw in batch.rejects],
        )  # fmt: skip
    owners: dict[str, int] = {}
    if batch.people:
        outcomes = resolver.resolve(session, system_id, batch.people)
        for source_id, outcome in outcomes.items():
            owners[source_id] = outcome.customer_id
            counts[outcome.action] += 1
            counts["reviewed"] += outcome.reviews
    if any(p.vehicle for p in batch.parsed):
        _apply_vehicles(session, system_id, batch.parsed, owners, counts)
    return counts


def _raw(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)[:2000]


# --- vehicles, repair orders and recalls ---------------------------------------------------


def _existing_records(
    session: Session, system_id: int, entity: EntityType, source_ids: list[str]
) -> dict[str, tuple[int, str, int | None, int | None]]:
    out: dict[str, tuple[int, str, int | None, int | None]] = {}
    c = _SR.c
    for part in chunked(source_ids):
        for sr_id, source_id, phash, vehicle_id, visit_id in session.execute(
            select(c.id, c.source_id, c.payload_hash, c.vehicle_id, c.visit_id).where(
                c.source_system_id == system_id,
                c.entity_type == entity.value,
                c.source_id.in_(part),
            )
        ):
            out[source_id] = (sr_id, phash, vehicle_id, visit_id)
    return out


def _apply_vehicles(
    session: Session,
    system_id: int,
    parsed: list[ParsedRow],
    owners: dict[str, int],
    counts: dict[str, int],
) -> None:
    now = utcnow()
    today = now.date()
    # One entry per VIN / repair order / campaign-and-VIN; the last row wins.
    vehicles: dict[str, ParsedRow] = {}
    for p in parsed:
        if p.vehicle is not None:
            vehicles[p.vehicle.vin] = p
    vins = sorted(vehicles)
    vehicle_ids: dict[str, int] = {}
    vc = _VEHICLE.c
    current: dict[str, Any] = {}
    for part in chunked(vins):
        for row in session.execute(select(_VEHICLE).where(vc.vin.in_(part))):
            vehicle_ids[row.vin] = row.id
            current[row.vin] = row
    new_vehicle_rows = []
    new_vins = []
    for vin in vins:
        v = vehicles[vin].vehicle
        assert v is not None
        if vin in vehicle_ids:
            row = current[vin]
            changes: dict[str, Any] = {}
            for name in ("model_year", "colour", "in_service_date"):
                if getattr(v, name) is not None and getattr(row, name) is None:
                    changes[name] = getattr(v, name)
            if v.plate and v.plate != row.plate:
                changes["plate"] = v.plate[:20]
                changes["plate_normalized"] = normalize_plate(v.plate)[:20]
            if v.odometer_km is not None and (row.odometer_km or 0) < v.odometer_km:
                changes["odometer_km"] = v.odometer_km
            if changes:
                session.execute(update(_VEHICLE).where(vc.id == row.id).values(**changes))
            continue
        new_vins.append(vin)
        new_vehicle_rows.append(
            {
                "vin": vin,
                "make": (v.make or "unknown")[:40],
                "model": (v.model or "unknown")[:60],
                "model_year": v.model_year,
                "plate": v.plate[:20] if v.plate else None,
                "plate_normalized": normalize_plate(v.plate)[:20] if v.plate else None,
                "colour": v.colour,
                "odometer_km": v.odometer_km,
                "in_service_date": v.in_service_date,
                "created_at": now,
            }
        )
    inserted = insert_returning_ids(session, _VEHICLE, new_vehicle_rows)
    vehicle_ids.update(zip(new_vins, inserted, strict=True))

    # Ownership: the owner named on the row owns the vehicle (from first registration).
    owned: set[tuple[int, int]] = set()
    oc = _OWNERSHIP.c
    for id_part in chunked(sorted(vehicle_ids.values())):
        owned.update(
            session.execute(select(oc.customer_id, oc.vehicle_id).where(oc.vehicle_id.in_(id_part)))
        )
    ownership_rows = []
    for vin, p in vehicles.items():
        if p.person is None:
            continue
        cid = owners.get(p.person.source_id)
        vid = vehicle_ids[vin]
        if cid is None or (cid, vid) in owned:
            continue
        owned.add((cid, vid))
        since = p.vehicle.in_service_date if p.vehicle else None
        if since is None and p.visit and p.visit.opened_at:
            since = p.visit.opened_at.date()
        ownership_rows.append(
            {"customer_id": cid, "vehicle_id": vid, "role": OwnershipRole.OWNER.value,
             "since": since or today, "until": None}
        )  # fmt: skip
    if ownership_rows:
        session.execute(_OWNERSHIP.insert(), ownership_rows)

    # Source records of the vehicles.
    _upsert_records(
        session, system_id, EntityType.VEHICLE,
        {
            vin: (
                {**p.vehicle.payload, "_owner": p.person.source_id if p.person else None},
                owners.get(p.person.source_id) if p.person else None,
                vehicle_ids[vin], None,
            )
            for vin, p in vehicles.items() if p.vehicle is not None
        },
        counts, now,
    )  # fmt: skip

    visits = {p.visit.source_id: p for p in parsed if p.visit is not None}
    if visits:
        _apply_visits(session, system_id, visits, owners, vehicle_ids, counts, now)
    recalls = {
        f"{p.recall.campaign_code}/{p.vehicle.vin}": p
        for p in parsed
        if p.recall is not None and p.vehicle is not None
    }
    if recalls:
        _apply_recalls(session, system_id, recalls, vehicle_ids, counts, now)


def _upsert_records(
    session: Session,
    system_id: int,
    entity: EntityType,
    items: dict[str, tuple[dict[str, Any], int | None, int | None, int | None]],
    counts: dict[str, int],
    now: dt.datetime,
) -> None:
    """Insert new source records, update changed ones, count unchanged ones."""
    existing = _existing_records(session, system_id, entity, sorted(items))
    inserts = []
    for source_id, (payload, customer_id, vehicle_id, visit_id) in items.items():
        phash = payload_hash(payload)
        known = existing.get(source_id)
        if known is None:
            inserts.append(
                {"source_system_id": system_id, "entity_type": entity.value,
                 "source_id": source_id[:128], "customer_id": customer_id,
                 "vehicle_id": vehicle_id, "visit_id": visit_id, "payload": payload,
                 "payload_hash": phash, "first_seen": now, "last_seen": now}
            )  # fmt: skip
            counts["created"] += 1
        elif known[1] == phash:
            counts["unchanged"] += 1
        else:
            session.execute(
                update(_SR)
                .where(_SR.c.id == known[0])
                .values(
                    payload=payload, payload_hash=phash, customer_id=customer_id,
                    vehicle_id=vehicle_id, visit_id=visit_id, last_seen=now,
                )
            )  # fmt: skip
            counts["updated"] += 1
    if inserts:
        session.execute(_SR.insert(), inserts)


def _apply_visits(
    session: Session,
    system_id: int,
    visits: dict[str, ParsedRow],
    owners: dict[str, int],
    vehicle_ids: dict[str, int],
    counts: dict[str, int],
    now: dt.datetime,
) -> None:
    dealers = dict(session.execute(select(Dealer.code, Dealer.id)).all())
    known = _existing_records(session, system_id, EntityType.VISIT, sorted(visits))
    payloads: dict[str, dict[str, Any]] = {}
    changed: dict[str, ParsedRow] = {}
    for source_id, p in visits.items():
        assert p.visit is not None and p.person is not None
        payloads[source_id] = {**p.visit.payload, "_owner": p.person.source_id}
        record = known.get(source_id)
        if record is None or record[1] != payload_hash(payloads[source_id]) or record[3] is None:
            changed[source_id] = p
    found: dict[str, int] = {sid: r[3] for sid, r in known.items() if r[3] is not None}
    wanted: dict[tuple[int, str], str] = {}
    for source_id, p in changed.items():
        assert p.visit is not None
        wanted[(dealers[p.visit.dealer_code], p.visit.ro_number)] = source_id
    c = _VISIT.c
    for part in chunked(sorted({ro for _, ro in wanted})):
        for vid, dealer_id, ro in session.execute(
            select(c.id, c.dealer_id, c.ro_number).where(c.ro_number.in_(part))
        ):
            match = wanted.get((dealer_id, ro))
            if match:
                found[match] = vid
    new_rows, new_ids = [], []
    for source_id, p in changed.items():
        v, person, vehicle = p.visit, p.person, p.vehicle
        assert v is not None and person is not None and vehicle is not None
        values = {
            "customer_id": owners[person.source_id],
            "vehicle_id": vehicle_ids[vehicle.vin],
            "status": v.status,
            "opened_at": v.opened_at or now,
            "closed_at": v.closed_at,
            "odometer_km": v.odometer_km,
            "concerns": v.concerns,
            "work_done": v.work_done,
        }
        if source_id in found:
            session.execute(update(_VISIT).where(c.id == found[source_id]).values(**values))
        else:
            new_ids.append(source_id)
            new_rows.append(
                {**values, "ro_number": v.ro_number, "dealer_id": dealers[v.dealer_code]}
            )
    inserted = insert_returning_ids(session, _VISIT, new_rows)
    found.update(zip(new_ids, inserted, strict=True))
    _upsert_records(
        session, system_id, EntityType.VISIT,
        {
            sid: (
                payloads[sid], owners[p.person.source_id], vehicle_ids[p.vehicle.vin],
                found[sid],
            )
            for sid, p in visits.items()
            if p.person is not None and p.vehicle is not None
        },
        counts, now,
    )  # fmt: skip


def _apply_recalls(
    session: Session,
    system_id: int,
    recalls: dict[str, ParsedRow],
    vehicle_ids: dict[str, int],
    counts: dict[str, int],
    now: dt.datetime,
) -> None:
    codes = sorted({p.recall.campaign_code for p in recalls.values() if p.recall})
    cc = _CAMPAIGN.c
    campaigns = dict(session.execute(select(cc.code, cc.id).where(cc.code.in_(codes))).all())
    new_campaigns: dict[str, dict[str, Any]] = {}
    for p in recalls.values():
        r, v = p.recall, p.vehicle
        assert r is not None and v is not None
        if r.campaign_code not in campaigns and r.campaign_code not in new_campaigns:
            new_campaigns[r.campaign_code] = {
                "code": r.campaign_code,
                "make": (v.make or "unknown")[:40],
                "title": (r.title or r.campaign_code)[:200],
                "description": r.description,
                "remedy": r.remedy,
                "remedy_minutes": r.remedy_minutes,
                "published_on": r.published_on,
            }
    if new_campaigns:
        ids = insert_returning_ids(session, _CAMPAIGN, list(new_campaigns.values()))
        campaigns.update(zip(new_campaigns, ids, strict=True))
    rc = _VRECALL.c
    pairs: dict[tuple[int, int], tuple[int, str]] = {}
    vids = sorted({vehicle_ids[p.vehicle.vin] for p in recalls.values() if p.vehicle})
    for part in chunked(vids):
        for rid, vid, cid, status in session.execute(
            select(rc.id, rc.vehicle_id, rc.campaign_id, rc.status).where(rc.vehicle_id.in_(part))
        ):
            pairs[(vid, cid)] = (rid, status)
    inserts = []
    for p in recalls.values():
        r, v = p.recall, p.vehicle
        assert r is not None and v is not None
        key = (vehicle_ids[v.vin], campaigns[r.campaign_code])
        if key in pairs:
            if pairs[key][1] != r.status:
                session.execute(
                    update(_VRECALL)
                    .where(rc.id == pairs[key][0])
                    .values(status=r.status, updated_at=now)
                )
        else:
            pairs[key] = (0, r.status)
            inserts.append(
                {"vehicle_id": key[0], "campaign_id": key[1], "status": r.status,
                 "updated_at": now}
            )  # fmt: skip
    if inserts:
        session.execute(_VRECALL.insert(), inserts)
    _upsert_records(
        session, system_id, EntityType.RECALL,
        {
            sid: (
                {**p.recall.payload, "VIN": p.vehicle.vin}, None,
                vehicle_ids[p.vehicle.vin], None,
            )
            for sid, p in recalls.items()
            if p.recall is not None and p.vehicle is not None
        },
        counts, now,
    )  # fmt: skip


def rejects_of_run(session: Session, run_id: int) -> list[tuple[int, str, str | None]]:
    return list(
        session.execute(
            select(ImportReject.line, ImportReject.reason, ImportReject.raw)
            .where(ImportReject.run_id == run_id)
            .order_by(ImportReject.line)
        )
    )
