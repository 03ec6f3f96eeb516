"""Lookup quality: labelled queries with realistic corruptions, drawn from a demo store.

    .venv/bin/python bench/lookup_quality.py [--url URL | --customers N] [--queries-per-kind K]

Each query is made from one sampled customer (the label): their name as typed at a counter
(typos, doubled or missing letters, accents dropped or spelled out, swapped order, a
nickname, a title, the family name alone), a phone in another format, an e-mail in other
case, the VIN or its tail, the plate written differently, an RO number.

Scoring. Demo names repeat (a million customers share a few thousand names), so a name can
name several people that no query could tell apart. Two figures are printed:

- strict   — the labelled customer is first;
- tellable — the first candidate is the labelled customer or one the query cannot tell
  apart from them (same name for name queries, same number / vehicle / RO for identifiers).

The targets (first ≥ 97 %, top 5 ≥ 99.5 %, exact identifiers 100 %) are checked on the
tellable figures; strict ones are shown beside them. Writes a JSON report under var/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, inspect, literal_column, select, text
from sqlalchemy.orm import Session

from knowledge import db
from knowledge.db import Store
from knowledge.demo import catalog
from knowledge.errors import SchemaMismatch
from knowledge.lookup import search
from knowledge.lookup.text import index_tokens, pair_keys
from knowledge.models import (
    ContactPoint,
    Customer,
    CustomerSearchKey,
    Ownership,
    ServiceVisit,
    Vehicle,
)
from knowledge.normalize import fold

TODAY = dt.date(2026, 11, 23)
IDENTIFIER_KINDS = ("phone", "email", "vin", "vin_tail", "plate", "ro")
KEYBOARD_NEIGHBOURS = {
    "a": "qswz",
    "b": "vghn",
    "c": "xdfv",
    "d": "serfcx",
    "e": "wsdr",
    "f": "drtgvc",
    "g": "ftzhbv",
    "h": "gzujnb",
    "i": "ujko",
    "j": "huikmn",
    "k": "jiolm",
    "l": "kop",
    "m": "njk",
    "n": "bhjm",
    "o": "iklp",
    "p": "ol",
    "q": "wa",
    "r": "edft",
    "s": "awedxy",
    "t": "rfgz",
    "u": "zhji",
    "v": "cfgb",
    "w": "qase",
    "x": "ysdc",
    "y": "asx",
    "z": "tghu",
}


@dataclass
class Sample:
    customer_id: int
    given: str
    family: str
    salutation: str | None
    kind: str


@dataclass
class Query:
    kind: str
    text: str
    label: int
    # Customers the query cannot tell apart from the label (the label included).
    tellable: set[int]


@dataclass
class Outcome:
    query: Query
    status: str
    ranked: list[int]
    ms: float

    @property
    def first_strict(self) -> bool:
        return bool(self.ranked) and self.ranked[0] == self.query.label

    @property
    def first_tellable(self) -> bool:
        return bool(self.ranked) and self.ranked[0] in self.query.tellable

    @property
    def top5(self) -> bool:
        return any(c in self.query.tellable for c in self.ranked[:5])


@dataclass
class Stats:
    outcomes: list[Outcome] = field(default_factory=list)

    def rate(self, pred: Callable[[Outcome], bool]) -> float:
        return 100.0 * sum(1 for o in self.outcomes if pred(o)) / max(1, len(self.outcomes))


# --- corruptions -----------------------------------------------------------------------------


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


def typo(word: str, rng: random.Random) -> str:
    """One realistic keyboard slip: a letter dropped, doubled, swapped, hit next to, or added."""
    if len(word) < 4:
        return word + word[-1]
    i = rng.randrange(1, len(word))  # people rarely get the first letter wrong
    op = rng.choice(("drop", "double", "swap", "neighbour", "insert"))
    ch = word[i].lower()
    if op == "drop":
        return word[:i] + word[i + 1 :]
    if op == "double":
        return word[:i] + word[i] + word[i:]
    if op == "swap" and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if op == "neighbour" and ch in KEYBOARD_NEIGHBOURS:
        return word[:i] + rng.choice(KEYBOARD_NEIGHBOURS[ch]) + word[i + 1 :]
    return word[:i] + rng.choice("aeinrst") + word[i:]


def accents(word: str, rng: random.Random) -> str:
    spelled = (
        word.replace("ü", "ue")
        .replace("ö", "oe")
        .replace("ä", "ae")
        .replace("Ü", "Ue")
        .replace("Ö", "Oe")
        .replace("Ä", "Ae")
        .replace("ß", "ss")
    )
    if spelled != word and rng.random() < 0.5:
        return spelled
    plain = fold(word)
    return plain if rng.random() < 0.5 else plain.upper()


def phone_formats(e164: str, rng: random.Random) -> str:
    cc = "49" if e164.startswith("+49") else e164[1:3] if not e164.startswith("+1") else "1"
    nsn = e164[1 + len(cc) :]
    if cc == "49":
        forms = [
            f"0{nsn[:3]} {nsn[3:]}",
            f"+49 {nsn[:3]} {nsn[3:7]} {nsn[7:]}",
            f"0{nsn[:3]}/{nsn[3:]}",
            f"(0{nsn[:3]}) {nsn[3:6]}-{nsn[6:]}",
            f"0049{nsn}",
            f"0{nsn[:3]}.{nsn[3:6]}.{nsn[6:]}",
            f"{nsn[:3]} {nsn[3:]}",
            f"49{nsn}",
        ]
    else:
        forms = [
            f"+{cc} {nsn[:3]} {nsn[3:]}",
            f"00{cc}{nsn}",
            f"{nsn[:3]} {nsn[3:6]} {nsn[6:]}",
            f"({nsn[:3]}) {nsn[3:6]}-{nsn[6:]}",
        ]
    return rng.choice(forms)


def plate_formats(plate: str, rng: random.Random) -> str:
    compact = plate.replace("-", "").replace(" ", "")
    return rng.choice(
        (plate.lower(), compact, compact.lower(), plate.replace(" ", "-"), plate.replace("-", " "))
    )


# --- ground truth ------------------------------------------------------------------------------


def same_name(session: Session, given: str, family: str) -> set[int]:
    """Customers with this (folded) given and family name: what a name query cannot split."""
    pairs = pair_keys(index_tokens(given, family)) or {fold(given + family)}
    key = next(iter(sorted(pairs)))
    ids = list(
        session.scalars(
            select(CustomerSearchKey.customer_id).where(
                CustomerSearchKey.kind == "n2", CustomerSearchKey.key == key
            )
        )
    )
    out: set[int] = set()
    for start in range(0, len(ids), 900):
        for cid, g, f in session.execute(
            select(Customer.id, Customer.given_name, Customer.family_name).where(
                Customer.id.in_(ids[start : start + 900])
            )
        ):
            if fold(g or "") == fold(given) and fold(f or "") == fold(family):
                out.add(cid)
    return out


def same_family(session: Session, family: str, gender: str | None) -> set[int]:
    tokens = index_tokens(family)
    if not tokens:
        return set()
    ids = list(
        session.scalars(
            select(CustomerSearchKey.customer_id).where(
                CustomerSearchKey.kind == "n1", CustomerSearchKey.key == tokens[0]
            )
        )
    )
    out: set[int] = set()
    for start in range(0, len(ids), 900):
        for cid, f, sal in session.execute(
            select(Customer.id, Customer.family_name, Customer.salutation).where(
                Customer.id.in_(ids[start : start + 900])
            )
        ):
            if fold(f or "") != fold(family):
                continue
            if gender and sal and _gender(sal) not in (None, gender):
                continue
            out.add(cid)
    return out


def _gender(salutation: str) -> str | None:
    s = salutation.lower().rstrip(".")
    return "f" if s in ("mrs", "ms", "miss", "frau") else "m" if s in ("mr", "herr") else None


def holders_now(session: Session, vehicle_ids: list[int]) -> set[int]:
    return set(
        session.scalars(
            select(Ownership.customer_id).where(
                Ownership.vehicle_id.in_(vehicle_ids),
                Ownership.since <= TODAY,
                (Ownership.until.is_(None)) | (Ownership.until >= TODAY),
            )
        )
    )


# --- query generation --------------------------------------------------------------------------


def make_queries(session: Session, per_kind: int, seed: int) -> list[Query]:
    rng = random.Random(seed)
    max_id = session.scalar(select(Customer.id).order_by(Customer.id.desc()).limit(1)) or 0
    queries: list[Query] = []
    wanted = {
        k: per_kind
        for k in (
            "name",
            "name_swapped",
            "name_typo",
            "name_typo_both",
            "name_accents",
            "name_nickname",
            "name_title",
            "family_only",
            *IDENTIFIER_KINDS,
        )
    }
    attempts = 0
    while any(wanted.values()) and attempts < per_kind * 400:
        attempts += 1
        cid = rng.randint(1, max_id)
        row = session.execute(
            select(
                Customer.kind, Customer.given_name, Customer.family_name, Customer.salutation
            ).where(Customer.id == cid)
        ).first()
        if row is None or row[0] != "person" or not row[1] or not row[2]:
            continue
        given, family, salutation = row[1], row[2], row[3]
        kind = rng.choice([k for k, n in wanted.items() if n > 0])
        q = _one(session, rng, kind, cid, given, family, salutation)
        if q is not None and q.text.strip():
            queries.append(q)
            wanted[kind] -= 1
    return queries


def _one(
    session: Session,
    rng: random.Random,
    kind: str,
    cid: int,
    given: str,
    family: str,
    salutation: str | None,
) -> Query | None:
    if kind.startswith("name") or kind == "family_only":
        return _name_query(session, rng, kind, cid, given, family, salutation)
    if kind == "phone":
        phones = session.scalars(
            select(ContactPoint.normalized).where(
                ContactPoint.customer_id == cid, ContactPoint.kind == "phone"
            )
        ).all()
        dealer_phones = set(session.scalars(text("SELECT main_phone FROM dealer")))
        phones = [p for p in phones if p not in dealer_phones]
        if not phones:
            return None
        e164 = rng.choice(phones)
        sharing = set(
            session.scalars(
                select(ContactPoint.customer_id).where(
                    ContactPoint.kind == "phone", ContactPoint.normalized == e164
                )
            )
        )
        return Query(kind, phone_formats(e164, rng), cid, sharing)
    if kind == "email":
        email = session.scalar(
            select(ContactPoint.normalized)
            .where(ContactPoint.customer_id == cid, ContactPoint.kind == "email")
            .limit(1)
        )
        if not email:
            return None
        sharing = set(
            session.scalars(
                select(ContactPoint.customer_id).where(
                    ContactPoint.kind == "email", ContactPoint.normalized == email
                )
            )
        )
        typed = rng.choice((email.upper(), email.capitalize(), f"  {email} ", email))
        return Query(kind, typed, cid, sharing)
    vehicles = session.execute(
        select(Vehicle.id, Vehicle.vin, Vehicle.plate)
        .join(Ownership, Ownership.vehicle_id == Vehicle.id)
        .where(
            Ownership.customer_id == cid,
            Ownership.since <= TODAY,
            (Ownership.until.is_(None)) | (Ownership.until >= TODAY),
        )
    ).all()
    if kind in ("vin", "vin_tail", "plate") and not vehicles:
        return None
    if kind == "vin":
        vid, vin, _p = rng.choice(vehicles)
        return Query(kind, rng.choice((vin, vin.lower())), cid, holders_now(session, [vid]))
    if kind == "vin_tail":
        _v, vin, _p = rng.choice(vehicles)
        tail = vin[-rng.choice((6, 7, 8)) :]
        same_tail = [
            v
            for v, full in session.execute(
                select(Vehicle.id, Vehicle.vin).where(
                    func.substr(Vehicle.vin, literal_column("12")) == tail[-6:]
                )
            )
            if full.endswith(tail)
        ]
        tellable = holders_now(session, same_tail)
        if tail.isdigit():
            # Digits alone are also an RO number at some rooftop: the query cannot tell.
            codes = session.scalars(text("SELECT code FROM dealer")).all()
            tellable |= set(
                session.scalars(
                    select(ServiceVisit.customer_id).where(
                        ServiceVisit.ro_number.in_([f"RO-{c}-{tail}" for c in codes])
                    )
                )
            )
        return Query(kind, tail, cid, tellable)
    if kind == "plate":
        with_plate = [(v, p) for v, _vin, p in vehicles if p]
        if not with_plate:
            return None
        vid, plate = rng.choice(with_plate)
        same = list(
            session.scalars(
                select(Vehicle.id).where(
                    Vehicle.plate_normalized == "".join(ch for ch in plate.upper() if ch.isalnum())
                )
            )
        )
        return Query(kind, plate_formats(plate, rng), cid, holders_now(session, same))
    if kind == "ro":
        ro = session.scalar(
            select(ServiceVisit.ro_number)
            .where(ServiceVisit.customer_id == cid)
            .order_by(ServiceVisit.id)
            .limit(1)
        )
        if not ro:
            return None
        digits = ro.rsplit("-", 1)[-1]
        typed = rng.choice((ro, ro.lower(), ro.replace("-", " "), digits))
        codes = session.scalars(text("SELECT code FROM dealer")).all()
        forms = [ro] if typed != digits else [f"RO-{c}-{digits}" for c in codes]
        owners = set(
            session.scalars(
                select(ServiceVisit.customer_id).where(ServiceVisit.ro_number.in_(forms))
            )
        )
        return Query(kind, typed, cid, owners)
    return None


def _name_query(
    session: Session,
    rng: random.Random,
    kind: str,
    cid: int,
    given: str,
    family: str,
    salutation: str | None,
) -> Query | None:
    tellable = same_name(session, given, family)
    if kind == "name":
        return Query(kind, f"{given} {family}", cid, tellable)
    if kind == "name_swapped":
        return Query(kind, rng.choice((f"{family}, {given}", f"{family} {given}")), cid, tellable)
    if kind == "name_typo":
        if rng.random() < 0.5:
            return Query(kind, f"{typo(given, rng)} {family}", cid, tellable)
        return Query(kind, f"{given} {typo(family, rng)}", cid, tellable)
    if kind == "name_typo_both":
        return Query(kind, f"{typo(given, rng)} {typo(family, rng)}", cid, tellable)
    if kind == "name_accents":
        if fold(given + family) == (given + family).lower() and rng.random() < 0.7:
            return None  # prefer names that have accents to drop
        return Query(kind, f"{accents(given, rng)} {accents(family, rng)}", cid, tellable)
    if kind == "name_nickname":
        nicks = catalog.NICKNAMES.get(given)
        if not nicks:
            return None
        return Query(kind, f"{rng.choice(nicks)} {family}", cid, tellable)
    if kind == "name_title":
        if not salutation:
            return None
        if rng.random() < 0.5:
            return Query(kind, f"{salutation} {given} {family}", cid, tellable)
        gender = _gender(salutation)
        return Query(kind, f"{salutation} {family}", cid, same_family(session, family, gender))
    if kind == "family_only":
        return Query(kind, family, cid, same_family(session, family, None))
    return None


# --- run ---------------------------------------------------------------------------------------


def run(url: str, per_kind: int, seed: int) -> dict[str, Any]:
    store, _note = open_bench_store(url)
    with store.sessions() as session:
        t0 = time.perf_counter()
        queries = make_queries(session, per_kind, seed)
        made = time.perf_counter() - t0
        by_kind: dict[str, Stats] = defaultdict(Stats)
        for q in queries:
            start = time.perf_counter()
            result = search(session, q.text, today=TODAY)
            ms = (time.perf_counter() - start) * 1000
            by_kind[q.kind].outcomes.append(
                Outcome(q, result.status, [c.customer_id for c in result.candidates], ms)
            )
    store.dispose()
    return {"queries": queries, "by_kind": by_kind, "generation_s": made}


def report(url: str, data: dict[str, Any], out: Path) -> bool:
    by_kind: dict[str, Stats] = data["by_kind"]
    every = Stats([o for s in by_kind.values() for o in s.outcomes])
    ids = Stats([o for k, s in by_kind.items() if k in IDENTIFIER_KINDS for o in s.outcomes])
    rows = []
    header = (
        f"{'kind':16} {'n':>5} {'1st strict':>10} {'1st tellable':>12} {'top5':>7} "
        f"{'ambig.':>7} {'match':>6} {'cand.':>6} {'none':>5} {'p50 ms':>7}"
    )
    print(f"lookup quality on {db.safe_url(url)}: {len(every.outcomes)} labelled queries")
    print(header)
    for kind in sorted(by_kind, key=lambda k: (k in IDENTIFIER_KINDS, k)):
        s = by_kind[kind]
        n = len(s.outcomes)
        status = {
            st: sum(1 for o in s.outcomes if o.status == st)
            for st in ("match", "candidates", "none")
        }
        row = {
            "kind": kind,
            "n": n,
            "first_strict": s.rate(lambda o: o.first_strict),
            "first_tellable": s.rate(lambda o: o.first_tellable),
            "top5": s.rate(lambda o: o.top5),
            "ambiguous_truth": s.rate(lambda o: len(o.query.tellable) > 1),
            **status,
            "p50_ms": statistics.median(o.ms for o in s.outcomes),
        }
        rows.append(row)
        print(
            f"{kind:16} {n:5} {row['first_strict']:9.1f}% {row['first_tellable']:11.1f}% "
            f"{row['top5']:6.1f}% {row['ambiguous_truth']:6.1f}% {status['match']:6} "
            f"{status['candidates']:6} {status['none']:5} {row['p50_ms']:7.2f}"
        )
    first = every.rate(lambda o: o.first_tellable)
    top5 = every.rate(lambda o: o.top5)
    exact = ids.rate(lambda o: o.first_tellable)
    print(
        f"{'ALL':16} {len(every.outcomes):5} {every.rate(lambda o: o.first_strict):9.1f}% "
        f"{first:11.1f}% {top5:6.1f}%"
    )
    unique = Stats([o for o in every.outcomes if len(o.query.tellable) == 1])
    names_unique = Stats([o for o in unique.outcomes if o.query.kind not in IDENTIFIER_KINDS])
    print(
        f"unique truth (one customer fits the query): {len(unique.outcomes)} queries, first "
        f"{unique.rate(lambda o: o.first_strict):.1f}%, top5 {unique.rate(lambda o: o.top5):.1f}%; "
        f"of them names: {len(names_unique.outcomes)}, first "
        f"{names_unique.rate(lambda o: o.first_strict):.1f}%"
    )
    checks = {
        "first >= 97%": first >= 97.0,
        "top5 >= 99.5%": top5 >= 99.5,
        "exact identifiers 100%": exact == 100.0,
    }
    for name, ok in checks.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    misses = [o for o in every.outcomes if not o.first_tellable][:25]
    if misses:
        print("first misses (kind | query | label | got):")
        for o in misses:
            print(
                f"  {o.query.kind} | {o.query.text!r} | {o.query.label} | {o.status} {o.ranked[:3]}"
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "url": db.safe_url(url),
                "rows": rows,
                "first_tellable": first,
                "top5": top5,
                "exact_identifiers": exact,
                "first_strict": every.rate(lambda o: o.first_strict),
                "unique_truth": {
                    "n": len(unique.outcomes),
                    "first": unique.rate(lambda o: o.first_strict),
                    "names_n": len(names_unique.outcomes),
                    "names_first": names_unique.rate(lambda o: o.first_strict),
                },
                "checks": checks,
                "misses": [
                    {
                        "kind": o.query.kind,
                        "query": o.query.text,
                        "label": o.query.label,
                        "status": o.status,
                        "got": o.ranked[:5],
                    }
                    for o in misses
                ],
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    print(f"report: {out}")
    return all(checks.values())


def ensure_store(customers: int, seed: int) -> str:
    path = Path("var/lookup") / f"quality-{customers}-{seed}.sqlite"
    url = f"sqlite:///{path}"
    if path.exists():
        return url
    from knowledge.demo import load_demo

    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()
    store, _note = open_bench_store(url)
    print(f"generating a {customers:,}-customer demo store at {path} …", flush=True)
    load_demo(store, customers=customers, seed=seed, today=TODAY)
    store.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="store to measure (default: a demo store generated here)")
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--queries-per-kind", type=int, default=80)
    parser.add_argument("--out", type=Path, default=Path("var/lookup/quality.json"))
    args = parser.parse_args()
    url = args.url or ensure_store(args.customers, args.seed)
    ok = report(url, run(url, args.queries_per_kind, args.seed), args.out)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
