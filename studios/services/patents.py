"""A studio's patents: adding, editing, their legal status history, deleting, all audited.

Rights: any active member of an approved studio (its leader or a member) adds patents, edits
them and records status changes; deleting is for the studio's leader or the member who added
it. A patent's status history starts with "pending" on the filing date (and "in force" on the
grant date when one is given); each change after it has a date no earlier than the last one.
A patent in force has a grant date; a pending one has none (the grant is recorded as a change
to "in force", whose date becomes the grant date).
"""

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from guild.accounts.models import User
from guild.audit.labels import label_actions, label_values
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import MAX_ID, db
from guild.timeutil import local_day, utcnow
from studios.challenge_models import Challenge
from studios.models import MemberRole, MemberStatus, StudioMember
from studios.publication_models import Patent, PatentStatus, PatentStatusChange, PatentType
from studios.search_models import SearchKind
from studios.services.access import NotAllowed, NotFound, require_studio_member, studio_role
from studios.services.patent_numbers import parse_application_number
from studios.services.search import index_item, unindex_item

MAX_INVENTORS = 30
MAX_NAME = 30
MAX_ABSTRACT = 5000
NO_PATENT = _l("There is no such patent.")
TRANSITIONS = {
    PatentStatus.PENDING: {PatentStatus.IN_FORCE, PatentStatus.LAPSED},
    PatentStatus.IN_FORCE: {PatentStatus.LAPSED},
    PatentStatus.LAPSED: {PatentStatus.IN_FORCE},  # rights restored (恢复权利)
}
TYPE_LABELS = {
    PatentType.INVENTION: _l("Invention"),
    PatentType.UTILITY_MODEL: _l("Utility model"),
    PatentType.DESIGN: _l("Design"),
}
STATUS_LABELS = {
    PatentStatus.PENDING: _l("Under examination"),
    PatentStatus.IN_FORCE: _l("In force"),
    PatentStatus.LAPSED: _l("Lapsed"),
}
label_values("Patent", {"patent_type": TYPE_LABELS, "status": STATUS_LABELS})

label_actions(
    {
        "patent.create": _l("Patent added"),
        "patent.update": _l("Patent edited"),
        "patent.status": _l("Patent status changed"),
        "patent.delete": _l("Patent deleted"),
    }
)


@dataclass
class PatentFields:
    """What a member enters about a patent."""

    patent_type: PatentType
    application_number: str
    title: str
    filed_on: date
    granted_on: date | None = None
    member_ids: list[int] = field(default_factory=list)
    other_inventors: list[str] = field(default_factory=list)
    abstract: str = ""
    challenge_id: int | None = None


def today() -> date:
    """Today in the app's time zone."""
    return local_day(utcnow(), current_app.config["BABEL_DEFAULT_TIMEZONE"])


def get_patent(patent_id: int, studio_id: int | None = None) -> Patent:
    """The patent (of the studio, when given); DomainError NO_PATENT otherwise."""
    patent = db.session.get(Patent, patent_id) if 0 < patent_id <= MAX_ID else None
    if patent is None or (studio_id is not None and patent.studio_id != studio_id):
        raise NotFound(NO_PATENT, field="patent_id")
    return patent


def check_challenge(challenge_id: int | None) -> None:
    """A publication may name the challenge (揭榜挂帅) it came from, if that challenge exists."""
    if challenge_id is None:
        return
    if not 0 < challenge_id <= MAX_ID or db.session.get(Challenge, challenge_id) is None:
        raise DomainError(_l("There is no such challenge."), "challenge_id")


def _inventors(studio_id: int, fields: PatentFields) -> list[dict]:
    member_ids = list(dict.fromkeys(fields.member_ids))
    rows = db.session.execute(
        select(User.id, User.real_name)
        .join(StudioMember, StudioMember.user_id == User.id)
        .where(
            StudioMember.studio_id == studio_id,
            StudioMember.status == MemberStatus.ACTIVE,
            User.id.in_([i for i in member_ids if 0 < i <= MAX_ID]),
        )
    ).all()
    names = dict(rows)
    if len(names) != len(member_ids):
        raise DomainError(_l("Choose inventors among the studio's members."), "member_ids")
    others = [" ".join(name.split()) for name in fields.other_inventors]
    others = [name for name in dict.fromkeys(others) if name]
    if any(len(name) > MAX_NAME for name in others):
        raise DomainError(_l("An inventor's name is too long."), "other_inventors")
    inventors = [{"user_id": i, "name": names[i]} for i in member_ids]
    inventors += [{"user_id": None, "name": name} for name in others]
    if not inventors:
        raise DomainError(_l("Name at least one inventor."), "member_ids")
    if len(inventors) > MAX_INVENTORS:
        raise DomainError(_l("A patent has at most 30 inventors here."), "other_inventors")
    return inventors


