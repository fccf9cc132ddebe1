"""The forms organisers set up contests with: rules, staff, entries, theory paper, lots."""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, NumberRange, Optional, StopValidation

from competitions.contests.labels import STAFF_ROLE_LABELS, TIE_BREAK_LABELS
from competitions.contests.models import Contest, StaffRole
from competitions.contests.ranking import TIE_BREAKS
from competitions.contests.services.contests import (
    APPEAL_DAYS,
    MAX_DESCRIPTION,
    MAX_GROUPS,
    MAX_NAME,
    MAX_QUOTA,
    MAX_TEAM_SIZE,
    MAX_TITLE_COUNT,
    MAX_TITLE_NAME,
    SPREAD_LIMIT,
    ContestFields,
)
from guild.extensions import MAX_ID
from guild.forms import length, no_markup, optional_int, required, select_choices
from guild.timeutil import naive_utc

NOT_A_NUMBER = _l("Enter a whole number.")
NOT_A_DECIMAL = _l("Enter a number.")
NOT_A_MOMENT = _l("Enter a date and time.")
MOMENT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
YEARS = (2000, 2999)
HUNDRED = Decimal(100)


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def to_utc(local: datetime | None) -> datetime | None:
    """A wall-clock time in the union's time zone as the naive UTC the columns store."""
    return None if local is None else naive_utc(local.replace(tzinfo=_zone()))


def to_local(moment: datetime | None) -> datetime | None:
    """A stored naive UTC time as the wall-clock time of the union's time zone."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).astimezone(_zone()).replace(tzinfo=None)


def decimal_of(value: float | None, scale: int = 1) -> Decimal | None:
    """A stored float as the decimal people wrote, times scale (0.07 → 7 for a percentage)."""
    if value is None:
        return None
    return (Decimal(repr(float(value))) * scale).normalize() + 0  # "+ 0": no 1E+1


def _in_years(form, field) -> None:
    if field.data is not None and not YEARS[0] <= field.data.year <= YEARS[1]:
        raise ValidationError(_l("Enter a year from 2000 to 2999."))


def moment_field(label):
    """A date and time in the union's time zone (an <input type=datetime-local>)."""
    return DateTimeLocalField(
        label,
        [Optional(), _in_years],
        format=MOMENT_FORMATS,
        invalid_value_message=NOT_A_MOMENT,
        render_kw={"step": 60},
    )


