"""Identity-resolution speed: a million source records imported and resolved, and the p99 of
matching one new record against a store of a million customers.

    .venv/bin/python bench/identity_speed.py import --records 1000000
    .venv/bin/python bench/identity_speed.py import --records 1000000 \
        --url postgresql+psycopg://postgres@127.0.0.1:5432/identity_speed
    .venv/bin/python bench/identity_speed.py match --store var/bench/demo-1m.sqlite --runs 2000

``import`` generates CRM-like person records (people duplicated across systems with the
usual disagreements, households, twins, common names, and fleet pool e-mails that hundreds
to thousands of people share) as one generic-people CSV with its truth file — in a separate
process, so the measured process holds only the import — then imports it into an empty
store through the product's import path and reports wall time, records/s for the first and
the last 100k rows, peak RSS, the largest customer cluster next to the largest true one, and
pairwise precision/recall against the truth.

``match`` copies the 1M-customer demo store (SQLite) into var/, indexes the customers the
store made itself, and times ``match_person`` for many walk-ins drawn from its customers
(with typos, other phone formats, missing fields) and for strangers: median and p99.
Writes only under var/.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from knowledge import db as store_db
from knowledge.identity import (
    export_links,
    import_file,
    index_unindexed_customers,
    match_person,
    person_from_fields,
)
from knowledge.identity.dbio import table_of
from knowledge.identity.demo_sources import (
    _GENERIC_COLUMNS,
    Profile,
    World,
    render,
)
from knowledge.identity.junk import SharedValues
from knowledge.models import ContactPoint, Customer, NameFrequency

TODAY = dt.date(2026, 11, 23)
OUT = Path("var/bench/identity-speed")
CHUNK_PEOPLE = 20_000


def generate(path: Path, truth: Path, records: int, seed: int) -> None:
    """Write ``records`` generic-people rows and their truth, chunk by chunk."""
    # Fleet pool addresses are given by a share of all people: across a million records
    # each of the five pools is shared by hundreds to thousands of different people.
    profile = Profile(pool_email=0.004)
    written = 0
    chunk = 0
    used_emails: set[str] = set()
    with (
        path.open("w", encoding="utf-8", newline="") as fh,
        truth.open("w", encoding="utf-8", newline="") as th,
    ):
        writer = csv.DictWriter(fh, fieldnames=_GENERIC_COLUMNS, lineterminator="\n")
        writer.writeheader()
        truth_writer = csv.writer(th, lineterminator="\n")
        truth_writer.writerow(("source", "source_id", "person"))
        while written < records:
            world = World(
                CHUNK_PEOPLE, seed * 1000 + chunk, TODAY, profile,
                used_emails=used_emails, first_pid=chunk * CHUNK_PEOPLE + 1,
            )  # fmt: skip
            exports = render(world, seed * 1000 + chunk)
            rows = []
            for r in exports.crm:
                address = r["address"] or {}
                rows.append({
                    "source_id": f"{chunk}-{r['contact_id']}", "given_name": r["first_name"],
                    "family_name": r["last_name"], "birth_date": r["birthday"] or "",
                    "phone": r["phone"]["mobile"] or r["phone"]["home"] or "",
                    "email": r["email"]["private"] or "", "street": address.get("street", ""),
                    "address_line2": "", "city": address.get("city", ""),
                    "postcode": address.get("zip", ""), "region": "", "country": "",
                })  # fmt: skip
            seen_owner: set[str] = set()
            for r in exports.dms:
                if r["OWNER_NO"] in seen_owner:
                    continue
                seen_owner.add(r["OWNER_NO"])
                family, _, given = r["OWNER_NAME"].partition(", ")
                birth = r["BIRTH_DATE"]
                rows.append({
                    "source_id": f"{chunk}-{r['OWNER_NO']}", "given_name": given,
                    "family_name": family,
                    "birth_date": f"{birth[6:]}-{birth[3:5]}-{birth[:2]}" if birth else "",
                    "phone": r["MOBILE"] or r["PHONE"], "email": r["EMAIL"],
                    "street": r["STREET"], "address_line2": "", "city": r["CITY"],
                    "postcode": r["ZIP"], "region": "", "country": "",
                })  # fmt: skip
            for r in exports.leads:
                rows.append({**r, "source_id": f"{chunk}-{r['source_id']}"})
            ids = {f"{chunk}-{sid}": person for _, sid, person in exports.truth}
            for row in rows:
                if written >= records:
                    break
                writer.writerow(row)
                truth_writer.writerow(("generic-people", row["source_id"], ids[row["source_id"]]))
                written += 1
            chunk += 1


def fresh_store(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
    else:
        admin = store_db.make_engine(
            parsed.set(database="postgres").render_as_string(hide_password=False),
            isolation_level="AUTOCOMMIT",
        )
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}"'))
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
        admin.dispose()
    engine = store_db.make_engine(url)
    store_db.upgrade(engine)
    engine.dispose()
    return url


def run_import(args: argparse.Namespace) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    data = OUT / f"people-{args.records}-seed-{args.seed}.csv"
    truth = OUT / f"people-{args.records}-seed-{args.seed}.truth.csv"
    if not data.exists() or not truth.exists():
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "generate", "--records", str(args.records),
             "--seed", str(args.seed)],
            check=True,
        )  # fmt: skip
        print(f"generated {args.records:,} records in {time.perf_counter() - t0:.0f}s: {data}")
    url = fresh_store(args.url or f"sqlite:///{OUT / 'speed.sqlite'}")
    store = store_db.open_store(url)
    marks: list[tuple[int, float]] = []
    before_own = resource.getrusage(resource.RUSAGE_SELF)
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_before = (
        before_own.ru_utime + before_own.ru_stime
        + before_children.ru_utime + before_children.ru_stime
    )  # fmt: skip
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        marks.append((done, time.perf_counter() - started))
        if args.verbose and len(marks) % 20 == 0:
            print(f"  {done:>9,} rows  {time.perf_counter() - started:7.1f}s", flush=True)

    report = import_file(
        store, "generic-people", data, actor="bench", today=TODAY, progress=progress,
        batch_size=args.batch_size,
    )  # fmt: skip
    wall = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb = max(own.ru_maxrss, children.ru_maxrss) / 1024
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime - cpu_before

    def rate(start: int, end: int) -> float:
        t_start = next(t for done, t in marks if done >= start)
        t_end = next(t for done, t in marks if done >= end)
        done_start = next(d for d, _ in marks if d >= start)
        done_end = next(d for d, _ in marks if d >= end)
        return (done_end - done_start) / (t_end - t_start)

    total = report.rows_total
    first = rate(0, min(100_000, total))
    last = rate(max(0, total - 100_000), total)

    def phases_between(start: int, end: int) -> dict[str, float]:
        """The matcher's seconds per phase while rows start..end were imported."""
        before = next((p for done, p in reversed(report.phase_marks) if done <= start), {})
        after = next(p for done, p in report.phase_marks if done >= end)
        return {k: round(v - before.get(k, 0.0), 1) for k, v in after.items()}

    links_path = OUT / "links.csv"
    with store.sessions.begin() as session, links_path.open("w", encoding="utf-8") as fh:
        export_links(session, fh)
    store.dispose()
    quality = score(links_path, truth)
    result = {
        "backend": make_url(url).get_backend_name(),
        "records": total,
        "wall_seconds": round(wall, 1),
        "records_per_second": round(total / wall),
        "first_100k_per_second": round(first),
        "last_100k_per_second": round(last),
        "peak_rss_mb": round(peak_mb),
        # CPU seconds of this process and the parsing process: the machine is shared, so
        # wall time also shows how busy it was.
        "cpu_seconds": round(cpu, 1),
        "load_average_1m": round(os.getloadavg()[0], 1),
        "customers_created": report.created,
        "merged": report.merged,
        "reviews": report.reviewed,
        "shared_values_detected": report.shared_values,
        "phase_seconds": {k: round(v, 1) for k, v in report.phase_seconds.items()},
        "first_100k_phase_seconds": phases_between(0, min(100_000, total)),
        "last_100k_phase_seconds": phases_between(max(0, total - 100_000), total),
        **quality,
    }
    print(json.dumps(result, indent=2))
    (OUT / f"import-{result['backend']}.json").write_text(json.dumps(result, indent=2))


