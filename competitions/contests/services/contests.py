"""Contests for organisers: their rules and the stage guard (staff: services.staff)."""

import math
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

import competitions.contests.services.audit_fields  # noqa: F401  (names the audited fields)
from competitions.contests.models import (
    Contest,
    ContestGroup,
    ContestStaff,
    Entry,
    EntryMember,
    EntryStatus,
    Stage,
)
from competitions.contests.ranking import TIE_BREAKS
from guild.accounts.roles import Role
from guild.audit.labels import label_actions, label_objects, label_values
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import db
from guild.timeutil import naive_utc
from guild.trades.levels import SkillLevel
from guild.trades.models import Trade
from guild.transactions import begin_writing

MAX_NAME, MAX_DESCRIPTION, MAX_TITLE_NAME, MAX_GROUP_NAME = 120, 5000, 40, 40
MAX_TEAM_SIZE, MAX_GROUPS, MAX_QUOTA, MAX_TITLE_COUNT = 10, 10, 1000, 1000
APPEAL_DAYS, SPREAD_LIMIT = (1, 30), (0.0, 3.0)
ENTRY_RULES = ("team_size", "groups")  # entries were made under them: fixed once any exists
SCORING_RULES = ("theory_weight", "prize_quotas", "prize_minimum", "tie_break", "spread_limit")
RESULT_RULES = ("trade_id", "level", *ENTRY_RULES, *SCORING_RULES)  # fixed once lots are drawn
ORGANISING = frozenset({Role.ORGANISER, Role.ADMIN})
ACTIVE = (EntryStatus.PENDING, EntryStatus.APPROVED)  # entries that take part or may
BEFORE_DRAW = (Stage.DRAFT, Stage.REGISTRATION)
WINDOW_NEEDED = _l("Set when registration opens and when it closes.")

STAGE_LABELS = {
    Stage.DRAFT: _l("draft"),
    Stage.REGISTRATION: _l("registration"),
    Stage.DRAWN: _l("lots drawn"),
    Stage.THEORY: _l("theory"),
    Stage.PRACTICAL: _l("practical"),
    Stage.LOCKED: _l("locked"),
    Stage.REVEALED: _l("revealed"),
    Stage.PUBLICITY: _l("publicity"),
    Stage.FINAL: _l("final"),
}
label_values("Contest", {"stage": STAGE_LABELS})

label_actions(
    {
        "contest.create": _l("Contest created"),
        "contest.edit": _l("Contest edited"),
        "contest.stage": _l("Contest stage changed"),
    }
)
label_objects(
    {
        "Contest": lazy_pgettext("audited object", "Contest"),
        "Entry": lazy_pgettext("audited object", "Contest entry"),
        "Appeal": lazy_pgettext("audited object", "Appeal"),
        "JudgeScore": lazy_pgettext("audited object", "Judge's mark"),
        "AgreedMark": lazy_pgettext("audited object", "Agreed mark"),
    }
)


@dataclass(frozen=True)
class ContestFields:
    """What an organiser sets on a contest; times are naive UTC."""

    name: str
    trade_id: int
    level: str | None = None
    team_size: int = 1
    description: str = ""
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    quota_per_enterprise: int | None = None
    theory_weight: float = 0.3
    prize_quotas: tuple[float, ...] = (0.10, 0.20, 0.30)
    prize_minimum: float = 0.0
    title_name: str = ""
    title_count: int = 0
    tie_break: tuple[str, ...] = ("practical", "theory", "time")
    appeal_days: int = 5
    spread_limit: float = 1.0
    groups: tuple[str, ...] = ()


def is_organiser(actor: Actor) -> bool:
    """Tell whether the actor may run contests (no user: the system itself)."""
    return actor.user is None or bool(ORGANISING & actor.user.role_set)


def require_organiser(actor: Actor) -> None:
    """Refuse anyone but an organiser, an administrator or the system."""
    if not is_organiser(actor):
        raise DomainError(_l("Only an organiser may do this."))


