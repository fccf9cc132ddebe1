"""Founding a studio: the application, the alliance admins' decision, and later edits."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import func, select

import studios.services.audit_fields  # noqa: F401  (names the audited fields)
from guild.accounts.models import Enterprise
from guild.audit.labels import label_actions, label_objects
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import MAX_ID, db
from guild.timeutil import utcnow
from guild.transactions import begin_writing
from studios.models import (
    AllianceMembership,
    Decision,
    MemberRole,
    MemberStatus,
    Studio,
    StudioLevel,
    StudioMember,
)
from studios.search_models import SearchKind
from studios.services import search
from studios.services.access import (
    NotAllowed,
    get_alliance,
    get_studio,
    require_alliance_admin,
    require_studio_member,
)
from studios.services.alliances import user_by_phone
from studios.services.periods import today

NAME_MIN, NAME_MAX = 2, 80
CITY_MAX, INDUSTRY_MAX, DESCRIPTION_MAX, NOTE_MAX = 20, 40, 5000, 200
HONOUR_MAX, HONOURS_MAX = 40, 10
EARLIEST_FOUNDING = date(1949, 10, 1)

label_actions(
    {
        "studio.apply": _l("Studio application made"),
        "studio.approve": _l("Studio approved"),
        "studio.reject": _l("Studio rejected"),
        "studio.update": _l("Studio edited"),
        "studio.withdraw": _l("Studio application withdrawn"),
    }
)
# The audited objects of the whole studios domain, named in one place.
label_objects(
    {
        "Alliance": lazy_pgettext("audited object", "Alliance"),
        "AllianceMembership": lazy_pgettext("audited object", "Alliance membership"),
        "Studio": lazy_pgettext("audited object", "Studio"),
        "StudioMember": lazy_pgettext("audited object", "Studio member"),
        "Achievement": lazy_pgettext("audited object", "Achievement"),
        "AchievementPhoto": lazy_pgettext("audited object", "Achievement photo"),
        "Patent": lazy_pgettext("audited object", "Patent"),
        "Courseware": lazy_pgettext("audited object", "Courseware"),
        "Event": lazy_pgettext("audited object", "Event"),
        "EventSignup": lazy_pgettext("audited object", "Event sign-up"),
        "EvaluationYear": lazy_pgettext("audited object", "Evaluation year"),
        "Challenge": lazy_pgettext("audited object", "Challenge"),
        "ChallengeClaim": lazy_pgettext("audited object", "Challenge claim"),
        "Milestone": lazy_pgettext("audited object", "Challenge milestone"),
    }
)


@dataclass(frozen=True)
class StudioFields:
    """A studio's details as its applicant or leader gives them."""

    name: str
    city: str
    level: StudioLevel | str
    founded_on: date | None
    industry: str = ""
    description: str = ""
    leader_honours: list[str] = field(default_factory=list)
    enterprise_id: int | None = None


def _checked_honours(honours: list[str]) -> list[str]:
    cleaned = [honour.strip() for honour in honours if honour and honour.strip()]
    if len(cleaned) > HONOURS_MAX:
        raise DomainError(_l("Give at most 10 honours."), "leader_honours")
    if any(len(honour) > HONOUR_MAX for honour in cleaned):
        raise DomainError(_l("Each honour may have at most 40 characters."), "leader_honours")
    return list(dict.fromkeys(cleaned))


def _checked_level(level: StudioLevel | str) -> StudioLevel:
    try:
        return StudioLevel(level)
    except ValueError as error:
        raise DomainError(_l("Choose a level from the list."), "level") from error


def _checked_enterprise(enterprise_id: int | None) -> int | None:
    if enterprise_id is None:
        return None
    if not 0 < enterprise_id <= MAX_ID or db.session.get(Enterprise, enterprise_id) is None:
        raise DomainError(_l("Choose an enterprise from the list."), "enterprise_id")
    return enterprise_id


def checked_fields(fields: StudioFields, today: date) -> StudioFields:
    """The fields trimmed and checked; DomainError naming the first bad field."""
    name, city = (fields.name or "").strip(), (fields.city or "").strip()
    industry, description = (fields.industry or "").strip(), (fields.description or "").strip()
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise DomainError(_l("Give a name of 2 to 80 characters."), "name")
    if not 0 < len(city) <= CITY_MAX:
        raise DomainError(_l("Give the studio's city."), "city")
    if len(industry) > INDUSTRY_MAX:
        raise DomainError(_l("The industry may have at most 40 characters."), "industry")
    if len(description) > DESCRIPTION_MAX:
        raise DomainError(_l("The description may have at most 5000 characters."), "description")
    if fields.founded_on is None:
        raise DomainError(_l("Give the founding date."), "founded_on")
    if fields.founded_on > today:
        raise DomainError(_l("The founding date cannot be in the future."), "founded_on")
    if fields.founded_on < EARLIEST_FOUNDING:
        raise DomainError(_l("The founding date is too early."), "founded_on")
    return StudioFields(
        name,
        city,
        _checked_level(fields.level),
        fields.founded_on,
        industry,
        description,
        _checked_honours(list(fields.leader_honours or [])),
        _checked_enterprise(fields.enterprise_id),
    )


def _check_name_free(name: str, studio_id: int | None = None) -> None:
    query = select(Studio.id).where(func.lower(Studio.name) == name.lower())
    if studio_id is not None:
        query = query.where(Studio.id != studio_id)
    if db.session.scalar(query.limit(1)) is not None:
        raise DomainError(_l("A studio with this name already exists or has applied."), "name")


