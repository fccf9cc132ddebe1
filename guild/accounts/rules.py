"""What makes a phone number and a person's name acceptable, for forms and services alike."""

import re

from flask_babel import lazy_gettext as _l

# ASCII digits only, whole string: \\d and $ would let in other scripts' digits and a newline.
PHONE_PATTERN = re.compile(r"1[3-9][0-9]{9}")
# Letters (any script), digits, spaces and the punctuation of names: · ・ . ' -
NAME_PATTERN = re.compile(r"[^\W_]+(?:[ \u00b7\u30fb.'-][^\W_]+)*")
NAME_MIN, NAME_MAX = 2, 30


def phone_problem(phone: str) -> str | None:
    """Why a mainland mobile number is not acceptable, or None."""
    if not PHONE_PATTERN.fullmatch(phone or ""):
        return str(_l("Enter an 11-digit mainland mobile number."))
    return None


def name_problem(name: str) -> str | None:
    """Why a real name is not acceptable, or None."""
    name = (name or "").strip()
    if not NAME_MIN <= len(name) <= NAME_MAX:
        return str(_l("Enter between %(min)d and %(max)d characters.", min=NAME_MIN, max=NAME_MAX))
    if not NAME_PATTERN.fullmatch(name):
        return str(_l("Use only letters, digits, spaces and ·."))
    return None