def _check(fields: PatentFields, studio_id: int) -> tuple[str, list[dict]]:
    """The canonical number and the inventors, or a DomainError naming the field."""
    if fields.patent_type not in TYPE_LABELS:
        raise DomainError(_l("Choose the type of patent."), "patent_type")
    number = parse_application_number(fields.application_number, today())
    if number.patent_type != fields.patent_type:
        raise DomainError(
            _l(
                "This application number is for a patent of type “%(kind)s”.",
                kind=TYPE_LABELS[number.patent_type],
            ),
            "application_number",
        )
    title = " ".join((fields.title or "").split())
    if not title or len(title) > 200:
        raise DomainError(_l("Give a title of at most 200 characters."), "title")
    if fields.filed_on > today() or fields.filed_on.year < 1985:
        raise DomainError(_l("The filing date cannot be in the future."), "filed_on")
    if fields.granted_on is not None and fields.granted_on < fields.filed_on:
        raise DomainError(_l("A patent is granted after it is filed."), "granted_on")
    if fields.granted_on is not None and fields.granted_on > today():
        raise DomainError(_l("The grant date cannot be in the future."), "granted_on")
    if len(fields.abstract or "") > MAX_ABSTRACT:
        raise DomainError(_l("The abstract is too long (5,000 characters at most)."), "abstract")
    check_challenge(fields.challenge_id)
    return number.text, _inventors(studio_id, fields)


def snapshot(patent: Patent) -> dict:
    """What the audit log keeps of a patent."""
    return {
        "studio_id": patent.studio_id,
        "patent_type": str(patent.patent_type),
        "application_number": patent.application_number,
        "title": patent.title,
        "inventors": [item["name"] for item in patent.inventors or []],
        "filed_on": patent.filed_on.isoformat(),
        "granted_on": patent.granted_on.isoformat() if patent.granted_on else None,
        "status": str(patent.status),
        "challenge_id": patent.challenge_id,
    }


def _apply(patent: Patent, fields: PatentFields, number: str, inventors: list[dict]) -> None:
    patent.patent_type = fields.patent_type
    patent.application_number = number
    patent.title = " ".join(fields.title.split())
    patent.inventors = inventors
    patent.filed_on = fields.filed_on
    patent.granted_on = fields.granted_on
    patent.abstract = (fields.abstract or "").strip()
    patent.challenge_id = fields.challenge_id


def _store(patent: Patent) -> None:
    """Insert or update; the unique application number refuses a duplicate, even in a race."""
    try:
        with db.session.begin_nested():
            db.session.add(patent)
    except IntegrityError as error:
        raise DomainError(
            _l("A patent with this application number is already registered."),
            "application_number",
        ) from error


def reindex(patent: Patent) -> None:
    """Put the patent's title, number, inventors and abstract in the search index."""
    names = " ".join(item["name"] for item in patent.inventors or [])
    number = patent.application_number
    body = f"{patent.abstract}\n{names}\nCN{number} ZL{number}"
    index_item(SearchKind.PATENT, patent.id, patent.studio_id, patent.title, body, patent.filed_on)


def add_patent(actor: Actor, studio_id: int, fields: PatentFields) -> Patent:
    """A member adds a patent to their studio."""
    studio = require_studio_member(actor, studio_id)
    number, inventors = _check(fields, studio.id)
    patent = Patent(studio_id=studio.id, created_by_id=actor.user.id)
    _apply(patent, fields, number, inventors)
    patent.status = PatentStatus.IN_FORCE if fields.granted_on else PatentStatus.PENDING
    _store(patent)
    history = [(PatentStatus.PENDING, fields.filed_on, "")]
    if fields.granted_on:
        history.append((PatentStatus.IN_FORCE, fields.granted_on, ""))
    for status, day, note in history:
        db.session.add(
            PatentStatusChange(
                patent_id=patent.id,
                status=status,
                changed_on=day,
                note=note,
                recorded_by_id=actor.user.id,
            )
        )
    reindex(patent)
    record(actor, "patent.create", patent, None, snapshot(patent))
    return patent


