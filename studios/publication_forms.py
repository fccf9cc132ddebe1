"""Forms of the publication pages: patents, their status, achievements, photos, search."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import NumberRange, Optional

from guild.extensions import MAX_ID
from guild.forms import length, no_markup, required, select_choices
from studios.publication_models import PatentStatus
from studios.services.achievements import CATEGORIES
from studios.services.patents import STATUS_LABELS, TYPE_LABELS

NAME_SEPARATORS = re.compile(r"[\n,，、;；]+")


def challenge_field() -> IntegerField:
    """The optional id of the challenge a publication came from."""
    return IntegerField(
        _l("Challenge number (optional)"),
        validators=[
            Optional(),
            NumberRange(1, MAX_ID, message=_l("Enter a challenge number or leave it empty.")),
        ],
    )


class PatentForm(FlaskForm):
    """Add or edit a patent."""

    patent_type = SelectField(
        _l("Patent type"), choices=select_choices(TYPE_LABELS.items()), validators=[required()]
    )
    application_number = StringField(_l("Application number"), validators=[required(), length(40)])
    title = StringField(_l("Patent name"), validators=[required(), length(200), no_markup])
    filed_on = DateField(_l("Filing date"), validators=[required()])
    granted_on = DateField(_l("Grant date (if granted)"), validators=[Optional()])
    member_ids = SelectMultipleField(
        _l("Inventors in the studio"),
        coerce=int,
        choices=[],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )
    other_inventors = TextAreaField(
        _l("Other inventors (one per line)"), validators=[Optional(), length(1000), no_markup]
    )
    abstract = TextAreaField(_l("Abstract"), validators=[Optional(), length(5000), no_markup])
    challenge_id = challenge_field()

    def other_names(self) -> list[str]:
        """The free-text inventors, one per line (commas and 、 separate too)."""
        return [name.strip() for name in NAME_SEPARATORS.split(self.other_inventors.data or "")]


class StatusForm(FlaskForm):
    """Record a change of a patent's legal status."""

    status = SelectField(
        _l("New status"),
        choices=select_choices((s.value, STATUS_LABELS[s]) for s in PatentStatus),
        validators=[required()],
    )
    changed_on = DateField(_l("Date"), validators=[required()])
    note = StringField(_l("Note"), validators=[Optional(), length(200), no_markup])


class AchievementForm(FlaskForm):
    """Add or edit an achievement."""

    title = StringField(_l("Name of the result"), validators=[required(), length(200), no_markup])
    category = SelectField(
        _l("Category"), choices=select_choices(CATEGORIES.items()), validators=[required()]
    )
    achieved_on = DateField(_l("Date achieved"), validators=[required()])
    benefit_yuan = StringField(_l("Economic benefit (yuan)"), validators=[Optional(), length(40)])
    summary_markdown = TextAreaField(
        _l("Summary (Markdown: **bold**, *italic*, lists, links)"),
        validators=[Optional(), length(20000), no_markup],
    )
    awards = TextAreaField(_l("Awards"), validators=[Optional(), length(2000), no_markup])
    challenge_id = challenge_field()


class PhotoForm(FlaskForm):
    """Upload a photo of an achievement."""

    photo = FileField(_l("Photo (JPEG, PNG or WebP)"))


class EmptyForm(FlaskForm):
    """A form with only its CSRF token: delete buttons."""
