"""Values that identify nobody: placeholders are dropped, values many people give are shared."""

from __future__ import annotations

import pytest

from knowledge.identity.junk import (
    SharedValueCounter,
    SharedValues,
    junk_email_reason,
    junk_phone_reason,
    person_key,
    rough_e164,
)


@pytest.mark.parametrize(
    "email",
    ["noemail@autohaus.de", "keine@web.de", "test@gmx.de", "x@x.de", "a@example.com",
     "kunde@mail.invalid", "xxx@web.de"],
)  # fmt: skip
def test_placeholder_emails(email: str) -> None:
    assert junk_email_reason(email) is not None


@pytest.mark.parametrize("email", ["anna.mueller@web.de", "info@nordwind.de", "b@s.co.uk"])
def test_real_emails(email: str) -> None:
    assert junk_email_reason(email) is None


@pytest.mark.parametrize(
    "phone", ["0000000000", "000 000", "1111111111", "123456789", "0123 456789", "+49 123456789"]
)
def test_placeholder_phones(phone: str) -> None:
    assert junk_phone_reason(phone) is not None


@pytest.mark.parametrize("phone", ["0151 2345 6789", "040 1234567", "+4915123456789"])
def test_real_phones_that_merely_contain_a_run(phone: str) -> None:
    assert junk_phone_reason(phone) is None


@pytest.mark.parametrize(
    ("raw", "e164"),
    [("0151 2345 6789", "+4915123456789"), ("0049 151 23456789", "+4915123456789"),
     ("+49 (151) 23456789", "+4915123456789"), ("1234", None)],
)  # fmt: skip
def test_rough_e164_agrees_with_the_library_on_usual_forms(raw: str, e164: str | None) -> None:
    assert rough_e164(raw, "49") == e164


def test_a_value_counts_people_not_rows() -> None:
    shared = SharedValues()
    counter = SharedValueCounter()
    anna = person_key("Anna", "Müller", "1980-03-14")
    for _ in range(20):  # one person's twenty repair orders
        counter.add(anna, "phone", "+4915123456789")
    for given in ("Anna", "Bernd", "Clara", "Dieter"):
        counter.add(person_key(given, "Krause", None), "email", "pool@firma.de")
    assert counter.finish(shared) == 0  # four people: a household may be that large

    counter = SharedValueCounter()
    for given in ("Anna", "Bernd", "Clara", "Dieter", "Eva"):
        counter.add(person_key(given, "Krause", None), "email", "pool@firma.de")
    assert counter.finish(shared) == 1
    assert shared.is_shared("email", "pool@firma.de")
    assert shared.pending == [
        ("email", "pool@firma.de", 5, "given by 5 or more different people in one file")
    ]
