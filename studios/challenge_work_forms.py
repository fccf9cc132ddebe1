"""Forms of the claim, selection, milestone report and acceptance pages."""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import Optional

from guild.forms import length, no_markup, optional_int, required, select_choices
from studios.services.challenge_claims import MAX_MILESTONE_TITLE, MAX_MILESTONES, Proposal
from studios.services.challenge_delivery import MAX_EXPERTS, Verdict
from studios.services.challenge_files import Upload
from studios.services.challenges import MAX_TEXT

ACCEPT = ".pdf,.docx,.pptx,.xlsx,.wps,.et,.dps,.ofd,.mp4"
MILESTONE_ROWS = 4  # rows offered at first; "more rows" offers them all
FILES_AT_ONCE = 3


def files_field(label) -> MultipleFileField:
    """Up to three files; the service judges each one (the accept list only helps the picker)."""
    return MultipleFileField(label, render_kw={"accept": ACCEPT, "multiple": True})


def at_most_files(form, field) -> None:
    """Refuse more files than one form sends."""
    if len(chosen_files(field)) > FILES_AT_ONCE:
        raise ValidationError(_l("Attach at most %(n)d files at once.", n=FILES_AT_ONCE))


def chosen_files(field) -> list:
    """The files actually chosen (browsers send an empty part when none is)."""
    return [item for item in field.data or [] if getattr(item, "filename", "")]


def uploads_of(field) -> list[Upload]:
    """The chosen files as uploads for the services."""
    return [Upload(item.stream, item.filename or "") for item in chosen_files(field)]


class ClaimForm(FlaskForm):
    """A studio's claim: which studio (its leader's), the plan, team, schedule and files."""

    studio_id = SelectField(_l("Studio"), coerce=optional_int, validators=[required()])
    plan = TextAreaField(
        _l("Plan: how the studio will solve the problem"),
        [required(), length(MAX_TEXT), no_markup],
        render_kw={"rows": 6},
    )
    team = TextAreaField(
        _l("Claim team"), [Optional(), length(MAX_TEXT), no_markup], render_kw={"rows": 3}
    )
    schedule = TextAreaField(
        _l("Schedule"), [Optional(), length(MAX_TEXT), no_markup], render_kw={"rows": 3}
    )
    files = files_field(_l("Attachments"))

    def validate_files(self, field) -> None:
        """At most three files at once."""
        at_most_files(self, field)

    def proposal(self) -> Proposal:
        """The proposal for the claim service."""
        return Proposal(self.plan.data or "", self.team.data or "", self.schedule.data or "")


class MilestoneRow(Form):
    """One milestone of the winner: a title and its due date (both empty: unused)."""

    title = StringField(_l("Milestone"), [Optional(), length(MAX_MILESTONE_TITLE), no_markup])
    due_on = DateField(_l("Due on"), [Optional()])

    def validate(self, extra_validators=None) -> bool:
        """A title needs a date and a date a title; years 2000–2999."""
        valid = super().validate(extra_validators)
        titled, dated = bool((self.title.data or "").strip()), self.due_on.data is not None
        problem = None
        if titled != dated and not self.due_on.errors:
            problem = _l("Give each milestone both a title and a due date.")
        elif dated and not 2000 <= self.due_on.data.year <= 2999:
            problem = _l("Enter a year from 2000 to 2999.")
        if problem is not None:
            self.due_on.errors = [*self.due_on.errors, problem]
            return False
        return valid


class SelectForm(FlaskForm):
    """Selecting a claim as a winner, with its milestones."""

    milestones = FieldList(FormField(MilestoneRow), min_entries=MILESTONE_ROWS,
                           max_entries=MAX_MILESTONES)  # fmt: skip

    def plan(self) -> list[tuple[str, date]]:
        """The filled rows as (title, due date), for the selection service."""
        rows = [(row.title.data or "", row.due_on.data) for row in self.milestones]
        return [(title, due) for title, due in rows if title.strip() or due is not None]


class ReportForm(FlaskForm):
    """A progress report on a milestone, with files."""

    text = TextAreaField(
        _l("Progress"), [required(), length(MAX_TEXT), no_markup], render_kw={"rows": 5}
    )
    files = files_field(_l("Attachments"))

    def validate_files(self, field) -> None:
        """At most three files at once."""
        at_most_files(self, field)


RATINGS = select_choices([(n, str(n)) for n in range(5, 0, -1)])


class AcceptanceForm(FlaskForm):
    """The poster's verdict: passed or failed, a rating, comments, the panel and the benefit."""

    passed = RadioField(
        _l("Verdict"),
        choices=select_choices([("passed", _l("Passed")), ("failed", _l("Failed"))]),
        validators=[required()],
    )
    rating = SelectField(_l("Rating (5 is best)"), coerce=optional_int, choices=RATINGS,
                         validators=[required()])  # fmt: skip
    comments = TextAreaField(
        _l("Comments"), [Optional(), length(MAX_TEXT), no_markup], render_kw={"rows": 4}
    )
    experts = TextAreaField(
        _l("Expert panel (one name a line, at most %(n)d)", n=MAX_EXPERTS),
        [Optional(), length(MAX_EXPERTS * 31), no_markup],
        render_kw={"rows": 3},
    )
    benefit_yuan = StringField(
        _l("Economic benefit (yuan)"), [Optional(), length(20), no_markup], default="0"
    )

    def verdict(self) -> Verdict:
        """The verdict for the acceptance service."""
        experts = tuple((self.experts.data or "").splitlines())
        return Verdict(
            passed=self.passed.data == "passed",
            rating=self.rating.data,
            comments=self.comments.data or "",
            experts=experts,
            benefit_yuan=self.benefit_yuan.data or "0",
        )
