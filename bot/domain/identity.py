"""Personal and enterprise identifiers: passport numbers, credit codes, names. Pure.

Passport numbers are only ever shown masked, the last two characters at most ("•••••••34"); names in the HR view are
shortened to an initial and the surname ("L. Hoffmann").
"""
from __future__ import annotations

import re
import unicodedata
from typing import Optional

PASSPORT_MIN, PASSPORT_MAX = 5, 20
LAST_FOUR = 4
MASK_CHAR = "•"
_PASSPORT = re.compile(r"[A-Z0-9]+")

# GB 32100-2015: 18 characters from this alphabet (no I, O, S, V, Z), the last one a check character.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_LENGTH = 18


class InvalidPassport(ValueError):
    """A passport number (or the last four characters of one) that cannot be right."""


class InvalidCreditCode(ValueError):
    """Not a unified social credit code; the message says why."""


# -- passports -------------------------------------------------------------------------

def normalise_passport(text: Optional[str]) -> str:
    """Spaces removed, upper case: "e 1234 5634" -> "E12345634". No validation."""
    return re.sub(r"\s+", "", text or "").upper()


def parse_passport(text: Optional[str]) -> str:
    """A whole passport number, normalised; InvalidPassport unless it is 5-20 letters and digits."""
    number = normalise_passport(text)
    if not number:
        raise InvalidPassport("the passport number is empty")
    if not _PASSPORT.fullmatch(number):
        raise InvalidPassport("a passport number has only letters and digits")
    if not PASSPORT_MIN <= len(number) <= PASSPORT_MAX:
        raise InvalidPassport(f"a passport number has {PASSPORT_MIN} to {PASSPORT_MAX} characters, not {len(number)}")
    return number


def parse_passport_input(text: Optional[str]) -> str:
    """What an applicant typed to prove identity: the whole number or exactly its last four characters."""
    value = normalise_passport(text)
    if len(value) < LAST_FOUR or not _PASSPORT.fullmatch(value) or len(value) > PASSPORT_MAX:
        raise InvalidPassport("Please give your whole passport number, or its last four characters.")
    return value


def is_last_four(value: str) -> bool:
    return len(value) == LAST_FOUR


def mask_passport(number: str) -> str:
    """One bullet per hidden character and the last two: "E12345634" -> "•••••••34". Never more: the
    last four characters (with the family name) prove identity, so a mask must not give away half."""
    number = normalise_passport(number)
    if len(number) <= 4:
        return MASK_CHAR * len(number)
    return MASK_CHAR * (len(number) - 2) + number[-2:]


# -- unified social credit codes -------------------------------------------------------------

def credit_code_check_char(first17: str) -> str:
    """The check character (GB 32100-2015) for the first 17 characters of a credit code."""
    total = sum(CREDIT_CODE_ALPHABET.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def parse_credit_code(text: Optional[str]) -> str:
    """A unified social credit code, upper case, spaces removed; InvalidCreditCode when it cannot be one."""
    code = re.sub(r"\s+", "", text or "").upper()
    if len(code) != CREDIT_CODE_LENGTH:
        raise InvalidCreditCode(f"a unified social credit code has {CREDIT_CODE_LENGTH} characters, not {len(code)}")
    bad = sorted({ch for ch in code if ch not in CREDIT_CODE_ALPHABET})
    if bad:
        raise InvalidCreditCode("a unified social credit code has only digits and capital letters other than "
                                f"I, O, S, V and Z; found {', '.join(repr(b) for b in bad)}")
    if not code[2:8].isdigit():
        raise InvalidCreditCode("characters 3 to 8 of a unified social credit code are the digits of the "
                                "administrative division")
    if credit_code_check_char(code[:17]) != code[17]:
        raise InvalidCreditCode("the last character (the check character) does not match: "
                                "probably a typing mistake in the code")
    return code


# -- names -----------------------------------------------------------------------------

# Lower-case particles that belong to the surname: "Ludwig van Beethoven" -> "L. van Beethoven".
PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "da", "di", "dos", "das", "du", "la", "le",
             "ter", "ten", "bin", "binti", "al", "el", "zu"}
# Two-character Chinese surnames; every other Chinese surname is the first character.
COMPOUND_SURNAMES = {"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "令狐",
                     "宇文", "夏侯", "轩辕", "端木", "司徒", "申屠", "澹台", "南宫", "西门"}