def _finite(form, field) -> None:
    """Stop at NaN or infinity, which NumberRange cannot compare."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(NOT_A_DECIMAL)


def _whole(label, low: int, high: int, default, optional: bool = False):
    message = _l("Enter a whole number from %(low)d to %(high)d.", low=low, high=high)
    first = Optional() if optional else InputRequired(message=_l("This field is required."))
    return IntegerField(
        label,
        [first, NumberRange(low, high, message=message)],
        default=default,
        invalid_value_message=NOT_A_NUMBER,
        render_kw={"min": low, "max": high, "inputmode": "numeric"},
    )


def _number(label, low: float, high: float, default, optional: bool = False):
    message = _l("Enter a number from %(low)s to %(high)s.", low=low, high=high)
    first = Optional() if optional else InputRequired(message=_l("This field is required."))
    return DecimalField(
        label,
        [first, _finite, NumberRange(low, high, message=message)],
        default=default,
        places=None,
        invalid_value_message=NOT_A_DECIMAL,
        render_kw={"min": low, "max": high, "step": "any", "inputmode": "decimal"},
    )


def _tie_break(label):
    return SelectField(label, choices=[], default="")


class ContestForm(FlaskForm):
    """Every rule of a contest; the trades' choices are set by the view."""

    name = StringField(_l("Name"), [required(), length(MAX_NAME), no_markup])
    trade_id = SelectField(
        _l("Trade"),
        coerce=optional_int,
        choices=[],
        invalid_choice_message=_l("Choose a trade from the list."),
    )
    level = SelectField(_l("Skill level"), choices=[], default="")
    team_size = _whole(_l("Members in an entry (1: individual)"), 1, MAX_TEAM_SIZE, 1)
    description = TextAreaField(
        _l("Description"), [Optional(), length(MAX_DESCRIPTION)], render_kw={"rows": 4}
    )
    registration_opens_at = moment_field(_l("Registration opens"))
    registration_closes_at = moment_field(_l("Registration closes"))
    quota_per_enterprise = _whole(
        _l("Entries an enterprise may field (empty: no limit)"), 1, MAX_QUOTA, None, True
    )
    theory_weight = _number(_l("Theory weight (0 to 1)"), 0, 1, Decimal("0.3"))
    prize_first = _number(_l("First prizes (percent of entrants)"), 0, 100, Decimal(10))
    prize_second = _number(_l("Second prizes (percent of entrants)"), 0, 100, Decimal(20), True)
    prize_third = _number(_l("Third prizes (percent of entrants)"), 0, 100, Decimal(30), True)
    prize_minimum = _number(_l("Lowest total that wins a prize"), 0, 100, Decimal(0))
    title_name = StringField(
        _l("Title for the top entrants"), [Optional(), length(MAX_TITLE_NAME), no_markup]
    )
    title_count = _whole(_l("Number of titles"), 0, MAX_TITLE_COUNT, 0)
    tie_break = _tie_break(_l("First tie-break"))
    tie_break_2 = _tie_break(_l("Second tie-break"))
    tie_break_3 = _tie_break(_l("Third tie-break"))
    appeal_days = _whole(_l("Days appeals stay open"), *APPEAL_DAYS, 5)
    spread_limit = _number(_l("Judges' spread limit (0 to 3)"), *SPREAD_LIMIT, Decimal(1))
    groups = TextAreaField(
        _l("Groups, one a line (empty: one group)"),
        [Optional(), length(MAX_GROUPS * 41)],
        render_kw={"rows": 3},
    )

    def set_choices(self, trades: list[tuple[int, str]], levels: list[tuple[str, str]]) -> None:
        """Fill the selects: the trades, the levels and the tie-breaks."""
        self.trade_id.choices = select_choices(trades, _l("Choose a trade"))
        self.level.choices = select_choices(levels, _l("Open to every level"))
        chain = select_choices([(name, TIE_BREAK_LABELS[name]) for name in TIE_BREAKS], _l("None"))
        for field in (self.tie_break, self.tie_break_2, self.tie_break_3):
            field.choices = chain

    def validate_prize_third(self, field) -> None:
        """A third prize needs a second one."""
        if field.data is not None and self.prize_second.data is None:
            raise ValidationError(_l("Set the second prizes before the third ones."))

    def fill(self, contest: Contest) -> None:
        """Show a contest's rules, times in the union's zone, shares as percentages."""
        for name in ("name", "trade_id", "team_size", "description", "title_name"):
            getattr(self, name).data = getattr(contest, name)
        self.level.data = contest.level or ""
        self.quota_per_enterprise.data = contest.quota_per_enterprise
        self.title_count.data, self.appeal_days.data = contest.title_count, contest.appeal_days
        self.registration_opens_at.data = to_local(contest.registration_opens_at)
        self.registration_closes_at.data = to_local(contest.registration_closes_at)
        self.theory_weight.data = decimal_of(contest.theory_weight)
        self.prize_minimum.data = decimal_of(contest.prize_minimum)
        self.spread_limit.data = decimal_of(contest.spread_limit)
        quotas = [decimal_of(quota, 100) for quota in contest.prize_quotas] + [None] * 3
        self.prize_first.data, self.prize_second.data, self.prize_third.data = quotas[:3]
        chain = list(contest.tie_break) + [""] * 3
        self.tie_break.data, self.tie_break_2.data, self.tie_break_3.data = chain[:3]
        self.groups.data = "\n".join(group.name for group in contest.groups)

    def to_fields(self) -> ContestFields:
        """The contest as entered (the service checks it against the rules)."""
        quotas = [self.prize_first.data, self.prize_second.data, self.prize_third.data]
        chain = [self.tie_break.data, self.tie_break_2.data, self.tie_break_3.data]
        lines = (self.groups.data or "").splitlines()
        return ContestFields(
            name=self.name.data or "",
            trade_id=self.trade_id.data,
            level=self.level.data or None,
            team_size=self.team_size.data,
            description=self.description.data or "",
            registration_opens_at=to_utc(self.registration_opens_at.data),
            registration_closes_at=to_utc(self.registration_closes_at.data),
            quota_per_enterprise=self.quota_per_enterprise.data,
            theory_weight=float(self.theory_weight.data),
            prize_quotas=tuple(float(q / HUNDRED) for q in quotas if q is not None),
            prize_minimum=float(self.prize_minimum.data),
            title_name=self.title_name.data or "",
            title_count=self.title_count.data,
            tie_break=tuple(name for name in chain if name),
            appeal_days=self.appeal_days.data,
            spread_limit=float(self.spread_limit.data),
            groups=tuple(line.strip() for line in lines if line.strip()),
        )