def _snapshot(studio: Studio) -> dict:
    return {
        "name": studio.name,
        "city": studio.city,
        "industry": studio.industry,
        "level": str(studio.level),
        "founded_on": studio.founded_on.isoformat(),
        "enterprise_id": studio.enterprise_id,
        "leader_honours": list(studio.leader_honours or []),
        "description": studio.description,
    }


def apply_for_studio(
    actor: Actor, alliance_id: int, fields: StudioFields, leader_phone: str = ""
) -> Studio:
    """Apply to found a studio in an alliance; its leader is the applicant or a named user."""
    if actor.user is None:
        raise NotAllowed(_l("Sign in to apply."))
    begin_writing()
    alliance = get_alliance(alliance_id)
    fields = checked_fields(fields, today())
    leader = user_by_phone(leader_phone, "leader_phone") if leader_phone.strip() else actor.user
    _check_name_free(fields.name)
    studio = Studio(
        name=fields.name,
        leader_id=leader.id,
        enterprise_id=fields.enterprise_id or leader.enterprise_id,
        city=fields.city,
        industry=fields.industry,
        level=fields.level,
        founded_on=fields.founded_on,
        description=fields.description,
        leader_honours=fields.leader_honours,
        status=Decision.PENDING,
        applied_alliance_id=alliance.id,
        applied_by_id=actor.user.id,
    )
    db.session.add(studio)
    db.session.flush()
    after = {**_snapshot(studio), "alliance_id": alliance.id, "leader_id": leader.id}
    record(actor, "studio.apply", studio, None, after)
    return studio


def index_studio(studio: Studio) -> None:
    """Put an approved studio's name, description, honours, city and industry in the index."""
    body = " ".join(
        [studio.description, " ".join(studio.leader_honours or []), studio.city, studio.industry]
    )
    published = studio.decided_at.date() if studio.decided_at else studio.founded_on
    search.index_item(SearchKind.STUDIO, studio.id, studio.id, studio.name, body, published)


def _join_as_leader(studio: Studio) -> None:
    member = db.session.scalar(
        select(StudioMember).where(
            StudioMember.studio_id == studio.id, StudioMember.user_id == studio.leader_id
        )
    )
    if member is None:
        member = StudioMember(studio_id=studio.id, user_id=studio.leader_id)
        db.session.add(member)
    member.role, member.status = MemberRole.LEADER, MemberStatus.ACTIVE
    member.invited_by_id, member.joined_at, member.left_at = studio.applied_by_id, utcnow(), None


def decide_studio(actor: Actor, studio_id: int, approve: bool, note: str = "") -> Studio:
    """An admin of the alliance applied to approves (the studio joins it) or rejects."""
    begin_writing()
    studio = get_studio(studio_id)
    require_alliance_admin(actor, studio.applied_alliance_id)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(_l("The note may have at most 200 characters."), "note")
    if studio.status != Decision.PENDING:
        raise DomainError(_l("This application has already been decided."))
    if not approve and not note:
        raise DomainError(_l("Say why the application is rejected."), "note")
    now = utcnow()
    studio.status = Decision.APPROVED if approve else Decision.REJECTED
    studio.decided_by_id, studio.decided_at, studio.decision_note = actor.user.id, now, note
    if approve:
        membership = AllianceMembership(
            alliance_id=studio.applied_alliance_id,
            studio_id=studio.id,
            status=Decision.APPROVED,
            applied_by_id=studio.applied_by_id,
            applied_at=studio.created_at,
            decided_by_id=actor.user.id,
            decided_at=now,
            note=note,
        )
        db.session.add(membership)
        _join_as_leader(studio)
    db.session.flush()
    if approve:
        index_studio(studio)
    action = "studio.approve" if approve else "studio.reject"
    record(
        actor, action, studio, {"status": "pending"}, {"status": str(studio.status), "note": note}
    )
    return studio


def update_studio(actor: Actor, studio_id: int, fields: StudioFields) -> Studio:
    """The leader edits the studio's details; the search index follows."""
    begin_writing()
    studio = require_studio_member(actor, studio_id, leader_only=True)
    fields = checked_fields(fields, today())
    _check_name_free(fields.name, studio.id)
    before = _snapshot(studio)
    studio.name, studio.city, studio.industry = fields.name, fields.city, fields.industry
    studio.level, studio.founded_on = fields.level, fields.founded_on
    studio.description, studio.leader_honours = fields.description, fields.leader_honours
    if fields.enterprise_id is not None:
        studio.enterprise_id = fields.enterprise_id
    db.session.flush()
    index_studio(studio)
    after = _snapshot(studio)
    changed = {key for key in after if after[key] != before[key]}
    if changed:
        record(
            actor,
            "studio.update",
            studio,
            {key: before[key] for key in changed},
            {key: after[key] for key in changed},
        )
    return studio


def withdraw_application(actor: Actor, studio_id: int) -> Studio:
    """The applicant takes back a founding application not yet decided."""
    begin_writing()
    studio = get_studio(studio_id)
    if actor.user is None or studio.applied_by_id != actor.user.id:
        raise NotAllowed(_l("Only the applicant may withdraw the application."))
    if studio.status != Decision.PENDING:
        raise DomainError(_l("This application has already been decided."))
    studio.status = Decision.WITHDRAWN
    db.session.flush()
    record(actor, "studio.withdraw", studio, {"status": "pending"}, {"status": "withdrawn"})
    return studio
