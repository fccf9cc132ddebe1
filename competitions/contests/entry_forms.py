"""Forms of the entrants' contest pages: entering, team entries, appeals and rulings."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from competitions.contests.services.appeals import MAX_APPEAL, MAX_RULING
from competitions.contests.services.registration import MAX_TEAM_NAME
from guild.extensions import MAX_ID
from guild.forms import length, no_markup, optional_int, required, select_choices


def chosen_id(value) -> int | None:
    """A chosen row's id, None for the empty choice; refused unless a table could hold it."""
    number = optional_int(value)
    if number is not None and not 0 < number <= MAX_ID:
        raise ValueError(_l("Not a valid choice."))
    return number


class EnterForm(FlaskForm):
    """A worker enters an individual contest, in a group when it has groups."""

    group_id = SelectField(_l("Group"), coerce=chosen_id, validate_choice=False)


class TeamForm(FlaskForm):
    """An enterprise contact enters a team of its workers; the captain comes first."""

    team_name = StringField(_l("Team name"), [required(), length(MAX_TEAM_NAME), no_markup])
    captain = SelectField(_l("Captain"), coerce=chosen_id, validate_choice=False)
    members = SelectMultipleField(
        _l("Other members"), [Optional()], coerce=chosen_id, validate_choice=False
    )
    group_id = SelectField(_l("Group"), coerce=chosen_id, validate_choice=False)

    def chosen_members(self) -> list[int]:
        """The captain first, then the other members chosen, each once."""
        captain = self.captain.data
        others = [m for m in self.members.data or () if m is not None and m != captain]
        return ([captain] if captain is not None else []) + others


class AppealForm(FlaskForm):
    """An entrant's appeal against the published results."""

    reason = TextAreaField(
        _l("What is your appeal about?"),
        [required(), length(MAX_APPEAL)],
        render_kw={"rows": 4, "maxlength": MAX_APPEAL},
    )


RULINGS = select_choices([("upheld", _l("Upheld")), ("dismissed", _l("Dismissed"))])


class RulingForm(FlaskForm):
    """The organiser's ruling on an appeal; an upheld one may reopen an aspect."""

    decision = RadioField(
        _l("Ruling"),
        [InputRequired(message=_l("Choose whether the appeal is upheld or dismissed."))],
        choices=RULINGS,
    )
    ruling = TextAreaField(
        _l("Reasons for the ruling"),
        [required(), length(MAX_RULING)],
        render_kw={"rows": 3, "maxlength": MAX_RULING},
    )
    reopen_aspect_id = SelectField(
        _l("Reopen an aspect for re-marking"), coerce=chosen_id, validate_choice=False
    )
