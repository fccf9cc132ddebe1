"""Offline exchange events (线下交流活动) of a studio or an alliance, with sign-ups.

A studio's leader or an alliance's admins organise. Signed-in users sign up: confirmed while
places are free, else waiting in sign-up order. Every change of a sign-up first locks the
event row (SELECT … FOR UPDATE on PostgreSQL; on SQLite the writer's transaction holds the
database's write lock), so concurrent sign-ups never pass the capacity and a freed place goes
to exactly one waiting person, in the same transaction. `confirmed_count` is kept with each
change. Cancelling an event keeps its sign-ups; the organiser checks in confirmed people.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from guild.accounts.models import User
from guild.audit.labels import label_actions
from guild.audit.services import Actor, record
from guild.errors import DomainError
from guild.extensions import MAX_ID, db
from guild.text import has_control_characters
from guild.timeutil import utcnow
from guild.transactions import begin_writing
from studios.activity_models import Event, EventSignup, SignupStatus
from studios.models import Decision, Studio
from studios.services.access import (
    NotAllowed,
    NotFound,
    get_alliance,
    is_alliance_admin,
    require_alliance_admin,
    require_studio_member,
)

TITLE_MAX, PLACE_MAX, DESCRIPTION_MAX, REASON_MAX = 120, 120, 5000, 200
CAPACITY_MAX = 100_000

label_actions(
    {
        "event.create": _l("Event created"),
        "event.cancel": _l("Event cancelled"),
        "event.sign_up": _l("Signed up for an event"),
        "event.cancel_signup": _l("Event sign-up cancelled"),
        "event.promote": _l("Waiting person given a place"),
        "event.check_in": _l("Attendance checked in"),
    }
)


@dataclass(frozen=True)
class EventFields:
    """An event as its organiser describes it; times naive UTC."""

    title: str
    place: str
    starts_at: datetime | None
    ends_at: datetime | None
    capacity: int | None
    description: str = ""


@dataclass(frozen=True)
class EventCounts:
    """The figures an event page shows."""

    confirmed: int
    waiting: int
    attended: int
    cancelled: int


def _line(value: str, limit: int, field: str, label) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise DomainError(_l("%(what)s is required.", what=label), field)
    if len(text) > limit or has_control_characters(text):
        raise DomainError(_l("Enter at most %(n)d characters.", n=limit), field)
    return text


def _checked(fields: EventFields, now: datetime) -> EventFields:
    title = _line(fields.title, TITLE_MAX, "title", _l("A title"))
    place = _line(fields.place, PLACE_MAX, "place", _l("The place"))
    description = (fields.description or "").strip()
    if len(description) > DESCRIPTION_MAX or has_control_characters(description):
        message = _l("Enter at most %(n)d characters.", n=DESCRIPTION_MAX)
        raise DomainError(message, "description")
    if fields.starts_at is None:
        raise DomainError(_l("Give the start time."), "starts_at")
    if fields.ends_at is None:
        raise DomainError(_l("Give the end time."), "ends_at")
    if fields.starts_at <= now:
        raise DomainError(_l("The event must start in the future."), "starts_at")
    if fields.ends_at <= fields.starts_at:
        raise DomainError(_l("The event must end after it starts."), "ends_at")
    capacity = fields.capacity
    if capacity is None or not 1 <= capacity <= CAPACITY_MAX:
        message = _l("Give a capacity from 1 to %(n)d.", n=CAPACITY_MAX)
        raise DomainError(message, "capacity")
    return EventFields(title, place, fields.starts_at, fields.ends_at, capacity, description)


def _snapshot(event: Event) -> dict:
    return {
        "title": event.title,
        "place": event.place,
        "starts_at": event.starts_at.isoformat(timespec="minutes"),
        "ends_at": event.ends_at.isoformat(timespec="minutes"),
        "capacity": event.capacity,
        "studio_id": event.studio_id,
        "alliance_id": event.alliance_id,
    }


def create_event(
    actor: Actor,
    fields: EventFields,
    studio_id: int | None = None,
    alliance_id: int | None = None,
    now: datetime | None = None,
) -> Event:
    """A studio's leader (studio_id) or an alliance's admin (alliance_id) creates an event."""
    if (studio_id is None) == (alliance_id is None):
        raise DomainError(_l("An event is held by one studio or one alliance."))
    if studio_id is not None:
        require_studio_member(actor, studio_id, leader_only=True)
    else:
        require_alliance_admin(actor, alliance_id)
    fields = _checked(fields, now or utcnow())
    event = Event(
        studio_id=studio_id,
        alliance_id=alliance_id,
        title=fields.title,
        description=fields.description,
        place=fields.place,
        starts_at=fields.starts_at,
        ends_at=fields.ends_at,
        capacity=fields.capacity,
        created_by_id=actor.user.id,
    )
    db.session.add(event)
    db.session.flush()
    record(actor, "event.create", event, None, _snapshot(event))
    return event


def get_event(event_id: int, lock: bool = False) -> Event:
    """An event (of an approved studio, or of an alliance); NotFound otherwise."""
    if not 0 < event_id <= MAX_ID:
        raise NotFound(_l("There is no such event."))
    query = select(Event).where(Event.id == event_id)
    if lock:
        begin_writing()
        query = query.with_for_update().execution_options(populate_existing=True)
    event = db.session.scalar(query)
    if event is None:
        raise NotFound(_l("There is no such event."))
    if event.studio_id is not None:
        studio = db.session.get(Studio, event.studio_id)
        if studio is None or studio.status != Decision.APPROVED:
            raise NotFound(_l("There is no such event."))
    return event


def is_organiser(user_id: int | None, event: Event) -> bool:
    """Tell whether the user organises the event: the studio's leader or an alliance admin."""
    if user_id is None:
        return False
    if event.alliance_id is not None:
        return is_alliance_admin(user_id, event.alliance_id)
    studio = db.session.get(Studio, event.studio_id)
    return studio is not None and studio.leader_id == user_id


