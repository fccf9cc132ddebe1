"""Reads for the entrants' contest pages and the hub's entrant panel (no rules, no writes)."""

from dataclasses import dataclass
from datetime import datetime

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func
from sqlalchemy.orm import lazyload

from competitions.contests.marking_models import Appeal, AppealStatus, Aspect, Criterion
from competitions.contests.models import Contest, Entry, EntryMember, EntryStatus, Stage
from competitions.contests.services.contests import ACTIVE
from guild.accounts.models import User, UserRole
from guild.accounts.names import mask_phone
from guild.accounts.roles import Role
from guild.extensions import db
from guild.timeutil import utcnow

ORGANISERS = (Role.ORGANISER, Role.ADMIN)
STATUS_STYLES = {
    EntryStatus.PENDING: "warning",
    EntryStatus.APPROVED: "success",
    EntryStatus.REJECTED: "danger",
    EntryStatus.WITHDRAWN: "secondary",
}
PRIZE_LABELS = {1: _l("First prize"), 2: _l("Second prize"), 3: _l("Third prize")}


def is_organiser() -> bool:
    """Tell whether the signed-in user runs contests."""
    return bool(current_user.is_authenticated and current_user.role_set & set(ORGANISERS))


def is_contact() -> bool:
    """Tell whether the signed-in user enters teams for their enterprise."""
    user = current_user
    return bool(user.is_authenticated and user.enterprise_id) and user.has_role(
        Role.ENTERPRISE_CONTACT
    )


def visible_contest(contest_id: int) -> Contest:
    """The contest, or 404 when there is none or it is a draft the user may not see."""
    contest = db.get_or_404(Contest, contest_id)
    if contest.stage is Stage.DRAFT and not is_organiser():
        abort(404)
    return contest


def registration_open(contest: Contest, now: datetime | None = None) -> bool:
    """Tell whether the page should offer entering (the service decides for real)."""
    opens, closes = contest.registration_opens_at, contest.registration_closes_at
    now = now or utcnow()
    return bool(contest.stage is Stage.REGISTRATION and opens and closes and opens <= now < closes)


def theory_open(contest: Contest, now: datetime | None = None) -> bool:
    """Tell whether the page should offer sitting the paper (the service decides for real)."""
    opens, closes = contest.theory_opens_at, contest.theory_closes_at
    now = now or utcnow()
    return bool(contest.stage is Stage.THEORY and opens and closes and opens <= now < closes)


def my_entry(contest_id: int, user_id: int) -> Entry | None:
    """The entry the user is a member of in the contest (a worker is in one at most)."""
    # Members load only when read: the hub's panel needs the entry's own columns alone.
    query = db.select(Entry).options(lazyload(Entry.members))
    query = query.join(EntryMember, EntryMember.entry_id == Entry.id)
    query = query.where(EntryMember.contest_id == contest_id, EntryMember.user_id == user_id)
    return db.session.scalar(query)


def entry_in(contest: Contest, entry_id: int) -> Entry:
    """An entry of the contest, or 404."""
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.contest_id != contest.id:
        abort(404)
    return entry


def names_of(user_ids) -> dict[int, str]:
    """Users' real names by id."""
    ids = list(set(user_ids))
    if not ids:
        return {}
    rows = db.session.execute(db.select(User.id, User.real_name).where(User.id.in_(ids)))
    return dict(rows.all())


def enterprise_workers(enterprise_id: int) -> list[tuple[int, str]]:
    """The enterprise's active workers as (id, name with masked phone), by name."""
    workers = db.select(UserRole.user_id).where(UserRole.role == Role.WORKER)
    query = (
        db.select(User.id, User.real_name, User.phone)
        .where(User.enterprise_id == enterprise_id, User.is_active, User.id.in_(workers))
        .order_by(User.real_name, User.id)
    )
    return [
        (uid, f"{name} ({mask_phone(phone)})") for uid, name, phone in db.session.execute(query)
    ]


def aspect_rows(contest_id: int) -> list[tuple[int, str, str, str, bool]]:
    """The scheme's aspects in order: id, code, description, criterion name, criterion locked."""
    query = (
        db.select(Aspect.id, Aspect.code, Aspect.description, Criterion.name, Criterion.locked_at)
        .join(Criterion, Criterion.id == Aspect.criterion_id)
        .where(Aspect.contest_id == contest_id)
        .order_by(Criterion.position, Aspect.sub_criterion_id, Aspect.position, Aspect.id)
    )
    rows = db.session.execute(query)
    return [
        (aspect_id, code, text, name, at is not None) for aspect_id, code, text, name, at in rows
    ]


def entry_names(entry_ids) -> dict[int, str]:
    """Each entry's name as organisers see it after reveal: team name or member names."""
    ids = list(set(entry_ids))
    if not ids:
        return {}
    query = (
        db.select(Entry.id, Entry.team_name, User.real_name)
        .join(EntryMember, EntryMember.entry_id == Entry.id)
        .join(User, User.id == EntryMember.user_id)
        .where(Entry.id.in_(ids))
        .order_by(Entry.id, EntryMember.position)
    )
    names: dict[int, list[str]] = {}
    teams: dict[int, str] = {}
    for entry_id, team, person in db.session.execute(query):
        names.setdefault(entry_id, []).append(person)
        teams[entry_id] = team
    return {
        entry_id: f"{teams[entry_id]}（{'、'.join(people)}）" if teams[entry_id] else people[0]
        for entry_id, people in names.items()
    }


@dataclass(frozen=True)
class EntrantPanel:
    """What the hub's entrant panel shows the signed-in user about one contest."""

    entry: Entry | None
    organiser: bool
    contact: bool
    team_entries: int  # the contact's enterprise's active entries
    open_appeals: int  # for organisers, while results are in publicity

    @property
    def approved(self) -> bool:
        """Whether the user's entry takes part."""
        return self.entry is not None and self.entry.status is EntryStatus.APPROVED


def entrant_panel(contest: Contest) -> EntrantPanel:
    """The hub panel's facts for the signed-in user, in at most two queries."""
    if not current_user.is_authenticated:
        return EntrantPanel(None, False, False, 0, 0)
    organiser, contact = is_organiser(), is_contact()
    entry = my_entry(contest.id, current_user.id)
    team_entries = open_appeals = 0
    if organiser and contest.stage is Stage.PUBLICITY:
        query = db.select(func.count(Appeal.id)).where(
            Appeal.contest_id == contest.id, Appeal.status == AppealStatus.OPEN
        )
        open_appeals = db.session.scalar(query) or 0
    elif contact and contest.is_team:
        query = db.select(func.count(Entry.id)).where(
            Entry.contest_id == contest.id,
            Entry.enterprise_id == current_user.enterprise_id,
            Entry.status.in_(ACTIVE),
        )
        team_entries = db.session.scalar(query) or 0
    return EntrantPanel(entry, organiser, contact, team_entries, open_appeals)
