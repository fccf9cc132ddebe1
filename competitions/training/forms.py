"""Forms of the training pages; responses are checked by the grading rules in the service."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import NumberRange, Optional

from competitions.questions.types import TYPE_LABELS, QuestionType
from competitions.training.models import MODE_LABELS, Mode
from guild.forms import length, required, select_choices


class StartForm(FlaskForm):
    """Start an attempt in a trade."""

    mode = SelectField(choices=select_choices((m.value, _l(MODE_LABELS[m])) for m in Mode))
    trade_id = IntegerField(validators=[required(), NumberRange(1, 2**31 - 1)])
    chapter = StringField(validators=[Optional(), length(100)])
    blueprint_id = IntegerField(validators=[Optional(), NumberRange(1, 2**31 - 1)])


class AnswerForm(FlaskForm):
    """Answer (or, in an exam, save) one question; the response fields are read as a list."""

    question_id = IntegerField(validators=[required(), NumberRange(1, 2**31 - 1)])
    action = HiddenField()
    flagged = BooleanField(_l("Flag for review"))


class TradesForm(FlaskForm):
    """Choose the trades to train in (ids read as a list)."""


class PartForm(Form):
    """One part of an exam blueprint."""

    kind = SelectField(
        _l("Type"),
        default=QuestionType.SINGLE.value,
        choices=select_choices((kind.value, _l(TYPE_LABELS[kind])) for kind in QuestionType),
    )
    difficulty = SelectField(
        _l("Difficulty"),
        default="0",
        choices=select_choices([("0", _l("Any"))] + [(str(n), str(n)) for n in range(1, 6)]),
    )
    count = IntegerField(_l("Questions"), validators=[Optional(), NumberRange(0, 200)])
    points = IntegerField(_l("Points each"), validators=[Optional(), NumberRange(1, 100)])


class BlueprintForm(FlaskForm):
    """An exam blueprint: name, time limit, and up to six parts."""

    name = StringField(_l("Name"), [required(), length(60)])
    duration = IntegerField(_l("Time limit (minutes)"), [required(), NumberRange(1, 240)])
    parts = FieldList(FormField(PartForm), min_entries=6, max_entries=6)
