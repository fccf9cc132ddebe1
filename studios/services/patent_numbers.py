"""Chinese patent application numbers (申请号) and their check character.

The current form (from October 2003) is YYYY + a type digit + a 7-digit serial + "." + check:
202310123456.7. The older form is YY + type digit + 5-digit serial + "." + check: 98123456.X.
The check is the sum of the digits weighted 2,3,4,5,6,7,8,9,2,3,4,5 (the older form: 2..9),
modulo 11, with 10 written X.

Type digits: 1 invention, 2 utility model, 3 design; 8 and 9 are PCT applications entering
China, 8 for an invention and 9 for a utility model, and count as those types.

What people type is accepted: a CN or ZL prefix, spaces, full-width digits and dot, a lower
case x, a missing dot. The stored form is the canonical one above.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from guild.errors import DomainError
from studios.publication_models import PatentType

NEW_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
OLD_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9)
TYPE_DIGITS = {
    "1": PatentType.INVENTION,
    "2": PatentType.UTILITY_MODEL,
    "3": PatentType.DESIGN,
    "8": PatentType.INVENTION,
    "9": PatentType.UTILITY_MODEL,
}
SHAPE = re.compile(r"(\d{12}|\d{8})\.?([0-9X])")
FIRST_NEW_YEAR = 2003
FIRST_OLD_YEAR = 1985  # China's patent law came into force in 1985
MAX_INPUT = 40

NOT_A_NUMBER = _l(
    "This is not a patent application number: write it like 202310123456.7 "
    "(or the older form, like 98123456.X)."
)
WRONG_CHECK = _l(
    "The check character (after the dot) does not match the number: check the number was "
    "copied correctly."
)
WRONG_YEAR = _l("The year in this application number is not possible.")
WRONG_TYPE_DIGIT = _l("The fifth digit of an application number must be 1, 2, 3, 8 or 9.")


@dataclass(frozen=True)
class ApplicationNumber:
    """A valid application number: canonical text, its year and the type it names."""

    text: str
    year: int
    patent_type: PatentType


def check_character(digits: str) -> str:
    """The check character of the 12 (or 8) digits before the dot."""
    weights = NEW_WEIGHTS if len(digits) == 12 else OLD_WEIGHTS
    total = sum(int(digit) * weight for digit, weight in zip(digits, weights, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def clean(value: str) -> str:
    """What was typed, without prefix, spaces and width: the candidate canonical text."""
    text = unicodedata.normalize("NFKC", value or "")[:MAX_INPUT]
    text = "".join(text.split()).upper().replace("。", ".")
    for prefix in ("CN", "ZL"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return text


def parse_application_number(value: str, today: date) -> ApplicationNumber:
    """The canonical application number, or a DomainError on field application_number."""
    match = SHAPE.fullmatch(clean(value))
    if match is None:
        raise DomainError(NOT_A_NUMBER, field="application_number")
    digits, check = match.groups()
    if len(digits) == 12:
        year, type_digit = int(digits[:4]), digits[4]
        possible = FIRST_NEW_YEAR <= year <= today.year
    else:
        short = int(digits[:2])
        year, type_digit = (1900 + short if short >= 85 else 2000 + short), digits[2]
        possible = FIRST_OLD_YEAR <= year <= FIRST_NEW_YEAR
    if not possible:
        raise DomainError(WRONG_YEAR, field="application_number")
    if type_digit not in TYPE_DIGITS:
        raise DomainError(WRONG_TYPE_DIGIT, field="application_number")
    if check_character(digits) != check:
        raise DomainError(WRONG_CHECK, field="application_number")
    return ApplicationNumber(f"{digits}.{check}", year, TYPE_DIGITS[type_digit])


def with_check(digits: str) -> str:
    """The canonical number made from its digits (for demo data and tests)."""
    return f"{digits}.{check_character(digits)}"