def _require_organiser(actor: Actor, event: Event) -> None:
    if not is_organiser(actor.user.id if actor.user else None, event):
        raise NotAllowed(_l("Only the event's organiser may do this."))


def _signed_in(actor: Actor) -> int:
    if actor.user is None:
        raise NotAllowed(_l("Sign in to sign up for events."))
    return actor.user.id


def _open_for_signups(event: Event, now: datetime) -> None:
    if event.cancelled_at is not None:
        raise DomainError(_l("This event has been cancelled."))
    if event.starts_at <= now:
        raise DomainError(_l("This event has already started."))


def sign_up(actor: Actor, event_id: int, now: datetime | None = None) -> EventSignup:
    """Sign the actor up: a confirmed place while any is free, else the waiting list."""
    now, user_id = now or utcnow(), _signed_in(actor)
    event = get_event(event_id, lock=True)
    _open_for_signups(event, now)
    signup = db.session.scalar(
        select(EventSignup).where(EventSignup.event_id == event.id, EventSignup.user_id == user_id)
    )
    if signup is not None and signup.status != SignupStatus.CANCELLED:
        raise DomainError(_l("You have already signed up for this event."))
    free = event.confirmed_count < event.capacity
    status = SignupStatus.CONFIRMED if free else SignupStatus.WAITING
    if signup is None:
        signup = EventSignup(event_id=event.id, user_id=user_id)
        db.session.add(signup)
    signup.status, signup.signed_up_at, signup.cancelled_at = status, now, None
    if free:
        event.confirmed_count += 1
    db.session.flush()
    record(actor, "event.sign_up", signup, None, {"event_id": event.id, "status": status.value})
    return signup


def _promote_first_waiting(actor: Actor, event: Event) -> EventSignup | None:
    """Give a freed place to the first in the waiting list (the event row is locked)."""
    first = db.session.scalar(
        select(EventSignup)
        .where(EventSignup.event_id == event.id, EventSignup.status == SignupStatus.WAITING)
        .order_by(EventSignup.signed_up_at, EventSignup.id)
        .limit(1)
    )
    if first is None:
        event.confirmed_count -= 1
        return None
    first.status = SignupStatus.CONFIRMED
    record(actor, "event.promote", first, {"status": "waiting"}, {"status": "confirmed"})
    return first


def cancel_signup(actor: Actor, event_id: int, now: datetime | None = None) -> EventSignup:
    """The actor gives up their place or leaves the waiting list; a freed place moves up."""
    now, user_id = now or utcnow(), _signed_in(actor)
    event = get_event(event_id, lock=True)
    signup = db.session.scalar(
        select(EventSignup)
        .where(EventSignup.event_id == event.id, EventSignup.user_id == user_id)
        .execution_options(populate_existing=True)
    )
    if signup is None or signup.status == SignupStatus.CANCELLED:
        raise DomainError(_l("You have not signed up for this event."))
    _open_for_signups(event, now)
    if signup.attended_at is not None:
        raise DomainError(_l("You have been checked in already."))
    before = signup.status
    signup.status, signup.cancelled_at = SignupStatus.CANCELLED, now
    if before == SignupStatus.CONFIRMED:
        _promote_first_waiting(actor, event)
    db.session.flush()
    record(actor, "event.cancel_signup", signup, {"status": before.value}, {"status": "cancelled"})
    return signup


def cancel_event(actor: Actor, event_id: int, reason: str, now: datetime | None = None) -> Event:
    """The organiser cancels the event with a reason; sign-ups are kept."""
    event = get_event(event_id, lock=True)
    _require_organiser(actor, event)
    if event.cancelled_at is not None:
        raise DomainError(_l("This event has been cancelled."))
    reason = _line(reason, REASON_MAX, "reason", _l("A reason"))
    event.cancelled_at, event.cancel_reason = now or utcnow(), reason
    db.session.flush()
    record(actor, "event.cancel", event, None, {"reason": reason})
    return event


