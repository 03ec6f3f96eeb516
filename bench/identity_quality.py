"""Identity-resolution quality: pairwise precision, recall and F1 against generated truth.

    .venv/bin/python bench/identity_quality.py --people 20000 --seed 11
    .venv/bin/python bench/identity_quality.py --people 20000 --seed 11 12 13 14 15 16 17 18 19 20

Generates a dealer's exports with known truth (people duplicated across the CRM, the DMS and
walk-in leads with typos, nicknames, moved addresses, new phones, missing fields, transposed
birth dates, shared family phones, twins, many different people with the most common names,
fleet pool e-mails shared by many), imports them through the product's import path at its
default thresholds into a fresh SQLite store, exports the links and scores every pair of
person records: a pair is predicted when both records became the same customer, and true
when both describe the same person. Next to the scores stands the evidence ceiling: the
share of true pairs that any evidence beyond a name ties together (``Profile.confirmed``
sets how many records the counter keeps tied); no matcher's recall can exceed it without
merging on names alone. Writes only under var/.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from knowledge import db as store_db
from knowledge.identity import export_links, import_file
from knowledge.identity.compare import compare
from knowledge.identity.demo_sources import (
    Profile,
    World,
    ensure_demo_dealers,
    iter_truth,
    render,
    write_exports,
)
from knowledge.identity.importer import parse_batch
from knowledge.identity.mapping import load_mapping
from knowledge.identity.readers import read_rows
from knowledge.identity.records import MatchView
from knowledge.identity.rows import RowParser
from knowledge.models import Dealer

IMPORT_ORDER = ("crm-marketing", "dms-service", "generic-people", "recall-campaigns")


def pairs_of(groups: dict[object, list[tuple[str, str]]]) -> set[tuple[tuple[str, str], ...]]:
    out: set[tuple[tuple[str, str], ...]] = set()
    for members in groups.values():
        for a, b in combinations(sorted(members), 2):
            out.add((a, b))
    return out


def score(links: dict[tuple[str, str], int], truth: dict[tuple[str, str], int]) -> dict[str, float]:
    by_customer: dict[object, list[tuple[str, str]]] = defaultdict(list)
    by_person: dict[object, list[tuple[str, str]]] = defaultdict(list)
    for record, person in truth.items():
        by_person[person].append(record)
        by_customer[links[record]].append(record)
    predicted, true = pairs_of(by_customer), pairs_of(by_person)
    tp = len(predicted & true)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(true) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    largest_cluster = max(len(v) for v in by_customer.values())
    largest_true = max(len(v) for v in by_person.values())
    return {
        "records": len(truth),
        "people": len(by_person),
        "customers": len(by_customer),
        "true_pairs": len(true),
        "predicted_pairs": len(predicted),
        "true_positives": tp,
        "precision": round(precision, 5),
        "recall": round(recall, 5),
        "f1": round(f1, 5),
        "largest_cluster": largest_cluster,
        "largest_true_cluster": largest_true,
        "_false": sorted(predicted - true)[:20],  # type: ignore[dict-item]
        "_missed": sorted(true - predicted)[:20],  # type: ignore[dict-item]
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument(
        "--seed", type=int, nargs="+", default=[11], help="One world per seed; several: a summary."
    )
    parser.add_argument("--out", type=Path, default=Path("var/bench/identity-quality"))
    parser.add_argument(
        "--url", default="", help="Store URL (default: a fresh SQLite file under --out)."
    )
    parser.add_argument(
        "--show", type=int, default=0, help="Print this many wrong and missed pairs."
    )
    args = parser.parse_args()
    results = {seed: run(args, seed) for seed in args.seed}
    if len(results) > 1:
        print("\nseed  precision  recall   f1       ceiling")
        for seed, r in results.items():
            print(f"{seed:<5} {r['precision']:.5f}    {r['recall']:.5f}  {r['f1']:.5f}  "
                  f"{r['evidence_ceiling']:.5f}")  # fmt: skip
        for name in ("precision", "recall", "f1"):
            values = [float(r[name]) for r in results.values()]
            print(f"{name}: median {statistics.median(values):.5f}  min {min(values):.5f}  "
                  f"max {max(values):.5f}")  # fmt: skip


def run(args: argparse.Namespace, seed: int) -> dict[str, float]:
    today = dt.date(2026, 11, 23)
    folder = args.out / f"people-{args.people}-seed-{seed}"
    t0 = time.perf_counter()
    world = World(args.people, seed, today, Profile())
    exports = render(world, seed)
    paths = write_exports(folder, exports)
    print(f"generated {args.people:,} people → {len(exports.truth):,} person records in "
          f"{time.perf_counter() - t0:.1f}s ({folder})")  # fmt: skip

    url = args.url
    if not url:
        db_path = folder / "store.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{db_path}"
    engine = store_db.make_engine(url)
    store_db.upgrade(engine)
    engine.dispose()
    store = store_db.open_store(url)
    with store.sessions.begin() as session:
        ensure_demo_dealers(session)
    for source in IMPORT_ORDER:
        t1 = time.perf_counter()
        report = import_file(store, source, paths[source], actor="bench", today=today)
        print(f"  {source:17} {report.rows_total:>8,} rows  created {report.created:>7,}  "
              f"merged {report.merged:>7,}  reviews {report.reviewed:>6,}  rejected "
              f"{report.rejected:>5,}  {time.perf_counter() - t1:6.1f}s")  # fmt: skip
    links_path = folder / "links.csv"
    with store.sessions.begin() as session, links_path.open("w", encoding="utf-8") as fh:
        export_links(session, fh)

    links: dict[tuple[str, str], int] = {}
    with links_path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            links[(row["source"], row["source_id"])] = int(row["customer_id"])
    truth = {(s, i): p for s, i, p in iter_truth(paths["truth"])}
    missing = [r for r in truth if r not in links]
    if missing:
        print(f"!! {len(missing)} truth records were not imported, e.g. {missing[:3]}")
        for r in missing:
            links[r] = -hash(r)
    result = score(links, truth)
    with store.sessions() as session:
        dealers = {code: id_ for code, id_ in session.execute(select(Dealer.code, Dealer.id))}
    result["evidence_ceiling"] = evidence_ceiling(paths, truth, dealers, today)
    false, missed = result.pop("_false"), result.pop("_missed")
    store.dispose()
    print(json.dumps(result, indent=2))
    if args.show:
        records = _records(paths)
        print("\nwrongly joined pairs:")
        for a, b in list(false)[: args.show]:  # type: ignore[call-overload]
            print(f"  {records.get(a)}\n  {records.get(b)}\n")
        print("missed pairs:")
        for a, b in list(missed)[: args.show]:  # type: ignore[call-overload]
            print(f"  {records.get(a)}\n  {records.get(b)}\n")
    (args.out / "last-result.json").write_text(json.dumps(result, indent=2))
    counts = Counter(s for s, _ in truth)
    print("records per source:", dict(counts))
    return result


def evidence_ceiling(
    paths: dict[str, Path],
    truth: dict[tuple[str, str], int],
    dealers: dict[str, int],
    today: dt.date,
) -> float:
    """The recall no matcher could beat on this data: the share of true pairs whose records
    are tied by evidence — a pair sharing an identifier beyond the name (birth date, own
    phone or e-mail, the household) without a conflict, directly or through other records
    of the same person. The rest share nothing but a name."""
    views: dict[tuple[str, str], MatchView] = {}
    for source in IMPORT_ORDER:
        mapping = load_mapping(source)
        rows = list(read_rows(paths[source], mapping))
        parser = RowParser(mapping, today=today, dealers=dealers)
        for inp in parse_batch(rows, parser).people if rows else ():
            views[(source, inp.record.source_id)] = inp.record.view()
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def root(r: tuple[str, str]) -> tuple[str, str]:
        while parent.setdefault(r, r) != r:
            parent[r] = parent[parent[r]]
            r = parent[r]
        return r

    by_person: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for record, person in truth.items():
        by_person[person].append(record)
    for records in by_person.values():
        for a, b in combinations([r for r in records if r in views], 2):
            pair = compare(views[a], views[b])
            if pair.hard_identifiers and not pair.conflicts:
                parent[root(a)] = root(b)
    tied = total = 0
    for records in by_person.values():
        for a, b in combinations(records, 2):
            total += 1
            tied += a in views and b in views and root(a) == root(b)
    return round(tied / total, 5) if total else 1.0


def _records(paths: dict[str, Path]) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    with paths["crm-marketing"].open(encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            out[("crm-marketing", d["contact_id"])] = (
                f"CRM {d['first_name']} {d['last_name']} b={d['birthday']} "
                f"e={d['email']['private']} m={d['phone']['mobile']} h={d['phone']['home']} "
                f"a={(d['address'] or {}).get('street')},{(d['address'] or {}).get('zip')}"
            )
    with paths["dms-service"].open(encoding="utf-8") as fh:
        for d in csv.DictReader(fh, delimiter=";"):
            out[("dms-service", d["OWNER_NO"])] = (
                f"DMS {d['OWNER_NAME']} b={d['BIRTH_DATE']} e={d['EMAIL']} m={d['MOBILE']} "
                f"p={d['PHONE']} a={d['STREET']},{d['ZIP']}"
            )
    with paths["generic-people"].open(encoding="utf-8") as fh:
        for d in csv.DictReader(fh):
            out[("generic-people", d["source_id"])] = (
                f"LEAD {d['given_name']} {d['family_name']} b={d['birth_date']} e={d['email']} "
                f"m={d['phone']} a={d['street']},{d['postcode']}"
            )
    return out


if __name__ == "__main__":
    main()