def abbreviate_name(name: Optional[str]) -> str:
    """A full name shortened for lists: the first given name's initial and the surname.

    "Lena Hoffmann" -> "L. Hoffmann"; "Hoffmann, Lena" -> "L. Hoffmann";
    passport style "WANG Xiaoming" (surname in capitals) -> "X. Wang"; "Madonna" -> "Madonna";
    names in Chinese, Japanese or Korean script keep the surname and hide the given name:
    "王小明" -> "王**", "欧阳娜娜" -> "欧阳**", "约翰·史密斯" -> "约·史密斯".
    """
    text = unicodedata.normalize("NFC", " ".join((name or "").split()))
    if not text:
        return ""
    if _is_cjk(text):
        return _abbreviate_cjk(text)
    if "," in text:  # "Surname, Given"
        surname, _, given = (part.strip() for part in text.partition(","))
        return _initial_and(given.split(), surname)
    tokens = text.split(" ")
    if len(tokens) == 1:
        return _cased(tokens[0])
    capitals = [t for t in tokens if _is_all_caps(t)]
    if capitals and len(capitals) < len(tokens):  # passport style: the surname is in capitals
        surname = " ".join(t for t in tokens if _is_all_caps(t))
        given = [t for t in tokens if not _is_all_caps(t)]
        return _initial_and(given, surname)
    cut = len(tokens) - 1
    while cut > 1 and tokens[cut - 1].lower() in PARTICLES:
        cut -= 1
    return _initial_and(tokens[:cut], " ".join(tokens[cut:]))


def family_name(name: Optional[str]) -> str:
    """The family name as abbreviate_name finds it: "Lena Hoffmann" -> "Hoffmann", "WANG Xiaoming" ->
    "Wang", "Hoffmann, Lena" -> "Hoffmann", "Ludwig van Beethoven" -> "van Beethoven", "王小明" -> "王"."""
    short = abbreviate_name(name)
    if _is_cjk(short):
        return short.rstrip("*").split("·")[-1]
    return short.split(". ", 1)[1] if re.match(r"^\w\. ", short) else short


def family_name_matches(applicant_name: Optional[str], given: Optional[str]) -> bool:
    """True when ``given`` is the applicant's family name, compared without case, accents, spaces,
    hyphens or apostrophes. A Latin-script name written "Given Family" may also be written in the
    East Asian order ("Wang Xiaoming"), so its first word is accepted too; particles may be left out
    ("Beethoven" for "van Beethoven")."""
    wanted = _name_key(given)
    if not wanted or not applicant_name:
        return False
    family = family_name(applicant_name)
    candidates = {_name_key(family), _name_key(" ".join(w for w in family.split() if w.lower() not in PARTICLES))}
    words = " ".join(applicant_name.split()).split(" ")
    if "," not in applicant_name and not _is_cjk(applicant_name) and len(words) > 1 \
            and not any(_is_all_caps(w) for w in words):
        candidates.add(_name_key(words[0]))
    return wanted in candidates - {""}


def _name_key(text: Optional[str]) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c)).casefold()


def _initial_and(given: list, surname: str) -> str:
    surname = _cased(surname)
    if not given or not given[0]:
        return surname
    return f"{given[0][0].upper()}. {surname}"


def _cased(text: str) -> str:
    """Names written all in capitals read better title-cased; others are kept as written."""
    if _is_all_caps(text):
        return " ".join(word.lower() if word.lower() in PARTICLES else word.title() for word in text.split(" "))
    return text


def _is_all_caps(token: str) -> bool:
    letters = [ch for ch in token if ch.isalpha()]
    return len(letters) > 1 and all(ch.isupper() for ch in letters)


def _is_cjk(text: str) -> bool:
    return any(_cjk_char(ch) for ch in text)


def _cjk_char(ch: str) -> bool:
    code = ord(ch)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xAC00 <= code <= 0xD7AF
            or 0x3040 <= code <= 0x30FF or 0xF900 <= code <= 0xFAFF)


def _abbreviate_cjk(text: str) -> str:
    if " " in text:  # "山田 太郎": the family name is written first and set apart
        surname, rest = text.split(" ", 1)
        return surname + "*" * len(rest.replace(" ", ""))
    for dot in ("·", "・", "•"):
        if dot in text:  # a transliterated foreign name, given name first: "约翰·史密斯" -> "约·史密斯"
            parts = [p for p in text.split(dot) if p]
            return parts[0][0] + "·" + parts[-1] if len(parts) > 1 else parts[0]
    compact = text
    if len(compact) == 1:
        return compact
    size = 2 if compact[:2] in COMPOUND_SURNAMES and len(compact) > 2 else 1
    return compact[:size] + "*" * (len(compact) - size)
