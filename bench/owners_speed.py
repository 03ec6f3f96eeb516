"""Owners of a recall campaign on a big store: page and CSV timings, CSV checked by plain SQL.

    .venv/bin/python bench/owners_speed.py [--url URL] [--pg-url URL] [--recall CODE] [--runs N]

For each campaign (all of them, or the one given): the first page (count, do-not-contact
count, 50 rows) timed over several runs, then the full CSV export timed once, and the CSV's
row count compared with a plain SQL count of the same condition written here by hand. The
audit entries the queries write are rolled back, so the benchmark store is left as it was.
Target: an owners query for one recall campaign on 1,000,000 customers in ≤ 1 s (the page,
with its total and do-not-contact count), and a CSV whose rows equal the plain SQL count;
the full export's time is reported beside it.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import inspect, text

from knowledge import db
from knowledge.access import Viewer
from knowledge.db import Store
from knowledge.errors import SchemaMismatch
from knowledge.owners import OwnersQuery, export_owners_csv, owners_page

TODAY = dt.date(2026, 11, 23)
VIEWER = Viewer(actor="bench:owners_speed", role="call_center", channel="bench")
TARGET_S = 1.0

# The condition, spelled out independently of knowledge.owners: current holders of vehicles
# with this campaign open, customers who may be contacted.
PLAIN_COUNT = text(
    """
    SELECT count(*)
    FROM ownership o
    JOIN vehicle_recall vr ON vr.vehicle_id = o.vehicle_id AND vr.status = 'open'
    JOIN recall_campaign rc ON rc.id = vr.campaign_id AND rc.code = :code
    JOIN customer c ON c.id = o.customer_id
    WHERE o.since <= :today AND (o.until IS NULL OR o.until >= :today)
      AND c.do_not_contact = :dnc
    """
)


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


def measure(url: str, codes: list[str] | None, runs: int, out_dir: Path) -> list[dict[str, Any]]:
    store, note = open_bench_store(url)
    if note:
        print(f"note: {db.safe_url(url)}: {note}")
    results = []
    with store.engine.connect() as conn:
        all_codes = [
            r[0] for r in conn.execute(text("SELECT code FROM recall_campaign ORDER BY code"))
        ]
    for code in codes or all_codes:
        query = OwnersQuery(recall=code)
        page_ms = []
        total = excluded = 0
        for _ in range(runs):
            with store.sessions() as session:
                start = time.perf_counter()
                page = owners_page(session, query, viewer=VIEWER, today=TODAY)
                page_ms.append((time.perf_counter() - start) * 1000)
                total, excluded = page.total, page.excluded_do_not_contact
                session.rollback()
        target = out_dir / f"owners-{code}-{url.split(':')[0]}.csv"
        with store.sessions() as session:
            start = time.perf_counter()
            written = export_owners_csv(session, query, target, viewer=VIEWER, today=TODAY)
            export_s = time.perf_counter() - start
            session.rollback()
        with target.open(encoding="utf-8", newline="") as fh:
            csv_rows = sum(1 for _ in csv.reader(fh)) - 1
        with store.engine.connect() as conn:
            plain = conn.execute(PLAIN_COUNT, {"code": code, "today": TODAY, "dnc": False}).scalar()
            plain_dnc = conn.execute(
                PLAIN_COUNT, {"code": code, "today": TODAY, "dnc": True}
            ).scalar()
        results.append(
            {
                "code": code,
                "total": total,
                "excluded_do_not_contact": excluded,
                "page_p50_ms": statistics.median(page_ms),
                "page_max_ms": max(page_ms),
                "export_s": export_s,
                "csv_rows": csv_rows,
                "written": written,
                "plain_sql_count": plain,
                "plain_sql_dnc": plain_dnc,
                "csv_matches": csv_rows == written == plain == total and excluded == plain_dnc,
            }
        )
    store.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="sqlite:///var/bench/demo-1m.sqlite")
    parser.add_argument("--pg-url", default=None)
    parser.add_argument("--recall", action="append", help="campaign code (repeatable)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("var/lookup/owners_speed.json"))
    args = parser.parse_args()
    out_dir = args.out.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {}
    ok = True
    for url in [args.url] + ([args.pg_url] if args.pg_url else []):
        rows = measure(url, args.recall, args.runs, out_dir)
        report[db.safe_url(url)] = rows
        print(f"owners by recall campaign on {db.safe_url(url)}")
        print(
            f"{'campaign':9} {'owners':>8} {'dnc':>6} {'page p50':>9} {'page max':>9} "
            f"{'CSV s':>7} {'CSV rows':>9} {'plain SQL':>10}  check"
        )
        for r in rows:
            good = r["csv_matches"] and r["page_max_ms"] <= TARGET_S * 1000
            ok &= good
            print(
                f"{r['code']:9} {r['total']:>8,} {r['excluded_do_not_contact']:>6,} "
                f"{r['page_p50_ms']:>7.0f}ms {r['page_max_ms']:>7.0f}ms {r['export_s']:>7.2f} "
                f"{r['csv_rows']:>9,} {r['plain_sql_count']:>10,}  {'PASS' if good else 'FAIL'}"
            )
    args.out.write_text(json.dumps(report, indent=2))
    print(
        f"target: the owners query (a page with its totals) ≤ {TARGET_S:g} s, and the CSV's rows "
        f"= the plain SQL count; CSV export time reported · report: {args.out}"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