# Where a service's field name differs from the form's.
FIELD_ALIASES = {"prize_quotas": "prize_first"}


class AppointForm(FlaskForm):
    """Appoint a member of staff: a judge from the list, or anyone by phone number."""

    role = SelectField(
        _l("Role"),
        choices=select_choices((role.value, label) for role, label in STAFF_ROLE_LABELS.items()),
    )
    user_id = SelectField(_l("Judge"), coerce=optional_int, choices=[], validate_choice=True)
    phone = StringField(
        _l("Or the user's mobile phone"),
        [Optional(), length(11)],
        render_kw={"inputmode": "numeric", "maxlength": 11},
    )


class StaffMemberForm(FlaskForm):
    """One member of staff, to dismiss."""

    user_id = IntegerField(validators=[InputRequired(), NumberRange(1, MAX_ID)])
    role = SelectField(choices=select_choices((role.value, role.value) for role in StaffRole))


class PanelSeatForm(FlaskForm):
    """A judge on one aspect's panel, to seat or unseat."""

    aspect_id = IntegerField(validators=[InputRequired(), NumberRange(1, MAX_ID)])
    user_id = IntegerField(validators=[InputRequired(), NumberRange(1, MAX_ID)])


class SchemeUploadForm(FlaskForm):
    """A marking scheme as .xlsx."""

    file = FileField(
        _l("Marking scheme (.xlsx)"),
        [FileRequired(message=_l("Choose a file."))],
        render_kw={"accept": ".xlsx"},
    )


class DecisionForm(FlaskForm):
    """Approve an entry or turn it down with a reason."""

    decision = SelectField(choices=select_choices([("approve", "approve"), ("reject", "reject")]))
    note = StringField(_l("Note"), [Optional(), length(200)])


class TheoryForm(FlaskForm):
    """The theory paper's blueprint and window; the blueprints' choices are set by the view."""

    blueprint_id = SelectField(
        _l("Exam blueprint"), coerce=optional_int, choices=[], validate_choice=True
    )
    opens_at = moment_field(_l("Paper opens"))
    closes_at = moment_field(_l("Paper closes"))


class DrawForm(FlaskForm):
    """Draw lots: a number of stations, or their labels one a line."""

    count = _whole(_l("Number of stations"), 1, 10_000, None, True)
    labels = TextAreaField(
        _l("Or the stations' labels, one a line"),
        [Optional(), length(200_000)],
        render_kw={"rows": 4},
    )

    def stations(self) -> int | list[str] | None:
        """The labels when given, else the count; None when neither."""
        labels = [line.strip() for line in (self.labels.data or "").splitlines() if line.strip()]
        return labels or self.count.data
