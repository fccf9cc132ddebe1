"""Forms for the trades catalogue."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectMultipleField, StringField, widgets
from wtforms.validators import Optional, Regexp

from guild.forms import length, no_markup, required, select_choices
from guild.trades.levels import SkillLevel


class TradeForm(FlaskForm):
    """Create or edit a trade."""

    code = StringField(
        _l("National occupation code"),
        [Optional(), Regexp(r"^\d-\d{2}-\d{2}-\d{2}$", message=_l("Use the form 6-31-01-03."))],
        render_kw={"placeholder": "6-31-01-03"},
    )
    name = StringField(_l("Name"), [required(), length(50, 1), no_markup])
    category = StringField(_l("Category"), [required(), length(30, 1), no_markup])
    levels = SelectMultipleField(
        _l("Skill levels"),
        choices=select_choices((level.value, level.value) for level in SkillLevel),
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )


class TradeImportForm(FlaskForm):
    """Upload a trades CSV."""

    file = FileField(_l("CSV file"), [FileRequired(message=_l("Choose a file."))])
