"""Forms of the judging pages; marks themselves are checked by the marking service."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import NumberRange, Optional

from competitions.contests.services.marking import MAX_REASON
from guild.extensions import MAX_ID
from guild.forms import length, required

NOT_READ = _l("This mark could not be read: reload the marking sheet.")


class MarkForm(FlaskForm):
    """One mark of one entry code: a judge's score 0–3 or an agreed mark, at the version read."""

    entry_id = IntegerField(validators=[required(), NumberRange(1, MAX_ID, message=NOT_READ)])
    value = StringField(_l("Mark"), validators=[length(32)])
    version = IntegerField(validators=[Optional(), NumberRange(1, MAX_ID, message=NOT_READ)])
    reason = StringField(_l("Reason for the change"), validators=[length(MAX_REASON)])

    def first_error(self) -> str:
        """The message to show for a form that did not validate."""
        for field in (self.value, self.reason):
            if field.errors:
                return str(field.errors[0])
        return str(NOT_READ)  # a broken entry id, version or token: the page is out of date


class ConfirmForm(FlaskForm):
    """A button that only needs its CSRF token: lock a criterion, reveal the codes."""
