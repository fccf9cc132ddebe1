"""Entries to contests: workers and teams enter, organisers decide, and the roster (花名册).

Nothing about an entry changes once lots are drawn. Every writer of a contest's entries
locks the contest's row first, so quota counts and the draw never race an entry.
"""

import io

import xlsxwriter
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _nl
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from competitions.contests.models import (
    Contest,
    Entry,
    EntryMember,
    EntryStatus,
    Stage,
)
from competitions.contests.services.contests import (
    ACTIVE,
    active_entrants,
    get_contest,
    is_organiser,
    is_staff,
    lots_drawn,
    require_organiser,
    require_stage,
)
from guild.accounts.models import Enterprise, User
from guild.accounts.names import mask_phone
from guild.accounts.roles import Role
from guild.audit.labels import label_actions
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import db
from guild.timeutil import utcnow
from guild.transactions import begin_writing

MAX_TEAM_NAME, MAX_NOTE = 60, 200
ENTRY_FIXED = _l("Entries cannot change once lots are drawn.")
NOT_A_WORKER = _l("Only an active worker can enter a contest.")
INACTIVE = (EntryStatus.WITHDRAWN, EntryStatus.REJECTED)

label_actions(
    {
        "contest.enter": _l("Contest entry made"),
        "contest.withdraw": _l("Contest entry withdrawn"),
        "contest.decide": _l("Contest entry decided"),
    }
)


def _require_registration(contest: Contest) -> None:
    """Entries change only while the contest is at its registration stage."""
    if lots_drawn(contest):
        raise DomainError(ENTRY_FIXED, "stage")
    require_stage(contest, Stage.REGISTRATION)


def _require_open(contest: Contest) -> None:
    """New entries come in at the registration stage, inside the window."""
    _require_registration(contest)
    opens, closes = contest.registration_opens_at, contest.registration_closes_at
    if opens is None or closes is None or not opens <= utcnow() < closes:
        raise DomainError(_l("Registration for this contest is not open now."), "contest_id")


def _group(contest: Contest, group_id: int | None) -> int | None:
    """The group of a new entry: one of the contest's, required when it has groups."""
    if group_id is None and not contest.groups:
        return None
    if group_id not in {group.id for group in contest.groups}:
        raise DomainError(_l("Choose a group of this contest."), "group_id")
    return group_id


def _check_quota(contest: Contest, enterprise_id: int | None) -> None:
    """Refuse one more entry when the enterprise's pending and approved ones fill its quota."""
    quota = contest.quota_per_enterprise
    if quota is None or enterprise_id is None:
        return
    query = db.select(func.count(Entry.id)).where(
        Entry.contest_id == contest.id,
        Entry.enterprise_id == enterprise_id,
        Entry.status.in_(ACTIVE),
    )
    if db.session.scalar(query) >= quota:
        message = _nl(
            "The enterprise has used its quota of %(num)d entry.",
            "The enterprise has used its quota of %(num)d entries.",
            quota,
        )
        raise DomainError(message, "enterprise_id")


def _check_entrants(contest: Contest, users: list[User]) -> None:
    """Active workers, not on the contest's staff, not already in an entry."""
    if any(not user.is_active or not user.has_role(Role.WORKER) for user in users):
        raise DomainError(NOT_A_WORKER, "user_id")
    if any(is_staff(contest.id, user.id) for user in users):
        raise DomainError(_l("The contest's staff cannot enter it."), "user_id")
    entered = active_entrants(contest.id, [user.id for user in users])
    if entered:
        names = "、".join(user.real_name for user in users if user.id in entered)
        raise DomainError(_l("Already entered in this contest: %(names)s.", names=names), "user_id")


def _insert(entry: Entry, message, release: tuple[int, ...] = ()) -> dict:
    """Add the entry and its members; the unique constraint refuses a worker entered twice."""
    # Workers to `release` leave their withdrawn or rejected entries in the same savepoint,
    # so a refusal changes nothing; returns the entries they left, with who left each.
    try:
        with db.session.begin_nested():
            released = _release(entry.contest_id, release) if release else {}
            db.session.add(entry)
    except IntegrityError as error:
        raise DomainError(message, "user_id") from error
    return released


