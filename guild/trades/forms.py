"""Forms for the trades catalogue."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectMultipleField, StringField, widgets
from wtforms.validators import Optional

from guild.forms import checked_by, required, select_choices
from guild.trades.levels import SkillLevel
from guild.trades.rules import category_problem, code_problem, name_problem


class TradeForm(FlaskForm):
    """Create or edit a trade."""

    code = StringField(
        _l("National occupation code"),
        [Optional(), checked_by(code_problem)],
        render_kw={"placeholder": "6-31-01-03"},
    )
    name = StringField(_l("Name"), [required(), checked_by(name_problem)])
    category = StringField(_l("Category"), [required(), checked_by(category_problem)])
    levels = SelectMultipleField(
        _l("Skill levels"),
        choices=select_choices((level.value, level.value) for level in SkillLevel),
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )


class TradeImportForm(FlaskForm):
    """Upload a trades CSV."""

    file = FileField(_l("CSV file"), [FileRequired(message=_l("Choose a file."))])
