"""The trainers' report over one year of suggestions for a 50-rooftop dealer group.

Generates a fresh store — by default ≈ 5 million suggestions (touches of the real
playbook under three playbook versions, a realistic mix of done / skipped with reasons /
not applicable / no outcome), the visits behind them, surveys on a share of the visits and
some trainers' ratings — into a SQLite file under var/bench/ and a PostgreSQL database that
the script creates and drops. Then times the report (median and p99 of several runs) for
the whole group, one rooftop and one advisor, and the group with two versions compared.

    .venv/bin/python bench/report_speed.py                       # both backends, 5M
    .venv/bin/python bench/report_speed.py --suggestions 500000 --runs 3
    .venv/bin/python bench/report_speed.py --only sqlite --reuse  # time an existing file
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Table, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge import db as store_db
from knowledge.access import operator
from knowledge.bulk import prepare, reset_sequences, write
from knowledge.models import Base, TouchSuggestion
from knowledge.reports import build_report, parse_period, resolve_scope
from knowledge.reports.render import to_csv, to_html, to_json
from knowledge.touches.schema import load_playbook

DEFAULT_SQLITE = Path("var/bench/report-speed.sqlite")
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/concierge_bench_report"
TODAY = dt.date(2026, 11, 23)
ZONE = ZoneInfo("Europe/Berlin")
STORES = 50
ADVISORS_PER_STORE = 12
AGENTS_PER_STORE = 2
# Three playbook versions over the year, as trainers change it.
VERSIONS = (
    ("3f1c2a9b7d10", "2026.03", dt.date(2025, 11, 24)),
    ("8b2e47c0a5d3", "2026.07", dt.date(2026, 7, 6)),
    ("c7d91e6f2b48", "2026.11", dt.date(2026, 11, 2)),
)
SKIP_REASONS = (
    ("customer in a hurry", 30),
    ("customer on the phone", 14),
    ("lounge full", 6),
    ("no time at the counter", 18),
    ("customer declined", 22),
    ("already done by a colleague", 8),
    ("did not fit the situation", 5),
)
DRINKS = ("flat white", "espresso", "green tea", "sparkling water", "oat latte", "cola zero")
SURVEY_SHARE = 0.25
CHUNK = 200_000


# --- generation -----------------------------------------------------------------------------


def fresh_sqlite(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _admin(url: str) -> Any:
    target = make_url(url)
    return store_db.make_engine(
        target.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )


def fresh_postgres(url: str) -> str:
    admin = _admin(url)
    name = make_url(url).database
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url


def drop_postgres(url: str) -> None:
    admin = _admin(url)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def _utc(day: dt.date, minutes: int) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(), ZONE) + dt.timedelta(minutes=minutes)
    return local.astimezone(dt.UTC)


class Generator:
    """Deterministic rows for the bench store, day by day."""

    def __init__(self, suggestions: int, seed: int) -> None:
        self.rng = random.Random(seed)
        playbook = load_playbook()
        self.touches = [t for t in playbook.touches]
        # Each touch has its own habits: how often staff do it, skip it or find it unfit.
        self.habits = {
            t.id: (
                self.rng.uniform(0.25, 0.75),
                self.rng.uniform(0.05, 0.25),
                self.rng.uniform(0.02, 0.12),
            )
            for t in self.touches
        }
        # Touches added later (the last few of the playbook) only exist in later versions.
        late = [t.id for t in self.touches[-4:]]
        self.version_touches = [
            [t for t in self.touches if t.id not in late],
            [t for t in self.touches if t.id not in late[:2]],
            list(self.touches),
        ]
        self.days = [TODAY - dt.timedelta(days=i) for i in range(364, -1, -1)]
        self.working = [d for d in self.days if d.weekday() < 6]
        self.per_store_day = suggestions / (STORES * len(self.working))
        self.ids = {"customer": 0, "vehicle": 0, "service_visit": 0, "survey": 0, "ts": 0}
        self.advisors: dict[int, list[int]] = {}
        self.agents: dict[int, list[int]] = {}
        self.trainers: list[int] = []

    def org(self) -> dict[str, list[dict[str, Any]]]:
        created = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        rows: dict[str, list[dict[str, Any]]] = {
            "dealer_group": [],
            "dealer": [],
            "staff_member": [],
        }
        rows["dealer_group"].append({"id": 1, "name": "Nordlicht Automobile Gruppe"})
        staff_id = 0
        for d in range(1, STORES + 1):
            rows["dealer"].append(
                {
                    "id": d,
                    "group_id": 1,
                    "code": f"NL{d:02d}",
                    "name": f"Nordlicht Rooftop {d:02d}",
                    "city": "Hamburg",
                    "country": "DE",
                    "timezone": "Europe/Berlin",
                    "main_phone": None,
                    "brands": "BMW,MINI",
                }
            )
            for role, count, bucket in (
                ("advisor", ADVISORS_PER_STORE, self.advisors),
                ("call_center", AGENTS_PER_STORE, self.agents),
                ("trainer", 1, None),
            ):
                for _ in range(count):
                    staff_id += 1
                    rows["staff_member"].append(
                        {
                            "id": staff_id,
                            "dealer_id": d,
                            "slack_team_id": "T0BENCH",
                            "slack_user_id": f"U{staff_id:07d}",
                            "display_name": f"{role.replace('_', ' ').title()} {staff_id}",
                            "role": role,
                            "active": True,
                            "created_at": created,
                        }
                    )
                    if bucket is not None:
                        bucket.setdefault(d, []).append(staff_id)
                    else:
                        self.trainers.append(staff_id)
        return rows

    def _version(self, day: dt.date) -> int:
        return max(i for i, v in enumerate(VERSIONS) if v[2] <= day)

    def _outcome(self, touch_id: str) -> tuple[str | None, str | None]:
        done, skipped, unfit = self.habits[touch_id]
        r = self.rng.random()
        if r < done:
            return "done", None
        if r < done + skipped:
            reason = self.rng.choices([s for s, _ in SKIP_REASONS], [w for _, w in SKIP_REASONS])[0]
            return "skipped", reason
        if r < done + skipped + unfit:
            return "not_applicable", None
        return None, None

    def _suggestion(
        self,
        touch: Any,
        *,
        customer: int,
        visit: int | None,
        staff: int,
        at: dt.datetime,
        rank: int,
        version: int,
    ) -> dict[str, Any]:
        self.ids["ts"] += 1
        outcome, reason = self._outcome(touch.id)
        occasion = f"visit:{visit}" if visit is not None else f"day:{at.date().isoformat()}"
        facts = {
            "is_waiting": self.rng.random() < 0.4,
            "preferred_drink": self.rng.choice(DRINKS),
            "visit_count": self.rng.randint(1, 30),
            "greeting_name": "Ms. Okafor",
        }
        return {
            "id": self.ids["ts"],
            "touch_id": touch.id,
            "category": touch.category,
            "customer_id": customer,
            "visit_id": visit,
            "occasion": occasion,
            "staff_id": staff,
            "actor": f"slack:T0BENCH/U{staff:07d}",
            "shown_at": at,
            "last_shown_at": at,
            "shown_count": 1,
            "rank": rank,
            "playbook_version": VERSIONS[version][0],
            "playbook_label": VERSIONS[version][1],
            "instruction": touch.instruction.text,
            "reason": touch.reason.text,
            "facts": facts,
            "outcome": outcome,
            "outcome_reason": reason,
            "outcome_at": at + dt.timedelta(minutes=self.rng.randint(1, 90)) if outcome else None,
            "outcome_staff_id": staff if outcome else None,
        }

    def day(self, day: dt.date) -> dict[str, list[dict[str, Any]]]:
        rng = self.rng
        rows: dict[str, list[dict[str, Any]]] = {
            k: [] for k in ("customer", "vehicle", "service_visit", "survey", "touch_suggestion")
        }
        if day.weekday() == 6:
            return rows
        version = self._version(day)
        offered = self.version_touches[version]
        for dealer in range(1, STORES + 1):
            budget = rng.gauss(self.per_store_day, self.per_store_day * 0.08)
            made = 0
            while made < budget:
                self.ids["customer"] += 1
                self.ids["vehicle"] += 1
                customer, vehicle = self.ids["customer"], self.ids["vehicle"]
                opened = _utc(day, rng.randint(7 * 60, 18 * 60 + 30))
                rows["customer"].append(
                    {
                        "id": customer,
                        "kind": "person",
                        "given_name": "Kunde",
                        "family_name": f"Nr {customer}",
                        "marketing_consent": rng.random() < 0.6,
                        "do_not_contact": False,
                        "created_at": opened,
                        "updated_at": opened,
                    }
                )
                rows["vehicle"].append(
                    {
                        "id": vehicle,
                        "vin": f"WBA{vehicle:014d}",
                        "make": "BMW",
                        "model": "3 Series",
                        "created_at": opened,
                    }
                )
                if rng.random() < 0.15:
                    # A call-center agent's call: touches without a visit.
                    agent = rng.choice(self.agents[dealer])
                    for rank, touch in enumerate(rng.sample(offered, rng.randint(1, 2)), 1):
                        rows["touch_suggestion"].append(
                            self._suggestion(
                                touch,
                                customer=customer,
                                visit=None,
                                staff=agent,
                                at=opened,
                                rank=rank,
                                version=version,
                            )
                        )
                        made += 1
                    continue
                self.ids["service_visit"] += 1
                visit = self.ids["service_visit"]
                advisor = rng.choice(self.advisors[dealer])
                rows["service_visit"].append(
                    {
                        "id": visit,
                        "ro_number": f"RO-NL{dealer:02d}-{visit:07d}",
                        "dealer_id": dealer,
                        "customer_id": customer,
                        "vehicle_id": vehicle,
                        "advisor_id": advisor,
                        "status": "closed",
                        "wait_mode": rng.choice(("waiting", "drop_off", "loaner")),
                        "opened_at": opened,
                        "closed_at": opened + dt.timedelta(hours=rng.randint(1, 8)),
                    }
                )
                any_done = False
                for rank, touch in enumerate(rng.sample(offered, rng.randint(2, 4)), 1):
                    row = self._suggestion(
                        touch,
                        customer=customer,
                        visit=visit,
                        staff=advisor,
                        at=opened + dt.timedelta(minutes=rng.randint(0, 20)),
                        rank=rank,
                        version=version,
                    )
                    any_done = any_done or row["outcome"] == "done"
                    rows["touch_suggestion"].append(row)
                    made += 1
                if rng.random() < SURVEY_SHARE:
                    mean = 8.4 if any_done else 7.7
                    score = max(0, min(10, round(rng.gauss(mean, 1.6))))
                    self.ids["survey"] += 1
                    rows["survey"].append(
                        {
                            "id": self.ids["survey"],
                            "visit_id": visit,
                            "score": score,
                            "comment": rng.choice((None, None, "friendly", "took too long")),
                            "surveyed_on": min(TODAY, day + dt.timedelta(days=rng.randint(1, 4))),
                            "source": "survey",
                            "created_at": opened,
                        }
                    )
        return rows

    def ratings(self, count: int) -> list[dict[str, Any]]:
        picked = sorted(self.rng.sample(range(1, self.ids["ts"] + 1), count))
        return [
            {
                "id": i,
                "suggestion_id": sid,
                "staff_id": self.rng.choice(self.trainers),
                "rating": "good" if self.rng.random() < 0.8 else "not_appropriate",
                "comment": self.rng.choice((None, "not while the customer is upset")),
                "rated_at": dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
            }
            for i, sid in enumerate(picked, 1)
        ]


def _chunks(gen: Generator) -> Iterator[dict[str, list[dict[str, Any]]]]:
    pending: dict[str, list[dict[str, Any]]] = {}
    for day in gen.days:
        for table, rows in gen.day(day).items():
            pending.setdefault(table, []).extend(rows)
        if len(pending.get("touch_suggestion", [])) >= CHUNK:
            yield pending
            pending = {}
    if pending:
        yield pending


def _write_rows(conn: Connection, rows: dict[str, list[dict[str, Any]]]) -> None:
    for table in Base.metadata.sorted_tables:
        if rows.get(table.name):
            write(conn, prepare(table, rows[table.name], conn.dialect.name))


def generate(url: str, suggestions: int, seed: int) -> dict[str, Any]:
    engine = store_db.make_engine(url)
    store_db.upgrade(engine)
    started = time.perf_counter()
    gen = Generator(suggestions, seed)
    table: Table = TouchSuggestion.__table__  # type: ignore[assignment]
    # A bulk load writes the rows first and builds the secondary indexes once at the end.
    with engine.begin() as conn:
        for index in table.indexes:
            index.drop(conn)
        _write_rows(conn, gen.org())
    for chunk in _chunks(gen):
        with engine.begin() as conn:
            _write_rows(conn, chunk)
        print(f"  {gen.ids['ts']:>10,} suggestions", flush=True)
    with engine.begin() as conn:
        _write_rows(conn, {"suggestion_rating": gen.ratings(3000)})
        for index in table.indexes:
            index.create(conn)
        reset_sequences(conn)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "suggestions": gen.ids["ts"],
        "visits": gen.ids["service_visit"],
        "surveys": gen.ids["survey"],
    }


# --- timing -------------------------------------------------------------------------------------


def _timed(fn: Any, runs: int) -> tuple[list[float], list[float], Any]:
    """Wall-clock and this process's CPU seconds per run (on SQLite the CPU time is the
    query's own work, whatever else the machine is doing)."""
    times, cpu, result = [], [], None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return times, cpu, result


