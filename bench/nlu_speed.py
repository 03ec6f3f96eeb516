"""NLU server speed: start-up time, ``/model/parse`` latency, and memory (RSS).

    .venv/bin/python bench/nlu_speed.py [--starts 3] [--messages 1000] [--reuse]

Trains first only if the model is not cached. Each start launches a fresh server on a free
port (state under var/bench/nlu-speed/) and times it from launch to the first successful
``/status`` with the model loaded. Parse latency is measured over the held-out messages
(cycled) through the project's own client — the path the dialogue uses — after a warm-up.
``--reuse`` measures a server already started with ``concierge nlu serve`` instead (no
start-up figure). Results go to var/bench/nlu_speed.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from actions.understanding import NLUClient  # noqa: E402
from bot.nlu_eval import load_examples  # noqa: E402
from bot.nlu_server import (  # noqa: E402
    NLULayout,
    ServerInfo,
    ensure_server,
    free_port,
    status,
    stop_server,
    train,
)
from knowledge.settings import load_settings  # noqa: E402

WARMUP = 30


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def rss_mb(pid: int) -> float:
    process = psutil.Process(pid)
    total: int = process.memory_info().rss
    for child in process.children(recursive=True):
        total += child.memory_info().rss
    return total / 1_000_000


def say(message: str) -> None:
    print(message, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--starts", type=int, default=3, help="fresh server starts to time")
    parser.add_argument("--messages", type=int, default=1000, help="parses to time")
    parser.add_argument("--reuse", action="store_true", help="use the running managed server")
    parser.add_argument("--json-out", type=Path, default=ROOT / "var" / "bench" / "nlu_speed.json")
    args = parser.parse_args()

    settings = load_settings()
    layout = NLULayout.for_settings(settings, ROOT)
    model = train(layout, progress=say)
    texts = [e.text for e in load_examples([ROOT / "tests" / "nlu" / "holdout.yml"])]

    start_seconds: list[float] = []
    rss_after_start: list[float] = []
    info: ServerInfo
    if args.reuse:
        current = status(layout, settings)
        if current.info is None or not current.serving_current:
            say("no managed NLU server serves the current model — run `concierge nlu serve -b`")
            return 1
        info = current.info
        bench_layout, bench_settings = layout, settings
    else:
        bench_layout = replace(layout, var_dir=ROOT / "var" / "bench" / "nlu-speed")
        bench_settings = replace(settings, var_dir=bench_layout.var_dir)
        stop_server(bench_layout, bench_settings)  # a leftover of an interrupted run
        for n in range(1, max(1, args.starts) + 1):
            began = time.perf_counter()
            info = ensure_server(bench_layout, bench_settings, port=free_port())
            start_seconds.append(time.perf_counter() - began)
            rss_after_start.append(rss_mb(info.pid))
            say(f"start {n}: ready in {start_seconds[-1]:.1f} s, RSS {rss_after_start[-1]:.0f} MB")
            if n < args.starts:
                stop_server(bench_layout, bench_settings)

    latencies: list[float] = []
    try:
        with NLUClient(info.url, info.token, timeout_s=30.0) as client:
            for text in texts[:WARMUP]:
                client.parse(text)
            for i in range(args.messages):
                text = texts[i % len(texts)]
                began = time.perf_counter()
                client.parse(text)
                latencies.append((time.perf_counter() - began) * 1000)
        rss_after_load = rss_mb(info.pid)
    finally:
        if not args.reuse:
            stop_server(bench_layout, bench_settings)

    parse_ms = {
        "p50": round(statistics.median(latencies), 2),
        "p90": round(percentile(latencies, 90), 2),
        "p99": round(percentile(latencies, 99), 2),
        "max": round(max(latencies), 2),
        "mean": round(statistics.fmean(latencies), 2),
    }
    result = {
        "model": model.model.name,
        "messages": len(latencies),
        "parse_ms": parse_ms,
        "parses_per_second": round(1000 * len(latencies) / sum(latencies), 1),
        "start_s": (
            {
                "runs": len(start_seconds),
                "median": round(statistics.median(start_seconds), 2),
                "max": round(max(start_seconds), 2),
                "all": [round(s, 2) for s in start_seconds],
            }
            if start_seconds
            else None
        ),
        "rss_mb": {
            "after_start_median": (
                round(statistics.median(rss_after_start)) if rss_after_start else None
            ),
            "after_parses": round(rss_after_load),
        },
        "cpu_count": psutil.cpu_count(),
        "load_average": [round(x, 2) for x in psutil.getloadavg()],
    }
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(result, indent=2) + "\n")
    say(
        f"/model/parse over {len(latencies)} messages: p50 {parse_ms['p50']} ms, "
        f"p99 {parse_ms['p99']} ms, max {parse_ms['max']} ms"
    )
    if start_seconds:
        say(
            f"server start: median {statistics.median(start_seconds):.1f} s over "
            f"{len(start_seconds)} starts (max {max(start_seconds):.1f} s)"
        )
    say(f"server RSS after the parses: {rss_after_load:.0f} MB")
    say(f"written to {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
