"""What makes a trade's code, name and category acceptable, for forms, imports and services."""

import re

from flask_babel import lazy_gettext as _l

from guild.text import has_control_characters

CODE_PATTERN = re.compile(r"[0-9]-[0-9]{2}-[0-9]{2}-[0-9]{2}")
NAME_MAX, CATEGORY_MAX = 50, 30


def code_problem(code: str) -> str | None:
    """Why a national occupation code is not acceptable (empty is fine), or None."""
    if code and not CODE_PATTERN.fullmatch(code):
        return str(_l("the code %(code)s is not of the form 6-31-01-03", code=code[:20]))
    return None


def _text_problem(text: str, maximum: int, empty_message) -> str | None:
    if not text.strip():
        return str(empty_message)
    if len(text) > maximum or any(c in "<>" for c in text) or has_control_characters(text):
        return str(_l("too long, or contains < > or control characters"))
    return None


def name_problem(name: str) -> str | None:
    """Why a trade name is not acceptable, or None."""
    return _text_problem(name, NAME_MAX, _l("the name is empty"))


def category_problem(category: str) -> str | None:
    """Why a trade category is not acceptable, or None."""
    return _text_problem(category, CATEGORY_MAX, _l("the category is empty"))
