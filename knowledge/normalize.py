"""Comparable forms of what people type: phones, e-mails, names, plates, VINs.

Lookup and identity resolution both compare through these functions, so a value typed at
the counter and a value imported from a source system meet in the same form.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

from knowledge.errors import InvalidInput

# Letters that Unicode decomposition leaves alone but people write in plain ASCII.
_ASCII_FOLD = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "œ": "oe",
        "Œ": "OE",
    }
)
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case ASCII with accents removed: 'Müller' → 'muller', 'Łukasz' → 'lukasz'."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_FOLD))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.lower()


def name_tokens(text: str) -> list[str]:
    """Folded alphanumeric tokens of a name: 'García-López, Ana' → ['garcia', 'lopez', 'ana']."""
    return [t for t in _NOT_ALNUM.split(fold(text)) if t]


def clean_text(text: str) -> str:
    """Unicode NFC, control characters removed, runs of white space folded to one space."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(text.split())


def normalize_email(raw: str) -> str | None:
    """Trimmed, lower-cased e-mail, or None when it is not shaped like one."""
    value = raw.strip().lower()
    if value.count("@") != 1:
        return None
    local, domain = value.split("@")
    if not local or "." not in domain or any(ch.isspace() for ch in value):
        return None
    return value


def parse_phone(raw: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(raw, region.upper())
    except phonenumbers.NumberParseException:
        return None
    # "Possible" (right length for the country) rather than "valid" (an allocated range):
    # dealer data holds numbers from ranges newer than any library's metadata. Very short
    # numbers are service codes, never a customer's line.
    if not phonenumbers.is_possible_number(number) or len(str(number.national_number)) < 6:
        return None
    return number


def normalize_phone(raw: str, region: str = "DE") -> str | None:
    """E.164 form ('+4915123456789') of a phone typed in any format, or None.

    A number without a country code is read as a number of ``region`` (the dealer's
    country), so '0151 2345 6789' and '+49 151 23456789' meet.
    """
    number = parse_phone(raw, region)
    if number is None:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_digits(raw: str) -> str:
    return "".join(ch for ch in raw if ch.isdigit())


def normalize_plate(raw: str) -> str:
    """Plates compare without case, spaces or dashes: 'hh-ab 123' → 'HHAB123'."""
    return "".join(ch for ch in fold(raw).upper() if ch.isalnum())


# --- VINs (ISO 3779 with the North-American check digit in position 9) -----------------------

VIN_LENGTH = 17
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
VIN_ALPHABET = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"


def vin_check_digit(vin: str) -> str:
    """The check character of a 17-character VIN (position 9 is ignored in the sum)."""
    total = sum(_VIN_VALUES[ch] * w for ch, w in zip(vin, _VIN_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def vin_problem(raw: str) -> str | None:
    """Why ``raw`` is not a valid VIN, or None when it is one."""
    vin = raw.strip().upper()
    if len(vin) != VIN_LENGTH:
        return f"a VIN has 17 characters, this one has {len(vin)}"
    bad = sorted({ch for ch in vin if ch not in _VIN_VALUES})
    if bad:
        letters = ", ".join(repr(ch) for ch in bad)
        return f"a VIN never contains {letters} (I, O and Q are not used)"
    expected = vin_check_digit(vin)
    if vin[8] != expected:
        return f"check digit is {vin[8]!r} but the other characters give {expected!r}"
    return None


def normalize_vin(raw: str) -> str:
    """Upper-cased, validated VIN; raises InvalidInput naming what is wrong."""
    problem = vin_problem(raw)
    if problem:
        raise InvalidInput(f"invalid VIN {raw.strip()!r}: {problem}")
    return raw.strip().upper()


def looks_like_vin_fragment(text: str) -> bool:
    """6–17 VIN characters with at least one digit: a whole or partial VIN someone typed."""
    value = text.strip().upper()
    return (
        6 <= len(value) <= VIN_LENGTH
        and all(ch in _VIN_VALUES for ch in value)
        and any(ch.isdigit() for ch in value)
    )
