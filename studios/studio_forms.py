"""The forms of the studio pages: founding, editing, decisions, members, alliances."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from guild.accounts.models import Enterprise
from guild.extensions import db
from guild.forms import length, no_markup, optional_int, required, select_choices
from guild.web import city_choices
from studios.labels import KIND_LABELS, LEVEL_LABELS
from studios.models import Alliance
from studios.services.studios import StudioFields

MAX_ENTERPRISE_CHOICES = 1000


def alliance_choices(empty: str) -> list:
    """Every alliance as select choices."""
    rows = db.session.execute(select(Alliance.id, Alliance.name).order_by(Alliance.id))
    return select_choices(list(rows), empty)


class StudioForm(FlaskForm):
    """A studio's details, as its leader edits them."""

    name = StringField(_l("Studio name"), validators=[required(), length(80, 2), no_markup])
    enterprise_id = SelectField(_l("Enterprise"), coerce=optional_int, validate_choice=False)
    city = SelectField(_l("City"), validators=[required()])
    industry = StringField(_l("Industry"), validators=[length(40), no_markup])
    level = SelectField(
        _l("Level"),
        choices=select_choices([(level.value, label) for level, label in LEVEL_LABELS.items()]),
        validators=[required()],
    )
    founded_on = DateField(
        _l("Founding date"), validators=[InputRequired(message=_l("Give the founding date."))]
    )
    leader_honours = TextAreaField(
        _l("Leader's honours (one per line)"), validators=[Optional(), length(500), no_markup]
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), length(5000), no_markup])

    def fill_choices(self) -> None:
        """The cities and enterprises to choose from."""
        self.city.choices = select_choices(city_choices())
        rows = db.session.execute(
            select(Enterprise.id, Enterprise.name)
            .order_by(Enterprise.name)
            .limit(MAX_ENTERPRISE_CHOICES)
        )
        self.enterprise_id.choices = select_choices(list(rows), _l("The leader's enterprise"))

    def fields(self) -> StudioFields:
        """The form's values for the studio services."""
        honours = (self.leader_honours.data or "").splitlines()
        return StudioFields(
            name=self.name.data or "",
            city=self.city.data or "",
            level=self.level.data or "",
            founded_on=self.founded_on.data,
            industry=self.industry.data or "",
            description=self.description.data or "",
            leader_honours=honours,
            enterprise_id=self.enterprise_id.data,
        )


class ApplyForm(StudioForm):
    """Applying to found a studio: the details, the alliance, and who leads it."""

    alliance_id = SelectField(_l("Alliance to join"), coerce=optional_int, validators=[required()])
    leader_phone = StringField(
        _l("Leader's phone number (leave empty if you lead it)"), validators=[length(11)]
    )

    def fill_choices(self) -> None:
        """The alliances, cities and enterprises to choose from."""
        super().fill_choices()
        self.alliance_id.choices = alliance_choices(_l("Choose an alliance"))


class DecisionForm(FlaskForm):
    """An alliance admin's approval or rejection, with a note."""

    decision = SelectField(
        _l("Decision"),
        choices=select_choices([("approve", _l("Approve")), ("reject", _l("Reject"))]),
        validators=[required()],
    )
    note = StringField(_l("Note"), validators=[length(200), no_markup])


class PhoneForm(FlaskForm):
    """A user named by phone number: a member to invite, an admin to appoint."""

    phone = StringField(_l("Phone number"), validators=[required(), length(11)])


class MemberForm(FlaskForm):
    """A studio member picked from the list (to remove or hand over to)."""

    member_id = HiddenField(validators=[required()])


class JoinAllianceForm(FlaskForm):
    """The alliance a studio applies to join."""

    alliance_id = SelectField(_l("Alliance"), coerce=optional_int, validators=[required()])


class AllianceForm(FlaskForm):
    """A new alliance."""

    name = StringField(_l("Name"), validators=[required(), length(80), no_markup])
    kind = SelectField(
        _l("Kind"),
        choices=select_choices([(kind.value, label) for kind, label in KIND_LABELS.items()]),
    )
    city = SelectField(_l("City (of a city alliance)"), validators=[Optional()])
    industry = StringField(
        _l("Industry (of an industry alliance)"), validators=[length(40), no_markup]
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), length(2000), no_markup])

    def fill_choices(self) -> None:
        """The cities to choose from."""
        self.city.choices = select_choices(city_choices(), "—")


class EmptyForm(FlaskForm):
    """A bare POST with its CSRF token (accept, decline, leave)."""