def _snapshot(entry: Entry) -> dict:
    return {
        "status": str(entry.status),
        "group_id": entry.group_id,
        "enterprise_id": entry.enterprise_id,
        "team_name": entry.team_name,
        "members": [member.user_id for member in entry.members],
        "decision_note": entry.decision_note,
    }


def _withdrawn_entry(contest_id: int, user_id: int) -> Entry | None:
    query = db.select(Entry).join(EntryMember, EntryMember.entry_id == Entry.id)
    query = query.where(EntryMember.contest_id == contest_id, EntryMember.user_id == user_id)
    return db.session.scalar(query.where(Entry.status == EntryStatus.WITHDRAWN))


def _fill(entry: Entry, group_id: int | None, enterprise_id: int | None, by_id: int) -> None:
    """Set an entry as newly made: pending, undecided."""
    entry.group_id, entry.enterprise_id, entry.registered_by_id = group_id, enterprise_id, by_id
    entry.status, entry.registered_at = EntryStatus.PENDING, utcnow()
    entry.decided_by_id, entry.decided_at, entry.decision_note = None, None, ""


def enter(actor: Actor, contest_id: int, user_id: int, group_id: int | None = None) -> Entry:
    """A worker enters an individual contest (or an organiser enters a worker)."""
    # The contest's skill level is the level it is held at, not a bar: users carry no skill
    # level, so any active worker may enter and the organiser vets eligibility in `decide`.
    # A worker who withdrew may enter again: the withdrawn entry comes back as pending.
    begin_writing()
    contest = get_contest(contest_id, lock=True)
    _require_open(contest)
    if contest.is_team:
        raise DomainError(_l("Teams enter this contest through their enterprise."), "contest_id")
    if not is_organiser(actor) and actor.user.id != user_id:
        raise DomainError(_l("You can only enter yourself."), "user_id")
    user = db.session.get(User, user_id)
    if user is None:
        raise DomainError(NOT_A_WORKER, "user_id")
    _check_entrants(contest, [user])
    group_id = _group(contest, group_id)
    _check_quota(contest, user.enterprise_id)
    entry = _withdrawn_entry(contest.id, user.id)
    before = _snapshot(entry) if entry else None
    if entry is None:
        member = EntryMember(user_id=user.id, contest_id=contest.id)
        entry = Entry(contest_id=contest.id, members=[member])
    _fill(entry, group_id, user.enterprise_id, actor.user.id if actor.user else user.id)
    if before is None:
        _insert(entry, _l("This worker has already entered this contest."))
    db.session.flush()
    record(actor, "contest.enter", entry, before, _snapshot(entry))
    return entry


def _require_contact(actor: Actor, enterprise_id: int) -> None:
    """An organiser, or the contact of the enterprise entering the team."""
    if db.session.get(Enterprise, enterprise_id) is None:
        raise DomainError(_l("Choose an enterprise from the list."), "enterprise_id")
    if is_organiser(actor):
        return
    user = actor.user
    if not user.has_role(Role.ENTERPRISE_CONTACT) or user.enterprise_id != enterprise_id:
        raise DomainError(_l("Only the enterprise's contact can enter its teams."), "enterprise_id")


def _team_name(contest: Contest, team_name: str) -> str:
    name = (team_name or "").strip()
    if not name or len(name) > MAX_TEAM_NAME:
        raise DomainError(_l("Give the team a name of at most 60 characters."), "team_name")
    taken = db.select(Entry.id).where(
        Entry.contest_id == contest.id, Entry.team_name == name, Entry.status.in_(ACTIVE)
    )
    if db.session.scalar(taken.limit(1)) is not None:
        raise DomainError(_l("Another team in this contest has this name."), "team_name")
    return name


