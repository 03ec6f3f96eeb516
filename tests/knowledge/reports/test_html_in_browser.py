"""The HTML report opened in a real headless Chromium: it renders, offline, with its charts.

The report is a hand-made fixture (no database): two weeks, three touches, satisfaction
with and without touches. Chromium dumps the DOM it built and takes a screenshot, which is
kept under test-artifacts/ and checked pixel by pixel for the charts' colours.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from knowledge.reports import (
    Comparison,
    Counts,
    Mean,
    Ratings,
    Report,
    Satisfaction,
    StaffRow,
    TouchRow,
    VersionInfo,
    WeekRow,
    parse_period,
)
from knowledge.reports.figures import Reason, VersionSide
from knowledge.reports.period import week_index
from knowledge.reports.render import to_html
from knowledge.reports.scope import Scope

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
WIDTH, HEIGHT = 1280, 2400
# Colours the charts must show: the satisfaction bar "touches done", a fully done heatmap
# cell, and a cell where nothing was done.
SATISFACTION_DONE = (0x1B, 0x7F, 0x5C)
HEAT_ALL_DONE = (0x2E, 0x9E, 0x6E)
HEAT_NONE_DONE = (0xF3, 0xC6, 0xB8)


def hand_made_report() -> Report:
    period = parse_period("2026-11-02..2026-11-15", today=dt.date(2026, 11, 23)).in_zone(
        "Europe/Berlin"
    )
    w45, w46 = week_index(dt.date(2026, 11, 2)), week_index(dt.date(2026, 11, 9))
    drink = (Counts(4, 4), Counts(6, 3, 1, 0))
    recall = (Counts(2, 0, 0, 2), Counts(3, 1, 0, 0))
    status = (Counts(), Counts(2, 0, 2, 0))
    touches = (
        TouchRow(
            "drink_known",
            "Their usual drink, brought to them",
            "comfort",
            drink[0] + drink[1],
            (Reason("customer in a hurry", 1),),
            Ratings(good=2, not_appropriate=0),
            Mean(40, 360),
            Mean(12, 84),
        ),
        TouchRow(
            "recall_household_today",
            "Open recall on another of their vehicles",
            "vehicle",
            recall[0] + recall[1],
            (),
            Ratings(),
            Mean(1, 10),
            Mean(3, 21),
        ),
        TouchRow(
            "status_update_waiting",
            "Update <them> & keep them informed",
            "informed",
            status[0] + status[1],
            (Reason("lounge full", 2),),
            Ratings(not_appropriate=1),
            Mean(),
            Mean(2, 15),
        ),
    )
    v1 = VersionInfo("a1b2c3d4e5f6", "2026.10", Counts(6, 4, 0, 2))
    v2 = VersionInfo("f6e5d4c3b2a1", "2026.11", Counts(11, 4, 3, 0))
    return Report(
        generated_at=dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC),
        period=period,
        scope=Scope(kind="group", label="dealer group Nordlicht", timezone="Europe/Berlin"),
        totals=drink[0] + drink[1] + recall[0] + recall[1] + status[0] + status[1],
        touches=touches,
        staff=(StaffRow(1, "Jonas Berg", "advisor", "HAM1", Counts(17, 8, 3, 2)),),
        weeks=(
            WeekRow(w45, drink[0] + recall[0], Satisfaction(Mean(30, 270), Mean(10, 70))),
            WeekRow(
                w46,
                drink[1] + recall[1] + status[1],
                Satisfaction(Mean(11, 100), Mean(5, 30), Mean(2, 12)),
            ),
        ),
        touch_weeks={
            "drink_known": drink,
            "recall_household_today": recall,
            "status_update_waiting": status,
        },
        satisfaction=Satisfaction(Mean(41, 370), Mean(15, 100), Mean(2, 12)),
        versions=(v2, v1),
        touch_satisfaction=True,
        comparison=Comparison(
            VersionSide(
                v1,
                {"drink_known": drink[0], "recall_household_today": recall[0]},
                Satisfaction(Mean(30, 270), Mean(10, 70)),
            ),
            VersionSide(
                v2,
                {
                    "drink_known": drink[1],
                    "recall_household_today": recall[1],
                    "status_update_waiting": status[1],
                },
                Satisfaction(Mean(11, 100), Mean(5, 30)),
            ),
        ),
    )


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB(A) rows of an 8-bit PNG (what Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks, header = 8, [], b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), (depth, colour)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + a) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + b) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[x] = (line[x] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, [bytes(r[i] for i in range(len(r)) if i % bpp < 3) for r in rows]


def count_colour(rows: list[bytes], colour: tuple[int, int, int], slack: int = 3) -> int:
    found = 0
    for row in rows:
        for i in range(0, len(row), 3):
            if all(abs(row[i + k] - colour[k]) <= slack for k in range(3)):
                found += 1
    return found


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"headless Chromium is needed at {CHROMIUM}: run `make chromium` (it installs "
            "Debian's package) or set CHROMIUM",
            pytrace=False,
        )
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_html_report_renders_in_chromium(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(to_html(hand_made_report()), encoding="utf-8")
    url = page.as_uri()

    dom = chromium("--dump-dom", url, profile=tmp_path / "profile-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    title = "Concierge report — dealer group Nordlicht — 2026-11-02..2026-11-15"
    assert f"<title>{title}</title>" in html
    for chart in (
        "chart-done-rate",
        "chart-satisfaction",
        "chart-satisfaction-weekly",
        "chart-weekly",
        "chart-compare",
    ):
        assert f'<svg id="{chart}"' in html, chart
    heatmap = html.split('<svg id="chart-done-rate"')[1].split("</svg>")[0]
    assert heatmap.count('class="cell"') == 5 and heatmap.count('class="empty"') == 1
    assert "Update &lt;them&gt; &amp; keep them informed" in html

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report-html.png"
    shot.unlink(missing_ok=True)
    taken = chromium(
        f"--screenshot={shot}",
        f"--window-size={WIDTH},{HEIGHT}",
        url,
        profile=tmp_path / "profile-shot",
    )
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert shot.is_file(), taken.stderr[-2000:]
    width, height, rows = read_png(shot)
    assert (width, height) == (WIDTH, HEIGHT)
    # The charts are drawn: their colours cover real areas of the page.
    assert count_colour(rows, SATISFACTION_DONE) > 2000
    assert count_colour(rows, HEAT_ALL_DONE) > 200
    assert count_colour(rows, HEAT_NONE_DONE) > 200
    shutil.copyfile(page, ARTIFACTS / "report.html")
