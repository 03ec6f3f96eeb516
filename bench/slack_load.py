"""Slack load: 50 events/s for 60 s over HTTP to the running app — acks, replies, none lost.

    .venv/bin/python bench/slack_load.py                      # 50 events/s for 60 s
    .venv/bin/python bench/slack_load.py --rate 50 --seconds 60 --retries 0.05
    .venv/bin/python bench/slack_load.py --database-url postgresql+psycopg://…/concierge_bench

It starts ``concierge slack --http`` as its own process on a loopback port, pointed at a
local fake of the Slack Web API (``tests/fakes/slack_api.py``) and at a demo store (by
default 2,000 customers generated once into var/bench/slack/), then sends signed
``app_mention`` and DM-thread events at a fixed rate (open loop: a slow app does not slow
the sender). Each event is a structured lookup staff would type (a name after "lookup", a
phone number, a VIN, a plate), so the NLU server is not needed. A share of the events is
delivered a second time with ``X-Slack-Retry-Num: 1``, as Slack does when it retries.

Measured: the ack time of every HTTP request as the sender sees it (send → HTTP 200) and as
the app sees it (``GET /healthz/acks``: request in → ack out), and the reply time (send →
the app's ``chat.postMessage`` into that event's thread arriving at the fake). Replies are
counted per thread at the fake: an event without a reply is lost, a thread with two is
duplicated. Target: ack p99 ≤ 100 ms, zero lost, zero duplicated. Loopback only, bounded
in count and time; it stops by itself. Results go to var/bench/slack_load.json.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge import db as store_db  # noqa: E402
from knowledge.models import ContactPoint, Customer, StaffMember, Vehicle  # noqa: E402
from tests.fakes.slack_api import FakeSlackAPI, SlackSender, event_envelope  # noqa: E402

TARGET_ACK_P99_MS = 100.0
SECRET = "bench-signing-secret"
TEAM = "T0DEMO0001"
CHANNELS = [f"C0BENCH{n}" for n in range(1, 6)]
# The longest the whole run may take beyond its sending time (start-up, draining replies).
START_TIMEOUT_S = 90.0
DRAIN_TIMEOUT_S = 60.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the store --------------------------------------------------------------------------------


def prepare_store(url: str | None, customers: int, seed: int) -> str:
    if url:
        store = store_db.open_store(url)
        store.dispose()
        return url
    path = ROOT / "var" / "bench" / "slack" / f"demo-{customers}.sqlite"
    url = f"sqlite:///{path}"
    engine = store_db.make_engine(url)
    store_db.upgrade(engine)
    engine.dispose()
    store = store_db.open_store(url)
    try:
        with store.sessions() as session:
            empty = session.scalar(select(Customer.id).limit(1)) is None
        if empty:
            from knowledge.demo import load_demo

            print(f"generating a {customers:,}-customer demo store in {path} …", flush=True)
            load_demo(store, customers=customers, seed=seed)
    finally:
        store.dispose()
    return url


@dataclass(frozen=True)
class Workload:
    texts: list[str]
    users: list[str]


def workload(url: str, seed: int, size: int = 400) -> Workload:
    """What staff type: names after "lookup", phone numbers, VINs and plates from the store."""
    rng = random.Random(seed)
    store = store_db.open_store(url)
    try:
        with store.sessions() as s:
            users = list(
                s.scalars(
                    select(StaffMember.slack_user_id).where(
                        StaffMember.active.is_(True),
                        StaffMember.role.in_(("advisor", "call_center")),
                        StaffMember.slack_team_id == TEAM,
                    )
                )
            )
            top = int(s.scalar(select(func.max(Customer.id))) or 0)
            ids = sorted({rng.randint(1, top) for _ in range(size)})
            names = [
                c.display_name
                for c in s.scalars(select(Customer).where(Customer.id.in_(ids)))
                if c.kind == "person"
            ]
            phones = list(
                s.scalars(
                    select(ContactPoint.value).where(
                        ContactPoint.customer_id.in_(ids), ContactPoint.kind == "phone"
                    )
                )
            )
            vehicles = s.execute(
                select(Vehicle.vin, Vehicle.plate).where(Vehicle.id.in_(ids))
            ).all()
    finally:
        store.dispose()
    if not users:
        raise SystemExit(f"no advisor or call-center staff of team {TEAM} in the store")
    texts = [f"lookup {n}" for n in names] + phones
    texts += [vin for vin, _ in vehicles] + [plate for _, plate in vehicles if plate]
    rng.shuffle(texts)
    return Workload(texts, users)


# --- the app under load --------------------------------------------------------------------------


def start_app(
    url: str, api: FakeSlackAPI, port: int, nlu_url: str, log: Path
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_APP_TOKEN": "",
        "SLACK_API_URL": api.api_url,
        "NLU_URL": nlu_url,
        "LOG_LEVEL": "WARNING",
    }
    exe = Path(sys.executable).parent / "concierge"
    handle = log.open("wb")
    process = subprocess.Popen(
        [str(exe), "slack", "--http", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the app exited with {process.returncode}: see {log}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).text == "ok":
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit(f"the app did not start within {START_TIMEOUT_S:.0f} s: see {log}")


@dataclass
class Sent:
    index: int
    channel: str
    thread_ts: str
    sent_at: float
    ack_ms: float | None = None
    status: int | None = None


def event_for(i: int, text: str, user: str) -> tuple[dict[str, object], str, str]:
    ts = f"{1_800_000_000 + i}.{i % 1_000_000:06d}"
    if i % 10 < 7:
        channel = CHANNELS[i % len(CHANNELS)]
        event: dict[str, object] = {
            "type": "app_mention",
            "user": user,
            "text": f"<@UBOTCONCIERGE> {text}",
            "ts": ts,
            "channel": channel,
            "event_ts": ts,
        }
        return event, channel, ts
    channel = f"D0BENCH{i % 7}"
    thread = f"{1_700_000_000 + i}.000001"
    event = {
        "type": "message",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        "thread_ts": thread,
        "channel": channel,
        "event_ts": ts,
    }
    return event, channel, thread


def run_load(
    port: int,
    api: FakeSlackAPI,
    work: Workload,
    *,
    rate: float,
    seconds: float,
    retries: float,
    workers: int,
    seed: int,
    offset: int = 0,
) -> tuple[list[Sent], list[float], int]:
    """Send ``rate`` events/s for ``seconds``; returns what was sent, the retries' ack times
    and how many retries were sent."""
    rng = random.Random(seed)
    total = int(rate * seconds)
    sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", SECRET)
    sender.client = httpx.Client(
        timeout=10.0, trust_env=False, limits=httpx.Limits(max_connections=workers)
    )
    run_id = f"{int(time.time() * 1000):x}"
    sent: list[Sent] = []
    retry_acks: list[float] = []
    retry_count = 0
    lock = threading.Lock()

    def deliver(record: Sent, envelope: dict[str, object], again: bool) -> None:
        nonlocal retry_count
        start = time.monotonic()
        try:
            response = sender.event(envelope)
            record.status = response.status_code
        except httpx.HTTPError:
            record.status = -1
        record.ack_ms = (time.monotonic() - start) * 1000
        if again:
            start = time.monotonic()
            with contextlib.suppress(httpx.HTTPError):
                sender.event(envelope, retry_num=1)
            with lock:
                retry_acks.append((time.monotonic() - start) * 1000)
                retry_count += 1

    with ThreadPoolExecutor(max_workers=workers) as pool:
        t0 = time.monotonic()
        for n in range(total):
            i = offset + n
            due = t0 + n / rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            event, channel, thread = event_for(
                i, work.texts[i % len(work.texts)], work.users[i % len(work.users)]
            )
            # Event ids are unique per run: the store remembers earlier runs' claims.
            envelope = event_envelope(event, team_id=TEAM, event_id=f"Ev{run_id}{i:08d}")
            record = Sent(i, channel, thread, time.monotonic())
            sent.append(record)
            pool.submit(deliver, record, envelope, rng.random() < retries)
        late = time.monotonic() - (t0 + total / rate)
    sender.close()
    if late > 1.0:
        print(f"warning: the sender fell {late:.1f} s behind its schedule", flush=True)
    return sent, retry_acks, retry_count


def replies_by_thread(api: FakeSlackAPI) -> dict[tuple[str, str], list[float]]:
    out: dict[tuple[str, str], list[float]] = {}
    for call in api.of("chat.postMessage"):
        key = (str(call.args.get("channel")), str(call.args.get("thread_ts")))
        out.setdefault(key, []).append(call.at)
    return out


def drain(api: FakeSlackAPI, sent: list[Sent], timeout: float) -> None:
    wanted = {(s.channel, s.thread_ts) for s in sent}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if wanted <= set(replies_by_thread(api)):
            return
        time.sleep(0.25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--retries", type=float, default=0.05, help="share delivered twice")
    parser.add_argument("--workers", type=int, default=32, help="concurrent HTTP senders")
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=None, help="a migrated store with demo data")
    parser.add_argument(
        "--nlu-url", default=None, help="NLU server (default: none; the workload needs none)"
    )
    args = parser.parse_args()
    if not (0 < args.rate <= 200 and 0 < args.seconds <= 600 and 0 <= args.retries <= 1):
        raise SystemExit("--rate must be in (0, 200], --seconds in (0, 600], --retries in [0, 1]")

    url = prepare_store(args.database_url, args.customers, args.seed)
    work = workload(url, args.seed)
    out_dir = ROOT / "var" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    nlu_url = args.nlu_url or f"http://127.0.0.1:{free_port()}"
    with FakeSlackAPI(team_id=TEAM, private_channels=dict.fromkeys(CHANNELS, True)) as api:
        app = start_app(url, api, port, nlu_url, out_dir / "slack_load.app.log")
        try:
            print("warming up …", flush=True)
            warm, _, _ = run_load(
                port,
                api,
                work,
                rate=10,
                seconds=2,
                retries=0,
                workers=4,
                seed=args.seed,
                offset=10_000_000,
            )
            drain(api, warm, 30)
            api.reset()
            print(
                f"sending {args.rate:g} events/s for {args.seconds:g} s "
                f"({int(args.rate * args.seconds):,} events, {args.retries:.0%} retried) …",
                flush=True,
            )
            started = time.monotonic()
            sent, retry_acks, retried = run_load(
                port,
                api,
                work,
                rate=args.rate,
                seconds=args.seconds,
                retries=args.retries,
                workers=args.workers,
                seed=args.seed,
            )
            sending_s = time.monotonic() - started
            drain(api, sent, DRAIN_TIMEOUT_S)
            # The app's own measure (request in → ack out), warm-up included.
            server_ack = httpx.get(f"http://127.0.0.1:{port}/healthz/acks", timeout=10).json()
        finally:
            app.send_signal(signal.SIGTERM)
            try:
                app.wait(30)
            except subprocess.TimeoutExpired:
                app.kill()
        replies = replies_by_thread(api)
        apologies = sum(
            1 for c in api.of("chat.postMessage") if ":warning:" in c.text_of_blocks()[:40]
        )

    acks = [s.ack_ms for s in sent if s.ack_ms is not None] + retry_acks
    bad = Counter(s.status for s in sent if s.status != 200)
    lost = [s for s in sent if (s.channel, s.thread_ts) not in replies]
    duplicated = [k for k, v in replies.items() if len(v) > 1]
    reply_ms = [
        (replies[(s.channel, s.thread_ts)][0] - s.sent_at) * 1000
        for s in sent
        if (s.channel, s.thread_ts) in replies
    ]
    ack = {
        "p50": round(statistics.median(acks), 2),
        "p99": round(percentile(acks, 0.99), 2),
        "max": round(max(acks), 2),
    }
    reply = {
        "p50": round(statistics.median(reply_ms), 1) if reply_ms else None,
        "p99": round(percentile(reply_ms, 0.99), 1) if reply_ms else None,
        "max": round(max(reply_ms), 1) if reply_ms else None,
    }
    rate = round(len(sent) / sending_s, 2)
    ok = ack["p99"] <= TARGET_ACK_P99_MS and not lost and not duplicated and not bad
    result = {
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "store": store_db.safe_url(url),
        "rate": args.rate,
        "seconds": args.seconds,
        "events": len(sent),
        "retries_sent": retried,
        "requests": len(acks),
        "achieved_rate": rate,
        "non_200": {str(k): v for k, v in bad.items()},
        "ack_ms": ack,
        "server_ack_ms": server_ack,
        "reply_ms": reply,
        "lost": len(lost),
        "duplicated": len(duplicated),
        "apologies": apologies,
        "target_ack_p99_ms": TARGET_ACK_P99_MS,
        "ok": ok,
    }
    (out_dir / "slack_load.json").write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"{len(sent):,} events (+{retried} retried deliveries) in {sending_s:.1f} s "
        f"= {rate} events/s against {result['store']}\n"
        f"ack   p50 {ack['p50']:7.2f} ms   p99 {ack['p99']:7.2f} ms   max {ack['max']:7.2f} ms"
        f"   (target p99 ≤ {TARGET_ACK_P99_MS:.0f} ms)\n"
        f"      in the app: p50 {server_ack['p50_ms']} ms   p99 {server_ack['p99_ms']} ms   "
        f"max {server_ack['max_ms']} ms\n"
        f"reply p50 {reply['p50']} ms   p99 {reply['p99']} ms   max {reply['max']} ms\n"
        f"lost {len(lost)}   duplicated {len(duplicated)}   non-200 {dict(bad) or 0}   "
        f"apologies {apologies}\n"
        f"{'OK' if ok else 'FAILED'} — results in var/bench/slack_load.json"
    )
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
