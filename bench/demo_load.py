"""Generate and load N demo customers into a fresh store; print time, peak memory and size.

    .venv/bin/python bench/demo_load.py --customers 100000 --sqlite var/bench/demo-100k.sqlite
    .venv/bin/python bench/demo_load.py --customers 1000000 --sqlite var/bench/demo-1m.sqlite
    .venv/bin/python bench/demo_load.py --customers 1000000 \
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/concierge_bench

The target database is created from nothing (an existing file or database of that name is
replaced). The clock is fixed (``--now``) so every run builds the same store.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge import db as store_db
from knowledge.demo import load_demo
from knowledge.summary import store_summary

DEFAULT_NOW = "2026-11-23T10:00:00+00:00"


def fresh_sqlite(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def fresh_postgres(url: str) -> str:
    target = make_url(url)
    admin = store_db.make_engine(
        target.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    return url


def size_of(url: str) -> int:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database
        return sum(
            Path(f"{parsed.database}{s}").stat().st_size
            for s in ("", "-wal")
            if Path(f"{parsed.database}{s}").exists()
        )
    engine = store_db.make_engine(url)
    with engine.connect() as conn:
        size = int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
    engine.dispose()
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--now", default=DEFAULT_NOW)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--sqlite", type=Path)
    where.add_argument("--postgres")
    parser.add_argument("--json-out", type=Path, help="Also write the figures here.")
    args = parser.parse_args()

    url = fresh_sqlite(args.sqlite) if args.sqlite else fresh_postgres(args.postgres)
    engine = store_db.make_engine(url)
    store_db.upgrade(engine)
    engine.dispose()
    store = store_db.open_store(url)
    started = time.perf_counter()
    last = [started, 0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] >= 15 or done == total:
            rate = (done - last[1]) / max(now - last[0], 1e-9)
            print(f"  {done:>9,}/{total:,} customers  {rate:,.0f}/s", flush=True)
            last[0], last[1] = now, done

    phases: dict[str, float] = {}

    def phase(name: str) -> None:
        phases[name] = round(time.perf_counter() - started - sum(phases.values()), 1)
        print(f"  {name}: {phases[name]}s", flush=True)

    load_demo(
        store,
        customers=args.customers,
        seed=args.seed,
        now=dt.datetime.fromisoformat(args.now),
        progress=progress,
        phase=phase,
    )
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    summary = store_summary(store)
    store.dispose()
    figures = {
        "backend": make_url(url).get_backend_name(),
        "customers": args.customers,
        "seconds": round(elapsed, 1),
        "customers_per_second": round(args.customers / elapsed),
        "peak_rss_mb": round(peak_mb),
        "database_mb": round(size_of(url) / 1e6),
        "vehicles": summary.vehicles,
        "visits": summary.visits,
        "phase_seconds": phases,
        "load_average_1m": round(os.getloadavg()[0], 1),
    }
    print(json.dumps(figures))
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
