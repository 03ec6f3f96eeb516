"""Satisfaction scores per visit: imported from a survey tool's CSV, or recorded by staff.

``import_surveys`` reads a CSV (repair-order number, score 0–10, comment, date) and links
each row to its visit. It is transactional (it writes in the caller's transaction: all of
it or, on an error, nothing), idempotent (the same file again changes nothing) and explains
every row it rejects by line number and reason; a rejected row is never half-written, and
with ``strict`` nothing is written when any row is rejected.

``record_survey`` is what a Slack modal calls when an advisor records what a customer said.
A survey tool's answer is the customer's own: an import replaces a score staff recorded,
but a score staff record never replaces the survey tool's.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.errors import AccessDenied, InvalidInput
from knowledge.models import Dealer, ServiceVisit, StaffMember, Survey, SurveyImportRun
from knowledge.normalize import clean_text

# The survey tool's answers; the demo data's surveys carry the same source.
SURVEY_TOOL = "survey"
MAX_COMMENT = 2000
MAX_SOURCE = 64
MAX_FILE_BYTES = 200 * 1024 * 1024
# How many rejects an import run keeps as evidence in the store (the user gets them all).
KEPT_REJECTS = 200
_CHUNK = 500

COLUMNS: dict[str, tuple[str, ...]] = {
    "ro_number": ("ro_number", "ro", "ro_no", "repair_order", "repair_order_number", "order"),
    "score": ("score", "rating", "nps", "satisfaction", "csi"),
    "comment": ("comment", "comments", "verbatim", "feedback", "text", "remark"),
    "date": ("date", "surveyed_on", "survey_date", "response_date", "answered_on", "submitted"),
    "dealer": ("dealer", "dealer_code", "store", "rooftop"),
}
REQUIRED = ("ro_number", "score", "date")
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")


# --- one score, recorded by staff -----------------------------------------------------------


@dataclass(frozen=True)
class SurveyResult:
    survey_id: int
    visit_id: int
    ro_number: str
    score: int
    comment: str | None
    surveyed_on: dt.date
    source: str
    # "created", "updated" or "unchanged"
    change: str
    previous_score: int | None = None

    @property
    def message(self) -> str:
        said = f"{self.score}/10 for {self.ro_number}" + (
            f": “{self.comment}”" if self.comment else ""
        )
        if self.change == "unchanged":
            return f"{said} was already recorded"
        if self.change == "updated":
            return f"saved {said} (was {self.previous_score}/10)"
        return f"saved {said}"


def parse_score(value: object) -> int:
    """A score 0–10 as typed or exported ("9", "9.0", "9,0"), or ``InvalidInput``."""
    if isinstance(value, bool):
        raise InvalidInput(f"score {value!r} is not a number from 0 to 10")
    if isinstance(value, int):
        number: float = value
    else:
        text = str(value or "").strip().replace(",", ".")
        if not text:
            raise InvalidInput("no score: give a whole number from 0 to 10")
        try:
            number = float(text)
        except ValueError:
            raise InvalidInput(f"score {value!r} is not a number from 0 to 10") from None
    if number != int(number):
        raise InvalidInput(f"score {value!r} is not a whole number (0 to 10)")
    if not 0 <= number <= 10:
        raise InvalidInput(f"score {value!r} is outside 0–10")
    return int(number)


def _clean_comment(comment: str | None) -> str | None:
    text = clean_text(comment) if comment else ""
    return text[:MAX_COMMENT] or None


def _zone(name: str | None) -> dt.tzinfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _opened_day(visit: ServiceVisit, timezone: str | None) -> dt.date:
    return visit.opened_at.astimezone(_zone(timezone)).date()


def record_survey(
    session: Session,
    *,
    visit_id: int,
    score: int,
    comment: str | None,
    on: dt.date,
    source: str,
    staff_id: int | None,
) -> SurveyResult:
    """Record what a customer said about a visit (one score per visit).

    The same entry again changes nothing; a different one replaces what staff recorded
    before. Refused (``InvalidInput``, nothing written) for a bad score, an unknown visit, a
    date before the visit, or when the survey tool's own answer is already there;
    ``AccessDenied`` for a staff member of another dealer group or no longer active.
    """
    value = parse_score(score)
    where = clean_text(source or "")[:MAX_SOURCE]
    if not where:
        raise InvalidInput("say where the score comes from (e.g. 'slack')")
    row = session.execute(
        select(ServiceVisit, Dealer)
        .join(Dealer, Dealer.id == ServiceVisit.dealer_id)
        .where(ServiceVisit.id == visit_id)
    ).first()
    if row is None:
        raise InvalidInput(f"no visit #{visit_id}")
    visit, dealer = row
    if staff_id is not None:
        staff = session.get(StaffMember, staff_id)
        if staff is None:
            raise InvalidInput(f"no staff member #{staff_id}")
        if not staff.active:
            raise AccessDenied(f"{staff.display_name} is no longer an active staff member")
        home = session.get(Dealer, staff.dealer_id)
        if home is None or home.group_id != dealer.group_id:
            raise AccessDenied(f"{visit.ro_number} is a visit of another dealer group")
    opened = _opened_day(visit, dealer.timezone)
    if on < opened:
        raise InvalidInput(
            f"the date {on.isoformat()} is before {visit.ro_number} was opened "
            f"({opened.isoformat()})"
        )
    text = _clean_comment(comment)
    survey = session.scalar(select(Survey).where(Survey.visit_id == visit.id))
    if survey is None:
        survey = Survey(visit_id=visit.id, score=value, comment=text, surveyed_on=on, source=where)
        session.add(survey)
        session.flush()
        return SurveyResult(survey.id, visit.id, visit.ro_number, value, text, on, where, "created")
    same = (survey.score, survey.comment, survey.surveyed_on) == (value, text, on)
    if same and survey.source == where:
        return SurveyResult(
            survey.id, visit.id, visit.ro_number, value, text, on, where, "unchanged", value
        )
    if survey.source == SURVEY_TOOL and where != SURVEY_TOOL:
        raise InvalidInput(
            f"{visit.ro_number} already has the customer's own survey answer "
            f"({survey.score}/10 on {survey.surveyed_on.isoformat()}); it is kept"
        )
    previous = survey.score
    survey.score, survey.comment, survey.surveyed_on, survey.source = value, text, on, where
    session.flush()
    return SurveyResult(
        survey.id, visit.id, visit.ro_number, value, text, on, where, "updated", previous
    )


# --- a survey tool's CSV --------------------------------------------------------------------


@dataclass(frozen=True)
class Reject:
    line: int
    ro_number: str
    reason: str

    def __str__(self) -> str:
        ro = f" {self.ro_number}" if self.ro_number else ""
        return f"line {self.line}{ro}: {self.reason}"


@dataclass(frozen=True)
class SurveyRow:
    line: int
    ro_number: str
    score: int
    comment: str | None
    surveyed_on: dt.date
    dealer_code: str | None


@dataclass(frozen=True)
class ImportResult:
    file_name: str
    sha256: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    rejects: tuple[Reject, ...]
    # False when nothing was written: a dry run, or ``strict`` with rejects.
    written: bool
    run_id: int | None
    # When this very file was imported before, if it was.
    imported_before: dt.datetime | None = None

    @property
    def message(self) -> str:
        counts = (
            f"{self.rows} row{'s' * (self.rows != 1)}: {self.inserted} new, "
            f"{self.updated} updated, {self.unchanged} unchanged, {len(self.rejects)} rejected"
        )
        if not self.written:
            why = "a dry run" if self.run_id is None else "--strict and rows were rejected"
            return f"{self.file_name}: {counts} — nothing was written ({why})"
        again = (
            f" (this file was imported before, on {self.imported_before:%Y-%m-%d %H:%M} UTC)"
            if self.imported_before
            else ""
        )
        return f"{self.file_name}: {counts}{again}"


def _header_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def _map_header(header: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _header_key(name)
        for column, aliases in COLUMNS.items():
            if key in aliases and column not in found:
                found[column] = index
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        listed = ", ".join(h.strip() for h in header if h.strip()) or "nothing"
        raise InvalidInput(
            f"the CSV needs columns for {', '.join(missing)} (a header such as "
            f"ro_number,score,comment,date); its header has: {listed}"
        )
    return found


def parse_survey_date(value: str) -> dt.date:
    text = value.strip()
    if m := _ISO_DATE.match(text):
        try:
            return dt.date.fromisoformat(m.group(1))
        except ValueError:
            pass
    elif m := _GERMAN_DATE.match(text):
        try:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            pass
    raise InvalidInput(f"bad date {value.strip()!r}: use YYYY-MM-DD (or DD.MM.YYYY)")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets on German desktops save Windows-1252.
        return data.decode("cp1252", errors="replace")


def read_survey_csv(text: str, *, today: dt.date) -> tuple[list[SurveyRow], list[Reject]]:
    """Parse and check every row on its own (no database): good rows and rejects."""
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput("the CSV is empty: it needs a header and rows") from None
    columns = _map_header(header)
    rows: list[SurveyRow] = []
    rejects: list[Reject] = []
    line = reader.line_num
    while True:
        start = line + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InvalidInput(f"line {start}: the CSV cannot be read ({exc})") from None
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue

        def cell(name: str, record: list[str] = record) -> str:
            index = columns.get(name)
            return record[index] if index is not None and index < len(record) else ""

        ro = cell("ro_number").strip().upper()
        if not ro:
            rejects.append(Reject(start, "", "no repair-order number"))
            continue
        if len(ro) > 32:
            rejects.append(Reject(start, ro[:32], "the repair-order number is too long"))
            continue
        try:
            score = parse_score(cell("score"))
            on = parse_survey_date(cell("date"))
        except InvalidInput as exc:
            rejects.append(Reject(start, ro, str(exc)))
            continue
        if on > today:
            rejects.append(Reject(start, ro, f"the date {on.isoformat()} is in the future"))
            continue
        dealer = cell("dealer").strip().upper() or None
        rows.append(SurveyRow(start, ro, score, _clean_comment(cell("comment")), on, dealer))
    return rows, rejects


@dataclass(frozen=True)
class _Visit:
    id: int
    ro_number: str
    dealer_id: int
    dealer_code: str
    opened_day: dt.date


def _visits_by_ro(session: Session, ros: Iterable[str]) -> dict[str, list[_Visit]]:
    wanted = sorted(set(ros))
    found: dict[str, list[_Visit]] = {}
    for i in range(0, len(wanted), _CHUNK):
        chunk = wanted[i : i + _CHUNK]
        for visit, code, zone in session.execute(
            select(ServiceVisit, Dealer.code, Dealer.timezone)
            .join(Dealer, Dealer.id == ServiceVisit.dealer_id)
            .where(ServiceVisit.ro_number.in_(chunk))
        ):
            found.setdefault(visit.ro_number, []).append(
                _Visit(visit.id, visit.ro_number, visit.dealer_id, code, _opened_day(visit, zone))
            )
    return found


def _surveys_of(session: Session, visit_ids: Sequence[int]) -> dict[int, Survey]:
    out: dict[int, Survey] = {}
    for i in range(0, len(visit_ids), _CHUNK):
        chunk = visit_ids[i : i + _CHUNK]
        for survey in session.scalars(select(Survey).where(Survey.visit_id.in_(chunk))):
            out[survey.visit_id] = survey
    return out


def import_surveys(
    session: Session,
    path: Path,
    *,
    today: dt.date,
    actor: str,
    staff_id: int | None = None,
    dealer_code: str | None = None,
    group_id: int | None = None,
    strict: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Import a survey tool's CSV into the caller's transaction (see the module's doc).

    ``dealer_code`` says which rooftop's repair orders the file holds when it has no dealer
    column; ``group_id`` limits the import to one dealer group's visits.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(f"{path.name} is larger than {MAX_FILE_BYTES // 2**20} MB")
    digest = hashlib.sha256(data).hexdigest()
    rows, rejects = read_survey_csv(_decode(data), today=today)
    forced = None
    if dealer_code:
        forced = session.scalar(select(Dealer.code).where(Dealer.code == dealer_code.upper()))
        if forced is None:
            raise InvalidInput(f"no dealer with code {dealer_code!r}")
    known_codes = set(session.scalars(select(Dealer.code)))
    allowed: set[int] | None = None
    if group_id is not None:
        allowed = set(session.scalars(select(Dealer.id).where(Dealer.group_id == group_id)))

    visits = _visits_by_ro(session, (r.ro_number for r in rows))
    chosen: list[tuple[SurveyRow, _Visit]] = []
    for row in rows:
        code = row.dealer_code or forced
        if row.dealer_code and row.dealer_code not in known_codes:
            rejects.append(Reject(row.line, row.ro_number, f"unknown dealer {row.dealer_code!r}"))
            continue
        candidates = visits.get(row.ro_number, [])
        if code:
            candidates = [v for v in candidates if v.dealer_code == code]
        if not candidates:
            at = f" at {code}" if code else ""
            rejects.append(Reject(row.line, row.ro_number, f"unknown repair order{at}"))
            continue
        if len(candidates) > 1:
            listed = ", ".join(sorted(v.dealer_code for v in candidates))
            rejects.append(
                Reject(
                    row.line,
                    row.ro_number,
                    f"this repair order exists at several rooftops ({listed}): add a dealer "
                    "column or give the dealer",
                )
            )
            continue
        visit = candidates[0]
        if allowed is not None and visit.dealer_id not in allowed:
            rejects.append(
                Reject(row.line, row.ro_number, "a visit of another dealer group: not yours")
            )
            continue
        if row.surveyed_on < visit.opened_day:
            rejects.append(
                Reject(
                    row.line,
                    row.ro_number,
                    f"the date {row.surveyed_on.isoformat()} is before the visit was opened "
                    f"({visit.opened_day.isoformat()})",
                )
            )
            continue
        chosen.append((row, visit))

    # One answer per visit: the same line twice is one answer, two different ones a reject.
    first: dict[int, SurveyRow] = {}
    unique: list[tuple[SurveyRow, _Visit]] = []
    duplicates = 0
    for row, visit in chosen:
        seen = first.get(visit.id)
        if seen is None:
            first[visit.id] = row
            unique.append((row, visit))
        elif (seen.score, seen.comment, seen.surveyed_on) == (
            row.score,
            row.comment,
            row.surveyed_on,
        ):
            duplicates += 1
        else:
            rejects.append(
                Reject(
                    row.line,
                    row.ro_number,
                    f"a different answer for this visit is already on line {seen.line}",
                )
            )

    existing = _surveys_of(session, [v.id for _, v in unique])
    inserted = updated = 0
    unchanged = duplicates
    changes: list[tuple[SurveyRow, _Visit, Survey | None]] = []
    for row, visit in unique:
        survey = existing.get(visit.id)
        if survey is not None and (
            survey.score,
            survey.comment,
            survey.surveyed_on,
            survey.source,
        ) == (row.score, row.comment, row.surveyed_on, SURVEY_TOOL):
            unchanged += 1
            continue
        changes.append((row, visit, survey))
        if survey is None:
            inserted += 1
        else:
            updated += 1

    rejects.sort(key=lambda r: r.line)
    total = _total_rows(rows, rejects)
    write = not dry_run and not (strict and rejects)
    if write:
        for row, visit, survey in changes:
            if survey is None:
                session.add(
                    Survey(
                        visit_id=visit.id,
                        score=row.score,
                        comment=row.comment,
                        surveyed_on=row.surveyed_on,
                        source=SURVEY_TOOL,
                    )
                )
            else:
                survey.score, survey.comment = row.score, row.comment
                survey.surveyed_on, survey.source = row.surveyed_on, SURVEY_TOOL
    before = session.scalar(
        select(SurveyImportRun.at)
        .where(SurveyImportRun.file_sha256 == digest, SurveyImportRun.written.is_(True))
        .order_by(SurveyImportRun.at)
        .limit(1)
    )
    run_id = None
    if not dry_run:
        run = SurveyImportRun(
            actor=actor[:128],
            staff_id=staff_id,
            file_name=path.name[:300],
            file_sha256=digest,
            rows=total,
            inserted=inserted if write else 0,
            updated=updated if write else 0,
            unchanged=unchanged,
            rejected=len(rejects),
            written=write,
            rejects=[
                {"line": r.line, "ro_number": r.ro_number, "reason": r.reason}
                for r in rejects[:KEPT_REJECTS]
            ],
        )
        session.add(run)
        session.flush()
        run_id = run.id
    return ImportResult(
        file_name=path.name,
        sha256=digest,
        rows=total,
        inserted=inserted,
        updated=updated,
        unchanged=unchanged,
        rejects=tuple(rejects),
        written=write,
        run_id=run_id,
        imported_before=before,
    )


def _total_rows(rows: Sequence[SurveyRow], rejects: Sequence[Reject]) -> int:
    """Data rows in the file: every parsed row plus those rejected before parsing."""
    parsed = {r.line for r in rows}
    return len(parsed) + len({r.line for r in rejects} - parsed)


def write_rejects(path: Path, rejects: Sequence[Reject]) -> None:
    """The rejects as a CSV (line, ro_number, reason) to fix and import again."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["line", "ro_number", "reason"])
        for r in rejects:
            writer.writerow([r.line, r.ro_number, r.reason])
