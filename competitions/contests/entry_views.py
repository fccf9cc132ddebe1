"""Contest pages for entrants: entering, theory paper, own result, appeals: `contest_entries`.

Workers enter, see and withdraw their entry and sit the theory paper here; enterprise
contacts enter and withdraw their teams; the result, appeal and organiser's ruling pages are
in `entry_appeal_views`, on the same blueprint. Every rule is the services'.
"""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from competitions.contests import entry_pages as pages
from competitions.contests.entry_forms import EnterForm, TeamForm
from competitions.contests.labels import APPEAL_LABELS, ENTRY_STATUS_LABELS
from competitions.contests.models import Contest, Entry, EntryStatus
from competitions.contests.services import registration, theory
from competitions.contests.services.contests import STAGE_LABELS
from guild.access import roles_required, signed_in
from guild.accounts.roles import Role
from guild.errors import DomainError
from guild.extensions import db
from guild.forms import select_choices
from guild.web import current_actor, show_domain_error

bp = Blueprint("contest_entries", __name__, url_prefix="/skills/contests")
TEAM_FIELDS = {"member_ids": "members", "user_id": "members"}  # service field → form field


@bp.app_template_global()
def contest_entrant(contest: Contest) -> pages.EntrantPanel:
    """What the hub's entrant panel shows the signed-in user (at most two queries)."""
    return pages.entrant_panel(contest)


TEMPLATE_GLOBALS = {
    "entry_status_labels": ENTRY_STATUS_LABELS,
    "entry_status_styles": pages.STATUS_STYLES,
    "appeal_labels": APPEAL_LABELS,
    "prize_labels": pages.PRIZE_LABELS,
    "entry_stage_labels": STAGE_LABELS,
}
for global_name, label_map in TEMPLATE_GLOBALS.items():
    bp.add_app_template_global(label_map, global_name)


def _group_choices(contest: Contest) -> list[SelectChoice]:
    pairs = ((group.id, group.name) for group in contest.groups)
    return select_choices(pairs, _("Choose a group"))


def _entry_page(contest: Contest, form: EnterForm | None = None, status: int = 200):
    """The worker's entry page: their entry, entering, the theory paper, links to results."""
    form = form or EnterForm()
    form.group_id.choices = _group_choices(contest)
    entry = pages.my_entry(contest.id, current_user.id)
    members = pages.names_of(m.user_id for m in entry.members) if entry else {}
    context = {
        "contest": contest,
        "entry": entry,
        "members": members,
        "groups": {group.id: group.name for group in contest.groups},
        "form": form,
        "can_enter": pages.registration_open(contest) and not contest.is_team,
        "theory_open": pages.theory_open(contest),
        "contact": pages.is_contact(),
    }
    return render_template("competitions/contests/entry_detail.html", **context), status


def _refused(error: DomainError, form=None) -> None:
    """Undo the request's writes and show the refusal on the form's field or as a flash."""
    db.session.rollback()
    if form is None or not show_domain_error(form, error):
        flash(str(error), "danger")


@bp.route("/<int:contest_id>/entry", methods=["GET", "POST"])
@signed_in
def entry(contest_id: int):
    """My entry in the contest; POST enters it (in the group chosen)."""
    contest = pages.visible_contest(contest_id)
    form = EnterForm()
    form.group_id.choices = _group_choices(contest)
    if not form.is_submitted():
        return _entry_page(contest, form)
    if not form.validate():
        return _entry_page(contest, form, 400)
    try:
        registration.enter(current_actor(), contest.id, current_user.id, form.group_id.data)
    except DomainError as error:
        _refused(error, form)
        return _entry_page(pages.visible_contest(contest_id), form, 400)
    db.session.commit()
    flash(_("You have entered the contest. The organisers will review your entry."), "success")
    return redirect(url_for("contest_entries.entry", contest_id=contest.id))