def _team_members(contest: Contest, enterprise_id: int, member_ids: list[int]) -> list[User]:
    """The members in the order given (the first is the captain), checked."""
    ids = list(member_ids)
    if len(ids) != contest.team_size:
        size = contest.team_size
        raise DomainError(_l("A team has exactly %(size)d members.", size=size), "member_ids")
    if len(set(ids)) != len(ids):
        raise DomainError(_l("Each member may appear only once."), "member_ids")
    users = {user.id: user for user in db.session.scalars(db.select(User).where(User.id.in_(ids)))}
    if len(users) != len(ids):
        raise DomainError(NOT_A_WORKER, "member_ids")
    members = [users[user_id] for user_id in ids]
    if any(user.enterprise_id != enterprise_id for user in members):
        raise DomainError(_l("Every member must work for the team's enterprise."), "member_ids")
    _check_entrants(contest, members)
    return members


def _release(contest_id: int, user_ids: tuple[int, ...]) -> dict:
    """Take the workers out of the withdrawn or rejected entries they were in, to join anew."""
    query = db.select(EntryMember).join(Entry, Entry.id == EntryMember.entry_id)
    query = query.where(EntryMember.contest_id == contest_id, EntryMember.user_id.in_(user_ids))
    released: dict = {}
    for member in db.session.scalars(query.where(Entry.status.in_(INACTIVE))):
        released.setdefault(str(member.entry_id), []).append(member.user_id)
        db.session.delete(member)
    db.session.flush()
    return released


def enter_team(
    actor: Actor,
    contest_id: int,
    enterprise_id: int,
    team_name: str,
    member_ids: list[int],
    group_id: int | None = None,
) -> Entry:
    """An enterprise contact enters a team of its workers; the first member is the captain."""
    begin_writing()
    contest = get_contest(contest_id, lock=True)
    _require_open(contest)
    if not contest.is_team:
        raise DomainError(_l("Workers enter this contest one by one."), "contest_id")
    _require_contact(actor, enterprise_id)
    name = _team_name(contest, team_name)
    members = _team_members(contest, enterprise_id, member_ids)
    group_id = _group(contest, group_id)
    _check_quota(contest, enterprise_id)
    entry = Entry(contest_id=contest.id, team_name=name)
    entry.members = [
        EntryMember(user_id=user.id, contest_id=contest.id, position=position)
        for position, user in enumerate(members, start=1)
    ]
    _fill(entry, group_id, enterprise_id, actor.user.id if actor.user else members[0].id)
    message = _l("A member of this team has already entered this contest.")
    released = _insert(entry, message, tuple(user.id for user in members))
    record(actor, "contest.enter", entry, None, _snapshot(entry) | {"released": released})
    return entry


def _locked_entry(entry_id: int) -> tuple[Entry, Contest]:
    """The entry, read fresh after its contest's row is locked."""
    contest_id = db.session.scalar(db.select(Entry.contest_id).where(Entry.id == entry_id))
    if contest_id is None:
        raise DomainError(_l("There is no such entry."), "entry_id")
    contest = get_contest(contest_id, lock=True)
    return db.session.get(Entry, entry_id, populate_existing=True), contest


def _may_withdraw(actor: Actor, entry: Entry) -> bool:
    user = actor.user
    if is_organiser(actor) or user.id == entry.registered_by_id:
        return True
    if any(member.user_id == user.id for member in entry.members) and len(entry.members) == 1:
        return True
    contact = user.has_role(Role.ENTERPRISE_CONTACT)
    return contact and entry.team_name != "" and user.enterprise_id == entry.enterprise_id


def withdraw(actor: Actor, entry_id: int) -> Entry:
    """Withdraw an entry before lots are drawn (its entrant, contact or an organiser)."""
    begin_writing()
    entry, contest = _locked_entry(entry_id)
    _require_registration(contest)
    if not _may_withdraw(actor, entry):
        raise DomainError(_l("You can only withdraw your own entries."), "entry_id")
    if entry.status not in ACTIVE:
        raise DomainError(_l("Only a pending or approved entry can be withdrawn."), "entry_id")
    before = _snapshot(entry)
    entry.status = EntryStatus.WITHDRAWN
    db.session.flush()
    record(actor, "contest.withdraw", entry, before, _snapshot(entry))
    return entry


