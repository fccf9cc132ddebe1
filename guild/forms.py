"""Field helpers shared by the forms of every domain."""

from flask_babel import lazy_gettext as _l
from wtforms import ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from guild.text import has_control_characters


def optional_int(value) -> int | None:
    """Coerce a select's value to an int, the empty choice to None."""
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(_l("Not a valid choice.")) from None


def required():
    """A required-field validator with a message in the user's language."""
    return DataRequired(message=_l("This field is required."))


def length(maximum: int, minimum: int = 0):
    """A length validator with a message in the user's language."""
    return Length(
        min=minimum,
        max=maximum,
        message=_l("Enter between %(min)d and %(max)d characters.", min=minimum, max=maximum),
    )


def checked_by(rule):
    """A WTForms validator from a rule function that returns a problem or None."""

    def validate(form, field) -> None:
        problem = rule(field.data or "")
        if problem:
            raise ValidationError(problem)

    return validate


def no_markup(form, field) -> None:
    """Refuse angle brackets and control characters in free text shown on pages."""
    if field.data and (any(c in "<>" for c in field.data) or has_control_characters(field.data)):
        raise ValidationError(_l("Do not use < > or control characters."))


def select_choices(pairs, empty_label: str | None = None) -> list[SelectChoice]:
    """Select options from (value, label) pairs, with an optional empty first option."""
    options = [SelectChoice("", empty_label)] if empty_label is not None else []
    return options + [SelectChoice(value, label) for value, label in pairs]