def _team_page(contest: Contest, form: TeamForm, status: int = 200):
    """The contact's team page: the enterprise's teams and the form to enter one more."""
    enterprise_id = current_user.enterprise_id
    workers = pages.enterprise_workers(enterprise_id) if enterprise_id else []
    form.captain.choices = select_choices(workers, _("Choose the captain"))
    form.members.choices = select_choices(workers)
    form.group_id.choices = _group_choices(contest)
    teams = [
        entry
        for entry in registration.entries_of(contest.id)
        if enterprise_id and entry.enterprise_id == enterprise_id and entry.team_name
    ]
    context = {
        "contest": contest,
        "form": form,
        "teams": teams,
        "names": pages.names_of(m.user_id for team in teams for m in team.members),
        "groups": {group.id: group.name for group in contest.groups},
        "can_enter": pages.registration_open(contest) and contest.is_team,
        "chosen": set(form.members.data or ()),
    }
    return render_template("competitions/contests/entry_team.html", **context), status


@bp.route("/<int:contest_id>/entry/team", methods=["GET", "POST"])
@roles_required(Role.ENTERPRISE_CONTACT)
def team(contest_id: int):
    """The enterprise's teams in a team contest; POST enters a new team."""
    contest = pages.visible_contest(contest_id)
    form = TeamForm()
    if not form.is_submitted():
        return _team_page(contest, form)
    if not form.validate():
        return _team_page(contest, form, 400)
    try:
        registration.enter_team(
            current_actor(),
            contest.id,
            current_user.enterprise_id or 0,
            form.team_name.data,
            form.chosen_members(),
            form.group_id.data,
        )
    except DomainError as error:
        field = TEAM_FIELDS.get(error.field or "", error.field)
        _refused(DomainError(error.message, field), form)
        return _team_page(pages.visible_contest(contest_id), form, 400)
    db.session.commit()
    flash(_("The team has entered the contest. The organisers will review the entry."), "success")
    return redirect(url_for("contest_entries.team", contest_id=contest.id))


def _back_to(entry: Entry) -> str:
    """Where a withdrawal returns: the team page for a contact's team, else the entry page."""
    mine = any(member.user_id == current_user.id for member in entry.members)
    if entry.team_name and not mine and pages.is_contact():
        return "contest_entries.team"
    return "contest_entries.entry"


@bp.route("/<int:contest_id>/entry/<int:entry_id>/withdraw", methods=["POST"])
@signed_in
def withdraw(contest_id: int, entry_id: int):
    """Withdraw an entry: my own, or my enterprise's team (the service decides who may)."""
    contest = pages.visible_contest(contest_id)
    entry = pages.entry_in(contest, entry_id)
    target = _back_to(entry)
    try:
        registration.withdraw(current_actor(), entry.id)
    except DomainError as error:
        _refused(error)
        contest = pages.visible_contest(contest_id)
        if target == "contest_entries.team":
            return _team_page(contest, TeamForm(formdata=None), 400)
        return _entry_page(contest, EnterForm(formdata=None), 400)
    db.session.commit()
    flash(_("The entry has been withdrawn."), "success")
    return redirect(url_for(target, contest_id=contest.id))


@bp.route("/<int:contest_id>/entry/theory", methods=["POST"])
@signed_in
def sit_theory(contest_id: int):
    """Start (or go back to) my theory paper, sat on the training engine's exam pages."""
    contest = pages.visible_contest(contest_id)
    try:
        attempt = theory.start_theory(current_user.id, contest.id, theory.now_clock())
    except DomainError as error:
        _refused(error)
        return _entry_page(pages.visible_contest(contest_id), EnterForm(formdata=None), 400)
    db.session.commit()
    return redirect(url_for("attempts.show", attempt_id=attempt.id))


def is_withdrawable(entry: Entry) -> bool:
    """Tell whether the page should offer withdrawing the entry."""
    return entry.status in (EntryStatus.PENDING, EntryStatus.APPROVED)


bp.add_app_template_global(is_withdrawable, "entry_withdrawable")

from competitions.contests import entry_appeal_views  # noqa: E402, F401  (routes on `bp`)
