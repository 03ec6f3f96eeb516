"""``concierge report``, ``concierge surveys import`` and ``concierge suggestions show|rate``.

The trainers' loop on the command line: what was suggested, done and skipped, and how
customers felt (as text, HTML, CSV or JSON); survey scores from a survey tool's CSV; a
visit's suggestions with the facts behind each, and a trainer's rating of one.

Without ``--as`` a command runs as the store's operator (who has the database anyway);
with ``--as`` it runs as that staff member, under the access rule of the reports.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import typer
from rich.markup import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cli.common import cli_actor, console, err_console, one_line_errors, settings, store
from knowledge.access import Viewer, operator, viewer_for_slack_id
from knowledge.errors import AccessDenied, InvalidInput
from knowledge.models import Dealer
from knowledge.reports import PERIOD_HELP, Report, may_review, report_for
from knowledge.reports.render import summary_lines, to_csv, to_html, to_json
from knowledge.reviews import VisitReview, rate_suggestion, visit_suggestions
from knowledge.surveys import import_surveys, write_rejects
from knowledge.touches.schema import Playbook, PlaybookInvalid, load_playbook

FORMATS = ("html", "csv", "json")
SHOWN_REJECTS = 20

surveys_app = typer.Typer(
    help="Customer satisfaction scores per visit, from a survey tool.", no_args_is_help=True
)
suggestions_app = typer.Typer(
    help="Review what Concierge suggested for a visit, and rate a suggestion.",
    no_args_is_help=True,
)


def _viewer(session: Session, who: str | None) -> Viewer:
    if who is None:
        return operator(cli_actor())
    return viewer_for_slack_id(session, who, channel="cli")


def _playbook() -> Playbook | None:
    """The playbook for touch titles; a broken one costs the titles, not the report."""
    try:
        return load_playbook(settings().playbook_dir)
    except (PlaybookInvalid, InvalidInput) as exc:
        err_console.print(
            f"[yellow]warning:[/] the playbook cannot be read ({escape(str(exc))}); touches "
            "are shown by id",
            highlight=False,
            soft_wrap=True,
        )
        return None


def _format_of(fmt: str | None, out: Path | None) -> str | None:
    if fmt is not None:
        chosen = fmt.strip().lower()
        if chosen not in FORMATS:
            raise InvalidInput(f"unknown format {fmt!r}: use html, csv or json")
        return chosen
    if out is not None:
        suffix = out.suffix.lower().lstrip(".")
        if suffix in ("htm", "html"):
            return "html"
        if suffix in FORMATS:
            return suffix
        raise InvalidInput(f"say which format to write to {out.name}: --format html|csv|json")
    return None


def _print_report(report: Report) -> None:
    lines = summary_lines(report, top=10)
    console.print(f"[bold]{escape(lines[0])}[/]", highlight=False, soft_wrap=True)
    for line in lines[1:]:
        console.print(escape(line), highlight=False, soft_wrap=True)
    if report.staff:
        console.print("[dim]per staff member:[/]")
        for s in report.staff[:10]:
            c = s.counts
            rate = f"{c.done_rate * 100:.0f} %" if c.done_rate is not None else "–"
            console.print(
                f"  {escape(s.name)}: {c.done}/{c.suggested} done ({rate})",
                highlight=False,
                soft_wrap=True,
            )
    console.print(
        "[dim]as a file: concierge report … --format html|csv|json --out FILE[/]", highlight=False
    )


@one_line_errors
def report(
    since: str = typer.Option("30d", "--since", help=f"The period: {PERIOD_HELP}."),
    until: str | None = typer.Option(
        None, "--until", help="The last day (YYYY-MM-DD) when --since is a start date."
    ),
    dealer: str | None = typer.Option(None, "--dealer", help="One rooftop, by its code."),
    advisor: str | None = typer.Option(
        None, "--advisor", help="One staff member (Slack user id, id or name)."
    ),
    fmt: str | None = typer.Option(
        None, "--format", help="html, csv or json (default: a summary on screen)."
    ),
    out: Path | None = typer.Option(None, "--out", help="Write the report to this file."),
    compare: tuple[str, str] | None = typer.Option(
        None,
        "--compare-versions",
        help="Compare two playbook versions (hash, its first characters, or label).",
    ),
    touch_satisfaction: bool = typer.Option(
        False,
        "--touch-satisfaction",
        help="Also the satisfaction of visits where each touch was done or not (slower).",
    ),
    who: str | None = typer.Option(
        None, "--as", help="Ask as this staff member (Slack user id): their access applies."
    ),
) -> None:
    """What was suggested, done and skipped, per touch, staff member and week, and how
    customers felt — for trainers and admins (advisors: their own figures)."""
    chosen = _format_of(fmt, out)
    playbook = _playbook()
    now = dt.datetime.now(dt.UTC)
    with store() as opened, opened.sessions.begin() as session:
        result = report_for(
            session,
            _viewer(session, who),
            since=since,
            until=until,
            dealer=dealer,
            advisor=advisor,
            compare=compare,
            playbook=playbook,
            touch_satisfaction=touch_satisfaction,
            now=now,
        )
    if chosen is None:
        _print_report(result)
        return
    body = {"html": to_html, "csv": to_csv, "json": to_json}[chosen](result)
    if out is None:
        sys.stdout.write(body)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(body, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot write {out}: {exc.strerror or exc}") from None
    console.print(
        f"wrote {escape(str(out))} ({chosen}, {len(body.encode()) // 1024 + 1} KB): "
        f"{escape(result.scope.label)}, {escape(result.period.text)} — "
        f"{result.totals.suggested} suggested, {result.totals.done} done",
        highlight=False,
        soft_wrap=True,
    )


@surveys_app.command("import")
@one_line_errors
def surveys_import(
    path: Path = typer.Argument(
        ..., help="CSV with a header: ro_number, score (0–10), comment, date."
    ),
    rejects: Path | None = typer.Option(
        None, "--rejects", help="Also write the rejected rows (line, ro_number, reason) here."
    ),
    dealer: str | None = typer.Option(
        None, "--dealer", help="The rooftop whose repair orders the file holds (if no column)."
    ),
    strict: bool = typer.Option(
        False, "--strict", help="Write nothing at all when any row is rejected."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check the file, write nothing."),
    who: str | None = typer.Option(
        None, "--as", help="Import as this trainer or admin (Slack user id): their group only."
    ),
) -> None:
    """Import survey scores; the same file again changes nothing. Exits 1 when rows were
    rejected (listed with line number and reason)."""
    today = dt.datetime.now(dt.UTC).date()
    with store() as opened, opened.sessions.begin() as session:
        viewer = _viewer(session, who)
        if not may_review(viewer):
            raise AccessDenied("survey imports are for trainers and admins")
        group_id = (
            session.scalar(select(Dealer.group_id).where(Dealer.id == viewer.dealer_id))
            if viewer.dealer_id is not None
            else None
        )
        result = import_surveys(
            session,
            path,
            today=today,
            actor=viewer.actor,
            staff_id=viewer.staff_id,
            dealer_code=dealer,
            group_id=group_id,
            strict=strict,
            dry_run=dry_run,
        )
    console.print(escape(result.message), highlight=False, soft_wrap=True)
    for r in result.rejects[:SHOWN_REJECTS]:
        err_console.print(f"  {escape(str(r))}", highlight=False, soft_wrap=True)
    if len(result.rejects) > SHOWN_REJECTS:
        more = len(result.rejects) - SHOWN_REJECTS
        hint = f" — all in {rejects}" if rejects else " — write them all with --rejects FILE"
        err_console.print(f"  … and {more} more{escape(hint)}", highlight=False)
    if rejects is not None:
        try:
            write_rejects(rejects, result.rejects)
        except OSError as exc:
            raise InvalidInput(f"cannot write {rejects}: {exc.strerror or exc}") from None
    if result.rejects:
        sys.exit(1)


def _print_review(review: VisitReview) -> None:
    survey = (
        f"survey {review.survey_score}/10"
        + (f": “{escape(review.survey_comment)}”" if review.survey_comment else "")
        if review.survey_score is not None
        else "no survey"
    )
    console.print(
        f"[bold]{escape(review.ro_number)}[/] at {escape(review.dealer_code)} · "
        f"{escape(review.customer_name)} (#{review.customer_id}) · {escape(review.vehicle)} · "
        f"opened {review.opened_at:%Y-%m-%d %H:%M} UTC · advisor "
        f"{escape(review.advisor or '—')} · {survey}",
        highlight=False,
        soft_wrap=True,
    )
    if not review.suggestions:
        console.print("nothing was suggested for this visit")
    for s in review.suggestions:
        outcome = (s.outcome or "no outcome").replace("_", " ")
        if s.outcome_reason:
            outcome += f" ({s.outcome_reason})"
        if s.outcome_by:
            outcome += f" by {s.outcome_by}"
        version = (
            f"{s.playbook_label} ({s.playbook_version})"
            if s.playbook_label
            else (s.playbook_version)
        )
        console.print(
            f"\n[bold]#{s.suggestion_id} {escape(s.title)}[/] [dim]({escape(s.touch_id)}, rank "
            f"{s.rank}, playbook {escape(version)})[/]",
            highlight=False,
            soft_wrap=True,
        )
        to = f" to {s.shown_to}" if s.shown_to else ""
        again = f", {s.shown_count}×" if s.shown_count > 1 else ""
        console.print(
            f"  shown {s.shown_at:%Y-%m-%d %H:%M} UTC{escape(to)}{again} → {escape(outcome)}",
            highlight=False,
            soft_wrap=True,
        )
        console.print(f"  {escape(s.instruction)}", highlight=False, soft_wrap=True)
        console.print(f"  [italic]why:[/] {escape(s.reason)}", highlight=False, soft_wrap=True)
        if s.conditions:
            console.print(f"  when: {escape(s.conditions)}", highlight=False, soft_wrap=True)
        if s.conditions_note:
            console.print(f"  [dim]{escape(s.conditions_note)}[/]", highlight=False)
        for f in s.facts:
            mark = "•" if f.tested else "·"
            value = json.dumps(f.value, ensure_ascii=False)
            console.print(
                f"  {mark} {escape(f.name)} = {escape(value)}", highlight=False, soft_wrap=True
            )
        for r in s.ratings:
            said = r.rating.replace("_", " ")
            why = f": {r.comment}" if r.comment else ""
            console.print(
                f"  rated {escape(said)} by {escape(r.by)}{escape(why)}",
                highlight=False,
                soft_wrap=True,
            )
    if review.suggestions:
        console.print(
            "\n[dim]• a fact the touch's conditions test, · one its wording uses · rate one: "
            "concierge suggestions rate ID good|not_appropriate --comment … --as YOU[/]",
            highlight=False,
        )


@suggestions_app.command("show")
@one_line_errors
def suggestions_show(
    ro_number: str = typer.Argument(..., help="The visit's repair-order number."),
    dealer: str | None = typer.Option(
        None, "--dealer", help="The rooftop, when two share the repair-order number."
    ),
    who: str | None = typer.Option(
        None, "--as", help="Review as this trainer or admin (Slack user id)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """A visit's suggestions with the facts that triggered each, outcomes and ratings."""
    playbook = _playbook()
    with store() as opened, opened.sessions.begin() as session:
        review = visit_suggestions(
            session, _viewer(session, who), ro_number, dealer_code=dealer, playbook=playbook
        )
    if as_json:
        typer.echo(json.dumps(review.to_dict(), ensure_ascii=False, indent=2))
        return
    _print_review(review)


@suggestions_app.command("rate")
@one_line_errors
def suggestions_rate(
    suggestion_id: int = typer.Argument(..., help="The suggestion's number (#N)."),
    rating: str = typer.Argument(..., help="good or not_appropriate."),
    comment: str | None = typer.Option(
        None, "--comment", help="Why (required for not_appropriate)."
    ),
    who: str = typer.Option(..., "--as", help="The trainer or admin rating (Slack user id)."),
) -> None:
    """Rate a suggestion; the ratings appear per touch in the report."""
    now = dt.datetime.now(dt.UTC)
    with store() as opened, opened.sessions.begin() as session:
        result = rate_suggestion(
            session, _viewer(session, who), suggestion_id, rating, comment=comment, now=now
        )
    console.print(escape(result.message), highlight=False, soft_wrap=True)


def register(root: typer.Typer) -> None:
    root.command("report")(report)
    root.add_typer(surveys_app, name="surveys")
    root.add_typer(suggestions_app, name="suggestions")
