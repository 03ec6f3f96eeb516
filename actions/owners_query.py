"""``owners_query``: who holds the vehicles that need attention — by campaign, make, model,
model years ("owners of 2019-2021 X5 with campaign 0061 open"). The first page, with the
total; the CLI exports the full list as CSV.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from actions.results import OwnerItem, OwnersList, Question, Result
from actions.turn import Turn
from knowledge.errors import InvalidInput
from knowledge.models import RecallCampaign, Vehicle
from knowledge.owners import MAKE_ALIASES, OwnersQuery, make_forms, owners_page, parse_years

INTENT = "owners_query"
PAGE_SIZE = 10
_YEARS = re.compile(r"\b((?:19|20)\d{2})(?:\s*(?:-|–|to|\.\.)\s*((?:19|20)?\d{2}))?\b")
_FILLER = frozenset({"models", "model", "owners", "owner", "cars", "car", "the", "a", "an"})


def _is_make(turn: Turn, word: str) -> bool:
    if word.lower() in MAKE_ALIASES:
        return True
    found = turn.session.scalar(
        select(Vehicle.id).where(Vehicle.make.in_(make_forms(word))).limit(1)
    )
    return found is not None


def vehicle_query(turn: Turn, text: str) -> tuple[str | None, str | None, tuple[int, int] | None]:
    """(make, model, years) from "2019-2021 X5", "bmw x5", "2020 golf", "porsche"."""
    years = None
    match = _YEARS.search(text)
    if match:
        first, last = match.group(1), match.group(2)
        if last and len(last) == 2:
            last = first[:2] + last
        years = parse_years(f"{first}-{last}" if last else first)
        text = (text[: match.start()] + " " + text[match.end() :]).strip()
    tokens = [t for t in text.split() if t.lower() not in _FILLER]
    make = None
    for size in (2, 1):
        if len(tokens) >= size and _is_make(turn, " ".join(tokens[:size])):
            make = " ".join(tokens[:size])
            tokens = tokens[size:]
            break
    model = " ".join(tokens) or None
    return make, model, years


def _campaign(turn: Turn, typed: str) -> str:
    """The campaign code typed, or the one code it starts (staff type "0061" for 0061940300)."""
    code = typed.strip().upper()
    exact = turn.session.scalar(select(RecallCampaign.code).where(RecallCampaign.code == code))
    if exact:
        return exact
    starts = turn.session.scalars(
        select(RecallCampaign.code).where(RecallCampaign.code.like(code + "%")).limit(3)
    ).all()
    return starts[0] if len(starts) == 1 else code


def handle(turn: Turn) -> list[Result]:
    campaign = turn.value("campaign")
    vehicles = turn.values("vehicle")
    if not campaign and not vehicles:
        return [
            Question(
                text="Owners of which vehicles? Name a recall campaign, a make or a model, e.g. "
                "'owners of 2019-2021 X5 with campaign 0061 open'.",
                expects="detail",
            )
        ]
    make = model = None
    years = None
    if vehicles:
        make, model, years = vehicle_query(turn, vehicles[0])
    query = OwnersQuery(
        recall=_campaign(turn, campaign) if campaign else None,
        make=make,
        model=model,
        years=years,
    )
    if not any((query.recall, query.make, query.model)):
        raise InvalidInput(f"{vehicles[0]!r} names no make or model I know")
    page = owners_page(
        turn.session, query, viewer=turn.viewer, today=turn.today, page_size=PAGE_SIZE
    )
    parts = []
    if years:
        parts.append(f"{years[0]}–{years[1]}" if years[0] != years[1] else str(years[0]))
    parts += [p for p in (make, model) if p]
    what = " ".join(parts) or "vehicles"
    description = f"owners of {what}"
    if query.recall:
        title = f" ({page.campaign_title})" if page.campaign_title else ""
        description += f" with open recall {query.recall}{title}"
    if page.excluded_do_not_contact:
        description += f"; {page.excluded_do_not_contact} left out (do not contact)"
    if len(vehicles) > 1:
        description += f"; only {vehicles[0]!r} was used — ask about one vehicle at a time"
    return [
        OwnersList(
            description=description,
            owners=tuple(
                OwnerItem(
                    number=n,
                    customer_id=r.customer_id,
                    name=r.name,
                    vehicle_label=" ".join(str(p) for p in (r.model_year, r.make, r.model) if p),
                    vin=r.vin,
                    plate=r.plate,
                    preferred_channel=r.preferred_channel,
                    phone=r.phone,
                    email=r.email,
                    open_recalls=(r.campaign,) if r.campaign else (),
                )
                for n, r in enumerate(page.rows, 1)
            ),
            total=page.total,
            page=page.page,
            pages=page.pages,
        )
    ]