def get_contest(contest_id: int, lock: bool = False) -> Contest:
    """The contest, optionally locked for this transaction; DomainError when there is none."""
    # The lock serialises one contest's writers (entries, quota counts, stage moves) on
    # PostgreSQL; on SQLite a writing transaction already holds the database's write lock.
    query = db.select(Contest).where(Contest.id == contest_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    contest = db.session.scalar(query)
    if contest is None:
        raise DomainError(_l("There is no such contest."), "contest_id")
    return contest


def require_stage(contest: Contest, stages: Stage | Iterable[Stage], message=None) -> None:
    """Refuse unless the contest is at one of the stages."""
    allowed = (stages,) if isinstance(stages, Stage) else tuple(stages)
    if contest.stage not in allowed:
        stage = STAGE_LABELS[contest.stage]
        default = _l(
            "This cannot be done while the contest is at the %(stage)s stage.", stage=stage
        )
        raise DomainError(message or default, "stage")


def advance(
    contest: Contest,
    from_stages: Stage | Iterable[Stage],
    to_stage: Stage,
    actor: Actor | None = None,
) -> Stage:
    """Move the contest from one of the stages to the next; audited when an actor is given."""
    require_stage(contest, from_stages)
    before = contest.stage
    contest.stage = to_stage
    db.session.flush()
    if actor is not None:
        record(actor, "contest.stage", contest, {"stage": str(before)}, {"stage": str(to_stage)})
    return before


def active_entrants(contest_id: int, user_ids: Iterable[int]) -> set[int]:
    """Those of the users in a pending or approved entry of the contest."""
    query = db.select(EntryMember.user_id).join(Entry, Entry.id == EntryMember.entry_id)
    query = query.where(EntryMember.contest_id == contest_id, EntryMember.user_id.in_(user_ids))
    return set(db.session.scalars(query.where(Entry.status.in_(ACTIVE))))


def is_staff(contest_id: int, user_id: int) -> bool:
    """Tell whether the user has any part in the contest's staff."""
    query = db.select(ContestStaff.role).where(
        ContestStaff.contest_id == contest_id, ContestStaff.user_id == user_id
    )
    return db.session.scalar(query.limit(1)) is not None


def lots_drawn(contest: Contest) -> bool:
    """Tell whether the contest has gone past registration."""
    return contest.stage not in BEFORE_DRAW


def _within(value: object, low: float, high: float) -> bool:
    """Tell whether the value is a finite number (not a bool) from low to high."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return False
    return math.isfinite(value) and low <= value <= high


def _whole(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _check_basics(values: ContestFields) -> None:
    if not (values.name or "").strip():
        raise DomainError(_l("Please give the contest a name."), "name")
    if len(values.name.strip()) > MAX_NAME:
        raise DomainError(_l("A contest's name has at most 120 characters."), "name")
    if len(values.description or "") > MAX_DESCRIPTION:
        raise DomainError(_l("The description has at most 5000 characters."), "description")
    if not isinstance(values.trade_id, int) or db.session.get(Trade, values.trade_id) is None:
        raise DomainError(_l("Choose a trade from the list."), "trade_id")
    if values.level not in (None, "", *SkillLevel._value2member_map_):
        raise DomainError(_l("Choose a skill level from the list, or none."), "level")
    if not _whole(values.team_size, 1, MAX_TEAM_SIZE):
        raise DomainError(_l("A team has between 1 and 10 members."), "team_size")
    quota = values.quota_per_enterprise
    if quota is not None and not _whole(quota, 1, MAX_QUOTA):
        message = _l("An enterprise's quota is 1 to 1000 entries, or none.")
        raise DomainError(message, "quota_per_enterprise")


def _check_window(values: ContestFields, required: bool) -> None:
    opens = naive_utc(values.registration_opens_at)
    closes = naive_utc(values.registration_closes_at)
    if (opens is None) != (closes is None) or (required and opens is None):
        raise DomainError(WINDOW_NEEDED, "registration_opens_at")
    if opens is not None and closes is not None and closes <= opens:
        raise DomainError(_l("Registration must close after it opens."), "registration_closes_at")


def _check_scoring(values: ContestFields) -> None:
    if not _within(values.theory_weight, 0.0, 1.0):
        raise DomainError(_l("The theory weight is between 0 and 1."), "theory_weight")
    quotas = tuple(values.prize_quotas or ())
    if not quotas or not all(_within(quota, 0.0, 1.0) for quota in quotas):
        raise DomainError(_l("Each prize quota is a share between 0 and 1."), "prize_quotas")
    if sum(float(quota) for quota in quotas) > 1.0 + 1e-9:
        raise DomainError(_l("Prize quotas add up to at most 1 (100%)."), "prize_quotas")
    if not _within(values.prize_minimum, 0.0, 100.0):
        raise DomainError(_l("The prize minimum is a score from 0 to 100."), "prize_minimum")
    if not _whole(values.title_count, 0, MAX_TITLE_COUNT):
        raise DomainError(_l("The number of titles is between 0 and 1000."), "title_count")
    title = (values.title_name or "").strip()
    if values.title_count > 0 and not title:
        raise DomainError(_l("Name the title the top entrants receive."), "title_name")
    if len(title) > MAX_TITLE_NAME:
        raise DomainError(_l("A title's name has at most 40 characters."), "title_name")


def _check_rules(values: ContestFields) -> None:
    chain = values.tie_break
    if isinstance(chain, str) or any(name not in TIE_BREAKS for name in chain or ()):
        raise DomainError(_l("Choose tie-breaks from practical, theory and time."), "tie_break")
    if len(set(chain)) != len(tuple(chain)):
        raise DomainError(_l("A tie-break may appear only once."), "tie_break")
    if not _whole(values.appeal_days, *APPEAL_DAYS):
        raise DomainError(_l("Appeals stay open for 1 to 30 days."), "appeal_days")
    if not _within(values.spread_limit, *SPREAD_LIMIT):
        raise DomainError(_l("The spread limit is between 0 and 3."), "spread_limit")
    names = [(name or "").strip() for name in values.groups]
    if len(names) > MAX_GROUPS:
        raise DomainError(_l("A contest has at most 10 groups."), "groups")
    if not all(names) or any(len(name) > MAX_GROUP_NAME for name in names):
        raise DomainError(_l("Each group needs a name of at most 40 characters."), "groups")
    if len(set(names)) != len(names):
        raise DomainError(_l("Each group needs a different name."), "groups")


def _check(values: ContestFields, window_required: bool = False) -> None:
    _check_basics(values)
    _check_window(values, window_required)
    _check_scoring(values)
    _check_rules(values)


def _normal(values: ContestFields) -> dict:
    """The values as the contest stores them: stripped, floats, lists, naive UTC."""
    return {
        "name": values.name.strip(),
        "trade_id": values.trade_id,
        "level": values.level or None,
        "team_size": values.team_size,
        "description": (values.description or "").strip(),
        "registration_opens_at": naive_utc(values.registration_opens_at),
        "registration_closes_at": naive_utc(values.registration_closes_at),
        "quota_per_enterprise": values.quota_per_enterprise,
        "theory_weight": float(values.theory_weight),
        "prize_quotas": [float(quota) for quota in values.prize_quotas],
        "prize_minimum": float(values.prize_minimum),
        "title_name": (values.title_name or "").strip(),
        "title_count": values.title_count,
        "tie_break": list(values.tie_break),
        "appeal_days": values.appeal_days,
        "spread_limit": float(values.spread_limit),
        "groups": [name.strip() for name in values.groups],
    }


def _current(contest: Contest) -> dict:
    values = {f.name: getattr(contest, f.name) for f in fields(ContestFields) if f.name != "groups"}
    return values | {"groups": [group.name for group in contest.groups]}


def _snapshot(contest: Contest) -> dict:
    values = _current(contest) | {"stage": str(contest.stage)}
    return {k: v.isoformat(sep=" ") if isinstance(v, datetime) else v for k, v in values.items()}


def _keep_fixed_rules(contest: Contest, wanted: dict) -> None:
    """Refuse changing rules that entries or drawn lots were made under."""
    current = _current(contest)
    changed = [name for name in RESULT_RULES if current[name] != wanted[name]]
    if lots_drawn(contest) and changed:
        raise DomainError(
            _l("The rules that decide results cannot change once lots are drawn."), changed[0]
        )
    changed = [name for name in ENTRY_RULES if current[name] != wanted[name]]
    has_entries = db.session.scalar(
        db.select(Entry.id).where(Entry.contest_id == contest.id).limit(1)
    )
    if changed and has_entries is not None:
        raise DomainError(
            _l("Team size and groups cannot change once entries have been made."), changed[0]
        )


def _apply(contest: Contest, wanted: dict) -> None:
    for name, value in wanted.items():
        if name != "groups":
            setattr(contest, name, value)
    kept = {group.name: group for group in contest.groups}
    contest.groups = [kept.get(name) or ContestGroup(name=name) for name in wanted["groups"]]
    for position, group in enumerate(contest.groups):
        group.position = position
    db.session.flush()


def create_contest(actor: Actor, fields: ContestFields) -> Contest:
    """Create a contest in draft with its rules and groups."""
    require_organiser(actor)
    begin_writing()
    _check(fields)
    contest = Contest(created_by_id=actor.user.id if actor.user else None, stage=Stage.DRAFT)
    db.session.add(contest)
    _apply(contest, _normal(fields))
    record(actor, "contest.create", contest, None, _snapshot(contest))
    return contest


def update_contest(actor: Actor, contest_id: int, fields: ContestFields) -> Contest:
    """Change a contest; rules that shape results stay fixed once lots are drawn."""
    require_organiser(actor)
    begin_writing()
    contest = get_contest(contest_id, lock=True)
    _check(fields, window_required=contest.stage is Stage.REGISTRATION)
    wanted = _normal(fields)
    _keep_fixed_rules(contest, wanted)
    before = _snapshot(contest)
    _apply(contest, wanted)
    record(actor, "contest.edit", contest, before, _snapshot(contest))
    return contest


def open_registration(actor: Actor, contest_id: int) -> Contest:
    """Open a draft contest for entries; it needs its registration window."""
    require_organiser(actor)
    begin_writing()
    contest = get_contest(contest_id, lock=True)
    require_stage(contest, Stage.DRAFT)
    if contest.registration_opens_at is None or contest.registration_closes_at is None:
        raise DomainError(WINDOW_NEEDED, "registration_opens_at")
    advance(contest, Stage.DRAFT, Stage.REGISTRATION, actor)
    return contest
