"""Lookup speed on a big demo store, in-process: identifiers, names, the full card, memory.

    .venv/bin/python bench/lookup_speed.py [--url URL] [--pg-url URL] [--queries N]

Queries are drawn (seeded) from the store itself: phones in other formats, e-mails, VINs and
their tails, plates, RO numbers; names as typed (exact, swapped, a typo, a nickname, the
family name alone). Each lookup runs the way a request does: its own session, ``search``,
and for a clear match the card (profile, masking, audit entry — rolled back here so the
benchmark store is left as it was). A warm-up pass precedes the timed one; the machine is
shared, so median and p99 over many queries are what count.

Targets (SQLite, 1,000,000 customers): identifiers p50 ≤ 2 ms, p99 ≤ 10 ms; names p50 ≤
10 ms, p99 ≤ 30 ms; card p99 ≤ 25 ms; process RSS ≤ 300 MB. With ``--pg-url`` the same
queries run on PostgreSQL and both are reported side by side. Writes var/lookup/speed.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import random
import resource
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil
from sqlalchemy import inspect, select, text

from knowledge import db
from knowledge.access import Viewer
from knowledge.card import build_card
from knowledge.db import Store
from knowledge.demo import catalog
from knowledge.errors import SchemaMismatch
from knowledge.lookup import search
from knowledge.models import ContactPoint, Customer, Ownership, ServiceVisit, Vehicle

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
VIEWER = Viewer(actor="bench:lookup_speed", role="call_center", channel="bench")
TARGETS = {
    "identifier": (2.0, 10.0),
    "name": (10.0, 30.0),
    "card": (None, 25.0),
}


@dataclass(frozen=True)
class Q:
    group: str  # identifier | name
    kind: str
    text: str


def open_bench_store(url: str) -> tuple[Store, str | None]:
    """The store at ``url``, and a note when its schema is older than this code's head.

    Benchmarks only read (their audit entries are rolled back), so a store built by another
    process at an older revision that already has the lookup tables (0002 on) is measured
    as it is, never upgraded.
    """
    try:
        return db.open_store(url), None
    except SchemaMismatch:
        store = db.open_store(url, check=False)
        if "customer_search_key" not in inspect(store.engine).get_table_names():
            store.dispose()
            raise
        revision = db.current_revision(store.engine)
        return store, f"schema {revision} (code head {db.head_revision()}), read only"


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    return rng.choice(
        (
            word[:i] + word[i + 1 :],
            word[:i] + word[i] + word[i:],
            word[:i] + word[i + 1] + word[i] + word[i + 2 :],
        )
    )


def make_queries(url: str, per_kind: int, seed: int) -> list[Q]:
    """Queries drawn from the store (read once; the same list runs on every backend)."""
    rng = random.Random(seed)
    store, _note = open_bench_store(url)
    out: list[Q] = []
    with store.sessions() as s:
        max_id = int(s.scalar(select(Customer.id).order_by(Customer.id.desc()).limit(1)) or 0)
        ids = [rng.randint(1, max_id) for _ in range(per_kind * 3)]
        people = {
            r[0]: r
            for r in s.execute(
                select(
                    Customer.id,
                    Customer.kind,
                    Customer.given_name,
                    Customer.family_name,
                    Customer.salutation,
                ).where(Customer.id.in_(ids))
            )
        }
        phones = dict(
            s.execute(
                select(ContactPoint.customer_id, ContactPoint.normalized).where(
                    ContactPoint.customer_id.in_(ids), ContactPoint.kind == "phone"
                )
            ).all()
        )
        emails = dict(
            s.execute(
                select(ContactPoint.customer_id, ContactPoint.normalized).where(
                    ContactPoint.customer_id.in_(ids), ContactPoint.kind == "email"
                )
            ).all()
        )
        cars = s.execute(
            select(Ownership.customer_id, Vehicle.vin, Vehicle.plate)
            .join(Vehicle, Vehicle.id == Ownership.vehicle_id)
            .where(Ownership.customer_id.in_(ids), Ownership.until.is_(None))
        ).all()
        ros = [
            r[0]
            for r in s.execute(
                select(ServiceVisit.ro_number)
                .where(ServiceVisit.customer_id.in_(ids))
                .limit(per_kind)
            )
        ]
    store.dispose()
    for _cid, e164 in list(phones.items())[:per_kind]:
        nsn = e164[3:] if e164.startswith("+49") else None
        typed = (
            rng.choice(
                (
                    f"0{nsn[:3]} {nsn[3:]}",
                    f"+49 {nsn[:3]} {nsn[3:]}",
                    f"(0{nsn[:3]}) {nsn[3:6]}-{nsn[6:]}",
                    f"0049{nsn}",
                )
            )
            if nsn
            else e164
        )
        out.append(Q("identifier", "phone", typed))
    out += [Q("identifier", "email", e.upper()) for e in list(emails.values())[:per_kind]]
    for _cid, vin, plate in cars[:per_kind]:
        out.append(Q("identifier", "vin", vin))
        out.append(Q("identifier", "vin_tail", vin[-rng.choice((7, 8)) :]))
        if plate:
            out.append(Q("identifier", "plate", plate.lower().replace(" ", "")))
    out += [Q("identifier", "ro", ro) for ro in ros]
    persons = [p for p in people.values() if p[1] == "person" and p[2] and p[3]][:per_kind]
    for _cid, _k, given_name, family_name, salutation in persons:
        given, family = str(given_name), str(family_name)
        out.append(Q("name", "name", f"{given} {family}"))
        out.append(Q("name", "swapped", f"{family}, {given}"))
        out.append(Q("name", "typo", f"{given} {_typo(family, rng)}"))
        nick = catalog.NICKNAMES.get(given)
        if nick:
            out.append(Q("name", "nickname", f"{rng.choice(nick)} {family}"))
        out.append(Q("name", "family_only", f"{salutation or ''} {family}".strip()))
    rng.shuffle(out)
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(url: str, queries: list[Q], warmup: int) -> dict[str, Any]:
    store, note = open_bench_store(url)
    times: dict[str, list[float]] = {"identifier": [], "name": [], "card": []}
    by_kind: dict[str, list[float]] = {}
    statuses: dict[str, int] = {}
    for phase, batch in (("warmup", queries[:warmup]), ("timed", queries)):
        for q in batch:
            session = store.sessions()
            try:
                start = time.perf_counter()
                result = search(session, q.text, today=TODAY)
                found = time.perf_counter()
                if result.match is not None:
                    build_card(session, result.match.customer_id, viewer=VIEWER, now=NOW)
                done = time.perf_counter()
            finally:
                session.rollback()  # the card's audit entry: leave the store as it was
                session.close()
            if phase == "warmup":
                continue
            ms = (found - start) * 1000
            times[q.group].append(ms)
            by_kind.setdefault(q.kind, []).append(ms)
            statuses[result.status] = statuses.get(result.status, 0) + 1
            if result.match is not None:
                times["card"].append((done - found) * 1000)
    rss = psutil.Process().memory_info().rss / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with store.engine.connect() as conn:
        customers = conn.scalar(text("SELECT count(*) FROM customer"))
    store.dispose()
    return {
        "url": db.safe_url(url),
        "schema_note": note,
        "customers": customers,
        "groups": {
            g: {"n": len(v), "p50": statistics.median(v), "p99": pct(v, 0.99), "max": max(v)}
            for g, v in times.items()
            if v
        },
        "kinds": {
            k: {"n": len(v), "p50": statistics.median(v), "p99": pct(v, 0.99)}
            for k, v in sorted(by_kind.items())
        },
        "statuses": statuses,
        "rss_mb": rss,
        "peak_rss_mb": peak,
    }


def show(results: list[dict[str, Any]]) -> bool:
    ok = True
    names = [r["url"].split("://")[0].split("+")[0] for r in results]
    print(f"{'':22}" + "".join(f"{n:>24}" for n in names))
    print(f"{'customers':22}" + "".join(f"{r['customers']:>24,}" for r in results))
    for group in ("identifier", "name", "card"):
        cells = []
        for r in results:
            g = r["groups"].get(group)
            cells.append(f"p50 {g['p50']:6.2f}  p99 {g['p99']:6.2f}" if g else "-")
        print(f"{group + ' (ms)':22}" + "".join(f"{c:>24}" for c in cells))
    for kind in results[0]["kinds"]:
        cells = [
            f"p50 {r['kinds'][kind]['p50']:6.2f}  p99 {r['kinds'][kind]['p99']:6.2f}"
            for r in results
            if kind in r["kinds"]
        ]
        print(f"{'  ' + kind:22}" + "".join(f"{c:>24}" for c in cells))
    print(
        f"{'queries':22}"
        + "".join(
            f"{sum(g['n'] for k, g in r['groups'].items() if k != 'card'):>24}" for r in results
        )
    )
    print(
        f"{'statuses':22}"
        + "".join(
            f"{' '.join(f'{k}={v}' for k, v in sorted(r['statuses'].items())):>24}" for r in results
        )
    )
    print(
        f"{'RSS now / peak (MB)':22}"
        + "".join(f"{r['rss_mb']:>13.0f} / {r['peak_rss_mb']:<8.0f}" for r in results)
    )
    for r in results:
        if r["schema_note"]:
            print(f"  note: {r['url']}: {r['schema_note']}")
    first = results[0]
    if first["url"].startswith("sqlite"):
        for group, (p50, p99) in TARGETS.items():
            g = first["groups"].get(group)
            if g is None:
                continue
            good = (p50 is None or g["p50"] <= p50) and g["p99"] <= p99
            ok &= good
            want = f"p50 ≤ {p50} ms, " if p50 else ""
            print(f"  {'PASS' if good else 'FAIL'}  sqlite {group}: {want}p99 ≤ {p99} ms")
        good = first["peak_rss_mb"] <= 300
        ok &= good
        print(f"  {'PASS' if good else 'FAIL'}  sqlite peak RSS ≤ 300 MB")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="sqlite:///var/bench/demo-1m.sqlite")
    parser.add_argument("--pg-url", default=None, help="also run on this PostgreSQL store")
    parser.add_argument("--queries", type=int, default=300, help="queries per kind (about)")
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("var/lookup/speed.json"))
    args = parser.parse_args()
    queries = make_queries(args.url, args.queries, args.seed)
    gc.collect()
    results = [run(args.url, queries, args.warmup)]
    if args.pg_url:
        results.append(run(args.pg_url, queries, args.warmup))
    ok = show(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(f"report: {args.out}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