def update_patent(actor: Actor, studio_id: int, patent_id: int, fields: PatentFields) -> Patent:
    """A member edits a patent of their studio (its status changes only through history)."""
    studio = require_studio_member(actor, studio_id)
    patent = get_patent(patent_id, studio.id)
    number, inventors = _check(fields, studio.id)
    if patent.status == PatentStatus.PENDING and fields.granted_on is not None:
        raise DomainError(
            _l("A pending patent has no grant date: record the grant as a change of status."),
            "granted_on",
        )
    if patent.status == PatentStatus.IN_FORCE and fields.granted_on is None:
        raise DomainError(_l("A patent in force has a grant date."), "granted_on")
    history = status_history(patent.id)
    if any(fields.filed_on > change.changed_on for change in history[1:]):
        raise DomainError(_l("The filing date must come before the status changes."), "filed_on")
    before = snapshot(patent)
    if history and history[0].changed_on == patent.filed_on:
        history[0].changed_on = fields.filed_on  # the first step is the filing itself
    _apply(patent, fields, number, inventors)
    _store(patent)
    reindex(patent)
    record(actor, "patent.update", patent, before, snapshot(patent))
    return patent


def _history_dates(patent_id: int) -> list[date]:
    query = (
        select(PatentStatusChange.changed_on)
        .where(PatentStatusChange.patent_id == patent_id)
        .order_by(PatentStatusChange.changed_on, PatentStatusChange.id)
    )
    return list(db.session.scalars(query))


def status_history(patent_id: int) -> list[PatentStatusChange]:
    """The patent's status changes, oldest first."""
    query = (
        select(PatentStatusChange)
        .where(PatentStatusChange.patent_id == patent_id)
        .order_by(PatentStatusChange.changed_on, PatentStatusChange.id)
    )
    return list(db.session.scalars(query))


def change_status(
    actor: Actor, studio_id: int, patent_id: int, status: PatentStatus, on: date, note: str = ""
) -> PatentStatusChange:
    """A member records a dated change of a patent's legal status."""
    studio = require_studio_member(actor, studio_id)
    patent = get_patent(patent_id, studio.id)
    if status not in TRANSITIONS.get(patent.status, set()):
        raise DomainError(
            _l("The patent cannot change to this status from its current one."), "status"
        )
    restoring = status == PatentStatus.IN_FORCE and patent.status == PatentStatus.LAPSED
    if restoring and patent.granted_on is None:
        raise DomainError(_l("A patent that was never granted cannot be restored."), "status")
    dates = _history_dates(patent.id)
    if on > today():
        raise DomainError(_l("The date cannot be in the future."), "changed_on")
    if on < max([patent.filed_on, *dates]):
        raise DomainError(
            _l("The date must not be earlier than the filing date or the last change."),
            "changed_on",
        )
    note = " ".join((note or "").split())
    if len(note) > 200:
        raise DomainError(_l("The note is too long (200 characters at most)."), "note")
    before = snapshot(patent)
    if status == PatentStatus.IN_FORCE and patent.granted_on is None:
        patent.granted_on = on
    patent.status = status
    change = PatentStatusChange(
        patent_id=patent.id, status=status, changed_on=on, note=note, recorded_by_id=actor.user.id
    )
    db.session.add(change)
    db.session.flush()
    record(actor, "patent.status", patent, before, {**snapshot(patent), "note": note})
    return change


def may_delete(user_id: int | None, patent: Patent) -> bool:
    """The studio's leader or the member who added it may delete a patent."""
    role = studio_role(user_id, patent.studio_id)
    return role == MemberRole.LEADER or (role is not None and patent.created_by_id == user_id)


def delete_patent(actor: Actor, studio_id: int, patent_id: int) -> None:
    """The leader (or the member who added it) deletes a patent and its history."""
    studio = require_studio_member(actor, studio_id)
    patent = get_patent(patent_id, studio.id)
    if not may_delete(actor.user.id, patent):
        raise NotAllowed(_l("Only the studio's leader or the member who added it may delete it."))
    before = snapshot(patent)
    db.session.execute(
        PatentStatusChange.__table__.delete().where(PatentStatusChange.patent_id == patent.id)
    )
    unindex_item(SearchKind.PATENT, patent.id)
    record(actor, "patent.delete", patent, before, None)
    db.session.delete(patent)
    db.session.flush()


def studio_patents(studio_id: int, limit: int | None = None) -> list[Patent]:
    """A studio's patents, latest filed first."""
    query = (
        select(Patent)
        .where(Patent.studio_id == studio_id)
        .order_by(Patent.filed_on.desc(), Patent.id.desc())
    )
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))