def check_in(
    actor: Actor, event_id: int, signup_id: int, now: datetime | None = None
) -> EventSignup:
    """The organiser records that a confirmed person came."""
    event = get_event(event_id, lock=True)
    _require_organiser(actor, event)
    signup = db.session.get(EventSignup, signup_id) if 0 < signup_id <= MAX_ID else None
    if signup is None or signup.event_id != event.id:
        raise NotFound(_l("There is no such sign-up."))
    if event.cancelled_at is not None:
        raise DomainError(_l("This event has been cancelled."))
    if signup.status != SignupStatus.CONFIRMED:
        raise DomainError(_l("Only people with a confirmed place can be checked in."))
    if signup.attended_at is not None:
        raise DomainError(_l("This person has been checked in already."))
    signup.attended_at, signup.checked_in_by_id = now or utcnow(), actor.user.id
    db.session.flush()
    record(actor, "event.check_in", signup, None, {"event_id": event.id})
    return signup


def counts(event_id: int) -> EventCounts:
    """Confirmed, waiting, attended and cancelled sign-ups of an event."""
    rows = db.session.execute(
        select(EventSignup.status, func.count(), func.count(EventSignup.attended_at))
        .where(EventSignup.event_id == event_id)
        .group_by(EventSignup.status)
    )
    by_status = {status: (number, attended) for status, number, attended in rows}
    attended = sum(pair[1] for pair in by_status.values())
    return EventCounts(
        by_status.get(SignupStatus.CONFIRMED, (0, 0))[0],
        by_status.get(SignupStatus.WAITING, (0, 0))[0],
        attended,
        by_status.get(SignupStatus.CANCELLED, (0, 0))[0],
    )


def my_signup(user_id: int | None, event_id: int) -> EventSignup | None:
    """The user's sign-up for an event, if any."""
    if user_id is None:
        return None
    query = select(EventSignup).where(
        EventSignup.event_id == event_id, EventSignup.user_id == user_id
    )
    return db.session.scalar(query)


def waiting_position(signup: EventSignup) -> int:
    """1 for the first in the waiting list, and so on."""
    query = select(func.count()).where(
        EventSignup.event_id == signup.event_id,
        EventSignup.status == SignupStatus.WAITING,
        (EventSignup.signed_up_at < signup.signed_up_at)
        | ((EventSignup.signed_up_at == signup.signed_up_at) & (EventSignup.id <= signup.id)),
    )
    return db.session.scalar(query) or 0


def signups_of(event_id: int) -> list[EventSignup]:
    """Every sign-up of an event: confirmed, then waiting, then cancelled, each in order."""
    order = {SignupStatus.CONFIRMED: 0, SignupStatus.WAITING: 1, SignupStatus.CANCELLED: 2}
    query = select(EventSignup).where(EventSignup.event_id == event_id)
    rows = db.session.scalars(query.order_by(EventSignup.signed_up_at, EventSignup.id))
    return sorted(rows, key=lambda signup: order[signup.status])


def upcoming_events(now: datetime, studio_id: int | None = None, alliance_id: int | None = None):
    """Events not yet over, soonest first, of approved studios and of alliances."""
    query = (
        select(Event)
        .outerjoin(Studio, Studio.id == Event.studio_id)
        .where(Event.ends_at > now)
        .where((Event.studio_id.is_(None)) | (Studio.status == Decision.APPROVED))
        .order_by(Event.starts_at, Event.id)
    )
    if studio_id is not None:
        query = query.where(Event.studio_id == studio_id)
    if alliance_id is not None:
        get_alliance(alliance_id)
        query = query.where(Event.alliance_id == alliance_id)
    return query


def past_events(now: datetime, studio_id: int | None = None, alliance_id: int | None = None):
    """Events already over, latest first (a studio's or an alliance's), as a query."""
    query = select(Event).where(Event.ends_at <= now).order_by(Event.starts_at.desc(), Event.id)
    if studio_id is not None:
        query = query.where(Event.studio_id == studio_id)
    if alliance_id is not None:
        query = query.where(Event.alliance_id == alliance_id)
    return query


def organiser_name(event: Event) -> str:
    """The studio's or the alliance's name."""
    if event.alliance_id is not None:
        return get_alliance(event.alliance_id).name
    studio = db.session.get(Studio, event.studio_id)
    return studio.name if studio else ""


def people_of(signups: list[EventSignup]) -> dict[int, User]:
    """The users of some sign-ups, by id."""
    ids = {signup.user_id for signup in signups}
    users = db.session.scalars(select(User).where(User.id.in_(ids))) if ids else []
    return {user.id: user for user in users}
