"""In-app notifications (the bell): one row per person a transition concerns."""

from collections.abc import Iterable

from sqlalchemy import func, select, update

from guild.extensions import db
from guild.timeutil import utcnow
from studios.challenge_models import Challenge, Notification

SHOWN = 50  # the latest notifications listed


def notify(
    user_ids: Iterable[int], kind: str, challenge: Challenge, params: dict | None = None
) -> int:
    """Tell each person (once, however often listed) of a transition; returns how many."""
    people = sorted(set(user_ids))
    values = {"title": challenge.title, **(params or {})}
    db.session.add_all(
        Notification(user_id=user_id, kind=kind, challenge_id=challenge.id, params=values)
        for user_id in people
    )
    db.session.flush()
    return len(people)


def unread_count(user_id: int) -> int:
    """How many of the person's notifications are unread."""
    query = select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    return db.session.scalar(query)


def latest(user_id: int, limit: int = SHOWN) -> list[Notification]:
    """The person's latest notifications, newest first."""
    query = select(Notification).where(Notification.user_id == user_id)
    return list(db.session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def mark_read(user_id: int, notification_id: int | None = None) -> int:
    """Mark one of the person's notifications (or all of them) read; returns how many."""
    statement = update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        statement = statement.where(Notification.id == notification_id)
    return db.session.execute(statement.values(read_at=utcnow())).rowcount
