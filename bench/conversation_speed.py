"""Message → structured reply, with the real NLU server and a large store: median and p99.

    .venv/bin/python bench/conversation_speed.py                      # 1M SQLite store
    .venv/bin/python bench/conversation_speed.py --store postgres     # 1M PostgreSQL store
    .venv/bin/python bench/conversation_speed.py --url sqlite:///var/dialogue/demo.sqlite

Scripted conversations as an advisor has them, each with a different customer from the
store (a share of them waiting in the lounge today): the customer arrives, "what else does
she drive?", recalls, last visit, a drink preference, the touches, "done 1", a bare phone
number, "thanks". Every message goes through ``Dialogue.handle`` in-process with real HTTP
to ``rasa run`` (structured messages skip it, as in use). Targets: p50 ≤ 40 ms, p99 ≤ 120 ms.

The store is left exactly as it was: each conversation runs inside one outer transaction
that is rolled back at its end; each message is a savepoint released like a commit, so the
conversation's context really goes through the store between messages (the final COMMIT,
a WAL append, is the only thing not timed).

Also measured: the NLU server's start time (model cached; a fresh server on a free port,
or ``--reuse-nlu`` to use the managed one and skip it), the RSS of this process and of the
Rasa server, and a ``make demo``-like smoke: ``printf 'hello\\n' | concierge chat --as …``
on a small demo store must exit 0. Results go to var/bench/conversation_speed-<store>.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import logging
import os
import random
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import Connection, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actions.dialogue import Dialogue  # noqa: E402
from actions.results import Reply  # noqa: E402
from actions.turn import DialogueSettings  # noqa: E402
from actions.understanding import NLUClient, Understanding  # noqa: E402
from bot.nlu_server import (  # noqa: E402
    NLULayout,
    ServerInfo,
    ensure_server,
    free_port,
    read_state,
    server_token,
    status,
    stop_server,
    train,
)
from knowledge import db as store_db  # noqa: E402
from knowledge.models import ContactPoint, Customer, ServiceVisit, StaffMember  # noqa: E402
from knowledge.settings import load_settings  # noqa: E402
from knowledge.touches import load_playbook  # noqa: E402

TARGET_P50_MS = 40.0
TARGET_P99_MS = 120.0
STORES = {
    "sqlite": "sqlite:///var/bench/demo-1m.sqlite",
    "postgres": "postgresql+psycopg://postgres@127.0.0.1:5432/concierge_bench",
}
READY = ROOT / "var" / "bench" / "demo-1m.READY"
OUT_DIR = ROOT / "var" / "bench"
WORK = ROOT / "var" / "bench" / "conversation"
SMOKE_STORE = WORK / "smoke.sqlite"
# The first parses after a start build the model's graph; not what a user waits for later.
WARM_UP_MESSAGES = 5
CLIENT_TIMEOUT_S = 10.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values), 2),
        "p90_ms": round(percentile(values, 0.90), 2),
        "p99_ms": round(percentile(values, 0.99), 2),
        "max_ms": round(max(values), 2),
    }


def demo_now(store: store_db.Store) -> dt.datetime:
    from knowledge.demo import demo_info

    info = demo_info(store)
    return dt.datetime.fromisoformat(info.generated_at) if info else dt.datetime.now(dt.UTC)


@dataclasses.dataclass(frozen=True)
class Person:
    customer_id: int
    given: str
    family: str
    phone: str | None
    she: str  # the pronoun staff would use


def pick_people(session: Session, count: int, lounge_share: float, seed: int) -> list[Person]:
    rng = random.Random(seed)
    top = session.scalar(select(func.max(Customer.id))) or 0
    if top == 0:
        raise SystemExit("the store has no customers — load demo data first")
    lounge = list(
        session.scalars(
            select(ServiceVisit.customer_id)
            .where(ServiceVisit.status.in_(("arrived", "waiting", "in_progress")))
            .limit(2000)
        )
    )
    people: list[Person] = []
    seen: set[int] = set()
    while len(people) < count:
        cid = rng.choice(lounge) if lounge and rng.random() < lounge_share else rng.randint(1, top)
        if cid in seen:
            continue
        customer = session.get(Customer, cid)
        if customer is None or customer.kind != "person" or not customer.family_name:
            continue
        phone = session.scalar(
            select(ContactPoint.value)
            .where(ContactPoint.customer_id == cid, ContactPoint.kind == "phone")
            .limit(1)
        )
        title = (customer.salutation or "").lower().rstrip(".")
        she = {"mr": "he", "herr": "he"}.get(title, "she")
        seen.add(cid)
        people.append(Person(cid, customer.given_name or "", customer.family_name, phone, she))
    return people


def script(p: Person) -> list[str]:
    lines = [
        f"{p.given} {p.family} is here, waiting".strip(),
        f"what else does {p.she} drive?",
        f"any open recalls on {'his' if p.she == 'he' else 'her'} cars?",
        f"what did we do on {'his' if p.she == 'he' else 'her'} last visit?",
        f"{p.she} takes {'his' if p.she == 'he' else 'her'} coffee black",
        f"what can i do for {'him' if p.she == 'he' else 'her'}?",
        "done 1",
    ]
    if p.phone:
        lines.append(p.phone)
    lines.append("thanks")
    return lines


class TimedNLU:
    """The real client, timing each parse: the reply time minus the NLU's is the dialogue's."""

    def __init__(self, client: NLUClient) -> None:
        self.client = client
        self.spent_ms = 0.0

    def parse(self, text: str) -> Understanding:
        start = time.perf_counter()
        try:
            return self.client.parse(text)
        finally:
            self.spent_ms += (time.perf_counter() - start) * 1000

    def take(self) -> float:
        spent, self.spent_ms = self.spent_ms, 0.0
        return spent


@dataclasses.dataclass
class Run:
    timings: list[float] = dataclasses.field(default_factory=list)
    by_kind: dict[str, list[float]] = dataclasses.field(default_factory=lambda: defaultdict(list))
    results: Counter[str] = dataclasses.field(default_factory=Counter)
    # Each message's time without the NLU's (in-process dialogue, actions and store).
    without_nlu: list[float] = dataclasses.field(default_factory=list)
    # Conversations dropped because another process held the store's write lock too long
    # (other benchmarks share the file): not the dialogue's time.
    disturbed: int = 0

    @property
    def messages(self) -> int:
        return len(self.timings)


def _conversation(
    conn: Connection,
    dialogue: Dialogue,
    timed: TimedNLU,
    staff_id: int,
    key: str,
    person: Person,
    now: dt.datetime,
) -> list[tuple[str, float, float, Reply]]:
    session = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        staff = session.get(StaffMember, staff_id)
        assert staff is not None
        done: list[tuple[str, float, float, Reply]] = []
        pending = script(person)
        while pending:
            text = pending.pop(0)
            timed.take()
            start = time.perf_counter()
            reply = dialogue.handle(
                session, conversation_key=key, text=text, staff=staff, channel="terminal", now=now
            )
            session.commit()  # releases this message's savepoint
            elapsed = (time.perf_counter() - start) * 1000
            if any(getattr(r, "reason", None) == "internal" for r in reply.results):
                raise OperationalError(text, None, Exception("the action failed"))
            kind = ("structured:" if reply.structured else "") + (reply.intent or "-")
            done.append((kind, elapsed, elapsed - timed.take(), reply))
            if reply.awaiting in ("customer_choice", "customer_confirm", "vehicle_choice"):
                # A name shared by several customers: pick the first, as staff would.
                pending.insert(0, "1")
        return done
    finally:
        session.close()


def run_conversations(
    store: store_db.Store,
    dialogue: Dialogue,
    timed: TimedNLU,
    staff_id: int,
    people: list[Person],
    now: dt.datetime,
) -> Run:
    run = Run()
    for n, person in enumerate(people):
        with store.engine.connect() as conn:
            outer = conn.begin()
            try:
                done = _conversation(conn, dialogue, timed, staff_id, f"bench:{n}", person, now)
            except OperationalError:
                run.disturbed += 1
                continue
            finally:
                outer.rollback()
        for kind, elapsed, own, reply in done:
            run.timings.append(elapsed)
            run.without_nlu.append(own)
            run.by_kind[kind].append(elapsed)
            run.results.update(r.kind for r in reply.results)
    return run


def nlu_parse_only(client: NLUClient, texts: list[str]) -> list[float]:
    out = []
    for text in texts:
        start = time.perf_counter()
        client.parse(text)
        out.append((time.perf_counter() - start) * 1000)
    return out


def start_nlu(reuse: bool) -> tuple[ServerInfo, NLULayout, Any, float | None]:
    settings = load_settings()
    layout = NLULayout.for_settings(settings)
    train(layout)  # cached unless nlu/ or config.yml changed: not part of the start time
    if reuse:
        info = read_state(layout, server_token(layout, settings))
        if info is None:
            raise SystemExit("--reuse-nlu: no managed NLU server runs (concierge nlu serve -b)")
        return info, layout, settings, None
    own = dataclasses.replace(layout, var_dir=WORK / "nlu-var")
    own_settings = dataclasses.replace(settings, var_dir=own.var_dir)
    stop_server(own, own_settings)  # a server left over from an interrupted run
    start = time.perf_counter()
    info = ensure_server(own, own_settings, port=free_port())
    return info, own, own_settings, time.perf_counter() - start


def smoke(info: ServerInfo, var_dir: Path) -> dict[str, Any]:
    """``printf 'hello\\n' | concierge chat --as UHAM1AD01`` on a small demo store."""
    env = dict(os.environ)
    env["DATABASE_URL"] = f"sqlite:///{SMOKE_STORE}"
    env["CONCIERGE_VAR_DIR"] = str(var_dir)
    env["NLU_URL"] = info.url
    concierge = str(ROOT / ".venv" / "bin" / "concierge")
    if not SMOKE_STORE.exists():
        subprocess.run([concierge, "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run(
            [concierge, "demo-data", "--customers", "300", "--seed", "42"],
            env=env,
            check=True,
            capture_output=True,
        )
    start = time.perf_counter()
    done = subprocess.run(
        [concierge, "chat", "--as", "UHAM1AD01"],
        input="hello\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return {
        "command": "printf 'hello\\n' | concierge chat --as UHAM1AD01",
        "exit_code": done.returncode,
        "seconds": round(time.perf_counter() - start, 2),
        "greeted": "Who can I help you with?" in done.stdout,
        "tail": done.stdout.strip().splitlines()[-2:],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", choices=sorted(STORES), default="sqlite")
    parser.add_argument("--url", help="Another store (overrides --store).")
    parser.add_argument("--conversations", type=int, default=60)
    parser.add_argument("--lounge-share", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse-nlu", action="store_true", help="Use the managed server.")
    parser.add_argument("--no-smoke", action="store_true")
    args = parser.parse_args()
    # A conversation disturbed by another writer is counted, not printed as a traceback.
    logging.getLogger("actions.dialogue").setLevel(logging.CRITICAL)
    url = args.url or STORES[args.store]
    if args.url is None and not READY.exists():
        raise SystemExit(f"the 1M benchmark stores are not ready yet ({READY} missing)")
    WORK.mkdir(parents=True, exist_ok=True)

    # The store first: a store that cannot be used must not leave a server behind.
    store = store_db.open_store(url)
    print(f"preparing the NLU server ({'reusing' if args.reuse_nlu else 'starting'} one)…")
    info, layout, nlu_settings, start_s = start_nlu(args.reuse_nlu)
    client = NLUClient(info.url, info.token, CLIENT_TIMEOUT_S)
    try:
        now = demo_now(store)
        with store.sessions() as session:
            staff_id = session.scalar(
                select(StaffMember.id)
                .where(StaffMember.role == "advisor", StaffMember.active.is_(True))
                .order_by(StaffMember.id)
                .limit(1)
            )
            if staff_id is None:
                raise SystemExit("the store has no advisor")
            people = pick_people(session, args.conversations + 2, args.lounge_share, args.seed)
        timed = TimedNLU(client)
        knobs = DialogueSettings.from_settings(load_settings())
        dialogue = Dialogue(timed, load_playbook(), knobs)
        nlu_parse_only(client, [script(p)[0] for p in people[:WARM_UP_MESSAGES]])
        # Warm the store's caches with two conversations that are not counted.
        run_conversations(store, dialogue, timed, staff_id, people[:2], now)
        began = time.perf_counter()
        run = run_conversations(store, dialogue, timed, staff_id, people[2:], now)
        timings, by_kind, results, messages = run.timings, run.by_kind, run.results, run.messages
        wall = time.perf_counter() - began
        parse = nlu_parse_only(client, [line for p in people[2:12] for line in script(p)[:6]])
        server = status(layout, nlu_settings)
        report: dict[str, Any] = {
            "store": store_db.safe_url(url),
            "conversations": len(people) - 2 - run.disturbed,
            "conversations_disturbed_by_other_writers": run.disturbed,
            "messages": messages,
            "message_to_reply": summary(timings),
            "targets": {"p50_ms": TARGET_P50_MS, "p99_ms": TARGET_P99_MS},
            "meets_targets": statistics.median(timings) <= TARGET_P50_MS
            and percentile(timings, 0.99) <= TARGET_P99_MS,
            "without_nlu": summary(run.without_nlu),
            "by_intent": {k: summary(v) for k, v in sorted(by_kind.items())},
            "nlu_parse_only": summary(parse),
            "results_shown": dict(results.most_common()),
            "messages_per_s": round(messages / wall, 1),
            "nlu_server_start_s": round(start_s, 1) if start_s is not None else None,
            "rss_mb": {
                "bench_process": round(psutil.Process().memory_info().rss / 1e6),
                "nlu_server": round((server.rss_bytes or 0) / 1e6),
            },
            "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        if not args.no_smoke:
            report["smoke"] = smoke(info, layout.var_dir)
    finally:
        client.close()
        store.dispose()
        if not args.reuse_nlu:
            stop_server(layout, nlu_settings)
    out = OUT_DIR / f"conversation_speed-{'custom' if args.url else args.store}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    m = report["message_to_reply"]
    print(
        f"store {report['store']}: {messages} messages in {report['conversations']} conversations"
    )
    print(f"message → reply: p50 {m['p50_ms']} ms, p99 {m['p99_ms']} ms (max {m['max_ms']} ms)")
    print(
        f"  targets p50 ≤ {TARGET_P50_MS:g} ms, p99 ≤ {TARGET_P99_MS:g} ms: "
        f"{'met' if report['meets_targets'] else 'NOT met'}"
    )
    for kind, s in report["by_intent"].items():
        print(f"  {kind:32} n={s['n']:4}  p50 {s['p50_ms']:7.2f}  p99 {s['p99_ms']:7.2f} ms")
    w = report["without_nlu"]
    print(
        f"  of which dialogue + actions + store (no NLU): p50 {w['p50_ms']} ms, "
        f"p99 {w['p99_ms']} ms"
    )
    p = report["nlu_parse_only"]
    print(f"NLU /model/parse alone: p50 {p['p50_ms']} ms, p99 {p['p99_ms']} ms")
    if start_s is not None:
        print(f"NLU server start (model cached): {report['nlu_server_start_s']} s")
    print(
        f"RSS: bench process {report['rss_mb']['bench_process']} MB, "
        f"NLU server {report['rss_mb']['nlu_server']} MB"
    )
    if "smoke" in report:
        sm = report["smoke"]
        print(f"smoke: {sm['command']} → exit {sm['exit_code']} in {sm['seconds']} s")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
