"""The forms of the challenge board's pages: posting, review, attachments, the board's filter."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, NumberRange, Optional

from guild.forms import length, no_markup, optional_int, required, select_choices
from guild.timeutil import utcnow
from studios.courseware_forms import MOMENT_FORMATS, chosen_id, file_field, in_years, to_utc
from studios.services.challenges import (
    MAX_FIELD,
    MAX_REASON,
    MAX_TEXT,
    MAX_TITLE,
    MOST_WINNERS,
    ChallengeFields,
)

AS_ENTERPRISE = "enterprise"


def _in_future(form, field) -> None:
    """Refuse a deadline that has already passed (in the union's time zone)."""
    if field.data is not None and to_utc(field.data) <= utcnow():
        raise ValidationError(_l("The deadline must be in the future."))


def _text_area(label, most: int, *extra):
    return TextAreaField(label, [*extra, length(most), no_markup], render_kw={"rows": 4})


class ChallengeForm(FlaskForm):
    """A challenge as its poster writes it (deadline in the union's time zone)."""

    post_as = SelectField(_l("Posted by"), validators=[required()])
    alliance_id = SelectField(
        _l("Reviewing alliance"), coerce=optional_int, validators=[required()]
    )
    title = StringField(_l("Challenge title"), [required(), length(MAX_TITLE), no_markup])
    problem = _text_area(_l("The problem"), MAX_TEXT, required())
    indicators = _text_area(_l("Target indicators and acceptance criteria"), MAX_TEXT, Optional())
    requirements = _text_area(_l("What claimants must have"), MAX_TEXT, Optional())
    field = StringField(_l("Field"), [Optional(), length(MAX_FIELD), no_markup])
    trade_ids = SelectMultipleField(
        _l("Trades"), [Optional()], coerce=chosen_id, validate_choice=False
    )
    reward_yuan = StringField(
        _l("Reward (yuan)"), [Optional(), length(40), no_markup], render_kw={"inputmode": "decimal"}
    )
    deadline = DateTimeLocalField(
        _l("Claims close"),
        [InputRequired(message=_l("Set the deadline for claims.")), in_years, _in_future],
        format=MOMENT_FORMATS,
        invalid_value_message=_l("Enter a date and time."),
        render_kw={"step": 60},
    )
    winners_wanted = IntegerField(
        _l("Winners (more than 1: a horse race)"),
        [
            InputRequired(message=_l("This field is required.")),
            NumberRange(1, MOST_WINNERS, _l("Enter a number from %(min)s to %(max)s.")),
        ],
        default=1,
        render_kw={"min": 1, "max": MOST_WINNERS},
    )

    def fields(self) -> ChallengeFields:
        """The form's values for the challenge services."""
        post_as = self.post_as.data or ""
        studio_id = None if post_as == AS_ENTERPRISE else chosen_id(post_as.removeprefix("s"))
        return ChallengeFields(
            title=self.title.data or "",
            problem=self.problem.data or "",
            deadline=to_utc(self.deadline.data),
            alliance_id=self.alliance_id.data,
            indicators=self.indicators.data or "",
            requirements=self.requirements.data or "",
            field=self.field.data or "",
            reward_yuan=self.reward_yuan.data or "",
            winners_wanted=self.winners_wanted.data,
            trade_ids=tuple(t for t in self.trade_ids.data or () if t is not None),
            studio_id=studio_id,
        )


class ReviewForm(FlaskForm):
    """An alliance admin's review: open the challenge, or reject it with a reason."""

    decision = RadioField(
        _l("Decision"),
        choices=select_choices(
            [("approve", _l("Open it on the board")), ("reject", _l("Reject it"))]
        ),
        validators=[InputRequired(message=_l("Choose a decision."))],
    )
    reason = TextAreaField(
        _l("Reason (for a rejection)"),
        [Optional(), length(MAX_REASON), no_markup],
        render_kw={"rows": 3},
    )


class AttachForm(FlaskForm):
    """A file attached to a challenge by its poster."""

    file = file_field(_l("File"))


class MarkReadForm(FlaskForm):
    """Mark one notification read (or all, without an id)."""

    notification_id = IntegerField(validators=[Optional()])