def decide(actor: Actor, entry_id: int, approve: bool, note: str = "") -> Entry:
    """An organiser approves an entry or turns it down (with a reason), before the draw."""
    require_organiser(actor)
    begin_writing()
    entry, contest = _locked_entry(entry_id)
    _require_registration(contest)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise DomainError(_l("A note has at most 200 characters."), "note")
    if not approve and not note:
        raise DomainError(_l("Say why the entry is turned down."), "note")
    if entry.status is EntryStatus.WITHDRAWN:
        raise DomainError(_l("This entry has been withdrawn."), "entry_id")
    if approve and entry.status is EntryStatus.REJECTED:
        _check_quota(contest, entry.enterprise_id)
    before = _snapshot(entry)
    entry.status = EntryStatus.APPROVED if approve else EntryStatus.REJECTED
    entry.decided_by_id = actor.user.id if actor.user else None
    entry.decided_at, entry.decision_note = utcnow(), note
    db.session.flush()
    record(actor, "contest.decide", entry, before, _snapshot(entry))
    return entry


def entries_of(contest_id: int, status: EntryStatus | None = None) -> list[Entry]:
    """A contest's entries, optionally of one status, in the order they were made."""
    query = db.select(Entry).where(Entry.contest_id == contest_id)
    if status is not None:
        query = query.where(Entry.status == status)
    return list(db.session.scalars(query.order_by(Entry.registered_at, Entry.id)))


ROSTER_HEADERS = ["序号", "组别", "单位", "姓名", "手机"]
TEAM_HEADERS = ["序号", "组别", "单位", "队名", "姓名", "队内角色", "手机"]
ROSTER_WIDTHS = {"序号": 6, "组别": 12, "单位": 30, "队名": 20, "姓名": 12, "队内角色": 10}


def roster_rows(contest: Contest) -> list[list[str | int]]:
    """The roster's rows: approved entries by group, enterprise and entry, a member a row."""
    # Phones are masked (138****5678): a roster is printed, pinned up and passed around.
    entries = entries_of(contest.id, EntryStatus.APPROVED)
    user_ids = [member.user_id for entry in entries for member in entry.members]
    users = {u.id: u for u in db.session.scalars(db.select(User).where(User.id.in_(user_ids)))}
    named = db.select(Enterprise.id, Enterprise.name).where(
        Enterprise.id.in_({entry.enterprise_id for entry in entries})
    )
    enterprises = {row.id: row.name for row in db.session.execute(named)}
    groups = {group.id: group for group in contest.groups}

    def order(entry: Entry) -> tuple:
        group = groups.get(entry.group_id)
        return (group.position if group else -1, enterprises.get(entry.enterprise_id, ""), entry.id)

    rows: list[list[str | int]] = []
    for number, entry in enumerate(sorted(entries, key=order), start=1):
        group = groups[entry.group_id].name if entry.group_id in groups else ""
        enterprise = enterprises.get(entry.enterprise_id, "")
        for member in entry.members:
            user = users[member.user_id]
            phone = mask_phone(user.phone)
            if contest.is_team:
                role = "队长" if member.position == 1 else "队员"
                rows.append(
                    [number, group, enterprise, entry.team_name, user.real_name, role, phone]
                )
            else:
                rows.append([number, group, enterprise, user.real_name, phone])
    return rows


def roster_xlsx(contest_id: int) -> bytes:
    """The roster (花名册) of a contest's approved entries as an .xlsx, text never a formula."""
    contest = get_contest(contest_id)
    headers = TEAM_HEADERS if contest.is_team else ROSTER_HEADERS
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("花名册")
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7"})
    for column, header in enumerate(headers):
        sheet.set_column(column, column, ROSTER_WIDTHS.get(header, 14))
        sheet.write_string(0, column, header, bold)
    sheet.freeze_panes(1, 0)
    for number, row in enumerate(roster_rows(contest), start=1):
        for column, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(number, column, value)
            elif value:
                sheet.write_string(number, column, value)
    workbook.close()
    return buffer.getvalue()