def score(links_path: Path, truth_path: Path) -> dict[str, float]:
    by_customer: dict[str, list[str]] = defaultdict(list)
    link: dict[str, str] = {}
    with links_path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            link[row["source_id"]] = row["customer_id"]
            by_customer[row["customer_id"]].append(row["source_id"])
    by_person: dict[str, list[str]] = defaultdict(list)
    with truth_path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["source_id"] in link:
                by_person[row["person"]].append(row["source_id"])
    true_pairs = sum(len(v) * (len(v) - 1) // 2 for v in by_person.values())
    predicted = sum(len(v) * (len(v) - 1) // 2 for v in by_customer.values())
    person_of = {sid: p for p, sids in by_person.items() for sid in sids}
    tp = 0
    for sids in by_customer.values():
        counts: dict[str, int] = defaultdict(int)
        for sid in sids:
            counts[person_of.get(sid, sid)] += 1
        tp += sum(n * (n - 1) // 2 for n in counts.values())
    return {
        "largest_cluster": max(len(v) for v in by_customer.values()),
        "largest_true_cluster": max(len(v) for v in by_person.values()),
        "pairwise_precision": round(tp / predicted, 5) if predicted else 1.0,
        "pairwise_recall": round(tp / true_pairs, 5) if true_pairs else 1.0,
    }


def run_match(args: argparse.Namespace) -> None:
    source = Path(args.store)
    if not source.exists():
        sys.exit(f"{source} does not exist (the 1M demo store is built by bench/demo_load.py)")
    OUT.mkdir(parents=True, exist_ok=True)
    copy = OUT / "match-1m.sqlite"
    if not copy.exists() or args.fresh_copy:
        t0 = time.perf_counter()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(source, copy)
        for suffix in ("-wal",):
            if Path(f"{source}{suffix}").exists():
                shutil.copyfile(f"{source}{suffix}", f"{copy}{suffix}")
        print(f"copied the store in {time.perf_counter() - t0:.0f}s")
    url = f"sqlite:///{copy}"
    engine = store_db.make_engine(url)
    store_db.upgrade(engine)
    # Stores migrated while slot 0004 was still being filled lack its last table.
    table_of(NameFrequency).create(engine, checkfirst=True)
    engine.dispose()
    store = store_db.open_store(url)
    t0 = time.perf_counter()
    indexed = index_unindexed_customers(store)
    print(f"indexed {indexed:,} customers the store made itself in {time.perf_counter() - t0:.0f}s")
    rng = random.Random(args.seed)
    with store.sessions.begin() as session:
        total = session.execute(select(Customer.id).order_by(Customer.id.desc()).limit(1)).scalar()
        assert total
        picks = [rng.randint(1, total) for _ in range(args.runs)]
        people = []
        for cid in picks:
            c = session.get(Customer, cid)
            if c is None or not c.family_name:
                continue
            phone = session.execute(
                select(ContactPoint.value)
                .where(ContactPoint.customer_id == cid, ContactPoint.kind == "phone")
                .limit(1)
            ).scalar()
            fields = {"given_name": c.given_name or "", "family_name": c.family_name}
            roll = rng.random()
            if roll < 0.3 and phone:
                fields["phone"] = phone.replace(" ", "")
            elif roll < 0.6 and c.birth_date:
                fields["birth_date"] = c.birth_date.isoformat()
                if rng.random() < 0.3 and len(fields["given_name"]) > 4:
                    g = fields["given_name"]
                    fields["given_name"] = g[:2] + g[3] + g[2] + g[4:]  # a typo
            elif roll < 0.8:
                fields["given_name"] = rng.choice(("Zoe", "Quirin", "Ylva"))  # a stranger
                fields["family_name"] = rng.choice(("Quast", "Yilmazer", "Zwiebel"))
            people.append(person_from_fields(fields, today=TODAY))
        shared = SharedValues.load(session)
    timings: list[float] = []
    decisions: dict[str, int] = defaultdict(int)
    with store.sessions.begin() as session:
        for record in people[: args.warmup]:
            match_person(session, record, shared=shared)
    for record in people:
        with store.sessions.begin() as session:
            t = time.perf_counter()
            result = match_person(session, record, shared=shared)
            timings.append((time.perf_counter() - t) * 1000)
        decisions[result.decision] += 1
    timings.sort()
    p99 = timings[int(len(timings) * 0.99) - 1]
    result_json = {
        "customers": total,
        "runs": len(timings),
        "median_ms": round(statistics.median(timings), 2),
        "p99_ms": round(p99, 2),
        "max_ms": round(timings[-1], 2),
        "decisions": dict(decisions),
    }
    print(json.dumps(result_json, indent=2))
    (OUT / "match.json").write_text(json.dumps(result_json, indent=2))
    store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import")
    imp.add_argument("--records", type=int, default=1_000_000)
    imp.add_argument("--seed", type=int, default=3)
    imp.add_argument("--url", default="")
    imp.add_argument("--batch-size", type=int, default=5000)
    imp.add_argument("--verbose", action="store_true")
    gen = sub.add_parser("generate")
    gen.add_argument("--records", type=int, default=1_000_000)
    gen.add_argument("--seed", type=int, default=3)
    match = sub.add_parser("match")
    match.add_argument("--store", default="var/bench/demo-1m.sqlite")
    match.add_argument("--runs", type=int, default=2000)
    match.add_argument("--warmup", type=int, default=100)
    match.add_argument("--seed", type=int, default=5)
    match.add_argument("--fresh-copy", action="store_true")
    args = parser.parse_args()
    if args.command == "generate":
        OUT.mkdir(parents=True, exist_ok=True)
        generate(
            OUT / f"people-{args.records}-seed-{args.seed}.csv",
            OUT / f"people-{args.records}-seed-{args.seed}.truth.csv",
            args.records,
            args.seed,
        )
    elif args.command == "import":
        run_import(args)
    else:
        run_match(args)


if __name__ == "__main__":
    main()
