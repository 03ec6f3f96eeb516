"""How names are cut into comparable tokens, on the index side and on the query side.

Both sides fold through ``knowledge.normalize`` (accents off, lower case), so "Müller",
"MULLER" and "müller" are one token; "Mueller" is caught as a spelling variant.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from knowledge.models.lookup import KEY_LENGTH
from knowledge.normalize import fold, name_tokens

# Forms of address people put before a name ("Mrs. Jones", "Herr Dr. Weber"): never part
# of what identifies the person.
TITLES = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "sir",
        "madam",
        "dame",
        "herr",
        "frau",
        "hr",
        "fr",
        "fru",
        "dipl",
        "ing",
        "mag",
        "mme",
        "mlle",
        "sig",
        "sra",
        "sr",
        "sre",
        "signora",
        "signor",
        "senor",
        "senora",
        "dott",
        "mister",
        "missus",
    }
)
# Legal forms in company names carry no identity ("Weber Bau GmbH" is found by "Weber Bau").
LEGAL_FORMS = frozenset(
    {
        "gmbh",
        "ag",
        "kg",
        "co",
        "ohg",
        "ug",
        "mbh",
        "ltd",
        "inc",
        "llc",
        "gbr",
        "ek",
        "se",
        "kgaa",
        "haftungsbeschrankt",
        "plc",
        "sarl",
        "srl",
        "bv",
        "nv",
        "eg",
        "ev",
    }
)
# A customer has a handful of name tokens; a longer list is noise (or an address pasted in).
MAX_NAME_TOKENS = 6
# Deletion variants are only made for words this long: deleting a letter of a short word
# makes strings that meet far too many unrelated names.
MIN_VARIANT_LENGTH = 4
MAX_DELETION2_LENGTH = 16

_WORD_SPLIT = re.compile(r"[\s,;/]+")
_NOISE = re.compile(r"[^\w\s,;/.'’`\-]|_")
_GERMAN_DIGRAPHS = (("ae", "a"), ("oe", "o"), ("ue", "u"))


def _clip(token: str) -> str:
    return token[:KEY_LENGTH]


def index_tokens(*fields: str | None) -> list[str]:
    """The name tokens a customer is found by, from their name fields, in order.

    Each field contributes its folded tokens (two letters or more; titles and legal forms
    dropped) and, when it has several parts, their concatenation: "Al-Sayed" yields
    "al", "sayed" and "alsayed"; "O'Brien" yields "brien" and "obrien".
    """
    seen: dict[str, None] = {}
    for field in fields:
        if field:
            for token in field_tokens(field):
                seen.setdefault(token, None)
    return list(seen)[: MAX_NAME_TOKENS * 2]


@lru_cache(maxsize=262_144)
def field_tokens(field: str) -> tuple[str, ...]:
    """The tokens of one name field (cached: names repeat across customers)."""
    out: dict[str, None] = {}
    for word in _WORD_SPLIT.split(field):
        parts = [p for p in name_tokens(word) if p not in TITLES and p not in LEGAL_FORMS]
        for part in parts:
            if len(part) >= 2:
                out.setdefault(_clip(part), None)
        if len(parts) > 1:
            out.setdefault(_clip("".join(parts)), None)
    return tuple(out)


def pair_keys(tokens: list[str]) -> set[str]:
    """Every two tokens, sorted and space-joined: order-free full-name keys."""
    capped = tokens[: MAX_NAME_TOKENS * 2]
    return {_clip(" ".join(sorted((a, b)))) for a, b in itertools.combinations(capped, 2) if a != b}


def query_words(text: str) -> list[str]:
    """Folded words of a name query, titles removed, in the order typed.

    A word with an apostrophe or hyphen whose part is a single letter ("O'Brien",
    "d'Angelo") is kept whole ("obrien"); other compound words are split ("García-López"
    → "garcia", "lopez"). Single letters stay: they are initials ("A. Müller").
    """
    words: list[str] = []
    # Symbols inside a word are noise ("Mü%ller"), not a word break: only hyphens,
    # apostrophes and dots separate the parts of a name.
    text = _NOISE.sub("", text)
    for raw in _WORD_SPLIT.split(text):
        parts = name_tokens(raw)
        if not parts:
            continue
        if len(parts) > 1 and any(len(p) == 1 for p in parts):
            parts = ["".join(parts)]
        for part in parts:
            if part in TITLES or part in LEGAL_FORMS:
                continue
            words.append(_clip(part))
    return words


def query_titles(text: str) -> list[str]:
    """The forms of address typed with a name ("Mrs.", "Herr"), folded."""
    return [t for raw in _WORD_SPLIT.split(text) for t in name_tokens(raw) if t in TITLES]


def transliterate(term: str) -> str:
    """German spelling without umlauts written out: 'mueller' → 'muller' (as 'Müller' folds)."""
    for digraph, vowel in _GERMAN_DIGRAPHS:
        term = term.replace(digraph, vowel)
    return term


def deletion_variants(term: str) -> set[str]:
    """The term and every string made by deleting one of its letters."""
    variants = {term}
    if len(term) >= MIN_VARIANT_LENGTH:
        variants.update(term[:i] + term[i + 1 :] for i in range(len(term)))
    return variants


def deletion2_variants(term: str) -> set[str]:
    """Strings made by deleting two letters: a second, wider net for long words.

    Only for words of 6–16 letters: beyond that the net grows quadratically (a pasted
    64-letter "word" would make 2,016 variants) and no name is that long.
    """
    if not 6 <= len(term) <= MAX_DELETION2_LENGTH:
        return set()
    out: set[str] = set()
    for i, j in itertools.combinations(range(len(term)), 2):
        out.add(term[:i] + term[i + 1 : j] + term[j + 1 :])
    return out


# --- Cologne phonetics (Kölner Phonetik, Postel 1969) ---------------------------------------
# Built for German names, it also groups the spellings of names from elsewhere that German
# speakers write by ear (Meyer/Maier/Meier, Schmidt/Schmitt, Katherine/Catherine).


@lru_cache(maxsize=262_144)
def phonetic(term: str) -> str:
    word = "".join(ch for ch in fold(term) if "a" <= ch <= "z")
    if not word:
        return ""
    codes: list[str] = []
    n = len(word)
    for i, ch in enumerate(word):
        prev = word[i - 1] if i > 0 else ""
        nxt = word[i + 1] if i + 1 < n else ""
        if ch in "aeijouy":
            code = "0"
        elif ch == "h":
            code = ""
        elif ch == "b":
            code = "1"
        elif ch == "p":
            code = "3" if nxt == "h" else "1"
        elif ch in "dt":
            code = "8" if nxt in ("c", "s", "z") and nxt else "2"
        elif ch in "fvw":
            code = "3"
        elif ch in "gkq":
            code = "4"
        elif ch == "c":
            if i == 0:
                code = "4" if nxt and nxt in "ahkloqrux" else "8"
            elif prev in ("s", "z"):
                code = "8"
            else:
                code = "4" if nxt and nxt in "ahkoqux" else "8"
        elif ch == "x":
            code = "8" if prev in ("c", "k", "q") and prev else "48"
        elif ch == "l":
            code = "5"
        elif ch in "mn":
            code = "6"
        elif ch == "r":
            code = "7"
        else:  # s, z
            code = "8"
        codes.append(code)
    collapsed: list[str] = []
    for code in "".join(codes):
        if not collapsed or collapsed[-1] != code:
            collapsed.append(code)
    head, rest = collapsed[0], collapsed[1:]
    return (head + "".join(c for c in rest if c != "0"))[:KEY_LENGTH]
