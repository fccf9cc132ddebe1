"""The forms of the evaluation pages (reports take their period from the query string)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FloatField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from studios.services.evaluation import INDICATORS

INDICATOR_LABELS = {
    "invention_patents": _l("Invention patents"),
    "utility_model_patents": _l("Utility-model patents"),
    "design_patents": _l("Design patents"),
    "achievements": _l("Innovation results"),
    "benefit_wan_yuan": _l("Economic benefit (10,000 yuan)"),
    "courseware": _l("Courseware"),
    "events": _l("Events held"),
    "members_trained": _l("Members trained"),
    "challenges_delivered": _l("Challenges delivered"),
}
WEIGHT_MESSAGE = _l("Each weight is a number from 0 to 100.")


def _weight(name: str) -> FloatField:
    return FloatField(
        INDICATOR_LABELS[name],
        validators=[InputRequired(message=WEIGHT_MESSAGE), NumberRange(0, 100, WEIGHT_MESSAGE)],
    )


class WeightsForm(FlaskForm):
    """A year's weight for each indicator."""

    locals().update({name: _weight(name) for name in INDICATORS})

    def weights(self) -> dict[str, float]:
        """The weights as entered."""
        return {name: getattr(self, name).data for name in INDICATORS}


class NameForm(FlaskForm):
    """How many studios of each alliance to name; picked ones come as `pick` values."""

    top = IntegerField(
        _l("Top studios of each alliance"),
        validators=[
            InputRequired(message=_l("Give a number from 0 to 1,000.")),
            NumberRange(0, 1000, _l("Give a number from 0 to 1,000.")),
        ],
    )
