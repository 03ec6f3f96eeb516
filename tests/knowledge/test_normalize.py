from __future__ import annotations

import pytest

from knowledge.errors import InvalidInput
from knowledge.normalize import (
    clean_text,
    fold,
    name_tokens,
    normalize_email,
    normalize_phone,
    normalize_plate,
    normalize_vin,
    vin_check_digit,
    vin_problem,
)


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Müller", "muller"),
        ("Łukasz", "lukasz"),
        ("Straße", "strasse"),
        ("Øyvind", "oyvind"),
        ("José", "jose"),
        ("Çağlar", "caglar"),
        ("Nguyễn", "nguyen"),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_name_tokens() -> None:
    assert name_tokens("García-López, Ana") == ["garcia", "lopez", "ana"]


def test_clean_text_removes_controls_and_folds_spaces() -> None:
    assert clean_text("  a\x00b\t\n c ") == "a b c"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0151 2345 6789", "+4915123456789"),
        ("+49 (151) 2345-6789", "+4915123456789"),
        ("0049.151.23456789", "+4915123456789"),
        ("+1 (415) 555-0132", "+14155550132"),
        ("040 1234 5678", "+494012345678"),
        ("hello", None),
        ("12", None),
    ],
)
def test_normalize_phone(raw: str, expected: str | None) -> None:
    assert normalize_phone(raw, "DE") == expected


def test_normalize_phone_uses_region_for_national_numbers() -> None:
    assert normalize_phone("(415) 555-0132", "US") == "+14155550132"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" Dana.Okafor@Example.COM ", "dana.okafor@example.com"),
        ("no-at-sign", None),
        ("a@b", None),
        ("a@@b.de", None),
        ("a b@c.de", None),
    ],
)
def test_normalize_email(raw: str, expected: str | None) -> None:
    assert normalize_email(raw) == expected


def test_normalize_plate() -> None:
    assert normalize_plate("hh-ab 123") == "HHAB123"
    assert normalize_plate("M–ÜX 42") == "MUX42"


def test_vin_check_digit_of_a_known_vin() -> None:
    # The canonical example VIN used to explain the check digit.
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"
    assert vin_problem("1M8GDM9AXKP042788") is None


def test_vin_problems_are_specific() -> None:
    assert vin_problem("1M8GDM9A") == "a VIN has 17 characters, this one has 8"
    assert vin_problem("1M8GDM9AXKP04278O") == "a VIN never contains 'O' (I, O and Q are not used)"
    assert (
        vin_problem("1M8GDM9A1KP042788") == "check digit is '1' but the other characters give 'X'"
    )


def test_normalize_vin_upper_cases_and_rejects() -> None:
    assert normalize_vin(" 1m8gdm9axkp042788 ") == "1M8GDM9AXKP042788"
    with pytest.raises(InvalidInput, match="invalid VIN '1M8GDM9A1KP042788': check digit"):
        normalize_vin("1M8GDM9A1KP042788")
