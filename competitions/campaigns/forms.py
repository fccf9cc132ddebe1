"""The form organisers create and edit campaigns with."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, Optional

from competitions.campaigns.services.campaigns import (
    MAX_DAILY_COUNT,
    MAX_POINTS,
    CampaignFields,
)
from guild.forms import length, no_markup, required

NOT_A_DATE = _l("Enter a date as YYYY-MM-DD.")
NOT_A_NUMBER = _l("Enter a whole number.")
POINTS_RANGE = _l("Points must be between 0 and 10000.")
DAILY_RANGE = _l("Daily questions must be between 1 and 100.")


def _required():
    """Required, keeping a malformed value's own message (DataRequired would replace it)."""
    return InputRequired(message=_l("This field is required."))


def _date(label):
    return DateField(label, [_required()], invalid_value_message=NOT_A_DATE)


def _points(label, default: int):
    return IntegerField(
        label,
        [
            _required(),
            NumberRange(0, MAX_POINTS, message=POINTS_RANGE),
        ],
        default=default,
        invalid_value_message=NOT_A_NUMBER,
        render_kw={"min": 0, "max": MAX_POINTS, "inputmode": "numeric"},
    )


class CampaignForm(FlaskForm):
    """Create or edit a campaign; the trades' choices are set by the view."""

    name = StringField(_l("Name"), [required(), length(80), no_markup])
    description = TextAreaField(
        _l("Description"), [Optional(), length(2000)], render_kw={"rows": 4}
    )
    starts_on = _date(_l("First day"))
    ends_on = _date(_l("Last day"))
    trade_ids = SelectMultipleField(
        _l("Trades"),
        coerce=int,
        invalid_value_message=_l("Choose trades from the list."),
        invalid_choice_message=_l("Choose trades from the list."),
    )
    daily_count = IntegerField(
        _l("Questions in each daily practice"),
        [
            _required(),
            NumberRange(1, MAX_DAILY_COUNT, message=DAILY_RANGE),
        ],
        default=10,
        invalid_value_message=NOT_A_NUMBER,
        render_kw={"min": 1, "max": MAX_DAILY_COUNT, "inputmode": "numeric"},
    )
    points_per_correct = _points(_l("Points per right answer"), 10)
    daily_points_cap = _points(_l("Most points a day from answers"), 100)
    perfect_day_bonus = _points(_l("Bonus for a daily practice with every answer right"), 20)
    partial_credit = BooleanField(_l("Partial credit for multiple choice"))

    def to_fields(self) -> CampaignFields:
        """The campaign as entered (the service checks it against the rules)."""
        return CampaignFields(
            name=self.name.data or "",
            description=self.description.data or "",
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            trade_ids=tuple(self.trade_ids.data or ()),
            daily_count=self.daily_count.data,
            points_per_correct=self.points_per_correct.data,
            daily_points_cap=self.daily_points_cap.data,
            perfect_day_bonus=self.perfect_day_bonus.data,
            partial_credit=bool(self.partial_credit.data),
        )
