"""Normalisation of export rows: each field, as the mapping says, or a rejection with reason."""

from __future__ import annotations

from typing import Any

import pytest

from knowledge.identity.mapping import load_mapping
from knowledge.identity.rows import RowParser, RowRejected, normalize_country, tidy_name
from tests.knowledge.identity.conftest import TODAY, VIN_A, dms_row, person


def generic(**fields: str) -> Any:
    parser = RowParser(load_mapping("generic-people"), today=TODAY, dealers={})
    return parser.parse(2, person("g1", **fields)).person


def dms(**fields: str) -> Any:
    parser = RowParser(load_mapping("dms-service"), today=TODAY, dealers={"HAM1": 1})
    return parser.parse(2, dms_row("K1", "MÜLLER, Anna", "R1", **fields))


@pytest.mark.parametrize(
    "raw",
    ["0151 2345 6789", "+49 151 23456789", "0049 151 23456789", "(0151) 2345-6789"],
)
def test_phones_become_e164_and_keep_what_was_typed(raw: str) -> None:
    record = generic(family_name="Müller", phone=raw)
    assert record.phones == ("+4915123456789",)
    assert record.phones_raw == (raw,)


def test_phone_of_a_foreign_address_is_read_in_that_country() -> None:
    record = generic(family_name="Meier", phone="044 668 18 00", country="CH")
    assert record.phones == ("+41446681800",)


@pytest.mark.parametrize("raw", ["0000000000", "123456789", "1111111", "n/a", "12"])
def test_placeholder_and_unusable_phones_are_dropped(raw: str) -> None:
    assert generic(family_name="Müller", phone=raw).phones == ()


def test_emails_are_trimmed_and_lower_cased() -> None:
    assert generic(family_name="Müller", email="  Anna.Mueller@Web.DE ").emails == (
        "anna.mueller@web.de",
    )


@pytest.mark.parametrize(
    "raw", ["noemail@autohaus.de", "keine@gmx.de", "x@x.de", "anna@example.com", "no email"]
)
def test_placeholder_emails_are_dropped(raw: str) -> None:
    assert generic(family_name="Müller", email=raw).emails == ()


def test_names_keep_their_spelling_but_shouting_is_title_cased() -> None:
    record = generic(given_name="  José ", family_name="GARCÍA-LÓPEZ")
    assert (record.given_name, record.family_name) == ("José", "García-López")
    view = record.view()
    assert view.given == ("jose",)
    assert view.family == ("garcia", "lopez")


def test_umlauts_fold_for_matching_both_ways() -> None:
    view = generic(given_name="Jürgen", family_name="Müller").view()
    assert view.family == ("muller",)
    assert view.family_de == ("mueller",)
    assert view.given_de == ("juergen",)


def test_tidy_name_leaves_mixed_case_alone() -> None:
    assert tidy_name("McAllister") == "McAllister"
    assert tidy_name("von der HEIDE") == "von der HEIDE"
    assert tidy_name("SCHMIDT") == "Schmidt"


@pytest.mark.parametrize("raw", ["1980-03-14", "19800314"])
def test_generic_birth_dates_in_both_forms(raw: str) -> None:
    assert generic(family_name="Müller", birth_date=raw).birth_date == "1980-03-14"


def test_a_date_that_is_no_date_rejects_the_row_with_the_expected_form() -> None:
    with pytest.raises(
        RowRejected, match=r"birth_date '31\.02\.1980' is not a date \(YYYY-MM-DD or YYYYMMDD\)"
    ):
        generic(family_name="Müller", birth_date="31.02.1980")


def test_a_birth_date_in_the_future_is_rejected() -> None:
    with pytest.raises(RowRejected, match="2031-01-01 is not a plausible birth date"):
        generic(family_name="Müller", birth_date="2031-01-01")


def test_a_row_with_nothing_to_identify_anyone_is_rejected() -> None:
    with pytest.raises(RowRejected, match="nothing identifies this person"):
        generic(street="Hauptstraße 5")


def test_source_id_is_required() -> None:
    parser = RowParser(load_mapping("generic-people"), today=TODAY, dealers={})
    with pytest.raises(RowRejected, match="source_id is empty"):
        parser.parse(2, person("", family_name="Müller"))


@pytest.mark.parametrize(
    ("raw", "code"), [("Deutschland", "DE"), ("de", "DE"), ("Österreich", "AT"), ("CH", "CH")]
)
def test_countries_by_name_or_code(raw: str, code: str) -> None:
    assert normalize_country(raw) == code


def test_unknown_country_rejects_the_row() -> None:
    with pytest.raises(RowRejected, match="country 'Atlantis'"):
        generic(family_name="Müller", country="Atlantis")


def test_dms_full_name_family_first_and_german_dates() -> None:
    row = dms(BIRTH_DATE="14.03.1980", MOBILE="0151 2345 6789")
    assert row.person is not None
    assert (row.person.given_name, row.person.family_name) == ("Anna", "Müller")
    assert row.person.birth_date == "1980-03-14"
    assert row.vehicle is not None and row.vehicle.vin == VIN_A
    assert row.visit is not None and row.visit.source_id == "HAM1/R1"
    assert (
        row.visit.opened_at is not None
        and row.visit.opened_at.isoformat() == "2024-03-02T07:15:00+00:00"
    )
    assert row.visit.status == "closed"


def test_vins_are_upper_cased_and_check_digit_validated() -> None:
    assert dms(VIN=VIN_A.lower()).vehicle.vin == VIN_A


def test_an_invalid_vin_is_rejected_with_its_reason() -> None:
    bad = VIN_A[:8] + "7" + VIN_A[9:]
    with pytest.raises(RowRejected, match=r"check digit is '7' but the other characters give '9'"):
        dms(VIN=bad)
    with pytest.raises(RowRejected, match="a VIN has 17 characters, this one has 5"):
        dms(VIN="WBA12")


def test_unknown_dealer_code_rejects_the_repair_order() -> None:
    with pytest.raises(RowRejected, match="unknown dealer code 'XX9'"):
        dms(DEALER="XX9")


def test_mileage_in_german_thousands() -> None:
    assert dms(MILEAGE="12.345 km").visit.odometer_km == 12345
