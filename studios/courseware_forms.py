"""Forms of the courseware and event pages."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import NumberRange, Optional

from guild.extensions import MAX_ID
from guild.forms import length, no_markup, required
from guild.timeutil import naive_utc
from studios.services.courseware import DESCRIPTION_MAX, TITLE_MAX
from studios.services.events import CAPACITY_MAX, PLACE_MAX, REASON_MAX
from studios.services.events import DESCRIPTION_MAX as EVENT_DESCRIPTION_MAX
from studios.services.events import TITLE_MAX as EVENT_TITLE_MAX

MOMENT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def chosen_id(value) -> int | None:
    """A chosen row's id; refused unless it is a number a table could hold."""
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(_l("Not a valid choice.")) from None
    if not 0 < number <= MAX_ID:
        raise ValueError(_l("Not a valid choice."))
    return number


def in_years(form, field) -> None:
    """Refuse a time outside 2000–2999 (no arithmetic overflow near year 1 or 9999)."""
    if field.data is not None and not 2000 <= field.data.year <= 2999:
        raise ValidationError(_l("Enter a year from 2000 to 2999."))


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def to_utc(local: datetime | None) -> datetime | None:
    """A wall-clock time in the union's time zone as the naive UTC the columns store."""
    return None if local is None else naive_utc(local.replace(tzinfo=_zone()))


def to_local(moment: datetime | None) -> datetime | None:
    """A stored naive UTC time as the union's wall-clock time, for a form's initial value."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).astimezone(_zone()).replace(tzinfo=None)


def file_field(label):
    """A file input; the service judges the file (the accept list only helps the picker)."""
    accept = ".pdf,.docx,.pptx,.xlsx,.wps,.et,.dps,.ofd,.mp4"
    return FileField(label, render_kw={"accept": accept})


class CoursewareForm(FlaskForm):
    """A new courseware item: its first file, title, description and trades."""

    title = StringField(_l("Courseware title"), [required(), length(TITLE_MAX), no_markup])
    description = TextAreaField(
        _l("Description"), [Optional(), length(DESCRIPTION_MAX), no_markup], render_kw={"rows": 4}
    )
    trade_ids = SelectMultipleField(
        _l("Trades it teaches"), [Optional()], coerce=chosen_id, validate_choice=False
    )
    file = file_field(_l("File"))


class VersionForm(FlaskForm):
    """A new version of an item."""

    file = file_field(_l("File of the new version"))


class EventForm(FlaskForm):
    """An exchange event as its organiser describes it (times in the union's time zone)."""

    title = StringField(_l("Event title"), [required(), length(EVENT_TITLE_MAX), no_markup])
    place = StringField(_l("Place"), [required(), length(PLACE_MAX), no_markup])
    starts_at = DateTimeLocalField(
        _l("Starts"),
        [required(), in_years],
        format=MOMENT_FORMATS,
        invalid_value_message=_l("Enter a date and time."),
    )
    ends_at = DateTimeLocalField(
        _l("Ends"),
        [required(), in_years],
        format=MOMENT_FORMATS,
        invalid_value_message=_l("Enter a date and time."),
    )
    capacity = IntegerField(
        _l("Places"),
        [required(), NumberRange(1, CAPACITY_MAX, _l("Enter a number from %(min)s to %(max)s."))],
        render_kw={"min": 1, "max": CAPACITY_MAX},
    )
    description = TextAreaField(
        _l("Description"),
        [Optional(), length(EVENT_DESCRIPTION_MAX), no_markup],
        render_kw={"rows": 4},
    )


class CancelEventForm(FlaskForm):
    """The organiser's reason for cancelling an event."""

    reason = StringField(_l("Reason"), [required(), length(REASON_MAX), no_markup])