def _p99(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def time_reports(url: str, runs: int) -> list[dict[str, Any]]:
    store = store_db.open_store(url)
    playbook = load_playbook()
    viewer = operator("bench")
    now = dt.datetime.combine(TODAY, dt.time(18), dt.UTC)
    since = (TODAY - dt.timedelta(days=364)).isoformat()
    cases: list[tuple[str, dict[str, Any]]] = [
        ("group, one year", {}),
        ("group, one year, two versions compared", {"compare": ("2026.03", "2026.07")}),
        ("group, one year, with satisfaction per touch", {"touch_satisfaction": True}),
        ("one rooftop, one year", {"dealer": "NL07"}),
        ("one advisor, one year", {"advisor": "U0000100"}),
        ("group, last 30 days", {"since": "30d"}),
    ]
    out = []
    for name, options in cases:
        compare = options.get("compare")

        def run(options: dict[str, Any] = options, compare: Any = compare) -> Any:
            with store.sessions() as session:
                scope = resolve_scope(
                    session, viewer, dealer=options.get("dealer"), advisor=options.get("advisor")
                )
                period = parse_period(
                    options.get("since", since),
                    until=None if "since" in options else TODAY.isoformat(),
                    today=TODAY,
                ).in_zone(scope.timezone)
                return build_report(
                    session,
                    period=period,
                    scope=scope,
                    now=now,
                    playbook=playbook,
                    compare=compare,
                    touch_satisfaction=bool(options.get("touch_satisfaction")),
                )

        load_before = os.getloadavg()[0]
        times, cpu, report = _timed(run, runs)
        render_started = time.perf_counter()
        html = to_html(report)
        to_csv(report)
        to_json(report)
        render = time.perf_counter() - render_started
        out.append(
            {
                "case": name,
                "median_s": round(statistics.median(times), 3),
                "p99_s": round(_p99(times), 3),
                "cpu_median_s": round(statistics.median(cpu), 3),
                "runs": runs,
                "load_avg": round((load_before + os.getloadavg()[0]) / 2, 1),
                "suggested": report.totals.suggested,
                "done_rate": round(report.totals.done_rate or 0, 4),
                "surveyed_visits": report.satisfaction.touches_done.visits
                + report.satisfaction.without_touches.visits,
                "render_all_s": round(render, 3),
                "html_kb": round(len(html.encode()) / 1024),
            }
        )
        print(json.dumps(out[-1]), flush=True)
    store.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suggestions", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sqlite", type=Path, default=DEFAULT_SQLITE)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument(
        "--reuse", action="store_true", help="Time an existing store instead of generating one."
    )
    parser.add_argument(
        "--keep-postgres", action="store_true", help="Leave the PostgreSQL database in place."
    )
    parser.add_argument("--json-out", type=Path, help="Also write the figures here.")
    args = parser.parse_args()

    results: dict[str, Any] = {}
    backends = [args.only] if args.only else ["sqlite", "postgresql"]
    for backend in backends:
        if backend == "sqlite":
            url = f"sqlite:///{args.sqlite}" if args.reuse else fresh_sqlite(args.sqlite)
        else:
            url = args.postgres if args.reuse else fresh_postgres(args.postgres)
        print(f"== {backend}", flush=True)
        try:
            generated = None if args.reuse else generate(url, args.suggestions, args.seed)
            if generated:
                print(json.dumps({"generated": generated}), flush=True)
            results[backend] = {"generated": generated, "reports": time_reports(url, args.runs)}
        finally:
            if backend == "postgresql" and not args.keep_postgres:
                drop_postgres(url)
    print(json.dumps(results, indent=2))
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
